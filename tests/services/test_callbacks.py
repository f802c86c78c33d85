"""Callbacks the agent follows: due soon (for reminders), overdue, closed by the next outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.services.callbacks import CallbackView, past_time_problem
from desktop.services.calling import CallingError
from desktop.services.clock import ManualClock
from desktop.services.scripts import ScriptError
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


def test_a_callback_or_meeting_time_not_after_now_is_refused_and_nothing_is_recorded(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = lead_id(workspace, "Lopez")
    before = list(workspace.leads.export_records())
    for outcome, moment in (
        ("callback", {"callback_at": clock() - timedelta(days=365)}),  # a typo in the year
        ("callback", {"callback_at": clock()}),  # "now" is gone by the time anyone calls
        ("meeting", {"meeting_at": clock() - timedelta(minutes=1)}),
    ):
        with pytest.raises(CallingError, match="is not in the future .* give a time still to come"):
            workspace.calling.record_outcome(maria, outcome, **moment)
    assert list(workspace.leads.export_records()) == before and workspace.callbacks.overdue() == []
    # A minute ahead of the same clock is a promise like any other.
    workspace.calling.record_outcome(maria, "callback", callback_at=clock() + timedelta(minutes=1))
    clock.advance(minutes=2)
    assert [view.lead_id for view in workspace.callbacks.overdue()] == [maria]


def test_a_script_callback_at_a_time_gone_is_refused(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = lead_id(workspace, "Lopez")
    with pytest.raises(ScriptError, match="not in the future"):
        workspace.scripts.schedule_callback(maria, timedelta(0), due_at=clock() - timedelta(hours=1))
    assert workspace.callbacks.overdue() == []


def test_the_refusal_names_both_moments_in_utc() -> None:
    now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    asked = datetime(2025, 12, 6, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert past_time_problem(asked, now) == (
        "the callback time 2025-12-06 14:30 UTC is not in the future (it is 2026-12-06 08:00 UTC now): "
        "give a time still to come"
    )
    assert past_time_problem(now + timedelta(seconds=1), now) is None
