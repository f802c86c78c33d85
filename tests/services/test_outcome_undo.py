"""Undo of the last outcome: a correction record that refers to the call, the lead as it was before."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from desktop.services.calling import CallingService
from desktop.services.clock import ManualClock
from desktop.services.outcome_undo import UNDONE, UndoError
from desktop.services.workspace import Workspace
from desktop.storage.models import AuditEvent, Callback, Lead
from tests.services.test_calling import attempts, calling, dialer, lead_id, registry  # noqa: F401


def lead_state(workspace: Workspace, lead: int) -> tuple[object, ...]:
    with workspace.uow() as uow:
        row = uow.session.get(Lead, lead)
        assert row is not None
        return (
            row.attempt_count,
            row.contact_count,
            row.last_attempt_at,
            row.last_outcome,
            row.status,
            row.next_due_at,
            row.due_reason,
            row.warmth,
        )


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "not_interested", "do_not_call"])
def test_undo_records_a_correction_and_gives_the_lead_back(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
    outcome: str,
) -> None:
    james = lead_id(workspace, "O'Neil")
    # An earlier try, so "before" is not just the fresh lead.
    calling.record_outcome(james, "no_answer", attempt_id=calling.start_call(james).attempt_id)
    clock.advance(hours=5)
    before = lead_state(workspace, james)
    result = calling.record_outcome(james, outcome, attempt_id=calling.start_call(james).attempt_id)
    assert lead_state(workspace, james) != before
    clock.advance(minutes=1)

    undone = workspace.outcome_undo.undo(result.attempt_id, result.before, result.added_to_dnc)  # type: ignore[arg-type]

    assert lead_state(workspace, james) == before
    rows = [row for row in attempts(workspace) if row.lead_id == james]
    original = next(row for row in rows if row.id == result.attempt_id)
    assert original.outcome == outcome, "the undone call stays in the history as recorded"
    correction = rows[-1]
    assert (correction.id, correction.corrects_id, correction.outcome) == (
        undone.correction_id,
        original.id,
        UNDONE,
    )
    with pytest.raises(UndoError, match="already undone"):
        workspace.outcome_undo.undo(result.attempt_id, result.before, result.added_to_dnc)  # type: ignore[arg-type]


def test_undone_do_not_call_leaves_the_list_with_an_audit_record(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
) -> None:
    james = lead_id(workspace, "O'Neil")
    result = calling.record_outcome(james, "do_not_call", attempt_id=calling.start_call(james).attempt_id)
    assert result.added_to_dnc

    undone = workspace.outcome_undo.undo(result.attempt_id, result.before, result.added_to_dnc)  # type: ignore[arg-type]

    assert set(undone.removed_from_dnc) == set(result.added_to_dnc)
    with workspace.uow() as uow:
        assert all(uow.dnc.find(number, "internal") is None for number in result.added_to_dnc)
        [event] = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "dnc_remove")).all()
    detail = json.loads(event.detail)
    assert set(detail["numbers"]) == set(result.added_to_dnc)
    assert (detail["via"], detail["call"], detail["lead_id"]) == ("undo", result.attempt_id, james)
    # Callable again: the gate lets the number through.
    assert calling.start_call(james).attempt_id > undone.correction_id


def test_undone_callback_is_cancelled_and_an_earlier_promise_comes_back(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> None:
    kevin = lead_id(workspace, "Patel")
    promised = calling.record_outcome(kevin, "callback", callback_at=clock() + timedelta(hours=3))
    result = calling.record_outcome(kevin, "callback", callback_at=clock() + timedelta(days=2))

    workspace.outcome_undo.undo(result.attempt_id, result.before)  # type: ignore[arg-type]

    with workspace.uow() as uow:
        callbacks = uow.session.scalars(select(Callback).where(Callback.lead_id == kevin)).all()
    assert [(c.due_at, c.done_at) for c in callbacks] == [(clock() + timedelta(hours=3), None)]
    assert promised.next_due_at == clock() + timedelta(hours=3)
    assert lead_state(workspace, kevin)[5] == clock() + timedelta(hours=3)


def test_undone_calls_are_no_tries_for_the_cadence(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> None:
    james = lead_id(workspace, "O'Neil")
    result = calling.record_outcome(james, "no_answer", attempt_id=calling.start_call(james).attempt_id)
    workspace.outcome_undo.undo(result.attempt_id, result.before)  # type: ignore[arg-type]
    # Recording again works (an "undone" record is no outcome rule) and counts one try, not two.
    again = calling.record_outcome(james, "no_answer", attempt_id=calling.start_call(james).attempt_id)
    assert again.attempts == 1
