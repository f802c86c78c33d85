"""The history's plain-SQL reads and writes on a team server: a psycopg connection that answers like
sqlite3's.

The history chain is checked and merged by plain SQL (`services/history_chain.py`,
`services/merge_history.py`: qmark parameters, `fetchone`/`fetchmany`, `text_factory = bytes` for the
tight hashing loop). `ServerRows` gives the same calls on the PostgreSQL connection under a
session's transaction, so merging a colleague's history into a team database runs the very code
(and checks) that merging into a file runs, inside the merge's one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.storage.events import EVENT_CHAIN_LOCK


def _format(sql: str) -> str:
    """qmark parameters (`?`) as psycopg's (`%s`); a literal `%` doubled first."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Cursor:
    """A psycopg cursor whose text comes as UTF-8 bytes when the connection's `text_factory` is bytes."""

    def __init__(self, cursor: Any, as_bytes: bool) -> None:
        self._cursor = cursor
        self._as_bytes = as_bytes

    def _row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if not self._as_bytes:
            return tuple(row)
        return tuple(value.encode() if isinstance(value, str) else value for value in row)

    def fetchone(self) -> Any:  # Any, as sqlite3's: a tuple, or None after the last row
        row = self._cursor.fetchone()
        return None if row is None else self._row(row)

    def fetchmany(self, size: int) -> list[Any]:
        return [self._row(row) for row in self._cursor.fetchmany(size)]

    def fetchall(self) -> list[Any]:
        return [self._row(row) for row in self._cursor.fetchall()]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class ServerRows:
    """sqlite3-style `execute`/`executemany` on the driver connection of a PostgreSQL session."""

    def __init__(self, session: Session) -> None:
        self._connection: Any = session.connection().connection.driver_connection
        self.text_factory: Any = str

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Cursor:
        cursor = self._connection.cursor()
        cursor.execute(_format(sql), tuple(parameters) or None)
        return _Cursor(cursor, self.text_factory is bytes)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._connection.cursor().executemany(_format(sql), [tuple(row) for row in rows])


# What the history's plain SQL runs on: a file's sqlite3 connection, or a team server's rows.
RowSource = sqlite3.Connection | ServerRows


def history_rows(session: Session) -> ServerRows:
    """The history's rows on the session's server connection, with the history's lock held until the
    transaction ends (two merges at once would copy the same events twice; an agent's append waits)."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_CHAIN_LOCK})
    return ServerRows(session)
