"""A lead's ZIP/postal code: recognised in a list, stored, reported when bad, and settling where the
callee lives for the gate (narrowing, never widening). Real files, real migrations, real rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.domain.columns import guess_field
from desktop.domain.phones import area_code_region
from desktop.domain.postal_codes import PostalPlace, locate_postal_code
from desktop.services.clock import ManualClock
from desktop.services.scrub import ScrubService
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Lead

# Tuesday 1 December 2026, 13:30 UTC: 08:30 in New York and Tallahassee, 07:30 in Chicago and
# Pensacola (the 850 area code spans both zones), 05:30 in Los Angeles.
EARLY = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
# 01:30 UTC on Wednesday: 20:30 on Tuesday in New York and Tallahassee (Florida stops at 20:00).
EVENING = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
NOON = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10001", PostalPlace("10001", "NY", "America/New_York")),
        ("10001-1234", PostalPlace("10001", "NY", "America/New_York")),
        (" 32301 ", PostalPlace("32301", "FL", "America/New_York")),
        ("2134", PostalPlace("02134", "MA", "America/New_York")),  # a spreadsheet dropped the 0
        ("00901", PostalPlace("00901", "PR", "America/Puerto_Rico")),
        ("96910", PostalPlace("96910", "GU", "Pacific/Guam")),
        ("m5v2t6", PostalPlace("M5V 2T6", "ON", "")),
        ("V6B 1A1", PostalPlace("V6B 1A1", "BC", "")),
        ("H2X 1Y4", PostalPlace("H2X 1Y4", "QC", "")),
        ("X0A 0H0", PostalPlace("X0A 0H0", "NU", "")),
        ("X1A 2P7", PostalPlace("X1A 2P7", "NT", "")),
    ],
)
def test_a_postal_code_gives_its_state_and_zone(text: str, expected: PostalPlace) -> None:
    assert locate_postal_code(text) == expected


@pytest.mark.parametrize("text", ["99999", "ABCDE", "D1A 1A1", "123456", "12", "M5V-2T6X", "ZIP"])
def test_a_bad_postal_code_is_a_reason(text: str) -> None:
    found = locate_postal_code(text)
    assert isinstance(found, str) and "\n" not in found and text.strip() in found


@pytest.mark.parametrize(
    "header",
    ["ZIP", "Zip Code", "zip_code", "Postal Code", "Mailing Zip", "Home ZIP", "ZIP/Postal", "Zip+4", "PLZ"],
)
def test_postal_code_headers_are_recognised(header: str) -> None:
    assert guess_field(header) == "postal_code"
    assert guess_field("Home Phone") == "phone" and guess_field("State") == "state"


@pytest.fixture
def desk(tmp_path: Path) -> Workspace:
    workspace = open_workspace(str(tmp_path / "zip.db"), clock=ManualClock(NOON))
    yield workspace  # type: ignore[misc]
    workspace.close()


def _import(desk: Workspace, folder: Path, text: str) -> dict[str, int]:
    path = folder / "list.csv"
    path.write_text(text, encoding="utf-8")
    report = desk.imports.run(path)
    desk.zip_report = report  # type: ignore[attr-defined]
    return {record["last_name"]: record["id"] for record in desk.leads.export_records()}


def _fresh_lists(desk: Workspace, folder: Path) -> None:
    """Fresh national (every US area code) and Florida copies, nobody listed."""
    registries = desk.rulebook.registries
    codes = tuple(
        c for c in range(200, 1000) if (r := area_code_region(c)) is None or registries.get(r) == "national"
    )
    path = folder / "national.txt"
    path.write_text("305,5559999\n", encoding="ascii")
    desk.registry_service.import_file(path, "national", as_of=date(2026, 11, 25), area_codes=codes)
    florida = folder / "fl.txt"
    florida.write_text("305,5559998\n", encoding="ascii")
    desk.registry_service.import_file(florida, "state:FL", as_of=date(2026, 11, 25))
    desk.lists_changed()


LIST = (
    "First Name,Last Name,Phone,Mailing Zip\n"
    "Ann,Panhandle,850-555-0101,32301\n"  # Tallahassee: Eastern time, though 850 is also Central
    "Bo,NoZip,850-555-0102,\n"
    "Cy,Moved,212-555-0103,32301\n"  # a New York number, a Florida ZIP: both must allow
    "Di,Away,850-555-0104,10001\n"  # a Florida number, a New York ZIP
    "Ed,Typo,212-555-0105,9999X\n"  # not a ZIP: reported, the lead kept without one
)


def test_the_zip_column_is_stored_and_a_bad_one_reported(desk: Workspace, tmp_path: Path) -> None:
    ids = _import(desk, tmp_path, LIST)
    assert set(ids) == {"Panhandle", "NoZip", "Moved", "Away", "Typo"}
    with desk.uow() as uow:
        stored = {
            lead.last_name: (lead.postal_code, lead.postal_state, lead.postal_zone)
            for lead in uow.session.query(Lead)
        }
    assert stored["Panhandle"] == ("32301", "FL", "America/New_York")
    assert stored["Away"] == ("10001", "NY", "America/New_York")
    assert stored["NoZip"] == stored["Typo"] == ("", "", "")
    rejected = [(r.line, r.column, r.value) for r in desk.zip_report.rejected]  # type: ignore[attr-defined]
    assert rejected == [(6, "Mailing Zip", "9999X")]
    assert "ZIP" in desk.zip_report.rejected[0].reason  # type: ignore[attr-defined]
    card = desk.leads.card(ids["Panhandle"])
    assert (card.postal_code, card.postal_state, card.time_zone) == ("32301", "FL", "America/New_York")


def _check(desk: Workspace, lead_id: int, at: datetime) -> tuple[tuple[str, ...], tuple[str, ...]]:
    decision = desk.calling.check(lead_id=lead_id, at=at).decision
    return decision.codes, decision.note_codes


def test_a_zip_narrows_the_zones_and_a_disagreeing_one_adds_its_rules(
    desk: Workspace, tmp_path: Path
) -> None:
    _fresh_lists(desk, tmp_path)
    ids = _import(desk, tmp_path, LIST)
    # 850 spans Eastern and Central: 07:30 in Pensacola is too early, but the ZIP says Tallahassee.
    assert _check(desk, ids["NoZip"], EARLY)[0] == ("calling_hours",)
    assert _check(desk, ids["Panhandle"], EARLY) == ((), ())
    # A New York number with a Florida ZIP: Florida's 20:00 applies too (New York allows until 21:00).
    codes, notes = _check(desk, ids["Moved"], EVENING)
    assert codes == ("calling_hours",) and notes == ("location_conflict",)
    assert _check(desk, ids["Typo"], EVENING)[0] == ()  # no ZIP recorded: New York's hours only
    # A Florida number with a New York ZIP never loses the number's own Central zone (never widens
    # what is allowed, only what is checked): 07:30 in Pensacola blocks.
    codes, notes = _check(desk, ids["Away"], EARLY)
    assert codes == ("calling_hours",) and notes == ("location_conflict",)
    assert _check(desk, ids["Away"], NOON) == ((), ("location_conflict",))


def test_the_scrub_decides_a_zip_lead_as_a_check_does(desk: Workspace, tmp_path: Path) -> None:
    _fresh_lists(desk, tmp_path)
    ids = _import(desk, tmp_path, LIST)
    for at in (EARLY, EVENING, NOON):
        desk.clock.set(at)  # type: ignore[attr-defined]
        rows = {
            row.lead_id: row.decision.codes
            for row in ScrubService(desk.uow, desk.clock, desk.gate).rows(None)
        }
        for lead_id in ids.values():
            assert rows[lead_id] == desk.calling.check(lead_id=lead_id, at=at).decision.codes, (lead_id, at)
