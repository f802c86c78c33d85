"""Registry imports on a real SQLite file: replace, changes, zips, all-or-nothing, lookups and freshness."""

from __future__ import annotations

import json
import os
import threading
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.phones import area_code_region
from desktop.services.clock import ManualClock
from desktop.services.dnc import DncService
from desktop.services.registry import (
    RegistryImportCancelled,
    RegistryImportFailed,
    RegistryLookup,
    RegistryService,
)
from desktop.services.workspace import Workspace
from desktop.storage.models import AuditEvent, RegistrySource
from desktop.storage.registry_store import MAX_SLOT, RegistryRepository
from desktop.storage.uow import UnitOfWorkFactory
from tests.conftest import SHARED_DATA

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE_NUMBERS = {
    "+12125550199",
    "+13055550166",
    "+16145550111",
    "+12065550172",
    "+14045550100",
    "+14045550101",
    "+18085550199",
}


def sample_registry() -> Path:
    shared = SHARED_DATA / "dnc-national-sample.txt"
    return shared if shared.exists() else FIXTURES / "dnc-national-sample.txt"


@pytest.fixture
def service(workspace: Workspace) -> RegistryService:
    return RegistryService(workspace.uow, workspace.clock)


@pytest.fixture
def lookup(workspace: Workspace) -> RegistryLookup:
    found = RegistryLookup(workspace.engine)
    yield found
    found.close()


# Files written by a test get this modification date unless it names another: the import takes a
# file's date as its as-of date, and the real date would make the tests depend on today.
FILES_DATE = datetime(2026, 11, 30, 12, tzinfo=UTC)


def write(path: Path, text: str, mtime: datetime = FILES_DATE) -> Path:
    path.write_text(text, encoding="ascii")
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def listed(lookup: RegistryLookup) -> set[str]:
    return {number for number in SAMPLE_NUMBERS if lookup.sources_for(number)}


# The area codes the US National Registry covers (a Canadian or Caribbean one is refused there).
US_CODES = [code for code in range(200, 1000) if area_code_region(code) in (None, "US")]


def big_list(path: Path, count: int = 200_000) -> Path:
    """More than one read block (1 MiB), so progress and cancel run in the middle of the import."""
    codes = US_CODES
    return write(path, "".join(f"{codes[i % len(codes)]},{2000000 + i:07d}\n" for i in range(count)))


def test_sample_import_then_lookup(service: RegistryService, lookup: RegistryLookup, tmp_path: Path) -> None:
    copy = write(
        tmp_path / "national.txt", sample_registry().read_text(), datetime(2026, 11, 20, 12, tzinfo=UTC)
    )
    report = service.import_file(copy, "national")
    assert (report.kind, report.added, report.removed, report.total) == ("full", 7, 0, 7)
    assert report.as_of == date(2026, 11, 20)  # the file's modification date
    assert report.rejected == [] and report.snapshot_id is not None
    assert lookup.sources_for("+12125550199") == {"national"}
    assert lookup.sources_for("+19175550142") == frozenset()  # James O'Neil's mobile
    assert lookup.sources_for("+14045550107") == frozenset()  # Omar Farouk
    assert lookup.sources_for("+442079460958") == frozenset()
    assert lookup.sources_for("not a number") == frozenset()


def test_as_of_option_wins_and_future_dates_are_refused(service: RegistryService, tmp_path: Path) -> None:
    copy = write(tmp_path / "national.txt", "212,5550199\n")
    assert service.import_file(copy, "national", as_of=date(2026, 11, 28)).as_of == date(2026, 11, 28)
    with pytest.raises(RegistryImportFailed, match="future"):
        service.import_file(copy, "national", as_of=date(2027, 1, 1))


def test_full_list_replaces_only_the_area_codes_it_covers(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 1))
    # 212 and 305 again (212's number changed), and 917 for the first time.
    second = write(tmp_path / "next.txt", "212,5550123\n305,5550166\n917,5550142\n")
    report = service.import_file(second, "national", as_of=date(2026, 11, 29))
    assert (report.added, report.removed, report.total) == (2, 1, 8)
    assert report.area_codes == (212, 305, 917)
    assert listed(lookup) == SAMPLE_NUMBERS - {"+12125550199"}
    assert lookup.sources_for("+12125550123") == lookup.sources_for("+19175550142") == {"national"}
    [status] = service.status()
    # The source is as old as its oldest area code: 206, 404, 614, 808 are still as of 11-01.
    assert (status.source, status.count, status.as_of) == ("national", 8, date(2026, 11, 1))
    assert status.coverage is not None
    assert status.coverage.area_codes == (206, 212, 305, 404, 614, 808, 917)


def test_change_list_applies_additions_and_deletions(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 1))
    changes = write(
        tmp_path / "changes.csv",
        "number,action,date\n"
        "212,5550199,D,2026-11-20\n"
        "2065550142,A,2026-11-20\n"
        "A,404,5550100,11/20/2026\n"  # already listed: not counted as added
        "D,3055550100,2026-11-20\n"  # not listed: not counted as removed
        "bogus line\n",
    )
    report = service.import_file(changes, "national", as_of=date(2026, 11, 21))
    assert (report.kind, report.added, report.removed, report.total) == ("changes", 1, 1, 7)
    assert [(r.line, r.value) for r in report.rejected] == [(6, "bogus line")]
    assert lookup.sources_for("+12125550199") == frozenset()
    assert lookup.sources_for("+12065550142") == {"national"}
    [status] = service.status()
    # The change list touched 206, 212, 305 and 404: they take its date; the rest keep their own.
    assert (status.count, status.as_of) == (7, date(2026, 11, 1))
    assert report.area_codes == (206, 212, 305, 404)
    assert status.coverage is not None and status.coverage.area_codes == (206, 212, 305, 404, 614, 808)
    dates = {code: copy.as_of for code, copy in lookup.coverage()["national"].items()}
    assert dates == {
        **dict.fromkeys((206, 212, 305, 404), date(2026, 11, 21)),
        614: date(2026, 11, 1),
        808: date(2026, 11, 1),
    }


def test_change_list_needs_a_full_copy_and_a_later_date(service: RegistryService, tmp_path: Path) -> None:
    changes = write(tmp_path / "changes.csv", "2125550199,A\n")
    with pytest.raises(RegistryImportFailed, match="full list"):
        service.import_file(changes, "national", as_of=date(2026, 11, 21))
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 25))
    with pytest.raises(RegistryImportFailed, match="older"):
        service.import_file(changes, "national", as_of=date(2026, 11, 21))


def test_zero_numbers_fails_loudly_and_writes_nothing(service: RegistryService, tmp_path: Path) -> None:
    for name, text in (("empty.txt", ""), ("junk.txt", "hello\nworld\n\n"), ("blank.txt", "\n\n")):
        with pytest.raises(RegistryImportFailed) as failure:
            service.import_file(write(tmp_path / name, text), "national", as_of=date(2026, 11, 30))
        message = str(failure.value)
        assert "\n" not in message and name in message and "no phone numbers" in message
    assert service.status() == []


def test_error_midway_keeps_the_previous_copy(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 1))
    before = service.status()
    calls = []

    def failing_progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise OSError("disk unplugged")

    with pytest.raises(OSError, match="unplugged"):
        service.import_file(big_list(tmp_path / "big.txt"), "national", progress=failing_progress)
    assert service.status() == before
    assert listed(lookup) == SAMPLE_NUMBERS
    assert lookup.sources_for("+12002000000") == frozenset()


def test_cancel_keeps_the_previous_copy(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 1))
    before = service.status()
    seen = []
    with pytest.raises(RegistryImportCancelled):
        service.import_file(
            big_list(tmp_path / "big.txt"),
            "national",
            progress=lambda done, total: seen.append(done),
            cancelled=lambda: len(seen) >= 1,
        )
    assert service.status() == before and listed(lookup) == SAMPLE_NUMBERS
    # A cancel after the last block, just before the commit, still writes nothing.
    ticks = []
    with pytest.raises(RegistryImportCancelled):
        service.import_file(
            write(tmp_path / "small.txt", "917,5550142\n"),
            "national",
            progress=lambda done, total: ticks.append(done),
            cancelled=lambda: len(ticks) >= 1,
        )
    assert service.status() == before and lookup.sources_for("+19175550142") == frozenset()


def test_progress_reaches_the_end(service: RegistryService, tmp_path: Path) -> None:
    steps: list[tuple[int, int]] = []
    report = service.import_file(
        big_list(tmp_path / "big.txt"), "national", progress=lambda d, t: steps.append((d, t))
    )
    assert report.total == 200_000
    assert len(steps) >= 2 and steps[-1][0] == steps[-1][1]
    # Windows line ends shrink the blocks, not the bytes read: progress still ends at 100%.
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"212,5550199\r\n305,5550166\r\n")
    os.utime(crlf, (FILES_DATE.timestamp(), FILES_DATE.timestamp()))
    steps.clear()
    service.import_file(
        crlf, "state:NY", as_of=date(2026, 11, 30), progress=lambda d, t: steps.append((d, t))
    )
    assert steps[-1] == (26, 26)


def test_zip_of_area_code_files_reports_bad_lines_by_member(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    archive = tmp_path / "dnc-2026-11.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("212.txt", "212,5550199\n212,5550134\n")
        zipped.writestr("305.txt", "305,5550166\nJUNK\n305,55501\n")
        zipped.writestr("folder/808.txt", "8085550199\r\n")
        zipped.writestr("__MACOSX/._212.txt", "\x00\x05binary")
    report = service.import_file(archive, "national", as_of=date(2026, 11, 30))
    assert (report.total, report.files, report.rejected_count) == (4, 3, 2)
    assert [(r.file, r.line, r.value) for r in report.rejected] == [
        ("305.txt", 2, "JUNK"),
        ("305.txt", 3, "305,55501"),
    ]
    assert report.file_name == "dnc-2026-11.zip"
    assert lookup.sources_for("+18085550199") == {"national"}
    assert lookup.sources_for("+12125550134") == {"national"}


def test_zip_mixing_full_and_change_lists_is_refused(service: RegistryService, tmp_path: Path) -> None:
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("212.txt", "212,5550199\n")
        zipped.writestr("changes.txt", "2125550134,A\n")
    with pytest.raises(RegistryImportFailed, match="mixes"):
        service.import_file(archive, "national", as_of=date(2026, 11, 30))


def test_damaged_zip_and_missing_file(service: RegistryService, tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(RegistryImportFailed):
        service.import_file(broken, "national", as_of=date(2026, 11, 30))
    with pytest.raises(RegistryImportFailed, match="No such file"):
        service.import_file(tmp_path / "missing.txt", "national")
    with pytest.raises(RegistryImportFailed, match="unknown registry source"):
        service.import_file(sample_registry(), "federal")


def test_state_and_canada_lists_sit_beside_the_national_one(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 25))
    service.import_file(
        write(tmp_path / "fl.txt", "305,5550166\n3055550100\n"), "state:fl", as_of=date(2026, 11, 2)
    )
    service.import_file(write(tmp_path / "ca.txt", "416,1234567\n"), "canada", as_of=date(2026, 11, 27))
    assert lookup.sources_for("+13055550166") == {"national", "state:FL"}
    assert lookup.sources_for("+13055550100") == {"state:FL"}
    assert lookup.sources_for("+14161234567") == {"canada"}
    # Replacing the state list leaves the national one alone.
    service.import_file(write(tmp_path / "fl2.txt", "3055550100\n"), "state:FL", as_of=date(2026, 11, 28))
    assert lookup.sources_for("+13055550166") == {"national"}
    status = {row.source: row for row in service.status()}
    assert {name: row.count for name, row in status.items()} == {"canada": 1, "national": 7, "state:FL": 1}


def test_status_age_follows_the_clock(service: RegistryService, workspace: Workspace) -> None:
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 1))
    [status] = service.status()
    assert (status.as_of, status.age_days, status.count) == (date(2026, 11, 1), 30, 7)
    assert status.imported_at == workspace.clock()
    assert isinstance(workspace.clock, ManualClock)
    workspace.clock.advance(days=2)
    assert service.status()[0].age_days == 32


def test_snapshots_in_force(service: RegistryService, lookup: RegistryLookup, workspace: Workspace) -> None:
    assert service.snapshots_in_force(workspace.clock()) == {} and lookup.snapshots() == {}
    first = service.import_file(sample_registry(), "national", as_of=date(2026, 11, 1))
    assert isinstance(workspace.clock, ManualClock)
    workspace.clock.advance(hours=1)
    second = service.import_file(sample_registry(), "national", as_of=date(2026, 11, 30))
    now = workspace.clock()
    assert service.snapshots_in_force(now)["national"].id == second.snapshot_id
    earlier = service.snapshots_in_force(now - timedelta(minutes=30))["national"]
    assert (earlier.id, earlier.as_of) == (first.snapshot_id, date(2026, 11, 1))
    assert service.snapshots_in_force(now - timedelta(hours=2)) == {}
    assert lookup.snapshots_in_force(now - timedelta(minutes=30))["national"].id == first.snapshot_id
    evidence = lookup.snapshots()["national"]
    assert (evidence["id"], evidence["as_of"], evidence["kind"]) == (second.snapshot_id, "2026-11-30", "full")


def test_lookup_sees_each_import_at_once_from_any_thread(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    assert lookup.sources_for("+12125550199") == frozenset()
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 25))
    assert lookup.sources_for("+12125550199") == {"national"}
    service.import_file(write(tmp_path / "d.csv", "2125550199,D\n"), "national", as_of=date(2026, 11, 26))
    results: list[frozenset[str]] = []
    worker = threading.Thread(target=lambda: results.append(lookup.sources_for("+12125550199")))
    worker.start()
    worker.join()
    assert results == [frozenset()]


def test_internal_source_adds_to_the_firms_list(
    service: RegistryService, workspace: Workspace, lookup: RegistryLookup, tmp_path: Path
) -> None:
    dnc = DncService(workspace.uow, workspace.clock, workspace.current_settings)
    dnc.add("+12125550199", reason="asked")
    report = service.import_file(sample_registry(), "internal", as_of=date(2026, 11, 30))
    assert (report.source, report.added, report.removed, report.total) == ("internal", 6, 0, 7)
    assert dnc.is_listed("+18085550199") and dnc.is_listed("+12125550199")
    assert service.internal_count() == 7
    assert lookup.sources_for("+18085550199") == frozenset()  # the registries are untouched
    with pytest.raises(RegistryImportFailed, match="never shortened"):
        service.import_file(write(tmp_path / "d.csv", "2125550199,D\n"), "internal", as_of=date(2026, 11, 30))
    assert dnc.is_listed("+12125550199")


def test_each_import_is_audited(service: RegistryService, workspace: Workspace) -> None:
    report = service.import_file(sample_registry(), "national", as_of=date(2026, 11, 30))
    with workspace.uow() as uow:
        events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "registry_import")))
    assert len(events) == 1
    detail = json.loads(events[0].detail)
    assert (detail["source"], detail["total"], detail["snapshot_id"]) == ("national", 7, report.snapshot_id)


def test_slots_wrap_around_when_the_top_is_used(workspace: Workspace, service: RegistryService) -> None:
    with workspace.uow() as uow:
        uow.session.add(RegistrySource(name="state:ZZ", slot=MAX_SLOT, count=0))
        uow.commit()
    report = service.import_file(sample_registry(), "national", as_of=date(2026, 11, 30))
    with workspace.uow() as uow:
        repository = RegistryRepository(uow.session)
        national = repository.source("national")
        assert national is not None and national.slot == 1
        assert repository.count_slot(1) == report.total == 7


def test_migration_0003_upgrades_a_database_with_data_and_downgrades(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import inspect, text

    from desktop.storage.engine import database_url, make_engine
    from desktop.storage.migrate import alembic_config, current_revision, upgrade

    engine = make_engine(database_url(str(tmp_path / "old.db")))
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dnc_entries (number, source, reason, added_at)"
                " VALUES ('+12125550134', 'internal', 'asked', '2026-11-01 10:00:00.000000')"
            )
        )
    upgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    assert {"registry_numbers", "registry_sources", "registry_snapshots"} <= set(
        inspect(engine).get_table_names()
    )
    command.downgrade(alembic_config(engine), "0002")
    assert "registry_numbers" not in set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM dnc_entries")).scalar() == 1
    # Up to the latest revision (as the app does at start-up): the registry works beside the old data.
    upgrade(engine)
    service = RegistryService(UnitOfWorkFactory(engine), ManualClock(datetime(2026, 12, 1, 14, tzinfo=UTC)))
    assert service.import_file(sample_registry(), "national", as_of=date(2026, 11, 30)).total == 7
    assert service.internal_count() == 1
    engine.dispose()


def test_an_import_forgets_the_queues_cached_refusals(service: RegistryService, workspace: Workspace) -> None:
    from desktop.storage.models import Lead

    with workspace.uow() as uow:
        uow.session.add(Lead(first_name="James", gate_block="dnc_national: on the registry"))
        uow.commit()
    service.import_file(sample_registry(), "national", as_of=date(2026, 11, 30))
    with workspace.uow() as uow:
        assert uow.session.scalars(select(Lead.gate_block)).all() == [None]


def test_rejections_are_all_counted_and_the_first_thousand_listed(
    service: RegistryService, tmp_path: Path
) -> None:
    junk = write(tmp_path / "junk.txt", "212,5550199\n" + "nonsense\n" * 1500)
    report = service.import_file(junk, "national", as_of=date(2026, 11, 30))
    assert (report.total, report.rejected_count, len(report.rejected)) == (1, 1500, 1000)
    assert report.rejected[-1].line == 1001
    assert report.to_json()["rejected_count"] == 1500
