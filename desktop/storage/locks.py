"""Taking the database's write lock before a read-then-write that must not interleave.

A new script version reads the latest number and writes the next: two agents (threads, processes,
or team members on a server) doing it at once would both take the same number. SQLite begins its
write transaction lazily, at the first write, so the read runs unlocked; a no-op UPDATE takes the
write lock first. PostgreSQL takes a transaction-scoped advisory lock named by `key`; a dial's
decision there locks only its lead and numbers (`hold_dial_locks`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

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


# The two-key advisory locks of one dial's decision (PostgreSQL): a lead, a number. Two-key locks never
# collide with the one-key ones above.
LEAD_LOCK_CLASS = 0x4C454144  # "LEAD"
NUMBER_LOCK_CLASS = 0x4E554D42  # "NUMB"


def number_lock_key(e164: str) -> int:
    """A number's advisory lock key (a signed 32-bit hash: two numbers sharing one only wait)."""
    return zlib.crc32(e164.encode("ascii", "replace")) - 2**31


def hold_dial_locks(session: Session, key: int, lead_id: int | None, numbers: Iterable[str] | None) -> None:
    """Until the transaction ends, no other dial decision about this lead or these numbers passes.

    A dial's decision counts the calls to the lead and to its numbers and then records one more: two
    decisions at once must not both count the same calls. On SQLite, and for a dial whose numbers are
    not known beforehand (`numbers` None: a bare number typed in), the whole database's write lock, or
    the advisory lock `key` held exclusively, serialises every decision, as `hold_write_lock` does. On
    PostgreSQL a lead's dial holds `key` shared and a lock per lead and per number: agents calling
    different people decide at the same time instead of one after another."""
    if session.get_bind().dialect.name != "postgresql" or lead_id is None or numbers is None:
        hold_write_lock(session, "attempts", key)
        return
    keys = sorted({(LEAD_LOCK_CLASS, lead_id)} | {(NUMBER_LOCK_CLASS, number_lock_key(n)) for n in numbers})
    # One statement: the shared lock first, then the others in one order for every dial (no deadlock).
    calls = ", ".join(f"pg_advisory_xact_lock(:c{index}, :o{index})" for index in range(len(keys)))
    parameters: dict[str, int] = {"key": key}
    for index, (class_id, object_id) in enumerate(keys):
        parameters[f"c{index}"], parameters[f"o{index}"] = class_id, object_id
    session.execute(text(f"SELECT pg_advisory_xact_lock_shared(:key), {calls}"), parameters)
