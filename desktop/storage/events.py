"""Appending to the tamper-evident history: one function every service calls, in its own transaction.

`append_event(session, kind, payload)` adds the next event of this database's chain inside the
caller's unit of work, so the event and the change it records commit (or roll back) together.

Why the head is read, not kept in memory: the chain head lives in the database, under the write
lock the transaction already holds (the session is flushed first), so two processes on one file
(the window and a `dialdesk` command) never fork the chain, and a rolled-back transaction never
leaves a stale head behind. That read is one lookup on the unique index (chain, seq) through the
raw sqlite3 connection, a few microseconds; what is cached, per engine, is the chain id (the
database id, which never changes). benchmarks/event_append.py measures the whole append.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction

from desktop.domain.event_chain import GENESIS, canonical_json, clean_field, event_hash, event_time
from desktop.storage.chain_connection import ChainConnection
from desktop.storage.models import Agent, Setting, utcnow

_CHAIN_IDS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
_AGENT_NAMES: weakref.WeakKeyDictionary[Engine, dict[int, str]] = weakref.WeakKeyDictionary()
_INSERT = (
    "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
HEAD = "SELECT seq, hash FROM events WHERE chain = ? ORDER BY seq DESC LIMIT 1"


def raw_connection(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under the session's transaction (begun if need be)."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def chain_id_of(connection: ChainConnection) -> str:
    """This database's chain: its database id (setting `database_id`, made by migration 0005)."""
    row = connection.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
    text = str(row[0]).strip('"') if row is not None else ""
    return clean_field(text) or "local"


def chain_id(session: Session) -> str:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    cached = _CHAIN_IDS.get(engine)
    if cached is None:
        cached = _CHAIN_IDS[engine] = chain_id_of(raw_connection(session))
    return cached


def actor_name(session: Session, agent_id: int | None) -> str:
    """An agent's name as an event's actor; names of agents never change, so they are cached per engine."""
    if agent_id is None:
        return ""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    names = _AGENT_NAMES.setdefault(engine, {})
    name = names.get(agent_id)
    if name is None:
        agent = session.get(Agent, agent_id)
        name = agent.name if agent is not None else f"agent #{agent_id}"
        names[agent_id] = name
    return name


def forget_database(engine: Engine) -> None:
    """The database under `engine` was replaced (a restored backup): its chain may have another name
    (a backup of another database) and its agent ids other agents."""
    _CHAIN_IDS.pop(engine, None)
    _AGENT_NAMES.pop(engine, None)


def local_agent(session: Session) -> str:
    """This database's agent name (setting `agent_name`), the actor of events no call names."""
    row = session.get(Setting, "agent_name")
    if row is None:
        return ""
    try:
        value = json.loads(row.value)
    except json.JSONDecodeError:
        return ""
    return value if isinstance(value, str) else ""


def append_event(
    session: Session,
    kind: str,
    payload: Mapping[str, Any],
    at: datetime | None = None,
    actor: str = "",
) -> tuple[int, str]:
    """Add the next event of this database's chain to the session's transaction: (seq, hash)."""
    body = canonical_json(payload)  # first: a payload that cannot be written fails before anything
    session.flush()  # the ORM's pending writes first: they take the write lock the head read relies on
    if session.get_bind().dialect.name != "sqlite":
        return _append_portable(session, kind, body, at, actor)
    chain = chain_id(session)
    connection = raw_connection(session)
    head = connection.execute(HEAD, (chain,)).fetchone()
    seq, prev = (int(head[0]) + 1, str(head[1])) if head is not None else (1, GENESIS)
    occurred_at = event_time(at if at is not None else utcnow())
    kind, actor = clean_field(kind), clean_field(actor)
    digest = event_hash(prev, chain, seq, kind, occurred_at, actor, body)
    connection.execute(_INSERT, (chain, seq, kind, occurred_at, actor, body, prev, digest))
    return seq, digest


# The PostgreSQL advisory lock that serialises appends to the chain ("DDCH" in ASCII).
EVENT_CHAIN_LOCK = 0x44444348


# Events waiting in a server session for its commit (session.info key).
_PENDING = "dialdesk_pending_events"


def _append_portable(
    session: Session, kind: str, body: str, at: datetime | None, actor: str
) -> tuple[int, str]:
    """The append on a server database (PostgreSQL), through SQLAlchemy: the event waits in the session
    and is chained when the transaction commits (`_chain_pending`). Agents append at once on a server
    and the chain takes one at a time: its lock is then held for the few inserts before the commit,
    not through the rest of the caller's transaction (a dial's gate, an outcome's cadence), which
    made every agent's record wait for every other's. Its (seq, hash) are given then: (0, "") here."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        if not event.contains(session, "before_commit", _chain_pending):
            event.listen(session, "before_commit", _chain_pending)
            event.listen(session, "after_transaction_end", _forget_pending)
    occurred_at = event_time(at if at is not None else utcnow())
    pending.append((clean_field(kind), occurred_at, clean_field(actor), body))
    return 0, ""


def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without its commit (rolled back, closed) leaves no event behind."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _chain_pending(session: Session) -> None:
    """Chain the session's waiting events, in the order they were appended, just before the commit."""
    from sqlalchemy import Table, insert, select, text

    from desktop.storage.models import ChainEvent

    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    # The chain's name is read at every commit (a server's database can be replaced under running
    # agents, by pg_restore), before the lock every agent's commit waits for: it is the database's own
    # id, never changed by an agent.
    stored = session.get(Setting, "database_id")
    chain = clean_field(json.loads(stored.value) if stored is not None else "") or "local"
    # One append at a time per database, or two would take one seq; released by the commit.
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_CHAIN_LOCK})
    head = session.execute(
        select(ChainEvent.seq, ChainEvent.hash)
        .where(ChainEvent.chain == chain)
        .order_by(ChainEvent.seq.desc())
        .limit(1)  # the head: one entry of the index (chain, seq), not every event of the chain sorted
    ).first()
    seq, prev = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)
    rows: list[dict[str, Any]] = []
    for kind, occurred_at, actor, body in pending:
        seq += 1
        digest = event_hash(prev, chain, seq, kind, occurred_at, actor, body)
        rows.append(
            {
                "chain": chain,
                "seq": seq,
                "kind": kind,
                "occurred_at": occurred_at,
                "actor": actor,
                "payload": body,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    # Plain rows in one statement, not ORM objects flushed: done under the chain's lock, which every
    # agent's commit waits for, and nothing reads these rows back in this transaction.
    session.execute(insert(cast(Table, ChainEvent.__table__)), rows)
