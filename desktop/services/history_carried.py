"""Merged calls agree with the history of the database they were made in (part of `audit verify` and
of every merge, which checks the colleague's file with it before copying anything).

A call merged from elsewhere keeps its origin (`attempts.origin_db`, `origin_id`): the database it
was made in and its id there. That database's events travel with it (merge_history.py copies them,
under the chain label of that database, or `<chain>~<tag>` for the fork of a copy of it), so the
call is checked as its own database checks it (history_records.py rules): a gate_decision event of
one of its origin's chains names the call's id there, with its number, decision and start, its
agent as the event's actor, and its outcome, duration and notes as the later events recorded them.
A merged call no such chain proves was added (or altered) outside Dialdesk and is named.

Calls merged before this database had a history (upgraded to 0013) are accepted by the rule its own
calls older than the history are (history_records._before_history: started before its first event,
numbered below every call it recorded, or, before it recorded any, below its own last older call). A
database with a history and no call of its own older than it has no older merged calls either.

The other exception is a file whose history never existed (no events at all: made before the history,
schema before 0013): its calls have nothing to be proven by. The merge says so in its report and its
`merge` event lists those origins (`without_history`) and, per origin and agent, exactly the ids there
of the calls it added unproven (`without_history_calls`, as ranges). Only those calls are not compared
here: a call's identity (origin, id there, agent) is what a merge keys on and keeps in every chained
copy, whereas times are the colleague's clock (one running ahead of ours would make their legacy calls
look "later than the merge"), and a call added with plain SQL can claim any time. A call of those
origins outside the recorded ids (a gap, a later id, another agent) must be proven as usual, and a
second row claiming a merged call's identity is named (a merge adds a call once). `merge` events
written before that field existed keep the older rule: their origins' calls that started before the
merge are not compared.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from desktop.domain.event_chain import clean_field
from desktop.services.history_records import _before_history, _call_problem, _recorded, _stored_time
from desktop.storage.events import chain_id_of

FORK = "~"  # as history_chain.FORK (imported there from here would be circular)
_CARRIED = (
    "SELECT a.id, a.number, a.allowed, a.started_at, a.outcome, a.duration_s, a.note,"
    " (SELECT coalesce(c.origin_id, c.id) FROM attempts c WHERE c.id = a.corrects_id),"
    " a.origin_db, a.origin_id, g.name"
    " FROM attempts a LEFT JOIN agents g ON g.id = a.agent_id WHERE a.origin_db IS NOT NULL ORDER BY a.id"
)
WITHOUT_HISTORY = "without_history"
WITHOUT_HISTORY_CALLS = "without_history_calls"
NO_AGENT_NAME = ""  # the key for calls with no agent in `without_history_calls`
Spans = list[list[int]]  # sorted, disjoint [first, last] ranges of ids


def origin_labels(connection: sqlite3.Connection, origin: str) -> list[str]:
    """The chain labels holding an origin's events: its own chain and the forks of its copies."""
    pattern = origin.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + FORK + "%"
    rows = connection.execute(
        "SELECT DISTINCT chain FROM events WHERE chain = ? OR chain LIKE ? ESCAPE '\\' ORDER BY chain",
        (origin, pattern),
    )
    return [str(row[0]) for row in rows]


def as_spans(ids: Iterable[int]) -> Spans:
    """Ids as sorted, disjoint [first, last] ranges: exact, and compact for the runs a merge adds."""
    spans: Spans = []
    for value in sorted(set(ids)):
        if spans and spans[-1][1] + 1 == value:
            spans[-1][1] = value
        else:
            spans.append([value, value])
    return spans


def unproven_calls_record(calls: Iterable[tuple[str, str | None, int]]) -> dict[str, dict[str, Spans]]:
    """What a merge records of the calls it added without events, from (origin, agent name, id there)."""
    grouped: dict[str, dict[str, list[int]]] = {}
    for origin, agent, origin_id in calls:
        grouped.setdefault(origin, {}).setdefault(agent or NO_AGENT_NAME, []).append(origin_id)
    return {
        origin: {agent: as_spans(ids) for agent, ids in sorted(agents.items())}
        for origin, agents in sorted(grouped.items())
    }


@dataclass
class MergedWithoutHistory:
    """What this database's `merge` events say about calls merged from files that had no history."""

    origins: set[str] = field(default_factory=set)
    # (origin, agent name) -> the recorded ids there (merge events with `without_history_calls`)
    recorded: dict[tuple[str, str], Spans] = field(default_factory=dict)
    # origin -> the latest time of a merge event naming it without that field (written before it existed)
    since: dict[str, str] = field(default_factory=dict)

    def recorded_id(self, origin: str, agent: str | None, origin_id: int) -> bool:
        spans = self.recorded.get((origin, agent or NO_AGENT_NAME), [])  # disjoint, sorted (_disjoint)
        at = bisect_right(spans, origin_id, key=lambda span: span[0]) - 1
        return at >= 0 and spans[at][1] >= origin_id


def merged_without_history(connection: sqlite3.Connection) -> MergedWithoutHistory:
    """The origins merged from files that had no history, and which of their calls each merge added."""
    found = MergedWithoutHistory()
    for occurred_at, payload in connection.execute(
        "SELECT occurred_at, payload FROM events WHERE kind = 'merge'"
        f" AND json_valid(payload) AND json_type(payload, '$.{WITHOUT_HISTORY}') = 'array'"
    ):
        merge = json.loads(payload)
        calls = merge.get(WITHOUT_HISTORY_CALLS)
        for origin in merge[WITHOUT_HISTORY]:
            if not isinstance(origin, str):
                continue
            found.origins.add(origin)
            if not isinstance(calls, dict):  # written before the merge recorded its calls: by time
                found.since[origin] = max(found.since.get(origin, ""), str(occurred_at))
                continue
            agents = calls.get(origin)
            for agent, spans in (agents if isinstance(agents, dict) else {}).items():
                found.recorded.setdefault((origin, str(agent)), []).extend(_spans(spans))
    found.recorded = {key: _disjoint(spans) for key, spans in found.recorded.items()}
    return found


def _disjoint(spans: Spans) -> Spans:
    """Ranges (of several merges, which may overlap) as sorted, disjoint ones covering the same ids."""
    joined: Spans = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1] + 1:
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    return joined


def _spans(value: Any) -> Spans:
    """The well-formed [first, last] id ranges of a payload value (anything else covers nothing)."""
    if not isinstance(value, list):
        return []
    return [
        [span[0], span[1]]
        for span in value
        if isinstance(span, list)
        and len(span) == 2
        and all(type(bound) is int for bound in span)
        and span[0] <= span[1]
    ]


def exempt_calls(connection: sqlite3.Connection, merged: MergedWithoutHistory | None = None) -> set[int]:
    """Our ids of the merged calls not compared with events: those a merge recorded adding from a file
    without history (by origin, agent and id there), or, for merge events from before that record
    existed, the calls of their origins that started before the merge."""
    merged = merged or merged_without_history(connection)
    if not merged.origins:
        return set()
    exempt: set[int] = set()
    for call, origin, origin_id, started, agent in connection.execute(
        "SELECT a.id, a.origin_db, a.origin_id, a.started_at, g.name FROM attempts a"
        " LEFT JOIN agents g ON g.id = a.agent_id WHERE a.origin_db IS NOT NULL"
    ):
        origin = str(origin)
        if origin not in merged.origins:
            continue
        if merged.recorded_id(origin, agent, int(origin_id)) or (
            origin in merged.since and _stored_time(str(started)) < merged.since[origin]
        ):
            exempt.add(int(call))
    return exempt


def unproven_merged_note(connection: sqlite3.Connection) -> str:
    """What verify says beside "intact" about calls merged from files that had no history: they are
    not compared with anything (nothing recorded them), so verify never vouches for them silently."""
    merged = merged_without_history(connection)
    count = len(exempt_calls(connection, merged))
    if not count:
        return ""
    origins = merged.origins
    return (
        f"NOT COVERED: {count:,} {'call' if count == 1 else 'calls'} merged from "
        f"{'a database' if len(origins) == 1 else f'{len(origins):,} databases'} that had no history "
        f"({', '.join(sorted(origins))}): nothing recorded them, so they are not compared"
    )


def carried_problem(connection: sqlite3.Connection) -> str | None:
    """The first merged call (origin_db set) that no chain of its origin proves; None when all are."""
    by_origin: dict[str, list[tuple[Any, ...]]] = {}
    for row in connection.execute(_CARRIED):
        by_origin.setdefault(str(row[8]), []).append(row)
    if not by_origin:
        return None  # no merged call: nothing below to read (a full pass over the events)
    twice = _merged_twice(by_origin)
    if twice is not None:
        return twice
    exempt = exempt_calls(connection)
    history_began, first_recorded = _history_start(connection)
    # Its own chain empty while other chains are not: not a database without history (a file claiming
    # another database id, or a copy whose id was changed), so nothing passes as older.
    no_events = connection.execute("SELECT 1 FROM events LIMIT 1").fetchone() is None
    for origin, rows in by_origin.items():
        rows = [row for row in rows if int(row[0]) not in exempt]
        if history_began is not None:
            rows = [
                row
                for row in rows
                if first_recorded is None or not _before_history(row, first_recorded, history_began)
            ]
        elif no_events:  # no history at all (never upgraded past 0012): every call is older than it
            rows = []
        if not rows:
            continue
        labels = origin_labels(connection, origin)
        ids = sorted({int(row[9]) for row in rows})
        recorded = [(label, _recorded(connection, label, ids)[0]) for label in labels]
        for row in rows:
            problem = _unproven(connection, row, recorded)
            if problem is not None:
                return (
                    f"merged call #{row[0]} (call {row[9]} of database {origin}, agent {row[10] or 'none'}):"
                    f" {problem}"
                )
    return None


def _merged_twice(by_origin: dict[str, list[tuple[Any, ...]]]) -> str | None:
    """A second row claiming a merged call (same origin, id there and agent): a merge adds a call once,
    so one of them was added outside Dialdesk. It would otherwise pass as the call it copies (the same
    events prove both, or the merge that added the first recorded that call as merged unproven)."""
    for origin, rows in by_origin.items():
        first: dict[tuple[int, str], int] = {}
        for row in rows:
            key = (int(row[9]), str(row[10] or NO_AGENT_NAME))
            if key in first:
                return (
                    f"merged call #{row[0]} (call {row[9]} of database {origin}, agent {row[10] or 'none'}):"
                    f" the same call as merged call #{first[key]}, and a merge adds a call once"
                    " (the call record was added)"
                )
            first[key] = int(row[0])
    return None


def _history_start(connection: sqlite3.Connection) -> tuple[str | None, int | None]:
    """When this database's own history began, and the id below which calls are older than it: the
    first call the history recorded, else one past its last own call made before it (None: no bound,
    so no merged call passes as older)."""
    chain = chain_id_of(connection)
    first_event = connection.execute(
        "SELECT occurred_at FROM events WHERE chain = ? ORDER BY seq LIMIT 1", (chain,)
    ).fetchone()
    first_call = connection.execute(
        "SELECT min(CAST(json_extract(payload, '$.call') AS INTEGER)) FROM events"
        " WHERE chain = ? AND kind = 'gate_decision' AND json_valid(payload)",
        (chain,),
    ).fetchone()
    began = None if first_event is None else str(first_event[0])
    if first_call is not None and first_call[0] is not None:
        return began, int(first_call[0])
    if began is None:
        return None, None
    # No call recorded yet: the calls older than the history end with the last of its own calls made
    # before it began (a database with none has no older calls, so a merged call must be proven).
    older = [
        int(call)
        for call, started in connection.execute(
            "SELECT id, started_at FROM attempts WHERE origin_db IS NULL AND id >= 1"
        )
        if _stored_time(str(started)) < began
    ]
    return began, (max(older) + 1 if older else None)


def _unproven(
    connection: sqlite3.Connection, row: tuple[Any, ...], recorded: list[tuple[str, dict[int, Any]]]
) -> str | None:
    """Why no chain of the origin proves this merged call (None: one does)."""
    origin_id, agent = int(row[9]), clean_field(str(row[10] or ""))
    as_there = (origin_id, *row[1:8])
    first: str | None = None
    for label, by_call in recorded:
        record = by_call.get(origin_id)
        problem = _call_problem(as_there, record)
        if problem is None and record is not None and record.gate is not None:
            actor = connection.execute(
                "SELECT actor FROM events WHERE chain = ? AND seq = ?", (label, record.gate[0])
            ).fetchone()
            if actor is None or str(actor[0]) != agent:
                problem = (
                    f"its agent differs from its gate_decision event (chain {label}, seq {record.gate[0]})"
                )
        if problem is None:
            return None
        first = first or problem.split(":", 1)[-1].strip()
    return first or "no event of the database it was made in records it (the call record was added)"
