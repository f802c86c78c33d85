"""Script versions and approvals travel with the offline copy, and calls' versions travel back.

Out (`team checkout`, desktop/services/team_checkout.py): every script version of the server and
every approval are copied into the local file, so firm mode's gate there
(`ScriptVersionService.usable`: the version of the text in force and its approvals) decides exactly
as the server's would: an approved version is usable, an unapproved one is refused, a text edited
offline is a new, unapproved version. The calls copied out keep their version (its local id).

The copied rows have no `script_version_saved` / `script_version_approved` event in the local file's
history: those events are in the server's chain, which is not copied. So the copy records in its own
chain one `script_versions_copied` event naming every copied version (script, number, SHA-256 of its
text) and, per version, who approved it, once per approval. `audit verify`
(history_records.scripts_problem) accepts exactly those rows and only from an event of the file's own
chain (an event imported by a merge vouches for nothing here): an approval inserted later with plain
sqlite3 is counted against the recorded ones and named as added outside Dialdesk, as on any desk.

Back (`dialdesk merge`, desktop/services/merge.py): a call's `script_version_id` names a row of the
file it comes from. It is attached to this database's version with the same script name and number
only when the text's SHA-256 is the same too. A version this database does not have (saved offline)
or whose text differs here is never attached to another text: the call is merged without a version
(NULL) and the merge report names the version, so nobody reads a wrong script into the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from desktop.services.clock import Clock
from desktop.services.history_hook import SCRIPT_VERSIONS_COPIED, record_history
from desktop.storage.models import ScriptApproval, ScriptVersion
from desktop.storage.uow import UnitOfWorkFactory

VersionKey = tuple[str, int, str]  # script name, version number, SHA-256 of the text


def copy_script_versions(
    source: Connection, local: UnitOfWorkFactory, clock: Clock, server_id: str
) -> dict[int, int]:
    """Every script version and approval of `source` into the (new, empty) local database, with the
    history event that vouches for them: the server's version id -> the local one."""
    versions = list(source.execute(select(ScriptVersion.__table__).order_by(ScriptVersion.id)).mappings())
    approvals = list(
        source.execute(
            select(ScriptApproval.__table__).order_by(ScriptApproval.approved_at, ScriptApproval.id)
        ).mappings()
    )
    ids: dict[int, int] = {}
    approvers: dict[int, list[str]] = {}
    with local() as uow:
        for row in versions:
            values = {key: value for key, value in row.items() if key != "id"}
            made = uow.session.execute(insert(ScriptVersion).values(values).returning(ScriptVersion.id))
            ids[int(row["id"])] = int(made.scalar_one())
        for row in approvals:
            values = {key: value for key, value in row.items() if key != "id"}
            values["version_id"] = ids[int(row["version_id"])]
            uow.session.execute(insert(ScriptApproval).values(values))
            approvers.setdefault(int(row["version_id"]), []).append(str(row["approved_by"]))
        if versions:
            copied = [
                {
                    "script": row["script_name"],
                    "version": row["version"],
                    "sha256": row["content_sha256"],
                    "approved_by": approvers.get(int(row["id"]), []),
                }
                for row in versions
            ]
            record_history(uow, SCRIPT_VERSIONS_COPIED, {"from": server_id, "versions": copied}, clock())
        uow.commit()
    return ids


def copied_versions(payloads: Iterable[Any]) -> tuple[set[VersionKey], dict[tuple[str, int, str], int]]:
    """What `script_versions_copied` payloads vouch for: the versions (name, number, SHA-256) and, per
    (name, number, approver), how many approvals. A payload not written by Dialdesk vouches for nothing."""
    saved: set[VersionKey] = set()
    approved: dict[tuple[str, int, str], int] = {}
    for payload in payloads:
        entries = payload.get("versions") if isinstance(payload, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            name, number, digest = entry.get("script"), entry.get("version"), entry.get("sha256")
            if not (isinstance(name, str) and isinstance(number, int) and isinstance(digest, str)):
                continue
            saved.add((name, number, digest))
            approvers = entry.get("approved_by")
            for approver in approvers if isinstance(approvers, list) else []:
                key = (name, number, str(approver))
                approved[key] = approved.get(key, 0) + 1
    return saved, approved


class VersionMap:
    """Their script version ids (a file being merged) -> ours, by script name, number and text."""

    def __init__(self, theirs: Session, ours: Session) -> None:
        self._theirs: dict[int, VersionKey] = {
            int(row_id): (str(name), int(number), str(digest))
            for row_id, name, number, digest in theirs.execute(
                select(
                    ScriptVersion.id,
                    ScriptVersion.script_name,
                    ScriptVersion.version,
                    ScriptVersion.content_sha256,
                )
            )
        }
        names = sorted({name for name, _number, _digest in self._theirs.values()})
        self._ours: dict[tuple[str, int], tuple[int, str]] = {}
        for start in range(0, len(names), 500):
            for row_id, name, number, digest in ours.execute(
                select(
                    ScriptVersion.id,
                    ScriptVersion.script_name,
                    ScriptVersion.version,
                    ScriptVersion.content_sha256,
                ).where(ScriptVersion.script_name.in_(names[start : start + 500]))
            ):
                self._ours[(str(name), int(number))] = (int(row_id), str(digest))
        self.unmatched: dict[str, int] = {}  # why a version was not attached -> calls merged without it

    def ours(self, their_id: int | None) -> int | None:
        """Our id of the same version (same name, number and text), or None (and the reason noted)."""
        if their_id is None:
            return None
        key = self._theirs.get(int(their_id))
        if key is None:
            self._note(f"script version #{their_id} missing from the merged file")
            return None
        name, number, digest = key
        found = self._ours.get((name, number))
        if found is None:
            self._note(f"{name} version {number} (not in this database)")
            return None
        if found[1] != digest:
            self._note(f"{name} version {number} (its text differs from this database's)")
            return None
        return found[0]

    def _note(self, why: str) -> None:
        self.unmatched[why] = self.unmatched.get(why, 0) + 1
