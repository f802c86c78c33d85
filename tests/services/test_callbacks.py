"""Callbacks the agent follows: due soon (for reminders), overdue, closed by the next outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.services.callbacks import CallbackView
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace

DUE = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York


def lead_id(workspace: Workspace, last_name: str) -> int:
    return next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == last_name)


def test_due_soon_then_overdue_until_an_outcome_closes_it(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = lead_id(workspace, "Lopez")
    workspace.calling.record_outcome(maria, "callback", callback_at=DUE, note="after the board meeting")
    callbacks = workspace.callbacks

    assert callbacks.due_soon() == [] and callbacks.overdue() == []

    clock.set(DUE - timedelta(minutes=5))
    [soon] = callbacks.due_soon()
    assert (soon.lead_name, soon.due_at, soon.time_zone) == ("Maria Lopez", DUE, "America/New_York")
    assert soon.note == "after the board meeting"
    assert soon.minutes_until(clock()) == 5
    assert callbacks.overdue() == []

    clock.set(DUE + timedelta(minutes=1, seconds=30))
    assert callbacks.due_soon() == []
    [late] = callbacks.overdue()
    assert late.id == soon.id and late.minutes_until(clock()) == -1
    assert workspace.leads.next_lead_id() == maria

    # A no answer on the callback call is not the callback kept: it stays listed, overdue.
    workspace.calling.record_outcome(maria, "no_answer")
    assert [c.id for c in callbacks.overdue()] == [soon.id]
    # Reaching the person keeps it.
    workspace.calling.record_outcome(maria, "not_interested")
    assert callbacks.overdue() == [] and callbacks.due_soon(timedelta(days=30)) == []


def _unreached_outcomes(workspace: Workspace) -> list[str]:
    rules = workspace.calling.outcome_rules
    return [r.code for r in rules if not (r.counts_as_contact or r.terminal or r.code == "callback")]


def test_a_pending_callback_survives_every_outcome_that_does_not_reach_the_person(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = lead_id(workspace, "Lopez")
    clock.set(DUE - timedelta(hours=2))
    workspace.calling.record_outcome(maria, "callback", callback_at=DUE)
    unreached = _unreached_outcomes(workspace)
    assert {"no_answer", "busy", "voicemail"} <= set(unreached)
    # Many more than the attempt target: the promise keeps the lead from being exhausted.
    for code in unreached * 4:
        clock.advance(minutes=1)
        workspace.calling.record_outcome(maria, code)
        [pending] = workspace.callbacks.due_soon(timedelta(days=1))
        assert pending.due_at == DUE, code
        card = workspace.leads.card(maria)
        assert card.status == "active" and card.next_due_at == DUE, code
        assert workspace.leads.next_lead_id() != maria, code  # not due before the promised time
    clock.set(DUE)
    assert workspace.leads.next_lead_id() == maria


def test_a_callback_ends_when_rescheduled_or_when_the_lead_leaves_the_queue(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = lead_id(workspace, "Lopez")
    workspace.calling.record_outcome(maria, "callback", callback_at=DUE)
    later = DUE + timedelta(days=1)
    workspace.calling.record_outcome(maria, "callback", callback_at=later)
    assert [c.due_at for c in workspace.callbacks.due_soon(timedelta(days=30))] == [later]
    workspace.calling.record_outcome(maria, "do_not_call")
    with workspace.uow() as uow:
        assert uow.callbacks.open_for_lead(maria) == []


def test_agent_only_callbacks_are_shown_to_their_agent_only(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = lead_id(workspace, "Lopez")
    workspace.calling.record_outcome(maria, "callback", callback_at=DUE)
    from desktop.storage.models import Callback

    with workspace.uow() as uow:
        for callback in uow.session.query(Callback):
            callback.agent_only = True
        uow.commit()
    clock.set(DUE)
    assert [c.lead_name for c in workspace.callbacks.overdue()] == ["Maria Lopez"]

    settings = workspace.current_settings()
    settings.agent_name = "Someone Else"
    workspace.save_settings(settings)
    assert workspace.callbacks.overdue() == []


def test_minutes_until_rounds_towards_the_reminder() -> None:
    view = CallbackView(1, 1, "A", "", DUE, "", "")
    assert view.minutes_until(DUE - timedelta(minutes=4, seconds=1)) == 5
    assert view.minutes_until(DUE - timedelta(seconds=20)) == 1
    assert view.minutes_until(DUE) == 0
    assert view.minutes_until(DUE + timedelta(minutes=59)) == -59
