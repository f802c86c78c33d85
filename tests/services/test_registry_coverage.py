"""Registry copies per area code, on a real SQLite file: replace by area code, dates per area code,
change lists, and what the dial gate says for an area code with no copy, a stale one, or none at all.

Registry files are generated here with explicit as-of dates; the clock is the tests' fixed moment.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.phones import area_code_region
from desktop.domain.registry_coverage import AreaCopy, code_runs, parse_area_codes, summarize
from desktop.services.clock import ManualClock
from desktop.services.gate_reads import UowGateRecords
from desktop.services.registry import RegistryImportFailed, RegistryLookup, RegistryService
from desktop.services.workspace import Workspace, open_workspace
from tests.conftest import README_MOMENT

TODAY = README_MOMENT.date()  # 2026-12-01
# New York, Puerto Rico, Guam, toll-free, Miami, Toronto: the territories and toll-free numbers are
# on the National Registry like any US area code.
CODES = (212, 646, 787, 671, 800, 305)


def write_full(path: Path, numbers: dict[int, set[int]]) -> Path:
    """A full list in the FTC's layout, AREACODE,NUMBER a line, sorted."""
    lines = [f"{code},555{line:04d}" for code in sorted(numbers) for line in sorted(numbers[code])]
    path.write_text("".join(line + "\n" for line in lines), encoding="ascii")
    return path


def e164(code: int, line: int) -> str:
    return f"+1{code}555{line:04d}"


@pytest.fixture
def service(workspace: Workspace) -> RegistryService:
    return RegistryService(workspace.uow, workspace.clock)


@pytest.fixture
def lookup(workspace: Workspace) -> RegistryLookup:
    found = RegistryLookup(workspace.engine)
    yield found
    found.close()


def test_an_area_code_import_leaves_the_others_listed(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    """The issue's case: 646 first, then a 305/808 file; 646's numbers stay on the registry."""
    service.import_file(write_full(tmp_path / "646.txt", {646: {1, 2}}), "national", as_of=date(2026, 11, 20))
    report = service.import_file(
        write_full(tmp_path / "more.txt", {305: {3}, 808: {4}}), "national", as_of=date(2026, 11, 28)
    )
    assert (report.added, report.removed, report.total) == (2, 0, 4)
    assert lookup.sources_for(e164(646, 1)) == {"national"}
    assert lookup.sources_for(e164(808, 4)) == {"national"}
    coverage = lookup.coverage()["national"]
    assert {code: copy.as_of for code, copy in coverage.items()} == {
        646: date(2026, 11, 20),
        305: date(2026, 11, 28),
        808: date(2026, 11, 28),
    }


@pytest.mark.parametrize("declared", [(), (646,)], ids=["listed in it", "declared with --area-codes"])
def test_an_older_full_list_never_replaces_a_newer_copy(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path, declared: tuple[int, ...]
) -> None:
    """A reviewer's false allow: the 12-01 copy lists 646-555-0001; an older 11-01 file without it
    replaced the copy, and a later change list made 646 fresh again with the number callable."""
    service.import_file(write_full(tmp_path / "new.txt", {646: {1, 2}}), "national", as_of=date(2026, 12, 1))
    older = write_full(tmp_path / "old.txt", {646: {2}} if not declared else {305: {9}})
    with pytest.raises(RegistryImportFailed, match=r"older than the national copy of area code 646"):
        service.import_file(older, "national", as_of=date(2026, 11, 1), area_codes=declared)
    assert lookup.sources_for(e164(646, 1)) == {"national"}
    assert lookup.coverage()["national"][646].as_of == date(2026, 12, 1)
    # A newer full list still replaces it.
    service.import_file(write_full(tmp_path / "newer.txt", {646: {2}}), "national", as_of=date(2026, 12, 2))
    assert lookup.sources_for(e164(646, 1)) == frozenset()


def test_declared_area_codes_with_no_numbers_are_covered_and_emptied(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(
        write_full(tmp_path / "a.txt", {212: {1}, 646: {2}}), "national", as_of=date(2026, 11, 1)
    )
    # 212 now has no registered number: the file holds only 646, and names 212 and 718 as covered.
    report = service.import_file(
        write_full(tmp_path / "b.txt", {646: {2}}),
        "national",
        as_of=date(2026, 11, 25),
        area_codes=(212, 718),
    )
    assert report.area_codes == (212, 646, 718)
    assert (report.added, report.removed, report.total) == (0, 1, 1)
    assert lookup.sources_for(e164(212, 1)) == frozenset()
    assert set(lookup.coverage()["national"]) == {212, 646, 718}
    assert lookup.coverage()["national"][718].count == 0
    # A file of nothing but declared area codes is a valid copy of them (a header, no number).
    empty = tmp_path / "none.txt"
    empty.write_text("areacode,number\n", encoding="ascii")
    service.import_file(empty, "national", as_of=date(2026, 11, 26), area_codes=(917,))
    assert lookup.coverage()["national"][917].as_of == date(2026, 11, 26)
    with pytest.raises(RegistryImportFailed, match="no phone numbers"):
        service.import_file(empty, "national", as_of=date(2026, 11, 26))


def test_change_lists_date_only_the_area_codes_they_touch(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    service.import_file(
        write_full(tmp_path / "a.txt", {212: {1}, 646: {2}}), "national", as_of=date(2026, 11, 1)
    )
    changes = tmp_path / "changes.csv"
    changes.write_text("2125550009,A\n", encoding="ascii")
    service.import_file(changes, "national", as_of=date(2026, 11, 20), area_codes=(646,))
    coverage = lookup.coverage()["national"]
    assert (coverage[212].as_of, coverage[646].as_of) == (date(2026, 11, 20), date(2026, 11, 20))
    assert coverage[212].count == 2
    changes.write_text("2125550010,A\n", encoding="ascii")
    service.import_file(changes, "national", as_of=date(2026, 11, 25))
    coverage = lookup.coverage()["national"]
    assert (coverage[212].as_of, coverage[646].as_of) == (date(2026, 11, 25), date(2026, 11, 20))
    # Older than the copy of an area code it touches: refused; declaring a code with no copy: refused.
    with pytest.raises(RegistryImportFailed, match="older than"):
        service.import_file(changes, "national", as_of=date(2026, 11, 21))
    with pytest.raises(RegistryImportFailed, match="718"):
        service.import_file(changes, "national", as_of=date(2026, 11, 29), area_codes=(718,))


@st.composite
def full_lists(draw: st.DrawFn) -> tuple[dict[int, set[int]], tuple[int, ...], int]:
    codes = draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=4))
    numbers = {code: draw(st.sets(st.integers(0, 30), max_size=6)) for code in codes}
    filled = {code: lines for code, lines in numbers.items() if lines}
    declared = tuple(sorted(code for code in codes if not numbers[code]))
    return filled, declared, draw(st.integers(0, 3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(full_lists(), min_size=1, max_size=6))
def test_any_sequence_of_area_code_imports_matches_the_model(
    steps: list[tuple[dict[int, set[int]], tuple[int, ...], int]],
) -> None:
    """Whatever area codes each full list holds (big or small beside the copy), each area code ends
    up with exactly its last file's numbers and date, and the counts say what changed."""
    with tempfile.TemporaryDirectory() as folder:
        workspace = open_workspace(str(Path(folder) / "db.sqlite"), clock=ManualClock(README_MOMENT))
        try:
            service = RegistryService(workspace.uow, workspace.clock)
            lookup = RegistryLookup(workspace.engine)
            model: dict[int, set[int]] = {}
            dates: dict[int, date] = {}
            day = date(2026, 10, 1)
            for index, (numbers, declared, gap) in enumerate(steps):
                if not numbers:
                    continue  # a file with no number at all fails (tested above)
                day += timedelta(days=gap)
                before = {(code, line) for code, lines in model.items() for line in lines}
                path = write_full(Path(folder) / f"{index}.txt", numbers)
                report = service.import_file(path, "national", as_of=day, area_codes=declared)
                for code in set(numbers) | set(declared):
                    model[code] = set(numbers.get(code, set()))
                    dates[code] = day
                after = {(code, line) for code, lines in model.items() for line in lines}
                assert (report.added, report.removed, report.total) == (
                    len(after - before),
                    len(before - after),
                    len(after),
                )
            for code in CODES:
                for line in range(31):
                    expected = {"national"} if line in model.get(code, set()) else set()
                    assert lookup.sources_for(e164(code, line)) == expected, (code, line)
            coverage = lookup.coverage().get("national", {})
            assert {code: copy.as_of for code, copy in coverage.items()} == dates
            assert {code: copy.count for code, copy in coverage.items()} == {
                c: len(n) for c, n in model.items()
            }
            statuses = service.status()
            if model:
                [status] = statuses
                assert status.as_of == min(dates.values()) and status.count == sum(map(len, model.values()))
            lookup.close()
        finally:
            workspace.close()


def test_coverage_summary_names_the_codes_that_go_stale_next() -> None:
    copies = {
        212: AreaCopy(212, date(2026, 11, 20)),
        646: AreaCopy(646, date(2026, 11, 5)),
        718: AreaCopy(718, date(2026, 11, 5)),
        305: AreaCopy(305, date(2026, 10, 1)),
    }
    summary = summarize(copies, TODAY, 31)
    assert summary.area_codes == (212, 305, 646, 718)
    assert (summary.oldest, summary.stale_codes) == (date(2026, 10, 1), (305,))
    assert (summary.next_stale_codes, summary.next_stale_on) == ((646, 718), date(2026, 12, 7))
    assert parse_area_codes(" 646,212 ,212") == (212, 646)
    # Area codes replaced as runs that never span an area code the copy keeps.
    assert code_runs([212, 305, 646, 718], keep=[]) == [(212, 718)]
    assert code_runs([212, 305, 646, 718], keep=[300, 800]) == [(212, 212), (305, 718)]
    for bad in ("21", "2123", "112", "abc", ","):
        with pytest.raises(ValueError):
            parse_area_codes(bad)


# -- the gate --------------------------------------------------------------------------------------


def decide(workspace: Workspace, number: str, kind: str = "residential") -> tuple[tuple[str, ...], str]:
    with workspace.uow() as uow:
        result = workspace.gate.decide_number(
            UowGateRecords(uow), None, number, "US", README_MOMENT, kind=kind
        )
    decision = result.decision
    return decision.codes, decision.summary()


def test_gate_refuses_an_area_code_never_downloaded(workspace: Workspace, tmp_path: Path) -> None:
    # Nothing imported: the gate says so, and never calls it "out of date".
    codes, detail = decide(workspace, "+12125550100")
    assert codes == ("registry_missing",) and "ever been imported" in detail and "old" not in detail
    path = write_full(tmp_path / "646.txt", {646: {1}})
    workspace.registry_service.import_file(path, "national", as_of=date(2026, 11, 25))
    codes, detail = decide(workspace, "+12125550100")
    assert codes == ("registry_missing",) and "area code 212 was never downloaded" in detail
    assert decide(workspace, "+16465550100")[0] == ()  # 646 is covered and the number is not listed
    assert decide(workspace, "+16465550001")[0] == ("dnc_national",)
    assert decide(workspace, "+12125550100", kind="business")[0] == ()  # business numbers are exempt


def test_gate_judges_each_area_code_by_its_own_copys_age(workspace: Workspace, tmp_path: Path) -> None:
    registry = workspace.registry_service
    registry.import_file(write_full(tmp_path / "old.txt", {646: {1}}), "national", as_of=date(2026, 10, 30))
    registry.import_file(write_full(tmp_path / "new.txt", {212: {1}}), "national", as_of=date(2026, 11, 30))
    codes, detail = decide(workspace, "+16465550100")
    assert codes == ("registry_stale",) and "area code 646" in detail and "32 days" in detail
    assert decide(workspace, "+12125550100")[0] == ()
    # The evidence kept with a decision names the area code's copy it was checked against.
    with workspace.uow() as uow:
        result = workspace.gate.decide_number(UowGateRecords(uow), None, "+12125550100", "US", README_MOMENT)
    assert json.loads(result.record)["area_code_copies"] == {"national": "2026-11-30"}


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("+17875550123", 787),  # Puerto Rico
        ("+19395550123", 939),  # Puerto Rico
        ("+13405550123", 340),  # US Virgin Islands
        ("+16715550123", 671),  # Guam
        ("+16705550123", 670),  # Northern Mariana Islands
        ("+18005550123", 800),  # toll-free
        ("+18885550123", 888),  # toll-free
    ],
)
def test_territories_and_toll_free_numbers_are_checked_against_the_national_registry(
    workspace: Workspace, tmp_path: Path, number: str, code: int
) -> None:
    assert "registry_missing" in decide(workspace, number)[0]
    path = write_full(tmp_path / "t.txt", {code: {123}})
    workspace.registry_service.import_file(path, "national", as_of=date(2026, 11, 25))
    assert "dnc_national" in decide(workspace, number)[0]
    assert "registry_missing" not in decide(workspace, number)[0]


def test_american_samoa_is_on_the_national_registry(workspace: Workspace, tmp_path: Path) -> None:
    """684 numbers: phonenumbers may not validate every exchange, but a valid one must be checked."""
    from desktop.domain.phones import parse_phone

    candidates = [f"+1684{exchange}5555" for exchange in (258, 633, 699, 733, 770)]
    number = next((n for n in candidates if parse_phone(n, "US").dialable), None)
    if number is None:
        pytest.skip("no American Samoa number validates with this phonenumbers version")
    assert "registry_missing" in decide(workspace, number)[0]


def test_canadian_area_codes_need_their_own_dncl_copy(workspace: Workspace, tmp_path: Path) -> None:
    path = write_full(tmp_path / "dncl.txt", {604: {1}})
    workspace.registry_service.import_file(path, "canada", as_of=date(2026, 11, 25))
    codes, detail = decide(workspace, "+14165550100")
    assert codes[:1] == ("registry_missing",) and "area code 416 was never downloaded" in detail
    assert "dnc_national" in decide(workspace, "+16045550001")[0]


def test_repeated_numbers_are_counted_once_per_area_code(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    path = tmp_path / "repeats.txt"
    path.write_text("212,5550101\n212,5550101\n2125550101\n646,5550102\n", encoding="ascii")
    report = service.import_file(path, "national", as_of=date(2026, 11, 25))
    assert report.total == 2
    assert {code: copy.count for code, copy in lookup.coverage()["national"].items()} == {212: 1, 646: 1}


def test_repeats_in_many_area_codes_are_counted_once_too(
    service: RegistryService, lookup: RegistryLookup, tmp_path: Path
) -> None:
    """Past a handful of area codes with repeats, the counts come from one grouped count: same answer."""
    codes = [code for code in range(201, 300) if area_code_region(code) == "US"][:40]
    lines = [f"{code},555{line:04d}" for code in codes for line in (1, 2, 2)]
    path = tmp_path / "repeats.txt"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    report = service.import_file(path, "national", as_of=date(2026, 11, 25))
    assert report.total == 80
    assert {code: copy.count for code, copy in lookup.coverage()["national"].items()} == dict.fromkeys(
        codes, 2
    )
