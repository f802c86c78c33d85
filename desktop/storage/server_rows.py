"""The history's rows on a team server for a merge: the session's PostgreSQL connection as sqlite3 answers
(storage/chain_connection.py), with the history's lock held until the merge's transaction ends.

Merging a colleague's history into a team database then runs the very code (and checks) that merging
into a file runs, inside the merge's one transaction.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.storage.chain_connection import ChainConnection, PortableConnection
from desktop.storage.events import EVENT_CHAIN_LOCK

# What the history's plain SQL runs on: a file's sqlite3 connection, or a team server's rows.
RowSource = ChainConnection


def history_rows(session: Session) -> PortableConnection:
    """The history's rows on the session's server connection, with the history's lock held until the
    transaction ends (two merges at once would copy the same events twice; an agent's append waits)."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_CHAIN_LOCK})
    return PortableConnection(session.connection().connection.driver_connection)
