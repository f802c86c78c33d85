"""State lists are judged statewide by their own rules; change lists only update fresh copies; a
national registry copy holds only its own country's area codes; toll-free numbers have no local time.

Real SQLite files, real migrations, the shipped rule book; "today" is the workspace clock (2026-12-01).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.domain.compliance import TOLL_FREE_TIME
from desktop.services.gate_reads import UowGateRecords
from desktop.services.registry import RegistryImportFailed, RegistryLookup, RegistryService
from desktop.services.workspace import Workspace
from tests.conftest import README_MOMENT

TODAY = README_MOMENT.date()
# 13:00 in Texas, 14:00 in New York on a Tuesday: inside every state's hours.
AFTERNOON = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def write_full(path: Path, numbers: dict[int, set[int]]) -> Path:
    lines = [f"{code},555{line:04d}" for code in sorted(numbers) for line in sorted(numbers[code])]
    path.write_text("".join(line + "\n" for line in lines), encoding="ascii")
    return path


def write_changes(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"{number.removeprefix('+1')},{action}\n" for number, action in rows), "ascii")
    return path


def e164(code: int, line: int) -> str:
    return f"+1{code}555{line:04d}"


@pytest.fixture
def service(workspace: Workspace) -> RegistryService:
    return workspace.registry_service


@pytest.fixture
def lookup(workspace: Workspace) -> RegistryLookup:
    found = RegistryLookup(workspace.engine)
    yield found
    found.close()


def decide(
    workspace: Workspace, number: str, kind: str = "residential", at: datetime = AFTERNOON
) -> tuple[tuple[str, ...], str]:
    workspace.lists_changed()
    with workspace.uow() as uow:
        result = workspace.gate.decide_number(UowGateRecords(uow), None, number, "US", at, kind=kind)
    return result.decision.codes, result.decision.summary()


def national(service: RegistryService, folder: Path, codes: tuple[int, ...], as_of: date) -> None:
    path = write_full(folder / f"national-{as_of}.txt", {codes[0]: {9999}})
    service.import_file(path, "national", as_of=as_of, area_codes=codes)


# -- 1a: a state list is one list for the whole state ---------------------------------------------


def test_a_state_list_never_imported_is_missing_not_stale(
    workspace: Workspace, service: RegistryService, tmp_path: Path
) -> None:
    national(service, tmp_path, (512, 215, 212), TODAY - timedelta(days=5))
    codes, detail = decide(workspace, e164(512, 100))  # Austin: Texas keeps its own list
    assert codes == ("registry_missing",)
    assert "Texas do-not-call list was never imported" in detail and "state:TX" in detail
    assert "stale" not in detail and "old" not in detail
    # Pennsylvania's list covers business numbers: a business lead there is blocked too.
    assert decide(workspace, e164(215, 100), kind="business")[0] == ("registry_missing",)
    # Texas's list does not: a business lead there passes.
    assert decide(workspace, e164(512, 100), kind="business")[0] == ()
    # New York keeps its list with the National Registry: nothing more to import.
    assert decide(workspace, e164(212, 100))[0] == ()


def test_a_state_list_ages_by_its_own_rule(
    workspace: Workspace, service: RegistryService, tmp_path: Path
) -> None:
    national(service, tmp_path, (512, 214, 713), TODAY - timedelta(days=5))
    texas = write_full(tmp_path / "tx.txt", {512: {1}, 214: {2}})
    service.import_file(texas, "state:TX", as_of=TODAY - timedelta(days=60))
    # 60 days is past the national 31 but within Texas's quarterly 92: fresh.
    assert decide(workspace, e164(512, 100))[0] == ()
    assert decide(workspace, e164(512, 1))[0] == ("dnc_state",)
    # A number of an area code the file has no number in is still covered: the list is statewide.
    assert decide(workspace, e164(713, 100))[0] == ()
    [status] = [row for row in service.status() if row.source == "state:TX"]
    assert (status.max_age_days, status.fresh) == (92, True)
    assert status.coverage is not None
    assert status.coverage.next_stale_on == TODAY - timedelta(days=60) + timedelta(days=93)


def test_a_state_list_past_its_own_age_is_stale(
    workspace: Workspace, service: RegistryService, tmp_path: Path
) -> None:
    national(service, tmp_path, (512,), TODAY - timedelta(days=5))
    texas = write_full(tmp_path / "tx.txt", {512: {1}})
    service.import_file(texas, "state:TX", as_of=TODAY - timedelta(days=93))
    codes, detail = decide(workspace, e164(512, 100))
    assert codes == ("registry_stale",) and "93 days old" in detail and "no older than 92 days" in detail
    [status] = [row for row in service.status() if row.source == "state:TX"]
    assert status.fresh is False


def test_a_state_full_list_replaces_the_whole_state_copy(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    first = write_full(tmp_path / "tx1.txt", {512: {1}, 214: {2}})
    service.import_file(first, "state:TX", as_of=date(2026, 10, 1))
    second = write_full(tmp_path / "tx2.txt", {512: {3}})
    report = service.import_file(second, "state:TX", as_of=date(2026, 11, 20))
    # The new list is the whole state's: 214's number left the list, 512's old one too.
    assert lookup.sources_for(e164(214, 2)) == frozenset()
    assert lookup.sources_for(e164(512, 1)) == frozenset()
    assert lookup.sources_for(e164(512, 3)) == {"state:TX"}
    assert (report.added, report.removed, report.total) == (1, 2, 1)
    assert {code: copy.as_of for code, copy in lookup.coverage()["state:TX"].items()} == {
        512: date(2026, 11, 20)
    }
    [status] = service.status()
    assert status.as_of == date(2026, 11, 20)
    # An older state list never replaces a newer one, whatever area codes it holds.
    older = write_full(tmp_path / "tx0.txt", {713: {4}})
    with pytest.raises(RegistryImportFailed, match="older than"):
        service.import_file(older, "state:TX", as_of=date(2026, 11, 1))
    with pytest.raises(RegistryImportFailed, match="covers the whole state"):
        service.import_file(second, "state:TX", as_of=date(2026, 11, 21), area_codes=(512,))


# -- 1c: a change list never freshens a stale or missing copy ---------------------------------------


def test_a_change_list_needs_a_fresh_full_copy_of_each_area_code(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(write_full(tmp_path / "old.txt", {646: {1}}), "national", as_of=date(2026, 10, 1))
    service.import_file(write_full(tmp_path / "new.txt", {212: {1}}), "national", as_of=date(2026, 11, 28))
    stale = write_changes(tmp_path / "stale.csv", [(e164(646, 2), "A")])
    with pytest.raises(RegistryImportFailed, match="never makes a stale copy fresh") as failure:
        service.import_file(stale, "national", as_of=date(2026, 11, 30))
    assert "646" in str(failure.value) and "\n" not in str(failure.value)
    missing = write_changes(tmp_path / "missing.csv", [(e164(718, 2), "A")])
    with pytest.raises(RegistryImportFailed, match="no area code 718"):
        service.import_file(missing, "national", as_of=date(2026, 11, 30))
    # Mixed with a fresh area code, the whole change list is refused: nothing applied.
    mixed = write_changes(tmp_path / "mixed.csv", [(e164(212, 2), "A"), (e164(646, 3), "D")])
    with pytest.raises(RegistryImportFailed):
        service.import_file(mixed, "national", as_of=date(2026, 11, 30))
    coverage = lookup.coverage()["national"]
    assert {code: copy.as_of for code, copy in coverage.items()} == {
        646: date(2026, 10, 1),
        212: date(2026, 11, 28),
    }
    assert lookup.sources_for(e164(212, 2)) == lookup.sources_for(e164(646, 2)) == frozenset()
    # On the fresh copy it applies.
    fresh = write_changes(tmp_path / "fresh.csv", [(e164(212, 2), "A")])
    service.import_file(fresh, "national", as_of=date(2026, 11, 30))
    assert lookup.coverage()["national"][212].as_of == date(2026, 11, 30)
    assert lookup.sources_for(e164(212, 2)) == {"national"}


def test_a_change_list_is_judged_on_the_later_of_today_and_its_date(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    # The copy is 30 days old on the change list's date but 31 today: fresh (31 is allowed);
    # then one day older: stale today, refused although the change list is dated earlier.
    service.import_file(write_full(tmp_path / "a.txt", {212: {1}}), "national", as_of=date(2026, 10, 31))
    changes = write_changes(tmp_path / "c.csv", [(e164(212, 2), "A")])
    service.import_file(changes, "national", as_of=date(2026, 11, 30))
    service.import_file(write_full(tmp_path / "b.txt", {646: {1}}), "national", as_of=date(2026, 10, 30))
    late = write_changes(tmp_path / "d.csv", [(e164(646, 2), "A")])
    with pytest.raises(RegistryImportFailed, match="stale"):
        service.import_file(late, "national", as_of=date(2026, 11, 1))
    assert lookup.coverage()["national"][646].as_of == date(2026, 10, 30)


def test_a_state_change_list_brings_the_whole_fresh_state_copy_to_its_date(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(
        write_full(tmp_path / "tx.txt", {512: {1}, 214: {2}}), "state:TX", as_of=date(2026, 9, 15)
    )
    changes = write_changes(tmp_path / "c.csv", [(e164(713, 5), "A")])
    service.import_file(changes, "state:TX", as_of=date(2026, 11, 30))
    assert lookup.sources_for(e164(713, 5)) == {"state:TX"}
    assert {copy.as_of for copy in lookup.coverage()["state:TX"].values()} == {date(2026, 11, 30)}
    [status] = service.status()
    assert status.as_of == date(2026, 11, 30)


def test_a_state_change_list_on_a_stale_state_copy_is_refused(
    workspace: Workspace, service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(write_full(tmp_path / "tx.txt", {512: {1}}), "state:TX", as_of=date(2026, 8, 20))
    changes = write_changes(tmp_path / "c.csv", [(e164(512, 5), "A")])
    with pytest.raises(RegistryImportFailed, match="older than 92 days"):
        service.import_file(changes, "state:TX", as_of=date(2026, 11, 30))
    [status] = service.status()
    assert status.as_of == date(2026, 8, 20) and lookup.sources_for(e164(512, 5)) == frozenset()


# -- 1d: a national registry copy holds its own country's area codes --------------------------------


@pytest.mark.parametrize(
    ("source", "foreign", "owner"),
    [
        ("national", 416, "--source canada"),  # Toronto
        ("national", 604, "--source canada"),  # Vancouver
        ("canada", 212, "--source national"),  # New York
        ("canada", 787, "--source national"),  # Puerto Rico: on the US registry
        ("national", 876, ""),  # Jamaica: neither registry
    ],
)
def test_a_foreign_area_code_is_refused(
    service: RegistryService, tmp_path: Path, source: str, foreign: int, owner: str
) -> None:
    own = 305 if source == "national" else 514
    path = write_full(tmp_path / "mixed.txt", {own: {1}, foreign: {2, 3}})
    with pytest.raises(RegistryImportFailed) as failure:
        service.import_file(path, source, as_of=date(2026, 11, 30))
    message = str(failure.value)
    assert f"area code {foreign} (2 numbers)" in message and owner in message and "\n" not in message
    assert service.status() == []  # nothing imported: no coverage added for anyone
    with pytest.raises(RegistryImportFailed, match=f"area code {foreign}"):
        service.import_file(
            write_full(tmp_path / "own.txt", {own: {1}}),
            source,
            as_of=date(2026, 11, 30),
            area_codes=(foreign,),
        )
    # A change list too.
    service.import_file(write_full(tmp_path / "own.txt", {own: {1}}), source, as_of=date(2026, 11, 29))
    with pytest.raises(RegistryImportFailed, match=f"area code {foreign}"):
        service.import_file(
            write_changes(tmp_path / "c.csv", [(e164(foreign, 4), "A")]), source, as_of=date(2026, 11, 30)
        )


def test_territories_and_toll_free_belong_to_the_national_registry(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    codes = {787: {1}, 939: {1}, 340: {1}, 671: {1}, 670: {1}, 684: {1}, 800: {1}, 888: {1}}
    service.import_file(write_full(tmp_path / "us.txt", codes), "national", as_of=date(2026, 11, 30))
    assert set(lookup.coverage()["national"]) == set(codes)
    # A state list holds whoever registered: any area code.
    service.import_file(write_full(tmp_path / "fl.txt", {416: {1}, 305: {1}}), "state:FL", as_of=TODAY)
    assert lookup.sources_for(e164(416, 1)) == {"state:FL"}


# -- 1e: toll-free numbers have no single local time ------------------------------------------------


def test_toll_free_shows_no_single_local_time_and_is_decided_strictly(
    workspace: Workspace, service: RegistryService, tmp_path: Path
) -> None:
    national(service, tmp_path, (800,), TODAY - timedelta(days=2))
    with workspace.uow() as uow:
        result = workspace.gate.decide_number(UowGateRecords(uow), None, "+18005550100", "US", AFTERNOON)
    decision = result.decision
    assert decision.toll_free and decision.local_times == () and decision.display_zone is None
    assert decision.local_time_text == TOLL_FREE_TIME == "toll-free: no single local time"
    assert decision.to_json()["local_time_text"] == TOLL_FREE_TIME
    # Decided strictly as before: it may ring anywhere from Guam to Maine, so every zone's hours
    # apply (there is no hour open in all of them); the reason names a few zones, not 42.
    assert decision.codes == ("calling_hours",) and len(decision.time_zones) > 20
    assert decision.reasons[0].detail.count(" in ") <= 3
    # An ordinary number still shows its own local time.
    with workspace.uow() as uow:
        plain = workspace.gate.decide_number(
            UowGateRecords(uow), None, "+12125550100", "US", AFTERNOON
        ).decision
    assert not plain.toll_free and plain.local_time_text == "2026-12-01T14:00-05:00"
