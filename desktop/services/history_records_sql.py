"""The calls that surely agree with their events, found by SQLite in one statement (part of `audit verify`).

Comparing a million events with their calls in Python cost seconds (a dict, a JSON decode and a
comparison per event). SQLite does the common case instead: per call, its events are grouped (one
parse of each payload, in C) and a call with exactly one gate_decision event, at most one outcome
and one call_end event, no note event and no undo, whose number, decision, start, outcome,
duration and note are equal to what those events recorded, agrees. Every other call is a *suspect*
and history_records.py checks it with the full rules, reading the events of the suspects only.

The fast test only ever says "agrees" when the full rules would: each condition below is written
so that anything unusual (a JSON type other than the one Dialdesk writes, a note the folding would
strip, a duration whose text is not its own rendering) leaves the call to the full check.
"""

from __future__ import annotations

import sqlite3

# Each kind's fields, read by one json_extract (one parse of the payload); the call id first.
FIELDS = {
    "gate_decision": ("call", "number", "allowed"),
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
_WEIGHTS = " ".join(f"WHEN '{kind}' THEN {weight}" for kind, weight in _WEIGHT_OF.items())


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
_SUMMARY = f"""
WITH per_event AS MATERIALIZED (
    SELECT kind, occurred_at, v, json_extract(v, '$[0]') AS call FROM (
        -- LIMIT -1: kept a subquery, so each payload is parsed once (v), not once per use of v
        SELECT kind, occurred_at, {_VALUES} AS v FROM events WHERE chain = :chain AND kind IN ({_KINDS})
        LIMIT -1
    )
)
-- total(), not sum(): a float never overflows, however many events a call has
SELECT call, count(*) AS n, total(CASE kind {_WEIGHTS} END) AS shape,
    max(CASE kind WHEN 'gate_decision' THEN v END) AS gate,
    max(CASE kind WHEN 'gate_decision' THEN occurred_at END) AS gate_at,
    max(CASE kind WHEN 'outcome' THEN v END) AS outcome,
    max(CASE kind WHEN 'call_end' THEN v END) AS ended
FROM per_event WHERE typeof(call) = 'integer' GROUP BY call
"""

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


_NOTE = "json_extract(s.outcome, '$[3]')"
_AGREES = f"""
    a.corrects_id IS NULL AND s.n <= 3 AND s.shape IN ({_shapes((0, 1), (0, 1))})
    AND json_type(s.gate, '$[1]') = 'text' AND json_extract(s.gate, '$[1]') = a.number
    AND typeof(a.allowed) = 'integer' AND a.allowed IN (0, 1)
    AND json_type(s.gate, '$[2]') = CASE a.allowed WHEN 1 THEN 'true' ELSE 'false' END
    AND typeof(a.started_at) = 'text'
    AND (a.started_at = s.gate_at OR replace(a.started_at, ' ', 'T') || '+00:00' = s.gate_at)
    AND CASE WHEN s.shape IN ({_shapes((0,), (0, 1))}) THEN
        a.outcome IS NULL AND ifnull(a.note, '') = ''
        AND (s.shape IN ({_shapes((0,), (0,))}) OR json_type(s.ended, '$[1]') = 'null'
            OR {_same_duration("1", "s.ended")})
    ELSE
        json_type(s.outcome, '$[1]') = 'text' AND typeof(a.outcome) = 'text'
        AND a.outcome = json_extract(s.outcome, '$[1]')
        AND ((json_type(s.outcome, '$[2]') = 'null' AND a.duration_s IS NULL)
            OR {_same_duration("2", "s.outcome")})
        AND ((json_type(s.outcome, '$[3]') = 'null' AND ifnull(a.note, '') = '')
            OR (json_type(s.outcome, '$[3]') = 'text' AND {_NOTE} = '' AND ifnull(a.note, '') = '')
            OR (json_type(s.outcome, '$[3]') = 'text' AND {_UNSTRIPPED.format(t=_NOTE)}
                AND typeof(a.note) = 'text' AND a.note = {_NOTE}))
    END
"""


def suspects(connection: sqlite3.Connection, chain: str) -> tuple[list[int], int | None]:
    """Calls of this database the fast test cannot clear (in rowid order), and then calls named by a
    gate_decision event that no call of this database has (ascending); and the lowest call id any
    gate_decision event names (None: none does)."""
    connection.execute("DROP TABLE IF EXISTS temp.verify_calls")
    # Keyed by the call id (the rowid): the join with the calls looks each one up.
    connection.execute(
        "CREATE TEMP TABLE verify_calls (call INTEGER PRIMARY KEY, n, shape, gate, gate_at, outcome, ended)"
    )
    try:
        connection.execute(f"INSERT INTO temp.verify_calls {_SUMMARY}", {"chain": chain})
        calls = [
            int(row[0])
            for row in connection.execute(
                "SELECT a.id FROM attempts a LEFT JOIN temp.verify_calls s ON s.call = a.id"
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
