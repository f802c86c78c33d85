"""Merging a colleague's history: their events keep their chains and hashes, verified first.

The colleague's file is verified in full before anything is copied: a chain that does not verify
(a forged or altered colleague history) refuses the merge. Each of their chains is then copied
event by event, as it is (chain, seq, hashes): events we already hold (same chain, seq and hash:
merged before, or the common past of a copy of this database) are skipped.

A copy of this database used under another agent name shares our chain id and, from the moment
it was copied, writes other events at the same seqs: a fork. Its events from the first that
differs go to the chain label `<chain>~<their database/agent>`, hashed still as `<chain>` and
linked to our event just before the fork, so they verify as they were written (see
`history_chain.hashed_chain`). A file with another database id never adds events to our own chain:
only this database writes it, so such events are forged and the merge is refused. After copying,
the merged chains are verified here too.

Their calls are proven before anything is copied (`prove_their_calls`): each of their own calls by
their own chain, as `audit verify` checks it on their file (history_records.py), and each call they
merged from a third database by that database's chains, which they hold and we copy
(history_carried.py). A call no event proves, or one that differs from its events (a changed agent
included), refuses the merge, named. A file with no events at all (made before the history, schema
before 0013) has nothing to prove its calls by: it is merged, and the report and the `merge` event
say which databases' calls came in unproven (`without_history`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from desktop.domain.event_chain import clean_field
from desktop.services.history_carried import carried_problem
from desktop.services.history_chain import FORK, Verification, save_checkpoints, verify_full
from desktop.services.history_records import records_problem
from desktop.services.history_seal import current_seal, seal_problem
from desktop.storage.events import chain_id_of
from desktop.storage.server_rows import RowSource

_COLUMNS = "chain, seq, kind, occurred_at, actor, payload, prev_hash, hash"
_MAX_FORKS = 20


class HistoryMergeError(Exception):
    """Their history does not verify: nothing of the merge is written."""


def verify_theirs(connection: sqlite3.Connection, name: str) -> Verification:
    result = verify_full(connection, records=False)
    if not result.intact:
        raise HistoryMergeError(
            f"{name}: its history does not verify, so it is not merged ({result.problem})"
        )
    return result


def prove_their_calls(ours: RowSource, theirs: sqlite3.Connection, name: str, their_id: str) -> list[str]:
    """Every call of their file proven by its events, or HistoryMergeError naming the first that is not.

    Their chains are verified first (`verify_theirs`, `refuse_our_chain_grown_elsewhere`): an altered
    or planted event is named as such.
    Returns the databases whose calls come in unproven because the file has no history at all."""
    verify_theirs(theirs, name)
    refuse_our_chain_grown_elsewhere(ours, theirs, name)
    unproven = sorted({their_id, *(str(row[0]) for row in theirs.execute(_ORIGINS))})
    if theirs.execute("SELECT 1 FROM events LIMIT 1").fetchone() is None:
        return unproven
    # Sealed (history_seal.py): the calls made before their history are checked against their seal, and
    # no other call passes as older; a file whose history recorded no call since is merged as one
    # without history (its sealed calls proven now, by the seal, but not provable later on this side).
    seal = current_seal(theirs)
    sealed_problem = seal if isinstance(seal, str) else seal_problem(theirs) if seal is not None else None
    if sealed_problem is not None:
        raise HistoryMergeError(
            f"{name}: a record made before its history is not what its seal holds, so nothing is merged"
            f" ({sealed_problem})"
        )
    problem = (
        (_undated_call(theirs, chain_id_of(theirs)) if seal is None else None)
        or records_problem(theirs, chain_id_of(theirs))
        or _agent_changed(theirs, chain_id_of(theirs))
        or carried_problem(theirs)
    )
    if problem is not None:
        raise HistoryMergeError(
            f"{name}: a call in it is not what its history recorded, so nothing is merged ({problem})"
        )
    if seal is not None and not _records_a_call(theirs, chain_id_of(theirs)):
        return unproven
    return []


_ORIGINS = "SELECT DISTINCT origin_db FROM attempts WHERE origin_db IS NOT NULL"


def _records_a_call(theirs: sqlite3.Connection, chain: str) -> bool:
    return (
        theirs.execute(
            "SELECT 1 FROM events WHERE chain = ? AND kind IN ('gate_decision', 'outcome_undone') LIMIT 1",
            (chain,),
        ).fetchone()
        is not None
    )


def _undated_call(theirs: sqlite3.Connection, chain: str) -> str | None:
    """A call of their own that no event records, in a file whose history records no call at all.

    `audit verify` lets calls older than the history pass (started before its first event, numbered
    below the first call an event names); with no recorded call, nothing dates the history's start and
    a back-dated call inserted with plain SQL would pass: a merge refuses it."""
    if theirs.execute(
        "SELECT 1 FROM events WHERE chain = ? AND kind IN ('gate_decision', 'outcome_undone') LIMIT 1",
        (chain,),
    ).fetchone():
        return None
    row = theirs.execute("SELECT min(id) FROM attempts WHERE origin_db IS NULL").fetchone()
    if row is None or row[0] is None:
        return None
    return (
        f"call #{row[0]}: no gate_decision event recorded it, and its history recorded no call to date"
        " the calls made before it (the call record was added)"
    )


def _agent_changed(theirs: sqlite3.Connection, chain: str) -> str | None:
    """A call of their own whose agent is not the actor of its gate_decision event (changed with plain
    SQL: a merge tells calls of copies apart by their agent, so a changed one would come in twice)."""
    row = theirs.execute(
        "SELECT a.id, e.seq FROM events e CROSS JOIN attempts a JOIN agents g ON g.id = a.agent_id"
        " WHERE e.chain = ? AND e.kind = 'gate_decision' AND a.id = json_extract(e.payload, '$.call')"
        " AND a.origin_db IS NULL AND e.actor != g.name ORDER BY a.id LIMIT 1",
        (chain,),
    ).fetchone()
    if row is None:
        return None
    return (
        f"call #{row[0]}: its agent differs from its gate_decision event (seq {row[1]})"
        " (the call was altered)"
    )


def _their_chains(connection: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in connection.execute("SELECT DISTINCT chain FROM events ORDER BY chain")]


def _our_hashes(ours: RowSource, label: str, first: int, last: int) -> dict[int, str]:
    rows = ours.execute(
        "SELECT seq, hash FROM events WHERE chain = ? AND seq BETWEEN ? AND ?", (label, first, last)
    )
    return {int(seq): str(hash_) for seq, hash_ in rows}


# (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash) as stored
EventRow = tuple[str, int, str, str, str, str, str, str]


def _rows(theirs: sqlite3.Connection, chain: str) -> list[EventRow]:
    cursor = theirs.execute(f"SELECT {_COLUMNS} FROM events WHERE chain = ? ORDER BY seq", (chain,))
    return [
        (str(c), int(q), str(k), str(o), str(a), str(p), str(ph), str(h))
        for c, q, k, o, a, p, ph, h in cursor
    ]


def merge_history(ours: RowSource, theirs: sqlite3.Connection, name: str, fork_tag: str, at: datetime) -> int:
    """Copy what we lack of their history (verified by `prove_their_calls` before), verify the chains it
    went to: events added."""
    labels: set[str] = set()
    added = copy_events(ours, theirs, fork_tag, labels)
    if labels:
        result = verify_full(ours, only=sorted(labels))
        if not result.intact:
            raise HistoryMergeError(f"{name}: its history does not join ours ({result.problem})")
        save_checkpoints(ours, result.heads, at)
    return added


def refuse_our_chain_grown_elsewhere(ours: RowSource, theirs: sqlite3.Connection, name: str) -> None:
    """Only this database writes its own chain: another database's events under our label that we
    do not hold (added, or differing from ours) are forged with our chain id, so the merge is refused.

    A copy of this database (same database id) is not refused here: its diverging events are a fork.
    """
    own = chain_id_of(ours)
    if chain_id_of(theirs) == own:
        return
    rows = _rows(theirs, own)
    if not rows:
        return
    held = _our_hashes(ours, own, rows[0][1], rows[-1][1])
    foreign = next((row for row in rows if held.get(row[1]) != row[7]), None)
    if foreign is not None:
        raise HistoryMergeError(
            f"{name}: it holds an event of this database's own history (chain {own}, seq {foreign[1]})"
            " that this database does not: not merged (another database cannot write our history)"
        )


def copy_events(ours: RowSource, theirs: sqlite3.Connection, fork_tag: str, labels: set[str]) -> int:
    """Copy every event of `theirs` that `ours` lacks (the labels written to go in `labels`): how many."""
    added = 0
    tag = clean_field(fork_tag).replace(FORK, "-") or "copy"
    for chain in _their_chains(theirs):
        rows = _rows(theirs, chain)
        label = chain
        for attempt in range(_MAX_FORKS):
            if not rows:
                break
            held = _our_hashes(ours, label, rows[0][1], rows[-1][1])
            # The first of their events we hold differently: from there on, their events are a fork.
            diverged = next(
                (i for i, row in enumerate(rows) if held.get(row[1], row[7]) != row[7]), len(rows)
            )
            new = [row for row in rows[:diverged] if row[1] not in held]
            if new:
                labels.add(label)
                added += _insert(ours, label, new)
            rows = rows[diverged:]
            label = f"{chain}{FORK}{tag}" if attempt == 0 else f"{chain}{FORK}{tag}-{attempt + 1}"
        if rows:
            raise HistoryMergeError(f"too many diverging copies of history chain {chain}")
    return added


def _insert(ours: RowSource, label: str, rows: list[EventRow]) -> int:
    ours.executemany(
        f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(label, *row[1:]) for row in rows],
    )
    return len(rows)
