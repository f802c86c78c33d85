"""Undo of the last outcome (Ctrl+Z in the window): a correction, never an edit of the call record.

Call records are append-only (migration 0010): undoing an outcome adds a new attempts row whose
`corrects_id` names the undone call, with the outcome `undone`; the original stays in the history.
The lead goes back to the state captured just before the outcome (counters, status, next due,
callbacks); numbers the outcome put on the internal do-not-call list come off it again, with an
audit record, and a meeting it booked is cancelled.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from desktop.services import history_events
from desktop.services.history_seal import reseal
from desktop.storage.models import Attempt, Callback, Lead, Meeting
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

# Lead and call ids only: names and numbers never go to the log.
log = logging.getLogger(__name__)

# The outcome of a correction record; no outcome rule has it, so it counts as neither attempt nor contact.
UNDONE = "undone"


class UndoError(Exception):
    """The outcome cannot be undone (already undone, not a completed call …); meant for the user."""


@dataclass(frozen=True)
class LeadState:
    """What an outcome changes on a lead, as it was just before the outcome."""

    attempt_count: int
    contact_count: int
    last_attempt_at: datetime | None
    last_outcome: str | None
    status: str
    next_due_at: datetime | None
    due_reason: str
    warmth: str
    callback_ids: frozenset[int]
    open_callback_ids: frozenset[int]


def capture_lead_state(uow: UnitOfWork, lead: Lead) -> LeadState:
    """The lead's state now, to be given back by `OutcomeUndo.undo`."""
    callbacks = uow.session.scalars(select(Callback).where(Callback.lead_id == lead.id)).all()
    return LeadState(
        attempt_count=lead.attempt_count,
        contact_count=lead.contact_count,
        last_attempt_at=lead.last_attempt_at,
        last_outcome=lead.last_outcome,
        status=lead.status,
        next_due_at=lead.next_due_at,
        due_reason=lead.due_reason,
        warmth=lead.warmth,
        callback_ids=frozenset(callback.id for callback in callbacks),
        open_callback_ids=frozenset(callback.id for callback in callbacks if callback.done_at is None),
    )


@dataclass(frozen=True)
class OutcomeUndone:
    """The correction recorded and what it gave back."""

    correction_id: int
    corrected_id: int
    lead_id: int
    removed_from_dnc: tuple[str, ...]


def corrected_call_ids(uow: UnitOfWork, lead_id: int) -> set[int]:
    """Calls of the lead that a later record corrects (their outcome no longer stands)."""
    query = select(Attempt.corrects_id).where(Attempt.lead_id == lead_id, Attempt.corrects_id.is_not(None))
    return {value for value in uow.session.scalars(query) if value is not None}


class OutcomeUndo:
    """Records corrections that undo an outcome and gives the lead back its earlier state."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime]) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def undo(
        self,
        attempt_id: int,
        before: LeadState,
        added_to_dnc: tuple[str, ...] = (),
        meeting_id: int | None = None,
    ) -> OutcomeUndone:
        now = self._clock()
        with self._uow_factory() as uow:
            original = uow.attempts.get(attempt_id)
            if original is None or original.outcome is None or original.lead_id is None:
                raise UndoError(f"call #{attempt_id} has no outcome to undo")
            if original.outcome == UNDONE:
                raise UndoError("an undo cannot itself be undone")
            if attempt_id in corrected_call_ids(uow, original.lead_id):
                raise UndoError(f"the outcome of call #{attempt_id} is already undone")
            lead = uow.leads.get(original.lead_id)
            if lead is None:
                raise UndoError(f"lead #{original.lead_id} no longer exists")
            correction = uow.attempts.add(
                Attempt(
                    lead_id=original.lead_id,
                    phone_id=original.phone_id,
                    number=original.number,
                    agent_id=original.agent_id,
                    backend=original.backend,
                    allowed=original.allowed,
                    reasons=json.dumps({"reasons": [], "correction": "undo"}),
                    started_at=now,
                    ended_at=now,
                    duration_s=0.0,
                    outcome=UNDONE,
                    note=f"undoes the outcome {original.outcome} of call #{original.id}",
                    corrects_id=original.id,
                )
            )
            uow.session.flush()
            history_events.outcome_undone(uow, correction, original, now)
            self._give_back(uow, lead, before)
            if meeting_id is not None:
                meeting = uow.session.get(Meeting, meeting_id)
                if meeting is not None and meeting.lead_id == lead.id:
                    uow.session.delete(meeting)
            removed = self._remove_dnc(uow, lead.id, original, added_to_dnc, now)
            uow.commit()
            result = OutcomeUndone(correction.id, original.id, lead.id, removed)
        log.info(
            "lead %s: outcome of call %d undone (correction %d)", lead.id, attempt_id, result.correction_id
        )
        return result

    @staticmethod
    def _give_back(uow: UnitOfWork, lead: Lead, before: LeadState) -> None:
        lead.attempt_count = before.attempt_count
        lead.contact_count = before.contact_count
        lead.last_attempt_at = before.last_attempt_at
        lead.last_outcome = before.last_outcome
        lead.status = before.status
        lead.next_due_at = before.next_due_at
        lead.due_reason = before.due_reason
        lead.warmth = before.warmth
        for callback in uow.session.scalars(select(Callback).where(Callback.lead_id == lead.id)).all():
            if callback.id not in before.callback_ids:
                uow.session.delete(callback)  # booked by the undone outcome
            elif callback.id in before.open_callback_ids:
                callback.done_at = None  # closed by the undone outcome: promised again

    @staticmethod
    def _remove_dnc(
        uow: UnitOfWork, lead_id: int, original: Attempt, numbers: tuple[str, ...], now: datetime
    ) -> tuple[str, ...]:
        entries = [entry for number in numbers if (entry := uow.dnc.find(number, "internal")) is not None]
        removed = tuple(number for number in numbers if uow.dnc.remove(number, "internal"))
        if removed:
            reseal(uow.session, "dnc", [entry.id for entry in entries], now)
            uow.audit.record(
                "dnc_remove",
                json.dumps(
                    {"numbers": list(removed), "lead_id": lead_id, "via": "undo", "call": original.id}
                ),
                original.agent_id,
                now,
            )
        return removed
