"""The window's gate preview reuses the facts of the check made moments before only when every input is
equal (services/gate_preview.py): same lead, number, moment, rule book and an unchanged database.
Any write in between, by this workspace or by another connection, and the preview reads afresh:
it always equals a check made from scratch on a second workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, update

from desktop.services.calling import CallingService
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EMERGENCIES_KEY
from desktop.services.gate import CallerIdFacts, GateResult
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Lead

LOPEZ_NUMBER = "+12125550134"  # a business lead the gate allows at the sample's moment


@pytest.fixture
def sample_workspace(db_path: Path, clock: ManualClock, sample_csv: Path) -> Iterator[Workspace]:
    workspace = open_workspace(str(db_path), clock=clock)
    workspace.imports.run(sample_csv)
    yield workspace
    workspace.close()


def lopez(workspace: Workspace) -> tuple[int, int]:
    """(lead id, phone id) of Lopez's number."""
    lead_id = next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "Lopez")
    phone = next(p for p in workspace.leads.card(lead_id).phones if p.e164 == LOPEZ_NUMBER)
    return lead_id, phone.id


def from_scratch(db_path: Path, clock: ManualClock, lead_id: int, phone_id: int) -> GateResult:
    """The preview's answer from a second workspace: fresh reads, no memo."""
    other = open_workspace(str(db_path), clock=clock)
    try:
        return other.calling.check(lead_id, phone_id=phone_id, at=clock())
    finally:
        other.close()


def choose_then_preview(workspace: Workspace, write: Callable[[], object] | None = None) -> GateResult:
    """The queue's check of the lead (best number), an optional write, then the window's preview."""
    lead_id, phone_id = lopez(workspace)
    moment = workspace.clock()
    chosen = workspace.calling.check(lead_id, with_caller_id=False, at=moment)
    assert chosen.decision.number == LOPEZ_NUMBER
    if write is not None:
        write()
    return workspace.calling.check(lead_id, phone_id=phone_id, at=moment)


def test_preview_of_the_chosen_number_reads_nothing_again(
    sample_workspace: Workspace, db_path: Path, clock: ManualClock
) -> None:
    lead_id, phone_id = lopez(sample_workspace)
    moment = clock()
    statements: list[str] = []
    # Listening is set up first: adding a listener later hands out a new pooled connection.
    event.listen(sample_workspace.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sample_workspace.calling.check(lead_id, with_caller_id=False, at=moment)
    assert sample_workspace.calling.checked_at(lead_id) == moment
    assert len(statements) >= 6  # the choice read the facts
    statements.clear()
    preview = sample_workspace.calling.check(lead_id, phone_id=phone_id, at=moment)
    assert statements == []
    fresh = from_scratch(db_path, clock, lead_id, phone_id)
    assert preview.decision == fresh.decision and preview.decision.allowed
    assert preview.facts == fresh.facts


def add_internal_dnc(workspace: Workspace) -> None:
    workspace.dnc.add(LOPEZ_NUMBER, "asked not to be called")


def add_dnc_from_another_workspace(workspace: Workspace) -> None:
    other = open_workspace(str(workspace.engine.url.database), clock=workspace.clock)
    try:
        other.dnc.add(LOPEZ_NUMBER, "another agent's entry")
    finally:
        other.close()


def place_three_calls(workspace: Workspace) -> None:  # the per-number count the gate caps
    for _ in range(3):
        workspace.calling.start_call(lopez(workspace)[0], number=LOPEZ_NUMBER, dial=False)


def record_consent(workspace: Workspace) -> None:
    workspace.consent.add(lopez(workspace)[0], "written", date(2026, 11, 1), "signed form")


def move_the_lead(workspace: Workspace) -> None:  # a state with other rules and hours
    with workspace.uow() as uow:
        uow.session.execute(
            update(Lead).where(Lead.id == lopez(workspace)[0]).values(state="CA", kind="residential")
        )
        uow.commit()


def declare_emergency(workspace: Workspace) -> None:
    with workspace.uow() as uow:
        uow.settings.set(EMERGENCIES_KEY, "not a list")  # unreadable: refuses every state's calls
        uow.commit()


WRITES = [
    add_internal_dnc,
    add_dnc_from_another_workspace,
    place_three_calls,
    record_consent,
    move_the_lead,
    declare_emergency,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_a_write_between_choice_and_preview_is_seen(
    sample_workspace: Workspace, db_path: Path, clock: ManualClock, write: Callable[[Workspace], None]
) -> None:
    lead_id, phone_id = lopez(sample_workspace)
    preview = choose_then_preview(sample_workspace, lambda: write(sample_workspace))
    fresh = from_scratch(db_path, clock, lead_id, phone_id)
    assert preview.decision == fresh.decision
    assert preview.facts == fresh.facts


def test_a_dnc_entry_added_in_between_blocks_the_preview(sample_workspace: Workspace) -> None:
    for write in (add_internal_dnc, add_dnc_from_another_workspace):
        preview = choose_then_preview(sample_workspace, lambda write=write: write(sample_workspace))
        assert not preview.decision.allowed and "dnc_internal" in preview.decision.codes


def test_another_moment_is_decided_afresh(sample_workspace: Workspace, clock: ManualClock) -> None:
    lead_id, phone_id = lopez(sample_workspace)
    sample_workspace.calling.check(lead_id, with_caller_id=False, at=clock())
    late = clock().replace(hour=3) + timedelta(days=1)  # 22:00 in New York: outside calling hours
    preview = sample_workspace.calling.check(lead_id, phone_id=phone_id, at=late)
    assert "calling_hours" in preview.decision.codes


def test_the_caller_id_is_put_into_the_facts_afresh(
    sample_workspace: Workspace, db_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Firm mode on the softphone needs a caller ID: the queue's check leaves it out, the preview has it
    (the settings' caller ID is what a SIP call would send; here firm mode with none set)."""
    monkeypatch.setattr(
        CallingService, "_caller_id_facts", staticmethod(lambda _policy, _backend: CallerIdFacts("", True))
    )
    lead_id, phone_id = lopez(sample_workspace)
    preview = choose_then_preview(sample_workspace)
    fresh = from_scratch(db_path, clock, lead_id, phone_id)
    assert preview.decision == fresh.decision and "caller_id" in preview.decision.codes
    assert preview.facts == fresh.facts and preview.facts.caller_id_required


def chosen_phone(db_path: Path, clock: ManualClock, lead_id: int) -> tuple[int, str]:
    """(phone id, number) the gate allows first for the lead, from a second workspace."""
    other = open_workspace(str(db_path), clock=clock)
    try:
        number = other.calling.check(lead_id, with_caller_id=False, at=clock()).decision.number
        phone = next(p for p in other.leads.card(lead_id).phones if p.e164 == number)
        return phone.id, phone.e164
    finally:
        other.close()


@pytest.mark.parametrize("writer", ["nobody", "this workspace", "another workspace"])
def test_the_queue_choice_then_the_preview(
    sample_workspace: Workspace, db_path: Path, clock: ManualClock, writer: str
) -> None:
    """As after an outcome key: the queue chooses the lead (its gate check runs on a second pooled
    connection, inside the queue's unit of work), then the window previews the chosen number."""
    statements: list[str] = []
    event.listen(sample_workspace.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    lead_id = sample_workspace.leads.next_lead_id()
    assert lead_id is not None
    moment = sample_workspace.calling.checked_at(lead_id)
    assert moment == clock()
    phone_id, number = chosen_phone(db_path, clock, lead_id)
    if writer == "this workspace":
        sample_workspace.dnc.add(number, "asked not to be called")
    elif writer == "another workspace":
        other = open_workspace(str(db_path), clock=clock)
        other.dnc.add(number, "another agent's entry")
        other.close()
    statements.clear()
    preview = sample_workspace.calling.check(lead_id, phone_id=phone_id, at=moment)
    fresh = from_scratch(db_path, clock, lead_id, phone_id)
    assert preview.decision == fresh.decision and preview.facts == fresh.facts
    assert preview.decision.allowed == (writer == "nobody")
    assert (statements == []) == (writer == "nobody")


def test_an_outcome_names_the_moment_only_of_a_check_made_while_choosing(
    sample_workspace: Workspace, clock: ManualClock
) -> None:
    """The window previews the next lead at this moment; a check of that lead made earlier never counts."""
    calling = sample_workspace.calling
    lead_id, _phone_id = lopez(sample_workspace)
    call = calling.start_call(lead_id, dial=False)
    recorded = calling.record_outcome(lead_id, "no_answer", attempt_id=call.attempt_id, end_call=True)
    assert recorded.next_lead_id is not None and recorded.next_lead_checked_at == clock()
    earlier = clock()
    calling.check(recorded.next_lead_id, with_caller_id=False, at=earlier)  # remembered, then...
    clock.advance(minutes=5)
    calling.next_lead = lambda _exclude: recorded.next_lead_id  # ...a choice that checks nothing
    call = calling.start_call(lead_id, dial=False)
    again = calling.record_outcome(lead_id, "no_answer", attempt_id=call.attempt_id, end_call=True)
    assert again.next_lead_id == recorded.next_lead_id and again.next_lead_checked_at is None
