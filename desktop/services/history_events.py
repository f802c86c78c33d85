"""The events services write to the tamper-evident history, one function per kind of event.

Each one appends inside the caller's unit of work (desktop/storage/events.py), so the event and
the change it records are committed together. Payloads name records by id (call, lead, the event
a correction refers to) and hold what changed; the kinds are listed in docs/records.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desktop.storage.events import actor_name, append_event
from desktop.storage.models import Attempt, Lead
from desktop.storage.uow import UnitOfWork

GATE_DECISION = "gate_decision"
CALL_START = "call_start"
OUTCOME = "outcome"
OUTCOME_UNDONE = "outcome_undone"
NOTE_EDIT = "note_edit"
LEAD_ERASED = "lead_erased"
RESTORE = "restore"


def gate_decision(uow: UnitOfWork, attempt: Attempt, agent: str, record: dict[str, Any]) -> None:
    """The gate's decision as recorded with the call; an allowed one is also the call's start."""
    at = attempt.started_at
    payload = {
        "call": attempt.id,
        "lead": attempt.lead_id,
        "number": attempt.number,
        "allowed": attempt.allowed,
        "backend": attempt.backend,
        "phone": attempt.phone_id,
        "script_version": attempt.script_version_id,
        "caller_id": attempt.caller_id,
        "decision": record,
    }
    append_event(uow.session, GATE_DECISION, payload, at, agent)
    if attempt.allowed:
        start = {"call": attempt.id, "lead": attempt.lead_id, "number": attempt.number}
        append_event(uow.session, CALL_START, start, at, agent)


def call_event(uow: UnitOfWork, kind: str, attempt: Attempt, at: datetime, extra: dict[str, Any]) -> None:
    """A change to a call still in progress (its end, a note of the dialer)."""
    payload = {"call": attempt.id, "lead": attempt.lead_id, **extra}
    append_event(uow.session, kind, payload, at, actor_name(uow.session, attempt.agent_id))


def outcome(
    uow: UnitOfWork, attempt: Attempt, lead: Lead, note: str, added_to_dnc: tuple[str, ...], at: datetime
) -> None:
    """An outcome, committed with the call it completes (the outcome path: kept small)."""
    payload = {
        "call": attempt.id,
        "lead": lead.id,
        "outcome": attempt.outcome,
        "note": note,
        "duration_s": attempt.duration_s,
        "dnc_added": list(added_to_dnc),
        "status": lead.status,
    }
    append_event(uow.session, OUTCOME, payload, at, actor_name(uow.session, attempt.agent_id))


def outcome_undone(uow: UnitOfWork, correction: Attempt, original: Attempt, at: datetime) -> None:
    """An undo: a new event that refers to the outcome event of the call it corrects."""
    payload = {
        "correction": correction.id,
        "corrects_call": original.id,
        "corrects_event": outcome_event_seq(uow, original.id),
        "outcome_undone": original.outcome,
        "lead": original.lead_id,
    }
    append_event(uow.session, OUTCOME_UNDONE, payload, at, actor_name(uow.session, correction.agent_id))


def outcome_event_seq(uow: UnitOfWork, call_id: int) -> int | None:
    """The seq of the outcome event of a call in this database's chain (None for calls before 0013)."""
    from desktop.storage.events import chain_id, raw_connection

    if uow.session.get_bind().dialect.name != "sqlite":
        return None  # json_extract is SQLite's; the payload still names the corrected call
    row = (
        raw_connection(uow.session)
        .execute(
            "SELECT seq FROM events WHERE chain = ? AND kind = ? AND json_extract(payload, '$.call') = ?"
            " ORDER BY seq DESC LIMIT 1",
            (chain_id(uow.session), OUTCOME, call_id),
        )
        .fetchone()
    )
    return int(row[0]) if row is not None else None


def note_edit(uow: UnitOfWork, lead_id: int, old: str, new: str, at: datetime, actor: str) -> None:
    """A lead's notes changed: the event keeps the text before and after, so no edit is lost."""
    append_event(uow.session, NOTE_EDIT, {"lead": lead_id, "before": old, "after": new}, at, actor)


def plain_event(uow: UnitOfWork, kind: str, payload: dict[str, Any], at: datetime, actor: str = "") -> None:
    """Any other event (erasure, restore …) with its own payload."""
    append_event(uow.session, kind, payload, at, actor)
