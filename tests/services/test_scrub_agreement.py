"""The scrub's fast path (preloaded facts, set-based registry look-ups, decisions shared by leads in
the same situation) decides every lead exactly as the single-dial path does.

A varied list on a real database: states, DC, a territory and a province, numbers whose lead is
recorded elsewhere, two phones a lead, invalid numbers, national and state list hits, an area code
never downloaded, the internal list, consent of every kind and age, calls up to a cap, a declared
emergency; decided at moments inside and outside hours, on a Sunday, on legal holidays and once the
registry copy has gone stale. Every moment is explicit (the clock seam).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.services.calling import CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EmergencyService
from desktop.services.gate import GateResult
from desktop.services.rules import shipped_outcome_rules
from desktop.services.workspace import Workspace, open_workspace
from tests.services.test_calling import RecordingDialer

TUESDAY_NOON_NY = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
MOMENTS = (
    TUESDAY_NOON_NY,
    datetime(2026, 12, 1, 22, 30, tzinfo=UTC),  # 17:30 New York, 14:30 Los Angeles, 12:30 Anchorage
    datetime(2026, 12, 2, 1, 30, tzinfo=UTC),  # evening: only the west is open
    datetime(2026, 12, 5, 15, 30, tzinfo=UTC),  # Saturday morning
    datetime(2026, 12, 6, 17, 0, tzinfo=UTC),  # Sunday
    datetime(2026, 11, 26, 17, 0, tzinfo=UTC),  # Thanksgiving
    datetime(2026, 12, 25, 16, 0, tzinfo=UTC),  # Christmas (the copies are 30 days old)
    datetime(2027, 1, 5, 17, 0, tzinfo=UTC),  # the national copy is stale
)
# (area code, state recorded on the lead) pairs: matching, mismatched, none, territories, Canada.
PLACES = (
    ("212", "NY"),
    ("212", "CA"),
    ("305", "FL"),
    ("904", "FL"),
    ("214", "TX"),
    ("301", "MD"),
    ("504", "LA"),
    ("215", "PA"),
    ("801", "UT"),
    ("206", "WA"),
    ("401", "RI"),
    ("601", "MS"),
    ("405", "OK"),
    ("205", "AL"),
    ("202", "DC"),
    ("415", "CA"),
    ("907", "AK"),
    ("808", "HI"),
    ("787", "PR"),
    ("416", "ON"),
    ("604", "BC"),
    ("617", ""),
    ("312", "IL"),
    ("208", "ID"),  # exchanges in Mountain or Pacific time
    ("850", "FL"),  # exchanges in Central or Eastern time
    ("605", "SD"),
    ("301", "MD"),
    ("405", "OK"),
)
NEVER_DOWNLOADED = "312"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TUESDAY_NOON_NY)


@pytest.fixture
def desk(tmp_path: Path, clock: ManualClock) -> Workspace:
    workspace = open_workspace(str(tmp_path / "scrub.db"), clock=clock)
    yield workspace  # type: ignore[misc]
    workspace.close()


def _calling(workspace: Workspace, clock: ManualClock) -> CallingService:
    return CallingService(
        workspace.uow,
        clock,
        RecordingDialer,
        shipped_outcome_rules(),
        workspace.gate,
        agent_name=lambda: "Tester",
        attempt_target=lambda: 18,
    )


def _number(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _write_list(path: Path, rng: random.Random, leads: int) -> None:
    rows = ["First Name,Last Name,Company,Phone,Mobile,State,Type,ZIP"]
    # ZIP codes that agree with the number, disagree with it (both must allow), cross a zone line,
    # are Canadian, or are none at all: the postal place is an input of every decision.
    zips = ("", "10001", "33101", "90001", "M5V 3L9", "", "83814", "32501", "")
    for index in range(leads):
        area, state = PLACES[index % len(PLACES)]
        phone = _number(rng, area) if index % 17 else "555-01"  # some numbers are not numbers
        mobile = _number(rng, rng.choice(PLACES)[0]) if index % 4 == 0 else ""
        kind = "business" if index % 3 == 0 else "residential"
        company = f"Firm {index}" if kind == "business" else ""
        postal = zips[index % len(zips)]
        rows.append(f"First{index},Last{index},{company},{phone},{mobile},{state},{kind},{postal}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


CANADIAN_AREAS = {area for area, state in PLACES if state in ("ON", "BC")}


def _import_registry(desk: Workspace, folder: Path, source: str, numbers: list[str], as_of: date) -> None:
    """A registry copy of `numbers`; "national" stands for both national lists: the US registry's
    area codes go to it, Canada's to Canada's National DNCL (each refuses the other's codes)."""
    if source == "national":
        canadian = [n for n in numbers if n[2:5] in CANADIAN_AREAS]
        _import_one(desk, folder, "canada", canadian, as_of, sorted(CANADIAN_AREAS))
        numbers = [n for n in numbers if n[2:5] not in CANADIAN_AREAS]
        areas = sorted({a for a, _s in PLACES if a != NEVER_DOWNLOADED} - CANADIAN_AREAS)
        _import_one(desk, folder, source, numbers, as_of, areas)
    else:
        _import_one(desk, folder, source, numbers, as_of, [])


def _import_one(
    desk: Workspace, folder: Path, source: str, numbers: list[str], as_of: date, areas: list[str]
) -> None:
    path = folder / f"{source.replace(':', '-')}.txt"
    path.write_text("".join(f"{n[2:5]},{n[5:]}\n" for n in numbers), encoding="utf-8")
    desk.registry_service.import_file(path, source, as_of=as_of, area_codes=tuple(int(a) for a in areas))


def _phones(desk: Workspace) -> dict[int, list[tuple[int, str | None, bool]]]:
    """Per lead, its phones in the order the gate tries them: (id, E.164, valid)."""
    from desktop.storage.models import Lead

    with desk.uow() as uow:
        leads = uow.session.query(Lead).all()
        return {
            lead.id: [
                (p.id, p.e164, bool(p.valid)) for p in sorted(lead.phones, key=lambda p: (p.position, p.id))
            ]
            for lead in leads
        }


def _single_path(
    calling: CallingService, lead_id: int, phones: list[tuple[int, str | None, bool]], at: datetime
) -> GateResult | None:
    """One live decision per phone, the first allowed one kept (else the first valid one)."""
    first: GateResult | None = None
    first_valid = False
    for phone_id, _e164, valid in phones:
        result = calling.check(lead_id, phone_id=phone_id, at=at)
        if result.decision.allowed:
            return result
        if first is None or (valid and not first_valid):
            first, first_valid = result, valid
    return first


def test_the_fast_scrub_decides_a_varied_list_as_single_decisions_do(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    rng = random.Random(14)
    listing = tmp_path / "list.csv"
    _write_list(listing, rng, 140)
    desk.imports.run(listing)
    phones = _phones(desk)
    numbers = sorted({e164 for found in phones.values() for _id, e164, valid in found if valid and e164})
    lead_ids = sorted(phones)
    consenting = lead_ids[1::4]
    # A third of the numbers on the national registry (and those of leads who consented), some on
    # Florida's and Texas's lists.
    of_consenting = [e164 for lead_id in consenting for _id, e164, valid in phones[lead_id] if valid and e164]
    listed = sorted(set(numbers[::3]) | set(of_consenting))
    _import_registry(desk, tmp_path, "national", listed, date(2026, 11, 25))
    _import_registry(
        desk, tmp_path, "state:FL", [n for n in numbers if n[2:5] in ("305", "904")][::2], date(2026, 11, 20)
    )
    _import_registry(
        desk, tmp_path, "state:TX", [n for n in numbers if n[2:5] == "214"][::2], date(2026, 11, 20)
    )
    for number in numbers[1::11]:
        desk.dnc.add(number, "asked not to be called")
    for index, lead_id in enumerate(consenting):
        kind = ("written", "inquiry", "purchase")[(index // 2) % 3]
        given = date(2024, 6, 1) if index % 2 else date(2026, 11, 1)  # recent, or too old for an EBR
        desk.consent.add(lead_id, kind, given, "form")
    EmergencyService(desk.uow).add("LA", date(2026, 11, 30), date(2026, 12, 2), "Orleans")
    # Calls placed on Tuesday morning, 0 to 3 a number: the caps (Maryland, Florida, Oklahoma: 3 in
    # 24 hours) are reached for some numbers and not for others in the very same situation.
    calling = _calling(desk, clock)
    clock.set(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    placed = 0
    for index, lead_id in enumerate(lead_ids):
        for _ in range(index % 4):
            try:
                calling.start_call(lead_id)
                placed += 1
            except GateRefused:
                break
    assert placed > 30
    # Leads alike in everything but the exchange, whose zone is the one shown (Idaho, the Florida
    # panhandle, Alaska): a shared decision must not show another exchange's zone.
    alike = tmp_path / "alike.csv"
    alike.write_text(
        "Name,Phone,State\n"
        + "".join(
            f"Alike {n},{area}-{exchange}-01{n:02d},{state}\n"
            for n, (area, exchange, state) in enumerate(
                [
                    ("208", 201, "ID"),
                    ("208", 215, "ID"),
                    ("208", 221, "ID"),
                    ("208", 245, "ID"),
                    ("850", 200, "FL"),
                    ("850", 201, "FL"),
                    ("907", 209, "AK"),
                    ("907", 581, "AK"),
                    ("907", 200, "AK"),
                ]
            )
        ),
        encoding="utf-8",
    )
    desk.imports.run(alike)
    phones = _phones(desk)
    lead_ids = sorted(phones)
    desk.lists_changed()

    rules = desk.gate.rules
    seen_codes: set[str] = set()
    for moment in MOMENTS:
        clock.set(moment)
        rows = {row.lead_id: row for row in desk.scrub.rows()}
        assert set(rows) == set(lead_ids)
        for lead_id in lead_ids:
            expected = _single_path(calling, lead_id, phones[lead_id], moment)
            row = rows[lead_id]
            if expected is None:
                assert row.decision.codes == ("invalid_number",)
                continue
            assert row.decision == expected.decision, f"lead {lead_id} at {moment}"
            assert row.number == (expected.decision.number or "")
            wanted_at = None if expected.decision.allowed else expected.callable_at(rules)
            assert row.callable_at == wanted_at, f"lead {lead_id} at {moment}: when callable"
            seen_codes.update(row.decision.codes + row.decision.note_codes)
        report = desk.scrub.report()
        assert report.checked == len(lead_ids)
        assert report.callable == sum(row.decision.allowed for row in rows.values())
    # The list really was varied: every kind of reason came up at some moment.
    assert {
        "invalid_number",
        "dnc_internal",
        "dnc_national",
        "dnc_state",
        "registry_missing",
        "registry_stale",
        "calling_hours",
        "state_rule",
        "b2b_exemption",
        "consent",
        "ebr_purchase",
        "location_conflict",
    } <= seen_codes


def test_shared_decisions_are_renumbered_and_own_their_facts(desk: Workspace, tmp_path: Path) -> None:
    """Leads in one situation share a decision; each row still names its own number, and the facts
    a result gives are those of its number."""
    listing = tmp_path / "list.csv"
    listing.write_text(
        "Name,Phone,State\nA One,212-555-0101,NY\nB Two,212-555-0102,NY\nC Three,212-555-0103,NY\n",
        encoding="utf-8",
    )
    desk.imports.run(listing)
    _import_registry(desk, tmp_path, "national", ["+12125550199"], date(2026, 11, 25))
    rows = list(desk.scrub.rows())
    assert [row.number for row in rows] == ["+12125550101", "+12125550102", "+12125550103"]
    assert [row.decision.number for row in rows] == [row.number for row in rows]
    with desk.uow() as uow:
        from desktop.storage.models import Lead

        leads = uow.session.query(Lead).order_by(Lead.id).all()
        results = desk.scrub.decide_leads(uow, leads, TUESDAY_NOON_NY)
        for lead in leads:
            result = results[lead.id]
            assert result is not None
            assert result.facts.number == result.decision.number == lead.phones[0].e164


def test_registry_sources_of_many_numbers_match_one_by_one(desk: Workspace, tmp_path: Path) -> None:
    """The scrub's set-based registry look-up answers as `sources_for` does, number by number."""
    on_both = "+13055550101"
    _import_registry(
        desk, tmp_path, "national", [on_both, "+12125550102", "+14165550103"], date(2026, 11, 25)
    )
    _import_registry(desk, tmp_path, "state:FL", [on_both, "+13055550104"], date(2026, 11, 20))
    asked = [
        on_both,
        on_both,  # twice
        "+12125550102",
        "+14165550103",
        "+13055550104",
        "+12125550199",  # on no list
        "+442071838750",  # not North American
        "+11125550102",  # area code starting with 1: never on a registry
        "+1212555010",  # too short
    ]
    registry = desk.registry
    many = registry.sources_for_many(asked)  # type: ignore[attr-defined]
    one_by_one = {number: registry.sources_for(number) for number in asked}
    assert many == {number: sources for number, sources in one_by_one.items() if sources}
    assert many[on_both] == frozenset({"national", "state:FL"})
    assert many["+14165550103"] == frozenset({"canada"})
    # Past one statement's worth of numbers (500 a query) the answer is the same.
    crowd = [f"+1212555{n:04d}" for n in range(1200)] + ["+12125550102"]
    assert registry.sources_for_many(crowd) == {"+12125550102": frozenset({"national"})}  # type: ignore[attr-defined]
