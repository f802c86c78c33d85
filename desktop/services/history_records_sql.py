"""The calls that surely agree with their events, found by SQLite in one statement (part of `audit verify`).

Comparing a million events with their calls in Python cost seconds (a dict, a JSON decode and a
comparison per event). SQLite does the common case instead: per call, its events are grouped (one
parse of each payload, in C) and a call with exactly one gate_decision event, at most one outcome
and one call_end event, no note event and no undo, whose number, decision, start, outcome,
duration and note are equal to what those events recorded (history_records.py's rules), and whose
lead, backend, phone, script version, caller ID, gate record, agent and end are equal too
(history_ledgers.py's rules), agrees. Every other call is a *suspect*: history_records.py and
history_ledgers.py check it with their full rules, reading the events of the suspects only.

The fast test only ever says "agrees" when the full rules would: each condition below is written
so that anything unusual (a JSON type other than the one Dialdesk writes, a note the folding would
strip, a duration whose text is not its own rendering) leaves the call to the full check.
"""

from __future__ import annotations

import sqlite3

# Each kind's fields, read by one json_extract (one parse of the payload); the call id first.
FIELDS = {
    "gate_decision": (
        "call",
        "number",
        "allowed",
        "lead",
        "backend",
        "phone",
        "script_version",
        "caller_id",
        "decision",
    ),
    "outcome": ("call", "outcome", "duration_s", "note"),
    "outcome_undone": ("correction", "corrects_call"),
    "call_note": ("call", "note"),
    "call_end": ("call", "duration_s"),
}


def _extract(kind: str) -> str:
    paths = ", ".join(repr(f"$.{name}") for name in FIELDS[kind])
    return f"WHEN '{kind}' THEN json_extract(payload, {paths})"


_VALUES = "CASE kind " + " ".join(_extract(kind) for kind in FIELDS) + " END"
_KINDS = ", ".join(repr(kind) for kind in FIELDS)

# How many events of each kind a call has, in one sum (one aggregate instead of five): kind k counts
# WEIGHT ** k. The sum decomposes into the counts only while each is below WEIGHT, so it is read only
# with the number of events `n` at most 3 (see _AGREES); any other call goes to the full rules.
WEIGHT = 4096
_WEIGHT_OF = {kind: WEIGHT**position for position, kind in enumerate(FIELDS)}


def _shapes(outcomes: tuple[int, ...], ends: tuple[int, ...]) -> str:
    """SQL list: the shapes of one gate_decision with these numbers of outcome and call_end events (a
    call that agrees has one of those with at most one of each, and nothing else)."""
    weight = _WEIGHT_OF
    return ", ".join(
        str(weight["gate_decision"] + outcome * weight["outcome"] + end * weight["call_end"])
        for outcome in outcomes
        for end in ends
    )


# The events of a chain, per call: how many (and of which kinds: `shape`), and the values of the single
# ones. A call has a gate_decision event exactly when `gate` is not null (its value is a JSON array).
# Gathered by an upsert keyed by the call id rather than a GROUP BY: the events come in seq order, so
# nearly in call order, and each lands beside the last one instead of all being sorted (a second saved
# on a million events). Of a kind seen twice the later values are kept: such a call's shape is not one
# the fast test clears, so they are never compared. Shapes are floats: a sum never overflows.
_COLUMNS = "call, n, shape, gate, gate_at, gate_actor, outcome, outcome_at, ended, end_at"
_WEIGHTS_REAL = " ".join(f"WHEN '{kind}' THEN {weight}.0" for kind, weight in _WEIGHT_OF.items())
_SUMMARY = f"""
INSERT INTO temp.verify_calls ({_COLUMNS})
SELECT call, 1, CASE kind {_WEIGHTS_REAL} END,
    CASE kind WHEN 'gate_decision' THEN v END, CASE kind WHEN 'gate_decision' THEN occurred_at END,
    CASE kind WHEN 'gate_decision' THEN actor END,
    CASE kind WHEN 'outcome' THEN v END, CASE kind WHEN 'outcome' THEN occurred_at END,
    CASE kind WHEN 'call_end' THEN v END, CASE kind WHEN 'call_end' THEN occurred_at END
FROM (
    -- LIMIT -1: kept a subquery, so each payload is parsed once (v), not once per use of v; the call
    -- is v's first field, read from the payload just parsed (SQLite keeps it) rather than from v
    SELECT kind, occurred_at, actor, {_VALUES} AS v,
        json_extract(payload, CASE kind WHEN 'outcome_undone' THEN '$.correction' ELSE '$.call' END) AS call
    FROM events WHERE chain = :chain AND kind IN ({_KINDS})
    LIMIT -1
) WHERE typeof(call) = 'integer'
ON CONFLICT (call) DO UPDATE SET n = n + 1, shape = shape + excluded.shape,
    gate = coalesce(excluded.gate, gate), gate_at = coalesce(excluded.gate_at, gate_at),
    gate_actor = coalesce(excluded.gate_actor, gate_actor),
    outcome = coalesce(excluded.outcome, outcome), outcome_at = coalesce(excluded.outcome_at, outcome_at),
    ended = coalesce(excluded.ended, ended), end_at = coalesce(excluded.end_at, end_at)
"""
# The call's end as history_ledgers.py reads it: its call_end event, else its outcome event.
_ENDED_AT = "coalesce(s.end_at, s.outcome_at)"

# A text field written by Dialdesk whose ends no `str.strip()` touches (printable ASCII, no space).
_UNSTRIPPED = (
    "(unicode(substr({t}, 1, 1)) BETWEEN 33 AND 126 AND unicode(substr({t}, -1, 1)) BETWEEN 33 AND 126)"
)


def _same_duration(value: str, array: str) -> str:
    """SQL: the duration stored equals the one recorded as text, both ways (text and number)."""
    text = f"json_extract({array}, '$[{value}]')"
    return (
        f"(json_type({array}, '$[{value}]') = 'text' AND typeof(a.duration_s) = 'real'"
        f" AND {text} = CAST(a.duration_s AS TEXT) AND CAST({text} AS REAL) = a.duration_s)"
    )


# The one text an event's time has (event_chain.event_time): a stored time equal to it, or to it
# without its zone with a space for the T, reads back as it (any other text goes to the full rules).
_D = "[0-9]"
_EVENT_TIME = f"{_D * 4}-{_D * 2}-{_D * 2}T{_D * 2}:{_D * 2}:{_D * 2}.{_D * 6}+00:00"


def _same_time(column: str, at: str) -> str:
    """SQL: the time stored in `column` is the event time `at` (history_records._stored_time)."""
    return (
        f"(typeof({column}) = 'text' AND {at} GLOB '{_EVENT_TIME}'"
        f" AND ({column} = {at} COLLATE BINARY"
        f" OR replace({column}, ' ', 'T') || '+00:00' = {at} COLLATE BINARY))"
    )


# What the call's gate_decision event holds (FIELDS' order) if the call agrees with it, rendered by SQLite
# from the call's columns: one comparison of texts instead of one JSON reading per field. Equal texts are
# equal JSON values (the event's were read by the same JSON functions); null when a column's type is not
# one Dialdesk writes, so that call is left to the full rules. The gate's record must be strict JSON
# (json_valid: no JSON5, read the same by Python) and an object, compared once minified.
_GATE_EXPECTED = """CASE WHEN typeof(a.number) = 'text'
    AND typeof(a.allowed) = 'integer' AND a.allowed IN (0, 1)
    AND typeof(a.lead_id) IN ('integer', 'null') AND typeof(a.backend) = 'text'
    AND typeof(a.phone_id) IN ('integer', 'null') AND typeof(a.script_version_id) IN ('integer', 'null')
    AND typeof(a.caller_id) IN ('text', 'null') AND typeof(a.reasons) = 'text' AND json_valid(a.reasons)
    THEN CASE WHEN json_type(a.reasons) = 'object' THEN json_array(
        a.id, a.number, json(CASE a.allowed WHEN 1 THEN 'true' ELSE 'false' END), a.lead_id, a.backend,
        a.phone_id, a.script_version_id, a.caller_id, json(a.reasons)
    ) END END"""

# The same for the outcome event (call, outcome, duration_s, note): a duration whose text reads back as
# itself, a note the folding of notes leaves as it is (empty, or with no space or control at its ends).
_OUTCOME_EXPECTED = f"""CASE WHEN typeof(a.outcome) = 'text' AND typeof(a.note) = 'text'
    AND (a.note = '' OR {_UNSTRIPPED.format(t="a.note")})
    AND (a.duration_s IS NULL
        OR (typeof(a.duration_s) = 'real' AND CAST(CAST(a.duration_s AS TEXT) AS REAL) = a.duration_s))
    THEN json_array(a.id, a.outcome, CAST(a.duration_s AS TEXT), a.note) END"""

_AGREES = f"""
    a.corrects_id IS NULL AND s.n <= 3 AND s.shape IN ({_shapes((0, 1), (0, 1))})
    AND s.gate = ({_GATE_EXPECTED}) COLLATE BINARY
    AND {_same_time("a.started_at", "s.gate_at")}
    AND typeof(ag.name) = 'text' AND typeof(s.gate_actor) = 'text' AND ag.name = s.gate_actor COLLATE BINARY
    AND CASE WHEN {_ENDED_AT} IS NULL THEN a.ended_at IS NULL AND a.duration_s IS NULL AND a.outcome IS NULL
        ELSE {_same_time("a.ended_at", _ENDED_AT)} END
    AND CASE WHEN s.shape IN ({_shapes((0,), (0, 1))}) THEN
        a.outcome IS NULL AND ifnull(a.note, '') = ''
        AND (s.shape IN ({_shapes((0,), (0,))}) OR json_type(s.ended, '$[1]') = 'null'
            OR {_same_duration("1", "s.ended")})
    ELSE
        s.outcome = ({_OUTCOME_EXPECTED}) COLLATE BINARY
    END
"""


def suspects(connection: sqlite3.Connection, chain: str) -> tuple[list[int], int | None]:
    """Calls of this database the fast test cannot clear (in rowid order), and then calls named by a
    gate_decision event that no call of this database has (ascending); and the lowest call id any
    gate_decision event names (None: none does)."""
    connection.execute("DROP TABLE IF EXISTS temp.verify_calls")
    # Keyed by the call id (the rowid): the join with the calls looks each one up.
    connection.execute(
        f"CREATE TEMP TABLE verify_calls ({_COLUMNS.replace('call', 'call INTEGER PRIMARY KEY', 1)})"
    )
    try:
        connection.execute(_SUMMARY, {"chain": chain})
        calls = [
            int(row[0])
            for row in connection.execute(
                "SELECT a.id FROM attempts a LEFT JOIN temp.verify_calls s ON s.call = a.id"
                " LEFT JOIN agents ag ON ag.id = a.agent_id"
                f" WHERE a.origin_db IS NULL AND NOT ifnull(({_AGREES}), 0) ORDER BY a.rowid"
            )
        ]
        lost = [
            int(row[0])
            for row in connection.execute(
                "SELECT call FROM temp.verify_calls s WHERE s.gate IS NOT NULL AND NOT EXISTS"
                " (SELECT 1 FROM attempts a WHERE a.id = s.call AND a.origin_db IS NULL) ORDER BY call"
            )
        ]
        first = connection.execute(
            "SELECT min(call) FROM temp.verify_calls WHERE gate IS NOT NULL"
        ).fetchone()[0]
        return calls + lost, None if first is None else int(first)
    finally:
        connection.execute("DROP TABLE IF EXISTS temp.verify_calls")
