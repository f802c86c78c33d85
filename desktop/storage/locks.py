"""Taking the database's write lock before a read-then-write that must not interleave.

A new script version reads the latest number and writes the next: two agents (threads, processes,
or team members on a server) doing it at once would both take the same number. SQLite begins its
write transaction lazily, at the first write, so the read runs unlocked; a no-op UPDATE takes the
write lock first. PostgreSQL takes a transaction-scoped advisory lock named by `key`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def hold_write_lock(session: Session, table: str, key: int) -> None:
    """Until the session's transaction ends, no other writer passes this point (SQLite: no other
    writer at all). `table` is a table of ours the no-op UPDATE names; `key` the advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return
    # Touches no row (so no row trigger fires) but opens the write transaction and takes its lock.
    session.execute(text(f"UPDATE {table} SET id = id WHERE 0"))
