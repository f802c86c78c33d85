"""The one place where changes that belong in the tamper-evident history are written.

Script versions saved, approvals, and changes of the caller ID or firm mode call `record_history`.
Each is written to the audit log in the caller's transaction, and every audit record is also an event
of the tamper-evident history (storage/repositories.py `AuditLog.record`), so `audit verify` covers
script versions, approvals and caller ID changes.
"""

from __future__ import annotations

import json
from datetime import datetime

from desktop.storage.uow import UnitOfWork

SCRIPT_VERSION_SAVED = "script_version_saved"
SCRIPT_VERSION_APPROVED = "script_version_approved"
# A `team checkout` copied the server's versions and approvals (desktop/services/offline_scripts.py).
SCRIPT_VERSIONS_COPIED = "script_versions_copied"
CALLER_ID_CHANGED = "caller_id_changed"
FIRM_MODE_CHANGED = "firm_mode_changed"


def record_history(uow: UnitOfWork, kind: str, payload: dict[str, object], at: datetime) -> None:
    """Write one history event in the caller's unit of work: it commits with the change it describes,
    or not at all."""
    uow.audit.record(kind, json.dumps(payload, ensure_ascii=False, sort_keys=True), None, at)
