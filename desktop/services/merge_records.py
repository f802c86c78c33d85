"""What a merge compares of a call it already has, and where it keeps a conflicting version.

A call's record is its outcome, times and note (`RECORD_FIELDS`). Merges never overwrite a completed
record (desktop/services/merge.py); another version of it is kept in the audit log as a
`merge_conflict` event holding both versions and a key, so merging the same file again keeps
nothing twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.storage.models import Attempt, AuditEvent

RECORD_FIELDS = ("outcome", "started_at", "ended_at", "duration_s", "note")
MERGE_CONFLICT = "merge_conflict"


def record_of(attempt: Attempt) -> dict[str, Any]:
    """What makes a call's record, comparable and JSON-ready (times as ISO text)."""
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = getattr(attempt, name)
        if name == "outcome":
            value = value or None  # an empty code is no outcome (migration 0007)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values


def record_value(attempt: Attempt, name: str) -> Any:
    value = getattr(attempt, name)
    return (value or None) if name == "outcome" else value


def kept_conflicts(session: Session) -> set[str]:
    """The conflicts earlier merges kept (so merging the same file again reports nothing new)."""
    found = set()
    for detail in session.scalars(select(AuditEvent.detail).where(AuditEvent.action == MERGE_CONFLICT)):
        try:
            found.add(str(json.loads(detail)["key"]))
        except (ValueError, KeyError, TypeError):
            continue
    return found
