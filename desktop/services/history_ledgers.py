"""What `audit verify` checks beyond the number, decision, start, outcome, duration and note of a call.

history_records.py compares those fields; this module compares every other column of a call that
its events record, and the internal do-not-call list and the consents with the events that changed
them (no trigger guards those two tables: a row deleted or inserted with plain sqlite3 is seen here).

Per call (this database's own calls, not corrections of an undo, which outcome_undo.py makes whole):
- its `gate_decision` event: the lead, the backend, the gate's record (reasons), the agent (the
  event's actor), and — in events written since they were added to the payload — the phone, the
  script version and the caller ID;
- its end: the time of its `call_end` event, else of its outcome event (the outcome path ends a call
  still open), else none; a call with neither event has no end and no duration (a blocked call).

Do-not-call (source `internal` only; registry rows come from bulk imports that record counts, not
numbers, and are out of scope): a number whose last `dnc_add` has no later `dnc_remove` must be
on the list (else it was deleted); a number on the list added after the history began must have an
add event (else it was inserted). Consents: per (lead, kind, day) of a lead still there, the rows must
match the `consent_add` events less the `consent_remove` ones (fewer: deleted); nor outnumber the
`consent_add` events less the `consent_remove` ones, beyond what imports and merges added (their
events record how many; an import recorded before that count existed leaves consents unbounded;
a lead created before the history began keeps the consents it had without events).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from desktop.services.history_records import _stored_time
from desktop.services.history_seal import sealed_max
from desktop.storage.repositories import decision_record

# The events of the calls listed (a JSON array): SQLite picks them (a payload it cannot read names no
# call for Python either: _payload reads it as {}; CASE, so it is never parsed), Python reads each.
_CALL_EVENTS = (
    "SELECT kind, occurred_at, actor, payload FROM events WHERE chain = ?"
    " AND kind IN ('gate_decision', 'call_end', 'outcome')"
    " AND CASE WHEN json_valid(payload) THEN json_extract(payload, '$.call') END"
    " IN (SELECT value FROM json_each(?)) ORDER BY seq"
)
_CALLS = (
    "SELECT a.id, a.lead_id, a.phone_id, a.backend, a.reasons, ag.name, a.allowed, a.ended_at,"
    " a.duration_s, a.outcome, a.script_version_id, a.caller_id"
    " FROM attempts a LEFT JOIN agents ag ON ag.id = a.agent_id"
    " WHERE a.origin_db IS NULL AND a.corrects_id IS NULL AND a.id IN (SELECT value FROM json_each(?))"
    " ORDER BY a.id"
)


def _payload(text: Any) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return {}  # the chain check names an unreadable payload
    return data if isinstance(data, dict) else {}


def _time(value: Any) -> str | None:
    return None if value is None else _stored_time(str(value))


def _calls_recorded(
    connection: sqlite3.Connection, chain: str, calls: list[int]
) -> dict[int, dict[str, Any]]:
    """Per call id of `calls`: its first gate_decision (payload, actor) and its end time as its events say."""
    recorded: dict[int, dict[str, Any]] = {}
    rows = connection.execute(_CALL_EVENTS, (chain, json.dumps(calls)))
    for kind, occurred_at, actor, text in rows:
        payload = _payload(text)
        call = payload.get("call")
        if not isinstance(call, int):
            continue
        record = recorded.setdefault(call, {})
        if kind == "gate_decision":
            record.setdefault("gate", (payload, actor))
        elif kind == "call_end":
            record["ended_at"] = str(occurred_at)
        elif "ended_at" not in record:
            record["ended_at"] = str(occurred_at)  # the outcome ended a call still open
    return recorded


def _same_record(stored: Any, recorded: Any) -> bool:
    """The gate's record stored with the call equals the one its event holds (as JSON values)."""
    return bool(json.loads(json.dumps(decision_record(str(stored or "")), sort_keys=True)) == recorded)


def _call_column_problem(row: tuple[Any, ...], record: dict[str, Any]) -> str | None:
    call, lead, phone, backend, reasons, agent, allowed, ended_at, duration, outcome, script, caller = row
    payload, actor = record["gate"]
    named = f"call #{call}:"
    differs: list[str] = []
    if payload.get("lead") != lead:
        differs.append("lead")
    if payload.get("backend") != backend:
        differs.append("backend")
    if "decision" in payload and not _same_record(reasons, payload["decision"]):
        differs.append("reasons")
    if (agent or "") != (actor or "") or agent is None:
        differs.append("agent")
    for column, key, value in (("phone", "phone", phone), ("script version", "script_version", script)):
        if key in payload and payload[key] != value:
            differs.append(column)
    if "caller_id" in payload and (payload["caller_id"] or None) != (caller or None):
        differs.append("caller ID")
    if _time(ended_at) != record.get("ended_at"):
        differs.append("end time")
    if differs:
        return f"{named} its {', '.join(differs)} differ from its gate_decision and end events (altered)"
    if "ended_at" not in record and (duration is not None or outcome is not None):
        which = "a blocked call" if not allowed else "a call no event ended"
        return f"{named} {which} has a duration or outcome its events do not record (altered)"
    return None


def calls_columns_problem(connection: sqlite3.Connection, chain: str, calls: list[int]) -> str | None:
    """The first of `calls` whose other columns differ from what its events recorded.

    `calls`: the suspects of history_records_sql.py (every other call agrees by its fast test).
    """
    if not calls:
        return None
    recorded = _calls_recorded(connection, chain, calls)
    for row in connection.execute(_CALLS, (json.dumps(calls),)):
        record = recorded.get(int(row[0]))
        if record is None or "gate" not in record:
            continue  # history_records.py names a call without its gate_decision event
        problem = _call_column_problem(row, record)
        if problem:
            return problem
    return None


def _events(connection: sqlite3.Connection, kinds: tuple[str, ...]) -> list[tuple[str, str, dict[str, Any]]]:
    marks = ", ".join("?" for _ in kinds)
    return [
        (str(kind), str(at), _payload(text))
        for kind, at, text in connection.execute(
            f"SELECT kind, occurred_at, payload FROM events WHERE kind IN ({marks}) ORDER BY chain, seq",
            kinds,
        )
    ]


# The do-not-call events, and the outcome events that may have added numbers: SQLite leaves out, without
# parsing it, an outcome whose payload names `"dnc_added"` once, as an empty list, and has no `\u` escape
# (which could spell the name another way): read as JSON it adds no number, whatever else it holds.
# `+kind`: read in (chain, seq) order along its index, not looked up event by event through the kind index
# (outcomes are a good part of all events), and not sorted after.
_DNC_EVENTS = (
    "SELECT kind, occurred_at, payload FROM events WHERE +kind IN ('dnc_add', 'dnc_remove', 'outcome')"
    " AND NOT (kind = 'outcome' AND typeof(payload) = 'text' AND instr(payload, '\\u') = 0"
    " AND instr(payload, '\"dnc_added\":[]') > 0"
    " AND length(payload) - length(replace(payload, '\"dnc_added\"', '')) = length('\"dnc_added\"'))"
    " ORDER BY chain, seq"
)


def _history_began(connection: sqlite3.Connection) -> Any:
    """The time of the first event (None: no event). A pass over every event: read only when needed."""
    return connection.execute("SELECT min(occurred_at) FROM events").fetchone()[0]


def dnc_problem(connection: sqlite3.Connection) -> str | None:
    """An internal do-not-call number deleted or inserted outside Dialdesk."""
    listed: dict[str, bool] = {}
    rows = [(str(kind), str(at), _payload(text)) for kind, at, text in connection.execute(_DNC_EVENTS)]
    for kind, _at, payload in rows:
        if kind == "outcome":
            numbers = payload.get("dnc_added") or []
        else:
            numbers = payload.get("numbers") or ([payload["number"]] if "number" in payload else [])
        for number in numbers if isinstance(numbers, list) else []:
            listed[str(number)] = kind != "dnc_remove"
    entries = connection.execute("SELECT number, added_at, id FROM dnc_entries WHERE source = 'internal'")
    present = {str(number): (str(added), row_id) for number, added, row_id in entries}
    for number, on_list in sorted(listed.items()):
        if on_list and number not in present:
            return f"do-not-call number {number}: its dnc_add event has no removal but it is gone (deleted)"
    unlisted = sorted((number, added) for number, added in present.items() if number not in listed)
    # Sealed (history_seal.py): the seal checks the entries it covers; no other passes as older.
    sealed = sealed_max(connection, "dnc") if unlisted else None
    began = _history_began(connection) if unlisted and sealed is None else None
    for number, (added, row_id) in unlisted:
        if sealed is not None:
            if not (isinstance(row_id, int) and 1 <= row_id <= sealed):
                return f"do-not-call number {number}: no dnc_add event recorded it (inserted)"
        elif began is not None and _time(added) is not None:
            if str(_time(added)) >= str(began):
                return f"do-not-call number {number}: no dnc_add event recorded it (inserted)"
    return None


def consents_problem(connection: sqlite3.Connection) -> str | None:
    """A consent no event, import or merge accounts for (inserted outside Dialdesk)."""
    expected: Counter[tuple[Any, ...]] = Counter()
    bulk, unbounded = 0, False
    kinds = ("consent_add", "consent_remove", "leads_import", "merge")
    for kind, _at, payload in _events(connection, kinds):
        if kind in ("consent_add", "consent_remove"):
            key = (payload.get("lead_id"), payload.get("kind"), payload.get("given_on"))
            expected[key] += 1 if kind == "consent_add" else -1
        elif kind == "merge":
            bulk += int(payload.get("consents_added") or 0)
        elif "consents" in payload:
            bulk += int(payload["consents"] or 0)
        else:
            unbounded = True  # an import recorded before imports counted their consents
    if unbounded:
        return None
    rows = connection.execute(
        "SELECT c.id, c.lead_id, c.kind, c.given_on, l.created_at FROM consents c"
        " LEFT JOIN leads l ON l.id = c.lead_id ORDER BY c.id"
    ).fetchall()
    sealed = sealed_max(connection, "consents") if rows else None
    began = _history_began(connection) if rows else None
    for row_id, lead, kind, given_on, lead_created in rows:
        key = (lead, kind, str(given_on)[:10])
        if expected[key] > 0:
            expected[key] -= 1
        elif sealed is not None and 1 <= int(row_id) <= sealed:
            continue  # covered by the seal (history_seal.py), which verify checks
        elif bulk > 0:
            bulk -= 1
        elif sealed is not None:
            return f"consent #{row_id} (lead #{lead}, {kind}): no consent_add event recorded it (inserted)"
        elif began is None or (lead_created is not None and str(_time(lead_created)) < str(began)):
            continue  # a lead older than the history (upgraded to 0013): its consents had no events
        else:
            return f"consent #{row_id} (lead #{lead}, {kind}): no consent_add event recorded it (inserted)"
    leads = {int(row[0]) for row in connection.execute("SELECT id FROM leads")}
    for (lead, kind, given_on), left in sorted(expected.items(), key=str):
        if left > 0 and lead in leads:  # an erased lead's consents go with it (its event says so)
            return (
                f"consent of lead #{lead} ({kind}, {given_on}): its consent_add event has no removal"
                " but it is gone (deleted)"
            )
    return None


def lists_problem(connection: sqlite3.Connection) -> str | None:
    """The first internal do-not-call number or consent that differs from the history."""
    return dnc_problem(connection) or consents_problem(connection)
