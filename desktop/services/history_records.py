"""The calls of this database agree with the history that recorded them (part of `audit verify`).

SQLite first clears the calls that surely agree with their events (history_records_sql.py, one
statement); the rest (the suspects) are checked here, their events read into dicts keyed by call id.
Each call must match its `gate_decision` event
(number, allowed, start time) — or, for an undo's correction, its `outcome_undone` event — and a call
with an outcome must match its outcome event (outcome, duration, the notes folded as the service
folds them). A call without its event, or an event naming a call that is gone (outside a purge), is
named: changing `attempts` with plain sqlite3 is seen even when no event was touched.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desktop.domain.event_chain import event_time
from desktop.services.history_records_sql import FIELDS, suspects
from desktop.services.history_seal import sealed_max
from desktop.services.offline_scripts import RECORD_KINDS, script_records
from desktop.storage.events import chain_id_of

_GATE, _OUTCOME, _UNDONE, _NOTE, _END, _PURGE = (
    "gate_decision",
    "outcome",
    "outcome_undone",
    "call_note",
    "call_end",
    "purge",
)
_CALLS = (
    "SELECT id, number, allowed, started_at, outcome, duration_s, note, corrects_id FROM attempts"
    " WHERE origin_db IS NULL"
)
# Per kind, the fields verify compares, read by SQLite in one json_extract (one parse of the payload
# in C; Python decodes only the short array): a `duration_s` absent reads as null, as before.
_FIELDS = {**FIELDS, "purge": ("before",)}
_EVENTS = (
    "SELECT seq, kind, occurred_at, CASE kind "
    + " ".join(
        f"WHEN '{kind}' THEN json_extract(payload, {', '.join(repr(f'$.{name}') for name in names)})"
        for kind, names in _FIELDS.items()
    )
    + " END FROM events WHERE chain = ? AND kind IN ("
    + ", ".join(repr(kind) for kind in _FIELDS)
    + ") AND (kind = 'purge' OR json_extract(payload, CASE kind WHEN 'outcome_undone' THEN '$.correction'"
    " ELSE '$.call' END) IN (SELECT value FROM json_each(?))) ORDER BY seq"
)


@dataclass
class _Recorded:
    """What the events of one call recorded."""

    gate: tuple[int, str, dict[str, Any]] | None = None  # seq, occurred_at, payload
    outcome: tuple[int, dict[str, Any]] | None = None
    undone: tuple[int, dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)  # call notes then the outcome note, in seq order
    ended_s: float | None = None


def _fold_note(note: str, added: str) -> str:
    """The call's note after adding `added`, as desktop/services/calling.py does."""
    return (note + "\n" + added).strip()


def _recorded(
    connection: sqlite3.Connection, chain: str, calls: list[int]
) -> tuple[dict[int, _Recorded], str]:
    """Per call id of `calls`, its events; and the latest purge bound (ISO date, '' if none)."""
    by_call: dict[int, _Recorded] = {}
    purged_before = ""
    for seq, kind, occurred_at, values in connection.execute(_EVENTS, (chain, json.dumps(calls))):
        fields = _FIELDS[kind]
        decoded = json.loads(values) if len(fields) > 1 else [values]
        payload = dict(zip(fields, decoded, strict=True))
        if kind == _PURGE:
            purged_before = max(purged_before, str(payload.get("before", "")))
            continue
        call = payload.get("correction") if kind == _UNDONE else payload.get("call")
        if not isinstance(call, int):
            continue
        record = by_call.setdefault(call, _Recorded())
        if kind == _GATE and record.gate is None:
            record.gate = (seq, str(occurred_at), payload)
        elif kind == _OUTCOME:
            record.outcome = (seq, payload)
            if payload.get("note"):
                record.notes.append(str(payload["note"]))
        elif kind == _UNDONE:
            record.undone = (seq, payload)
        elif kind == _NOTE:
            record.notes.append(str(payload.get("note", "")))
        elif kind == _END:
            record.ended_s = payload.get("duration_s")
    return by_call, purged_before


def _same_duration(stored: Any, recorded: Any) -> bool:
    """Durations agree (the payload keeps them as text: `"180.0"`)."""
    if stored is None or recorded is None:
        return stored is None and recorded is None
    try:
        return float(stored) == float(recorded)
    except (TypeError, ValueError):
        return False  # a duration no Dialdesk wrote


def _stored_time(value: str) -> str:
    """A stored time as events write it. A value no Dialdesk wrote (text that is no time, a number, a
    blob) reads as a marker no event time equals, so the record is named as altered, never a crash."""
    try:
        return event_time(datetime.fromisoformat(value))
    except (TypeError, ValueError, OverflowError):
        return UNREADABLE_TIME + value[:40]


# Sorts after every real event time ("2026-…"): a record whose time is unreadable counts as recent,
# so it is compared with its events (and found altered), never passed over as older than the history.
UNREADABLE_TIME = "~unreadable time: "


def _call_problem(row: tuple[Any, ...], record: _Recorded | None) -> str | None:
    """How one call differs from its events (None: it agrees)."""
    call, number, allowed, started_at, outcome, duration_s, note, corrects_id = row
    altered = f"call #{call}:"
    changed = "(the call record was altered)"
    if corrects_id is not None:
        if record is None or record.undone is None:
            return f"{altered} a correction without its outcome_undone event (the call record was added)"
        seq, payload = record.undone
        if payload.get("corrects_call") != corrects_id or outcome != "undone":
            return f"{altered} it differs from its outcome_undone event (seq {seq}) {changed}"
        return None
    if record is None or record.gate is None:
        return f"{altered} no gate_decision event recorded it (the call record was added)"
    seq, occurred_at, gate = record.gate
    if (
        gate.get("number") != number
        or bool(gate.get("allowed")) != bool(allowed)
        or _stored_time(str(started_at)) != occurred_at
    ):
        return (
            f"{altered} its number, gate decision or start differs from its gate_decision event (seq {seq})"
        )
    expected_note = ""
    for added in record.notes:
        expected_note = _fold_note(expected_note, added)
    if record.outcome is None:
        if outcome is not None:
            return f"{altered} its outcome is {outcome} but no outcome event recorded one {changed}"
        if record.ended_s is not None and not _same_duration(duration_s, record.ended_s):
            return f"{altered} its duration differs from its call_end event {changed}"
        if (note or "") != expected_note:
            return f"{altered} its note differs from its call_note events {changed}"
        return None
    seq, payload = record.outcome
    if outcome != payload.get("outcome"):
        return (
            f"{altered} its outcome is {outcome or 'none'} but its outcome event (seq {seq}) recorded"
            f" {payload.get('outcome')} {changed}"
        )
    if ("duration_s" in payload and not _same_duration(duration_s, payload["duration_s"])) or (
        note or ""
    ) != expected_note:
        return f"{altered} its duration or note differs from its outcome event (seq {seq}) {changed}"
    return None


def records_problem(
    connection: sqlite3.Connection, chain: str, found: tuple[list[int], int | None] | None = None
) -> str | None:
    """The first call of this database that disagrees with its events, or an event naming a lost call.

    SQLite clears the calls that surely agree (history_records_sql.py); the rules below check the rest.
    `found`: what history_records_sql.suspects already returned for this chain.
    """
    suspect_calls, first_recorded = found if found is not None else suspects(connection, chain)
    if not suspect_calls:
        return None
    by_call, purged_before = _recorded(connection, chain, suspect_calls)
    first_event = connection.execute(
        "SELECT occurred_at FROM events WHERE chain = ? ORDER BY seq LIMIT 1", (chain,)
    ).fetchone()
    history_began = str(first_event[0]) if first_event is not None else None
    # Sealed (history_seal.py): the calls the seal covers are checked against it, and no other call
    # passes as older than the history, whatever its date.
    sealed = sealed_max(connection, "calls")
    seen: set[int] = set()
    for row in connection.execute(
        _CALLS + " AND id IN (SELECT value FROM json_each(?)) ORDER BY rowid", (json.dumps(suspect_calls),)
    ):
        call = int(row[0])
        seen.add(call)
        record = by_call.get(call)
        if record is None and (
            (1 <= call <= sealed)
            if sealed is not None
            else _before_history(row, first_recorded, history_began)
        ):
            continue  # made before this database had a history (upgraded to 0013)
        problem = _call_problem(row, record)
        if problem:
            return problem
    for call, record in sorted(by_call.items()):
        if call in seen or record.gate is None:
            continue
        if purged_before and record.gate[1] < purged_before:
            continue  # removed by a purge, which the history records
        seq = record.gate[0]
        return f"call #{call}: its gate_decision event (seq {seq}) names a call that is missing (deleted)"
    return None


def _before_history(row: tuple[Any, ...], first_recorded: int | None, history_began: str | None) -> bool:
    """A call older than the history: started before its first event, numbered below every recorded call.

    Numbered from 1 (SQLite's first rowid): a call given id 0 or below was never made by Dialdesk; in
    a database created with its history the first recorded call is #1, so no call can pass as older.
    """
    if history_began is None:
        return True
    started_before = _stored_time(str(row[3])) < history_began
    return started_before and int(row[0]) >= 1 and (first_recorded is None or int(row[0]) < first_recorded)


# Who migration 0014 names as the saver of the version 1 it made of each script imported before
# versions were kept: those were saved before the history could record them.
MIGRATED_BY = "(imported before versions were kept)"


def scripts_problem(connection: sqlite3.Connection) -> str | None:
    """The first script version or approval the history did not record (inserted with plain SQL:
    in firm mode an approval lets a script on calls, so one added outside Dialdesk is a forgery).

    Recorded: by its own `script_version_saved` / `script_version_approved` event, or, in a `team
    checkout` copy, by the `script_versions_copied` event of this file's own chain (offline_scripts.py),
    each approval counted once."""
    tables = {
        str(row[0]) for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if not {"script_versions", "script_approvals"} <= tables:
        return None
    records = script_records(
        connection.execute(
            "SELECT kind, chain, payload FROM events WHERE kind IN ("
            + ", ".join(f"'{kind}'" for kind in RECORD_KINDS)
            + ")"
        ),
        chain_id_of(connection),
    )
    saved, approved = records.saved, dict(records.approved)
    for row_id, name, version, digest, saved_by in connection.execute(
        "SELECT id, script_name, version, content_sha256, saved_by FROM script_versions ORDER BY id"
    ):
        if saved_by == MIGRATED_BY and version == 1:
            continue
        if (name, version, digest) not in saved:
            return (
                f"script version #{row_id} ({name} version {version}) has no script_version_saved event:"
                " it was added outside Dialdesk"
            )
    for row_id, name, version, digest, by in connection.execute(
        "SELECT a.id, v.script_name, v.version, v.content_sha256, a.approved_by FROM script_approvals a"
        " JOIN script_versions v ON v.id = a.version_id ORDER BY a.id"
    ):
        key = (name, version, digest, by)
        if approved.get(key, 0) <= 0:
            return (
                f"script approval #{row_id} ({name} version {version}) has no script_version_approved"
                " event: it was added outside Dialdesk"
            )
        approved[key] -= 1
    return None
