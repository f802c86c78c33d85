"""An outcome chosen during a live call ends the call in the same transaction (`end_call=True`): the
records, the history events and their order are exactly those of hanging up and then recording."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from desktop.services.calling import CallingError, CallingService
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from desktop.storage.models import Attempt, Lead
from tests.services.test_calling import RecordingDialer, calling, lead_id, registry  # noqa: F401
from tests.services.test_history_events import assert_intact, events


class HangingUpDialer(RecordingDialer):
    """The recording dialer that also counts hang-ups."""

    def __init__(self) -> None:
        super().__init__()
        self.hang_ups = 0

    def hang_up(self) -> None:
        self.hang_ups += 1


@pytest.fixture
def dialer() -> HangingUpDialer:
    return HangingUpDialer()


def call_events(workspace: Workspace, call_id: int) -> list[tuple[str, dict[str, Any]]]:
    """The events about one call, oldest first, without what names the lead (its id, its numbers)."""
    return [
        (kind, {key: value for key, value in payload.items() if key not in ("call", "lead", "dnc_added")})
        for _seq, kind, _actor, payload in events(workspace)
        if payload.get("call") == call_id
    ]


def call_record(workspace: Workspace, call_id: int) -> tuple[object, ...]:
    with workspace.uow() as uow:
        attempt = uow.session.get(Attempt, call_id)
        lead = uow.session.get(Lead, attempt.lead_id) if attempt is not None else None
        assert attempt is not None and lead is not None
        return (
            attempt.started_at,
            attempt.ended_at,
            attempt.duration_s,
            attempt.outcome,
            attempt.note,
            lead.status,
            lead.attempt_count,
            lead.last_outcome,
            lead.next_due_at,
        )


@pytest.mark.parametrize("outcome", ["no_answer", "not_interested", "do_not_call"])
def test_outcome_that_ends_the_call_records_what_hang_up_then_outcome_record(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
    dialer: HangingUpDialer,
    outcome: str,
) -> None:
    start = clock()
    apart = calling.start_call(lead_id(workspace, "Lopez"))
    clock.advance(minutes=2)
    calling.hang_up(apart.attempt_id)
    calling.record_outcome(apart.lead_id or 0, outcome, attempt_id=apart.attempt_id, note="spring")
    assert dialer.hang_ups == 1

    clock.set(start)  # the same moments, so the two records can be compared field by field
    together = calling.start_call(lead_id(workspace, "O'Neil"))
    clock.advance(minutes=2)
    commits: list[object] = []
    count = commits.append  # one bound method, so the listener can be removed
    event.listen(workspace.engine, "commit", count)
    try:
        calling.record_outcome(
            together.lead_id or 0, outcome, attempt_id=together.attempt_id, note="spring", end_call=True
        )
    finally:
        event.remove(workspace.engine, "commit", count)
    assert dialer.hang_ups == 2  # the backend was told to hang up
    assert len(commits) == 1  # the call's end and its outcome: one transaction

    assert [kind for kind, _payload in call_events(workspace, together.attempt_id)] == [
        "gate_decision",
        "call_start",
        "call_end",
        "outcome",
    ]
    apart_events = call_events(workspace, apart.attempt_id)
    together_events = call_events(workspace, together.attempt_id)
    # The decision and the start name each lead's own number; the end and the outcome are the same.
    assert apart_events[2:] == together_events[2:]
    assert call_record(workspace, apart.attempt_id) == call_record(workspace, together.attempt_id)
    assert_intact(workspace)


def test_refused_outcome_that_would_end_the_call_writes_nothing(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> None:
    started = calling.start_call(lead_id(workspace, "Lopez"))
    clock.advance(minutes=1)
    before = events(workspace)
    with pytest.raises(CallingError, match="not a call to lead"):
        calling.record_outcome(
            lead_id(workspace, "O'Neil"), "no_answer", attempt_id=started.attempt_id, end_call=True
        )
    assert events(workspace) == before  # no call end without its outcome: all or nothing
    with workspace.uow() as uow:
        attempt = uow.session.scalars(select(Attempt).where(Attempt.id == started.attempt_id)).one()
        assert attempt.ended_at is None and attempt.outcome is None
    assert_intact(workspace)
