"""The seal of the records made before the history began: calls, internal do-not-call entries, consents.

A database upgraded from before migration 0013 holds records no event recorded. The first time it is
opened writable after the upgrade, `seal_if_needed` appends one `history_sealed` event whose payload
holds, per table, the rows it covers (every call numbered below the first call an event records; every
internal do-not-call entry and every consent there was then): their count, highest id, and per block of
BLOCK ids the count, the sum of the ids and the SHA-256 of the canonical rows in id order (SQLite
renders each row as one JSON array, history_seal_rows.py). Its `sha256` is the SHA-256 over the block
lines, in block order: the rows in id order, in one digest.

The event sits in the hash chain, so the seal itself cannot change unnoticed. `audit verify` (full)
recomputes every block over the rows still there with an id at most the sealed highest id (for calls,
leaving out any call an event records) and names the first block that differs: a count one lower or
higher with an id sum that names the row says "deleted"/"inserted (call id N)"; otherwise "altered"
with the block's id range. Dialdesk's own removals of sealed rows (a purge past retention, a
do-not-call number or consent removed) append a `history_resealed` event with the blocks as they are
after the removal, in the same transaction, so the seal follows them.

A fresh database (created with its history) has nothing older to seal and gets no seal event: every
record of it is compared with its events. Without a seal (a database only ever opened read-only since
its upgrade), verify says how many older records it does not cover.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from desktop.services.history_seal_rows import (
    BLOCK,
    TABLES,
    BlockState,
    block_states,
    describe_block_problem,
    overall_digest,
    parse_seal,
    settled_state,
)
from desktop.storage.chain_connection import ChainConnection
from desktop.storage.events import append_event, chain_id_of, raw_connection

log = logging.getLogger(__name__)

SEALED = "history_sealed"
RESEALED = "history_resealed"


def _seal_rows(connection: ChainConnection) -> list[tuple[int, str, Any]]:
    rows = connection.execute(
        # By the kind index (`+chain`: not along the chain's million events); a few rows, sorted after.
        "SELECT seq, kind, payload FROM events WHERE kind IN (?, ?) AND +chain = ? ORDER BY +seq",
        (SEALED, RESEALED, chain_id_of(connection)),
    ).fetchall()
    return [(int(seq), str(kind), payload) for seq, kind, payload in rows]


def has_seal(connection: ChainConnection) -> bool:
    """Whether this database's chain holds a seal (one lookup on the kind index)."""
    row = connection.execute(
        "SELECT 1 FROM events WHERE kind = ? AND chain = ? LIMIT 1", (SEALED, chain_id_of(connection))
    ).fetchone()
    return row is not None


def _first_recorded_call(connection: ChainConnection) -> int | None:
    """The call id the first gate_decision event of this database's chain names (None: none): calls are
    numbered in the order they are made, so every call below it is older than the history."""
    # Along the chain in seq order (`+kind`: not by the kind index, then sorted) to its first
    # gate_decision: a few steps, not a pass over every call's event. Not by time: a clock set back
    # makes a later call look earlier.
    row = connection.execute(
        "SELECT CASE WHEN json_valid(payload) THEN json_extract(payload, '$.call') END FROM events"
        " WHERE chain = ? AND +kind = 'gate_decision' ORDER BY seq LIMIT 1",
        (chain_id_of(connection),),
    ).fetchone()
    value = row[0] if row is not None else None
    return value if isinstance(value, int) else None


def _history_began(connection: ChainConnection) -> str | None:
    row = connection.execute(
        "SELECT occurred_at FROM events WHERE chain = ? ORDER BY seq LIMIT 1", (chain_id_of(connection),)
    ).fetchone()
    return str(row[0]) if row is not None else None


def older_records(connection: ChainConnection) -> dict[str, int]:
    """Per table, how many records look older than the history (cheap: read at every writable open
    of an unsealed database). Calls: numbered below the first call an event records (all, without
    one); do-not-call entries added, and consents of leads created, before the first event."""
    first = _first_recorded_call(connection) if _has_rows(connection, "attempts") else None
    calls_sql = "SELECT count(*) FROM attempts" + (" WHERE id < ?" if first is not None else "")
    calls = connection.execute(calls_sql, (first,) if first is not None else ()).fetchone()[0]
    began = _history_began(connection)
    if began is None:
        dnc = connection.execute("SELECT count(*) FROM dnc_entries WHERE source = 'internal'").fetchone()[0]
        consents = connection.execute("SELECT count(*) FROM consents").fetchone()[0]
    else:
        # Stored times have a space for the T and no zone: compared by their first 19 characters.
        dnc = connection.execute(
            "SELECT count(*) FROM dnc_entries WHERE source = 'internal'"
            " AND replace(substr(added_at, 1, 19), ' ', 'T') < substr(?, 1, 19)",
            (began,),
        ).fetchone()[0]
        consents = connection.execute(
            "SELECT count(*) FROM consents c JOIN leads l ON l.id = c.lead_id"
            " WHERE replace(substr(l.created_at, 1, 19), ' ', 'T') < substr(?, 1, 19)",
            (began,),
        ).fetchone()[0]
    return {"calls": int(calls), "dnc": int(dnc), "consents": int(consents)}


def _has_rows(connection: ChainConnection, table: str) -> bool:
    return connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


def seal_payload(connection: sqlite3.Connection) -> dict[str, Any]:
    """The seal of the records there are now (see the module text for what each table covers)."""
    first = _first_recorded_call(connection)
    limits = {
        "calls": (first - 1) if first is not None else None,
        "dnc": None,
        "consents": None,
    }
    tables: dict[str, Any] = {}
    for name in TABLES:
        limit = limits[name]
        high_sql = TABLES[name].max_sql + (" AND id <= ?" if limit is not None else "")
        high = connection.execute(high_sql, (limit,) if limit is not None else ()).fetchone()[0]
        max_id = int(high) if isinstance(high, int) else 0
        blocks = block_states(connection, name, max_id, None) if max_id > 0 else {}
        tables[name] = {
            "count": sum(state.count for state in blocks.values()),
            "max_id": max_id,
            "sha256": overall_digest(blocks),
            "blocks": {str(block): state.as_list() for block, state in sorted(blocks.items())},
        }
    return {"version": 1, "block": BLOCK, "tables": tables}


def seal_if_needed(session: Session, at: Any) -> bool:
    """Append the seal if this database has records older than its history and no seal yet."""
    if session.get_bind().dialect.name != "sqlite":
        return False  # a server database is made by this version, with its history from the start
    connection = raw_connection(session)
    if has_seal(connection) or not any(older_records(connection).values()):
        return False
    # Take the write lock before looking again: two processes opening at once write one seal.
    session.execute(_noop_write())
    if has_seal(connection):
        return False
    payload = seal_payload(connection)
    append_event(session, SEALED, payload, at)
    log.info(
        "sealed the records older than the history: %s",
        {name: table["count"] for name, table in payload["tables"].items()},
    )
    return True


def _noop_write() -> Any:
    from sqlalchemy import text

    # A write that changes nothing takes SQLite's write lock for the transaction.
    return text("DELETE FROM event_checkpoints WHERE 0")


def reseal(session: Session, table: str, removed_ids: Iterable[int], at: Any) -> None:
    """After Dialdesk removed rows of `table` (in this transaction): record the sealed blocks as they
    are now, so the seal follows a legitimate removal. Nothing when no removed id is sealed."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = raw_connection(session)
    seal = current_seal(connection)
    if seal is None or isinstance(seal, str):
        return
    max_id = seal.tables[table].max_id
    touched = sorted({int(call) // BLOCK for call in removed_ids if 0 < int(call) <= max_id})
    if not touched:
        return
    states = block_states(connection, table, max_id, touched)
    blocks = {str(block): states.get(block, BlockState()).as_list() for block in touched}
    append_event(session, RESEALED, {"table": table, "blocks": blocks}, at)


def current_seal(connection: ChainConnection) -> Any:
    """The seal with every reseal applied (a SealState), a problem text, or None (no seal)."""
    rows = _seal_rows(connection)
    if not rows:
        return None
    return parse_seal(rows)


def seal_problem(connection: sqlite3.Connection) -> str | None:
    """The first sealed record that changed (audit verify, full): recomputed block by block."""
    seal = current_seal(connection)
    if seal is None:
        return None
    if isinstance(seal, str):
        return seal
    chain = chain_id_of(connection)
    for name in TABLES:
        sealed = seal.tables[name]
        if sealed.max_id <= 0:
            continue
        present = block_states(connection, name, sealed.max_id, None)
        for block in sorted(set(present) | set(sealed.blocks)):
            now = present.get(block, BlockState())
            then = sealed.blocks.get(block, BlockState())
            if now != then:
                now = settled_state(connection, name, block, sealed.max_id, chain, seal.seq)
            if now != then:
                return describe_block_problem(connection, name, block, then, now)
    return None


def sealed_max(connection: ChainConnection, table: str) -> int | None:
    """The highest id the seal covers in `table` (None: no readable seal)."""
    seal = current_seal(connection)
    if seal is None or isinstance(seal, str):
        return None
    return int(seal.tables[table].max_id)


def coverage_note(connection: sqlite3.Connection) -> str:
    """What verify says beside "intact" about the records older than the history."""
    seal = current_seal(connection)
    if seal is not None and not isinstance(seal, str):
        counts = {name: table.count() for name, table in seal.tables.items()}
        if not any(counts.values()):
            return ""
        return (
            f"the records made before the history are sealed: {counts['calls']:,} calls, "
            f"{counts['dnc']:,} do-not-call entries, {counts['consents']:,} consents"
        )
    older = older_records(connection)
    total = sum(older.values())
    if not total:
        return ""
    return (
        f"NOT COVERED: {total:,} older records ({older['calls']:,} calls, {older['dnc']:,} do-not-call "
        f"entries, {older['consents']:,} consents) were made before the history and are not sealed: "
        "open the database once where it can be written to seal them"
    )
