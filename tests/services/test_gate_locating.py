"""The gate on a real database: caps per number, bare numbers as their lead, where a callee may be,
voicemail drops, declared emergencies and Canada's hours.

Real workspace (SQLite file, migrations, registry import), real phonenumbers, a recording dialer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.domain.phones import area_code_region
from desktop.services.calling import CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EmergencyService
from desktop.services.rules import shipped_outcome_rules
from desktop.services.workspace import Workspace, open_workspace
from tests.services.test_calling import RecordingDialer

TUESDAY_NOON_NY = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 12:00 New York, 11:00 Chicago


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TUESDAY_NOON_NY)


@pytest.fixture
def desk(tmp_path: Path, clock: ManualClock) -> Workspace:
    workspace = open_workspace(str(tmp_path / "gate.db"), clock=clock)
    yield workspace  # type: ignore[misc]
    workspace.close()


def _calling(workspace: Workspace, clock: ManualClock, dialer: RecordingDialer) -> CallingService:
    return CallingService(
        workspace.uow,
        clock,
        lambda: dialer,
        shipped_outcome_rules(),
        workspace.gate,
        agent_name=lambda: "Tester",
        attempt_target=lambda: 18,
    )


def _import(workspace: Workspace, folder: Path, rows: list[str], header: str) -> dict[str, int]:
    path = folder / "list.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    workspace.imports.run(path)
    return {
        record["last_name"] or record["company"]: record["id"] for record in workspace.leads.export_records()
    }


def _registry(workspace: Workspace, folder: Path, source: str, numbers: list[str], as_of: date) -> None:
    path = folder / f"{source.replace(':', '-')}.txt"
    path.write_text("\n".join(f"{n[2:5]},{n[5:]}" for n in numbers) + "\n", encoding="utf-8")
    # The copy covers every area code of its country these tests call (copies are per area code).
    registries = workspace.rulebook.registries
    covered = (
        ()
        if source.startswith("state:")
        else tuple(
            code
            for code in range(200, 1000)
            if (region := area_code_region(code)) is None or registries.get(region) == source
        )
    )
    workspace.registry_service.import_file(path, source, as_of=as_of, area_codes=covered)
    workspace.lists_changed()


def _fresh_lists(workspace: Workspace, folder: Path, listed: list[str] | None = None) -> None:
    """Fresh national and Florida copies; `listed` numbers on the national one."""
    _registry(workspace, folder, "national", listed or ["+13055559999"], date(2026, 11, 25))
    _registry(workspace, folder, "state:FL", ["+13055559998"], date(2026, 11, 25))


def test_the_cap_counts_every_call_to_the_number_whoever_the_lead(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    _fresh_lists(desk, tmp_path)
    leads = _import(
        desk,
        tmp_path,
        ["Ann Able,Acme,305-555-0123,FL", "Bob Baker,Other Co,(305) 555-0123,FL"],
        "Name,Company,Phone,State",
    )
    dialer = RecordingDialer()
    calling = _calling(desk, clock, dialer)
    calling.start_call(leads["Able"])
    calling.start_call(leads["Baker"])  # a duplicate lead with the same number
    calling.start_call(None, number="305-555-0123")  # a bare-number dial
    assert dialer.dialled == ["+13055550123"] * 3
    for attempt in (
        lambda: calling.start_call(leads["Baker"]),
        lambda: calling.start_call(None, number="3055550123"),
    ):
        with pytest.raises(GateRefused) as refused:
            attempt()
        assert "at most 3 calls" in refused.value.decision.summary()
    assert len(dialer.dialled) == 3


def test_a_bare_number_is_decided_as_the_lead_that_owns_it(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    # 212-555-0150 is on the registry; its lead gave written consent. An unowned listed number is refused.
    _fresh_lists(desk, tmp_path, listed=["+12125550150", "+12125550151"])
    leads = _import(desk, tmp_path, ["Cara Cole,,212-555-0150,NY"], "Name,Company,Phone,State")
    desk.consent.add(leads["Cole"], "written", date(2026, 11, 1), "web form")
    calling = _calling(desk, clock, RecordingDialer())
    assert calling.check(number="212-555-0150").decision.allowed
    unowned = calling.check(number="212-555-0151").decision
    assert not unowned.allowed and unowned.codes == ("dnc_national",)


def test_recorded_state_and_number_must_both_allow(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    # A New York number recorded in California, at 23:30 in New York (20:30 in California): refused.
    _fresh_lists(desk, tmp_path)
    leads = _import(desk, tmp_path, ["Dan Day,,212-555-0160,CA"], "Name,Company,Phone,State")
    clock.set(datetime(2026, 12, 2, 4, 30, tzinfo=UTC))
    decision = _calling(desk, clock, RecordingDialer()).check(leads["Day"]).decision
    assert not decision.allowed and "calling_hours" in decision.codes
    assert {"America/New_York", "America/Los_Angeles"} <= set(decision.time_zones)
    # 13:00 in New York, 10:00 in California: both allow, with a note saying so.
    clock.set(datetime(2026, 12, 2, 18, 0, tzinfo=UTC))
    allowed = _calling(desk, clock, RecordingDialer()).check(leads["Day"]).decision
    assert allowed.allowed and "location_conflict" in allowed.note_codes


def test_exchange_zone_for_display_every_zone_for_the_gate(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    _fresh_lists(desk, tmp_path)
    # 17:30Z: 08:30 in Anchorage, 07:30 in Adak. 907-279 is an Anchorage-time exchange.
    clock.set(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    decision = _calling(desk, clock, RecordingDialer()).check(number="907-279-5555").decision
    assert decision.display_zone in {"America/Anchorage", "America/Juneau"}
    assert "America/Adak" in decision.time_zones and not decision.allowed
    clock.set(datetime(2026, 12, 1, 19, 0, tzinfo=UTC))  # 09:00 in Adak
    assert _calling(desk, clock, RecordingDialer()).check(number="907-279-5555").decision.allowed


def test_voicemail_drop_needs_written_consent_unless_a_business_landline(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    _fresh_lists(desk, tmp_path)
    leads = _import(
        desk,
        tmp_path,
        [
            "Eve East,East Inc,212-555-0170,,business",
            "Fay Fox,Fox Ltd,,212-555-0171,business",
            "Gil Gray,,,212-555-0172,residential",
        ],
        "Name,Company,Mobile Phone,Landline Phone,Type",
    )
    calling = _calling(desk, clock, RecordingDialer())
    mobile_business = calling.check(leads["East"], prerecorded=True).decision
    assert mobile_business.codes == ("prerecorded_consent",)
    assert calling.check(leads["Fox"], prerecorded=True).decision.allowed
    assert calling.check(leads["Gray"], prerecorded=True).decision.codes == ("prerecorded_consent",)
    desk.consent.add(leads["East"], "written", date(2026, 11, 1), "signed form")
    assert calling.check(leads["East"], prerecorded=True).decision.allowed


def test_louisiana_emergency_dates_block_calls(desk: Workspace, clock: ManualClock, tmp_path: Path) -> None:
    _fresh_lists(desk, tmp_path)
    _registry(desk, tmp_path, "state:LA", ["+15045559999"], date(2026, 11, 25))
    leads = _import(desk, tmp_path, ["Hal Hill,,504-555-0180,LA"], "Name,Company,Phone,State")
    calling = _calling(desk, clock, RecordingDialer())
    assert calling.check(leads["Hill"]).decision.allowed
    EmergencyService(desk.uow).add("LA", date(2026, 11, 30), date(2026, 12, 3), "Orleans, Jefferson")
    blocked = calling.check(leads["Hill"]).decision
    assert not blocked.allowed and "state of emergency" in blocked.summary()
    clock.set(datetime(2026, 12, 4, 17, 0, tzinfo=UTC))  # the day after the last day
    assert calling.check(leads["Hill"]).decision.allowed


def test_canada_hours_and_the_dncl_business_exemption(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    _registry(desk, tmp_path, "canada", ["+14165550190"], date(2026, 11, 25))
    leads = _import(
        desk,
        tmp_path,
        ["Ida Ink,Ink Corp,416-555-0190,business", "Jo Jay,,416-555-0191,residential"],
        "Name,Company,Phone,Type",
    )
    calling = _calling(desk, clock, RecordingDialer())
    clock.set(datetime(2026, 12, 2, 2, 15, tzinfo=UTC))  # Tuesday 21:15 in Toronto: CRTC allows to 21:30
    assert calling.check(leads["Jay"]).decision.allowed
    business = calling.check(leads["Ink"]).decision  # on the DNCL, but a business
    assert business.allowed and "b2b_exemption" in business.note_codes
    clock.set(datetime(2026, 12, 5, 23, 30, tzinfo=UTC))  # Saturday 18:30 in Toronto: weekends end at 18:00
    weekend = calling.check(leads["Ink"]).decision
    assert not weekend.allowed and weekend.codes == ("calling_hours",)


def test_a_scrubs_shared_decisions_depend_on_every_fact_but_the_number() -> None:
    """The scrub reuses a decision for leads in the same situation: the key must hold every fact."""
    from desktop.domain.compliance import DialFacts
    from desktop.services.gate import situation

    facts = DialFacts(number="+12125550100", valid=True, time_zones=("America/New_York",), at=TUESDAY_NOON_NY)
    # A new fact must join the key; so does the number's area code, which a registry reason names.
    assert len(situation(facts)) == len(DialFacts._fields) + 1


def test_the_scrub_decides_every_lead_as_a_single_check_does(
    desk: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    """Shared decisions and plain-row loading in the scrub give exactly the single-dial answers."""
    _fresh_lists(desk, tmp_path, listed=["+12125550201", "+13055550203"])
    rows = [
        "A One,,212-555-0201,NY,residential",
        "B Two,,212-555-0202,NY,residential",
        "C Three,Co,305-555-0203,FL,business",
        "D Four,,305-555-0204,FL,residential",
        "E Five,,907-279-0205,AK,residential",
        "F Six,,212-555-0206,CA,residential",
        "G Seven,,801-555-0207,UT,residential",
        "H Eight,,not a number,,residential",
    ]
    leads = _import(desk, tmp_path, rows, "Name,Company,Phone,State,Type")
    desk.consent.add(leads["Two"], "written", date(2026, 11, 1), "form")
    calling = _calling(desk, clock, RecordingDialer())
    for moment in (
        TUESDAY_NOON_NY,
        datetime(2026, 12, 2, 1, 30, tzinfo=UTC),
        datetime(2026, 12, 6, 17, 0, tzinfo=UTC),
    ):
        clock.set(moment)
        scrubbed = {row.lead_id: row.decision for row in desk.scrub.rows()}
        assert set(scrubbed) == set(leads.values())
        for lead in leads.values():
            single = calling.check(lead).decision if lead != leads["Eight"] else scrubbed[lead]
            assert scrubbed[lead] == single, f"lead {lead} at {moment}"


def test_queue_hours_keys_are_recomputed_when_the_rules_change(tmp_path: Path, clock: ManualClock) -> None:
    """A database whose stored hours keys predate a rule (Texas's Sunday hours) gets them anew on opening."""
    from sqlalchemy import update

    from desktop.services.hours import KEYS_VERSION_SETTING
    from desktop.storage.models import Lead

    first = open_workspace(str(tmp_path / "keys.db"), clock=clock)
    leads = _import(first, tmp_path, ["Tex Ranger,,214-555-0190,TX"], "Name,Company,Phone,State")
    with first.uow() as uow:
        uow.session.execute(update(Lead).values(hours_key="America/Chicago|"))  # as an older version wrote it
        uow.settings.set(KEYS_VERSION_SETTING, "older rules")
        uow.commit()
    first.close()
    again = open_workspace(str(tmp_path / "keys.db"), clock=clock)
    try:
        with again.uow() as uow:
            key = uow.session.get(Lead, leads["Ranger"]).hours_key  # type: ignore[union-attr]
        assert key is not None and "TX" in key.split("|")[1].split(",")
    finally:
        again.close()
