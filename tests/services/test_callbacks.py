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

    workspace.calling.record_outcome(maria, "no_answer")
    assert callbacks.overdue() == [] and callbacks.due_soon(timedelta(days=30)) == []


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
