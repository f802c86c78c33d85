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
Firm mode's gate reads the same rule (`recorded_approvers`, used by ScriptVersionService.usable): a
version goes on calls only on an approval the history recorded, so a forged row is refused at once,
not only named afterwards. (The chain itself has no secret: what guards it is `audit verify`, its
checkpoints and the merge back, which verifies the file's chain before taking anything.)

Back (`dialdesk merge`, desktop/services/merge.py): a call's `script_version_id` names a row of the
file it comes from. It is attached to this database's version with the same script name and number
only when the text's SHA-256 is the same too. A version this database does not have (saved offline)
or whose text differs here is never attached to another text: the call is merged without a version
(NULL) and the merge report names the version, so nobody reads a wrong script into the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from desktop.domain.event_chain import clean_field
from desktop.services.clock import Clock
from desktop.services.history_hook import (
    SCRIPT_VERSION_APPROVED,
    SCRIPT_VERSION_SAVED,
    SCRIPT_VERSIONS_COPIED,
    record_history,
)
from desktop.storage.events import chain_id
from desktop.storage.models import ChainEvent, ScriptApproval, ScriptVersion, Setting
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


# The events that record script versions and approvals (history_hook.py).
RECORD_KINDS = (SCRIPT_VERSION_SAVED, SCRIPT_VERSION_APPROVED, SCRIPT_VERSIONS_COPIED)


@dataclass
class ScriptRecords:
    """What the history vouches for: versions (name, number, SHA-256) and, per (name, number, SHA-256,
    approver), how many approvals (the text too: a version of the same number and another text, in
    another database whose history was merged in, vouches for nothing here)."""

    saved: set[tuple[Any, ...]] = field(default_factory=set)
    approved: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def add_approval(self, name: Any, number: Any, digest: Any, approver: Any) -> None:
        key = (name, number, digest, approver)
        self.approved[key] = self.approved.get(key, 0) + 1


def script_records(events: Iterable[tuple[str, str, str]], own_chain: str) -> ScriptRecords:
    """The script rows vouched for by `events` (kind, chain, payload text) of RECORD_KINDS. A
    `script_versions_copied` event vouches only in the database whose own chain holds it (one merged in
    from another database vouches for nothing here); a payload Dialdesk did not write vouches for nothing
    (the chain check names an unreadable one)."""
    records = ScriptRecords()
    for kind, chain, payload in events:
        try:
            data = json.loads(payload)
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        if kind == SCRIPT_VERSION_SAVED:
            records.saved.add((data.get("script"), data.get("version"), data.get("sha256")))
        elif kind == SCRIPT_VERSION_APPROVED:
            records.add_approval(
                data.get("script"), data.get("version"), data.get("sha256"), data.get("approved_by")
            )
        elif kind == SCRIPT_VERSIONS_COPIED and chain == own_chain:
            entries = data.get("versions")
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                name, number, digest = entry.get("script"), entry.get("version"), entry.get("sha256")
                records.saved.add((name, number, digest))
                approvers = entry.get("approved_by")
                for approver in approvers if isinstance(approvers, list) else []:
                    records.add_approval(name, number, digest, approver)
    return records


def recorded_approvers(
    session: Session, name: str, number: int, digest: str, approvers: Iterable[str]
) -> list[str]:
    """Which of `approvers` (the version's approval rows) the history vouches for: firm mode's gate lets
    a version on calls only on an approval Dialdesk recorded, never one written into the file with
    plain SQL (`audit verify` names that one)."""
    events = session.execute(
        select(ChainEvent.kind, ChainEvent.chain, ChainEvent.payload).where(ChainEvent.kind.in_(RECORD_KINDS))
    )
    records = script_records(((str(k), str(c), str(p)) for k, c, p in events), _own_chain(session))
    left = dict(records.approved)
    vouched = []
    for approver in approvers:
        key = (name, number, digest, approver)
        if left.get(key, 0) > 0:
            left[key] -= 1
            vouched.append(approver)
    return vouched


def _own_chain(session: Session) -> str:
    """This database's chain id, as the history writes it (storage/events.py)."""
    if session.get_bind().dialect.name == "sqlite":
        return chain_id(session)
    stored = session.scalar(select(Setting.value).where(Setting.key == "database_id"))
    try:
        text = json.loads(stored) if stored is not None else ""
    except ValueError:
        text = ""
    return clean_field(str(text)) or "local"


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
