"""The calling service: the one road to a dialer, decisions recorded, outcomes moving the lead."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.registry_coverage import AreaCopy
from desktop.services.calling import CallingError, CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.dnc import DncService
from desktop.services.gate import DialGate
from desktop.services.rules import shipped_outcome_rules, shipped_rulebook
from desktop.services.workspace import Workspace
from desktop.storage.models import Attempt, Callback, DncEntry
from tests.registry_support import every_area_code


class StaticRegistry:
    """Registry numbers held in memory: a stand-in for the registry service in these unit tests."""

    def __init__(self, numbers: dict[str, set[str]], as_of: str = "2026-11-20") -> None:
        self.numbers = numbers
        self.as_of = as_of

    def sources_for(self, e164: str) -> frozenset[str]:
        return frozenset(self.numbers.get(e164, set()))

    def snapshots(self) -> dict[str, dict[str, object]]:
        return {"national": {"id": 1, "as_of": self.as_of}}

    def coverage(self) -> dict[str, dict[int, AreaCopy]]:
        return {"national": every_area_code(self.as_of)}


def national_sample(path: Path) -> StaticRegistry:
    numbers = {}
    for line in path.read_text().split():
        area, _, rest = line.partition(",")
        numbers[f"+1{area}{rest}"] = {"national"}
    return StaticRegistry(numbers)


class RecordingDialer:
    """A dialer that remembers every number it was asked to dial."""

    name = "recording"

    def __init__(self) -> None:
        self.dialled: list[str] = []

    def dial(self, e164: str, extension: str | None = None) -> None:
        self.dialled.append(e164)

    def hang_up(self) -> None:
        pass


@pytest.fixture
def dialer() -> RecordingDialer:
    return RecordingDialer()


@pytest.fixture
def registry(dnc_sample: Path) -> StaticRegistry:
    return national_sample(dnc_sample)


@pytest.fixture
def calling(
    workspace: Workspace,
    clock: ManualClock,
    dialer: RecordingDialer,
    sample_csv: Path,
    registry: StaticRegistry,
) -> CallingService:
    workspace.imports.run(sample_csv)
    workspace.gate.registry = registry  # the queue's own checks see the same registry
    gate = DialGate(shipped_rulebook(), registry)
    return CallingService(
        workspace.uow,
        clock,
        lambda: dialer,
        shipped_outcome_rules(),
        gate,
        agent_name=lambda: "Alex",
        attempt_target=lambda: 18,
    )


def lead_id(workspace: Workspace, last_name: str) -> int:
    return next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == last_name)


def attempts(workspace: Workspace) -> list[Attempt]:
    with workspace.uow() as uow:
        return list(uow.session.scalars(select(Attempt).order_by(Attempt.id)))


def test_allowed_call_is_recorded_then_dialled(
    workspace: Workspace, calling: CallingService, dialer: RecordingDialer
) -> None:
    started = calling.start_call(lead_id(workspace, "Lopez"))
    assert dialer.dialled == ["+12125550134"]
    assert started.decision.allowed
    [attempt] = attempts(workspace)
    assert attempt.allowed and attempt.number == "+12125550134" and attempt.backend == "recording"


@pytest.mark.parametrize("last_name", ["Tanaka", "Kim", "Rossi"])  # Honolulu 04:00, LA 06:00, Phoenix 07:00
def test_outside_calling_hours_is_blocked_and_recorded(
    workspace: Workspace, calling: CallingService, dialer: RecordingDialer, last_name: str
) -> None:
    with pytest.raises(GateRefused) as refused:
        calling.start_call(lead_id(workspace, last_name))
    assert "calling_hours" in refused.value.decision.codes
    assert dialer.dialled == []
    [attempt] = attempts(workspace)
    assert not attempt.allowed
    assert "calling_hours" in [r["code"] for r in json.loads(attempt.reasons)["reasons"]]


def test_sample_readme_expectations(workspace: Workspace, calling: CallingService) -> None:
    """The decisions ../shared/data/README.md lists for 2026-12-01T14:00Z with both files imported."""
    assert calling.check(lead_id(workspace, "Lopez")).decision.allowed
    james = lead_id(workspace, "O'Neil")
    assert calling.check(james, number="+12125550199").decision.codes == ("dnc_national",)
    assert calling.check(james, number="+19175550142").decision.allowed
    kevin = calling.check(lead_id(workspace, "Patel")).decision
    assert kevin.allowed and kevin.note_codes == ("b2b_exemption",)
    for name in ("Tanaka", "Kim", "Rossi", "Novak", "Martins"):  # Honolulu, Los Angeles, Phoenix, Seattle
        assert "calling_hours" in calling.check(lead_id(workspace, name)).decision.codes, name
    assert calling.check(lead_id(workspace, "Farouk")).decision.allowed


def test_blocked_decision_records_the_registry_snapshot(
    workspace: Workspace, calling: CallingService
) -> None:
    with pytest.raises(GateRefused):
        calling.start_call(lead_id(workspace, "O'Neil"), number="+12125550199")
    [attempt] = attempts(workspace)
    record = json.loads(attempt.reasons)
    assert record["reasons"][0]["code"] == "dnc_national"
    assert record["registry"]["national"]["as_of"] == "2026-11-20"


def test_stale_registry_blocks_residential(
    workspace: Workspace, calling: CallingService, registry: StaticRegistry
) -> None:
    registry.as_of = "2026-10-01"
    decision = calling.check(lead_id(workspace, "Farouk")).decision
    assert decision.codes == ("registry_stale",)
    assert calling.check(lead_id(workspace, "Lopez")).decision.allowed  # business


def test_invalid_number_is_blocked(
    workspace: Workspace, calling: CallingService, dialer: RecordingDialer
) -> None:
    with pytest.raises(GateRefused) as refused:
        calling.start_call(lead_id(workspace, "Smith"))
    assert refused.value.decision.codes == ("invalid_number",)
    assert "area code" in refused.value.decision.reasons[0].detail
    assert dialer.dialled == []


def test_do_not_call_outcome_blocks_every_later_dial(
    workspace: Workspace, calling: CallingService, dialer: RecordingDialer
) -> None:
    james = lead_id(workspace, "O'Neil")
    started = calling.start_call(james)
    result = calling.record_outcome(james, "do_not_call", attempt_id=started.attempt_id)
    assert set(result.added_to_dnc) == {"+12125550199", "+19175550142"}
    assert result.status == "do_not_call"
    for number in ("+12125550199", "+19175550142"):
        with pytest.raises(GateRefused) as refused:
            calling.start_call(james, number=number)
        assert refused.value.decision.codes[0] == "dnc_internal"
    assert dialer.dialled == ["+19175550142"]  # the number not on the national registry
    with workspace.uow() as uow:
        assert uow.dnc.find("+19175550142", "internal") is not None


def test_dnc_list_blocks_a_business_lead_too(
    workspace: Workspace, calling: CallingService, clock: ManualClock, dialer: RecordingDialer
) -> None:
    DncService(workspace.uow, clock, workspace.current_settings).add("212-555-0134", reason="asked by email")
    with pytest.raises(GateRefused) as refused:
        calling.start_call(lead_id(workspace, "Lopez"))
    assert "asked by email" in refused.value.decision.reasons[0].detail
    assert dialer.dialled == []


def test_outcome_counts_and_schedules(
    workspace: Workspace, calling: CallingService, clock: ManualClock
) -> None:
    maria = lead_id(workspace, "Lopez")
    started = calling.start_call(maria)
    clock.advance(seconds=42)
    result = calling.record_outcome(maria, "no_answer", attempt_id=started.attempt_id)
    assert result.attempts == 1 and result.status == "active"
    # The cadence: not before the 4 h retry delay, in the next local slot (16:00 in New York).
    assert result.next_due_at == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    assert result.next_lead_id is not None and result.next_lead_id != maria
    [attempt] = attempts(workspace)
    assert attempt.outcome == "no_answer" and attempt.duration_s == pytest.approx(42)
    card = workspace.leads.card(maria)
    assert card.attempt_label == "Attempt 2 of 18"
    assert card.history[0].outcome_label == "No answer"


def test_record_without_call_goes_through_the_gate(
    workspace: Workspace, calling: CallingService, dialer: RecordingDialer
) -> None:
    result = calling.record_outcome(lead_id(workspace, "Lopez"), "voicemail")
    assert result.attempts == 1
    assert dialer.dialled == []  # a logged manual call is not dialled by the app
    with pytest.raises(GateRefused):
        calling.record_outcome(lead_id(workspace, "Tanaka"), "voicemail")


def test_callback_needs_a_time_and_comes_first_when_due(
    workspace: Workspace, calling: CallingService, clock: ManualClock
) -> None:
    kevin = lead_id(workspace, "Patel")
    with pytest.raises(CallingError, match="needs a time"):
        calling.record_outcome(kevin, "callback")
    due = clock() + timedelta(hours=2)
    calling.record_outcome(kevin, "callback", callback_at=due)
    with workspace.uow() as uow:
        [callback] = uow.session.scalars(select(Callback)).all()
        assert callback.due_at == due
    assert workspace.leads.next_lead_id() != kevin
    clock.advance(hours=2)
    assert workspace.leads.next_lead_id() == kevin
    assert workspace.leads.queue_page(0, 1)[0].bucket == "callback"


def test_terminal_and_exhausted(workspace: Workspace, calling: CallingService, clock: ManualClock) -> None:
    maria = lead_id(workspace, "Lopez")
    assert (
        calling.record_outcome(
            maria, "meeting", meeting_at=clock() + timedelta(days=2), where="Office"
        ).status
        == "closed"
    )
    assert maria not in [row.lead_id for row in workspace.leads.queue_page(0, 100)]
    short = CallingService(
        workspace.uow,
        clock,
        RecordingDialer,
        shipped_outcome_rules(),
        calling.gate,
        agent_name=lambda: "",
        attempt_target=lambda: 2,
    )
    omar = lead_id(workspace, "Farouk")
    short.record_outcome(omar, "busy")
    clock.advance(hours=1)
    assert short.record_outcome(omar, "busy").status == "exhausted"


def test_one_outcome_per_call(workspace: Workspace, calling: CallingService) -> None:
    maria = lead_id(workspace, "Lopez")
    started = calling.start_call(maria)
    calling.record_outcome(maria, "busy", attempt_id=started.attempt_id)
    with pytest.raises(CallingError, match="already has the outcome"):
        calling.record_outcome(maria, "busy", attempt_id=started.attempt_id)


def test_queue_order_callback_due_new_later(
    workspace: Workspace, calling: CallingService, clock: ManualClock
) -> None:
    maria, omar, kevin = (lead_id(workspace, n) for n in ("Lopez", "Farouk", "Patel"))
    calling.record_outcome(maria, "no_answer")  # due again in 4 h
    calling.record_outcome(kevin, "callback", callback_at=clock() + timedelta(hours=1))
    buckets = {row.lead_id: row.bucket for row in workspace.leads.queue_page(0, 100)}
    assert buckets[maria] == "later" and buckets[kevin] == "later" and buckets[omar] == "new"
    clock.advance(hours=8)  # 22:00Z: 17:00 in New York, past the 16:00 retry slot
    page = workspace.leads.queue_page(0, 100)
    assert [row.bucket for row in page[:2]] == ["callback", "due"]
    assert [row.lead_id for row in page[:2]] == [kevin, maria]
    counts = workspace.leads.queue_counts()
    assert (counts.callback, counts.due) == (1, 1)


def test_decision_time_is_the_clock(
    workspace: Workspace, calling: CallingService, clock: ManualClock
) -> None:
    aiko = lead_id(workspace, "Tanaka")
    assert not calling.check(aiko).decision.allowed
    clock.set(datetime(2026, 12, 1, 20, 0, tzinfo=UTC))  # 10:00 in Honolulu
    assert calling.check(aiko).decision.allowed
    with workspace.uow() as uow:
        assert uow.session.scalars(select(DncEntry)).all() == []
