"""The rows a seal covers, hashed block by block, and the seal payload read back (history_seal.py).

Each covered row is rendered by SQLite as one JSON array of its id and the columns that matter (see
TABLES), in C: a real is written as `real:` and its 17 significant digits (one text per float on every
SQLite version), a blob as `blob:` and its hex (JSON has no blob), so a value's type is part of the
text. Rows are grouped in blocks of BLOCK ids (`id // BLOCK`); a block's state is its row count, the
sum of its ids, the SHA-256 of its rows' texts, each followed by a newline, in id order, and two sums
modulo the prime PRIME of each row's own hash h (its SHA-256 read as a number, mod PRIME): Σh and
Σid·h. The count and the id sum name the row of a block that lost or gained exactly one; when one row
was altered, Σh changes by h'−h and Σid·h by id·(h'−h), so their quotient names its id (two numbers
per block, where a hash per row would be millions).

A seal payload read back from the history is checked field by field before use: whatever it holds
(garbage JSON, a blob, counts or ids out of range), verify answers with one line, never a crash or a
loop over a number it was given.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from desktop.storage.chain_connection import ChainConnection

BLOCK = 1000
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()
_MAX_ID = 2**63 - 1
_MAX_BLOCK = _MAX_ID // BLOCK
PRIME = 2**127 - 1  # a Mersenne prime: every nonzero difference has an inverse


@dataclass(frozen=True)
class TableSpec:
    """One sealed table: where its covered rows are, the columns hashed, and how a row is named."""

    table: str
    where: str
    columns: tuple[str, ...]
    noun: str
    id_word: str

    @property
    def max_sql(self) -> str:
        return f"SELECT max(id) FROM {self.table} WHERE {self.where}"


def _value(column: str) -> str:
    return (
        f"CASE typeof({column}) WHEN 'real' THEN 'real:' || printf('%.17g', {column})"
        f" WHEN 'blob' THEN 'blob:' || hex({column}) ELSE {column} END"
    )


# The columns that make each record what it is. Left out: what Dialdesk itself changes later on
# purpose (a do-not-call entry's lead is cleared when the lead goes), so the seal holds only facts.
TABLES = {
    "calls": TableSpec(
        "attempts",
        "1",
        (
            "number",
            "allowed",
            "started_at",
            "ended_at",
            "duration_s",
            "outcome",
            "note",
            "backend",
            "reasons",
            "lead_id",
            "phone_id",
            "agent_id",
            "corrects_id",
            "origin_db",
            "origin_id",
        ),
        "a call",
        "call id",
    ),
    "dnc": TableSpec(
        "dnc_entries",
        "source = 'internal'",
        ("number", "source", "reason", "agent_id", "added_at", "as_of"),
        "an internal do-not-call entry",
        "do-not-call entry id",
    ),
    "consents": TableSpec(
        "consents", "1", ("lead_id", "kind", "given_on", "evidence"), "a consent", "consent id"
    ),
}


@dataclass(frozen=True)
class BlockState:
    """A block of covered rows: how many, the sum of their ids, the SHA-256 of their texts."""

    count: int = 0
    id_sum: int = 0
    digest: str = EMPTY_DIGEST
    hash_sum: int = 0  # Σh mod PRIME
    weighted_sum: int = 0  # Σid·h mod PRIME

    def as_list(self) -> list[Any]:
        return [self.count, self.id_sum, self.digest, self.hash_sum, self.weighted_sum]


@dataclass
class TableSeal:
    """What the seal (and the reseals after it) say of one table."""

    max_id: int = 0
    blocks: dict[int, BlockState] = field(default_factory=dict)

    def count(self) -> int:
        return sum(state.count for state in self.blocks.values())


@dataclass
class SealState:
    tables: dict[str, TableSeal]
    seq: int


def _rows_sql(name: str) -> str:
    spec = TABLES[name]
    values = ", ".join(_value(column) for column in spec.columns)
    return f"SELECT id, json_array(id, {values}) FROM {spec.table} WHERE {spec.where} AND id <= ?"


def block_states(
    connection: ChainConnection,
    name: str,
    max_id: int,
    only: list[int] | None,
    leave_out: frozenset[int] = frozenset(),
) -> dict[int, BlockState]:
    """The state of each block of `name`'s rows with id <= max_id (of the blocks `only`, if given)."""
    sql = _rows_sql(name)
    ranges: list[tuple[Any, ...]]
    if only is None:
        ranges = [(max_id,)]
    else:
        sql += " AND id BETWEEN ? AND ?"
        ranges = [(max_id, block * BLOCK, block * BLOCK + BLOCK - 1) for block in only]
    sql += " ORDER BY id"
    states: dict[int, BlockState] = {}
    sha256 = hashlib.sha256
    for params in ranges:
        current, count, id_sum, digest, sum_h, sum_idh = None, 0, 0, sha256(), 0, 0
        for row_id, text in connection.execute(sql, params):
            if row_id in leave_out:
                continue
            block = int(row_id) // BLOCK
            if block != current:
                if current is not None:
                    states[current] = BlockState(count, id_sum, digest.hexdigest(), sum_h, sum_idh)
                current, count, id_sum, digest, sum_h, sum_idh = block, 0, 0, sha256(), 0, 0
            line = str(text).encode()
            row_hash = int.from_bytes(sha256(line).digest()) % PRIME
            count += 1
            id_sum += int(row_id)
            sum_h = (sum_h + row_hash) % PRIME
            sum_idh = (sum_idh + int(row_id) * row_hash) % PRIME
            digest.update(line + b"\n")
        if current is not None:
            states[current] = BlockState(count, id_sum, digest.hexdigest(), sum_h, sum_idh)
    return states


def overall_digest(blocks: dict[int, BlockState]) -> str:
    """One SHA-256 over every block in order: the covered rows in id order, in one digest."""
    digest = hashlib.sha256()
    for block, state in sorted(blocks.items()):
        digest.update(
            f"{block}:{state.count}:{state.id_sum}:{state.digest}:{state.hash_sum}:{state.weighted_sum}\n".encode()
        )
    return digest.hexdigest()


class _Unreadable(Exception):
    """A seal payload Dialdesk never writes."""


def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Unreadable
    return value


def _blocks(value: Any, max_id: int) -> dict[int, BlockState]:
    if not isinstance(value, dict):
        raise _Unreadable
    blocks: dict[int, BlockState] = {}
    for key, state in value.items():
        if not isinstance(key, str) or not key.lstrip("-").isdigit() or len(key) > 20:
            raise _Unreadable
        block = _int(int(key), -_MAX_BLOCK, max(0, max_id) // BLOCK)
        if not isinstance(state, list) or len(state) != 5:
            raise _Unreadable
        count = _int(state[0], 0, BLOCK)
        id_sum = _int(state[1], -_MAX_ID * BLOCK, _MAX_ID * BLOCK)
        digest = state[2]
        if not isinstance(digest, str) or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise _Unreadable
        blocks[block] = BlockState(
            count, id_sum, digest, _int(state[3], 0, PRIME - 1), _int(state[4], 0, PRIME - 1)
        )
    return blocks


def _read(payload: Any) -> Any:
    if not isinstance(payload, str):
        raise _Unreadable
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise _Unreadable from error


def parse_seal(rows: list[tuple[int, str, Any]]) -> SealState | str:
    """The seal (rows: seq, kind, payload of the seal and reseal events in seq order), or a problem."""
    seq, kind, payload = rows[0]
    where = f"event seq {seq} ({kind})"
    if kind != "history_sealed":
        return f"{where}: a reseal without a seal before it (the history was altered)"
    try:
        data = _read(payload)
        if (
            not isinstance(data, dict)
            or data.get("block") != BLOCK
            or not isinstance(data.get("tables"), dict)
        ):
            raise _Unreadable
        tables: dict[str, TableSeal] = {}
        for name in TABLES:
            table = data["tables"].get(name)
            if not isinstance(table, dict):
                raise _Unreadable
            max_id = _int(table.get("max_id"), 0, _MAX_ID)
            blocks = _blocks(table.get("blocks"), max_id)
            sealed = TableSeal(max_id, blocks)
            if _int(table.get("count"), 0, _MAX_ID) != sealed.count() or table.get(
                "sha256"
            ) != overall_digest(blocks):
                raise _Unreadable
            tables[name] = sealed
    except _Unreadable:
        return f"{where}: its payload is not a seal Dialdesk writes (the seal was forged or altered)"
    state = SealState(tables, seq)
    for seq, kind, payload in rows[1:]:
        where = f"event seq {seq} ({kind})"
        if kind == "history_sealed":
            return f"{where}: a second seal (Dialdesk writes one; the history was altered)"
        try:
            data = _read(payload)
            if not isinstance(data, dict) or data.get("table") not in TABLES:
                raise _Unreadable
            table_seal = state.tables[str(data["table"])]
            for block, block_state in _blocks(data.get("blocks"), table_seal.max_id).items():
                if block_state.count:
                    table_seal.blocks[block] = block_state
                else:
                    table_seal.blocks.pop(block, None)
        except _Unreadable:
            return f"{where}: its payload is not a reseal Dialdesk writes (forged or altered)"
    return state


def _recorded_calls(connection: ChainConnection, chain: str, low: int, high: int) -> frozenset[int]:
    """Calls with ids in [low, high] that an event of this chain records (compared with it instead)."""
    rows = connection.execute(
        "SELECT call FROM (SELECT CASE WHEN json_valid(payload) THEN json_extract(payload,"
        " CASE kind WHEN 'outcome_undone' THEN '$.correction' ELSE '$.call' END) END AS call"
        " FROM events WHERE chain = ? AND kind IN ('gate_decision', 'outcome_undone'))"
        " WHERE typeof(call) = 'integer' AND call BETWEEN ? AND ?",
        (chain, low, high),
    )
    return frozenset(int(row[0]) for row in rows)


def _payloads_since(connection: ChainConnection, chain: str, after: int, kinds: tuple[str, ...]) -> list[Any]:
    marks = ", ".join("?" for _ in kinds)
    rows = connection.execute(
        f"SELECT kind, payload FROM events WHERE kind IN ({marks}) AND +chain = ? AND seq > ? ORDER BY +seq",
        (*kinds, chain, after),
    )
    found: list[Any] = []
    for kind, payload in rows:
        try:
            data = json.loads(payload) if isinstance(payload, str) else None
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            found.append((str(kind), data))
    return found


def _dnc_added_since(
    connection: ChainConnection, chain: str, after: int, low: int, high: int
) -> frozenset[int]:
    """Internal entries with ids in [low, high] whose number an event since the seal put on the list
    (and none took off): made since, given an id a removal freed (SQLite reuses the highest)."""
    listed: dict[str, bool] = {}
    for kind, data in _payloads_since(connection, chain, after, ("dnc_add", "dnc_remove", "outcome")):
        numbers = data.get("dnc_added") if kind == "outcome" else data.get("numbers") or [data.get("number")]
        for number in numbers if isinstance(numbers, list) else []:
            if isinstance(number, str):
                listed[number] = kind != "dnc_remove"
    added = json.dumps(sorted(number for number, on in listed.items() if on))
    rows = connection.execute(
        "SELECT id FROM dnc_entries WHERE source = 'internal' AND id BETWEEN ? AND ?"
        " AND number IN (SELECT value FROM json_each(?))",
        (low, high, added),
    )
    return frozenset(int(row[0]) for row in rows)


def _consents_added_since(
    connection: ChainConnection, chain: str, after: int, low: int, high: int
) -> frozenset[int]:
    """Consents with ids in [low, high] that consent_add events since the seal account for (as many
    per lead, kind and day as those events less the removals; the newest ids first)."""
    owed: dict[tuple[Any, ...], int] = {}
    for kind, data in _payloads_since(connection, chain, after, ("consent_add", "consent_remove")):
        key = (data.get("lead_id"), data.get("kind"), str(data.get("given_on"))[:10])
        owed[key] = owed.get(key, 0) + (1 if kind == "consent_add" else -1)
    left_out: set[int] = set()
    for row_id, lead, kind, given_on in connection.execute(
        "SELECT id, lead_id, kind, given_on FROM consents WHERE id BETWEEN ? AND ? ORDER BY id DESC",
        (low, high),
    ):
        key = (lead, kind, str(given_on)[:10])
        if owed.get(key, 0) > 0:
            owed[key] -= 1
            left_out.add(int(row_id))
    return frozenset(left_out)


def settled_state(
    connection: ChainConnection, name: str, block: int, max_id: int, chain: str, seal_seq: int
) -> BlockState:
    """A block as the seal covers it: without the records an event made since records (a call, entry or
    consent made after the seal and given an id its range holds, once a removal freed the highest:
    compared with its events, not with the seal)."""
    low, high = block * BLOCK, block * BLOCK + BLOCK - 1
    if name == "calls":
        recorded = _recorded_calls(connection, chain, low, high)
    elif name == "dnc":
        recorded = _dnc_added_since(connection, chain, seal_seq, low, high)
    else:
        recorded = _consents_added_since(connection, chain, seal_seq, low, high)
    return block_states(connection, name, max_id, [block], recorded).get(block, BlockState())


def _present(connection: ChainConnection, name: str, row_id: int) -> bool:
    spec = TABLES[name]
    sql = f"SELECT 1 FROM {spec.table} WHERE {spec.where} AND id = ?"
    return connection.execute(sql, (row_id,)).fetchone() is not None


def describe_block_problem(
    connection: ChainConnection | sqlite3.Connection, name: str, block: int, then: BlockState, now: BlockState
) -> str:
    """The verify line for a sealed block that differs: the class of change, and the row when known."""
    spec = TABLES[name]
    low, high = block * BLOCK, block * BLOCK + BLOCK - 1
    start = f"{spec.noun} made before the history"
    if now.count == then.count - 1:
        lost = then.id_sum - now.id_sum
        if low <= lost <= high and not _present(connection, name, lost):
            return f"{start} was deleted ({spec.id_word} {lost})"
    if now.count == then.count + 1:
        added = now.id_sum - then.id_sum
        if low <= added <= high and _present(connection, name, added):
            return f"{start} was inserted ({spec.id_word} {added})"
    where = f"{spec.id_word}s {max(low, 0)} to {high}"
    if now.count == then.count and now.id_sum == then.id_sum:
        changed = (now.hash_sum - then.hash_sum) % PRIME
        if changed:
            row_id = (now.weighted_sum - then.weighted_sum) * pow(changed, -1, PRIME) % PRIME
            if low <= row_id <= high and _present(connection, name, row_id):
                return f"{start} was altered ({spec.id_word} {row_id})"
        return f"{start} was altered (one of {where}: the seal's digest of them differs)"
    what = "deleted" if now.count < then.count else "inserted" if now.count > then.count else "replaced"
    return f"{start} was {what} ({where}: {then.count} sealed, {now.count} there now)"
