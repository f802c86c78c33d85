"""The one place where changes that belong in the tamper-evident history are written.

Script versions saved, approvals, and changes of the caller ID or firm mode call `record_history`.
Each is written twice, in the caller's transaction: to the audit log (`audit_events`, what the audit
views read) and as an event of the tamper-evident history (desktop/services/history_events.py), so
`audit verify` covers script versions, approvals and caller ID changes.
"""

from __future__ import annotations

import json
from datetime import datetime

from desktop.services.history_events import plain_event
from desktop.storage.uow import UnitOfWork

SCRIPT_VERSION_SAVED = "script_version_saved"
SCRIPT_VERSION_APPROVED = "script_version_approved"
CALLER_ID_CHANGED = "caller_id_changed"
FIRM_MODE_CHANGED = "firm_mode_changed"


def record_history(uow: UnitOfWork, kind: str, payload: dict[str, object], at: datetime) -> None:
    """Write one history event in the caller's unit of work: it commits with the change it describes,
    or not at all."""
    uow.audit.record(kind, json.dumps(payload, ensure_ascii=False, sort_keys=True), None, at)
    plain_event(uow, kind, payload, at)
