"""The connection the history's plain SQL runs on: sqlite3 itself, or PostgreSQL's driver dressed as
sqlite3 (the few calls desktop/services/history_chain.py and merge_history.py make), so verifying,
anchoring, bundling and merging the history run the very same code on a file and on a team server.

Why not SQLAlchemy: verifying a million events is a tight loop over plain rows; the SQLite path keeps
its sqlite3 cursor (`text_factory = bytes`: rows hashed as read). On PostgreSQL the same statements
run through psycopg with `?` written `%s`, and with `text_factory = bytes` the text columns come back
encoded, so `ChainChecker` sees the same rows on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session


def _format(sql: str) -> str:
    """qmark parameters (`?`) as psycopg's (`%s`); a literal `%` doubled first."""
    return sql.replace("%", "%%").replace("?", "%s")


class PortableCursor:
    """A psycopg cursor read like a sqlite3 one (fetchone, fetchmany, fetchall, iteration)."""

    def __init__(self, cursor: Any, as_bytes: bool) -> None:
        self._cursor = cursor
        self._as_bytes = as_bytes

    def _row(self, row: Sequence[Any] | None) -> Any:
        if row is None or not self._as_bytes:
            return None if row is None else tuple(row)
        return tuple(value.encode() if isinstance(value, str) else value for value in row)

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Any:
        return self._row(self._cursor.fetchone())

    def fetchmany(self, size: int) -> list[Any]:
        return [self._row(row) for row in self._cursor.fetchmany(size)]

    def fetchall(self) -> list[Any]:
        return [self._row(row) for row in self._cursor.fetchall()]

    def __iter__(self) -> Iterator[Any]:
        while rows := self.fetchmany(1000):
            yield from rows


class PortableConnection:
    """A PostgreSQL (psycopg) connection with the sqlite3 calls verification makes."""

    def __init__(self, driver_connection: Any) -> None:
        self._connection = driver_connection
        self.text_factory: type = str

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> PortableCursor:
        cursor = self._connection.cursor()
        cursor.execute(_format(sql), tuple(parameters) or None)
        return PortableCursor(cursor, self.text_factory is bytes)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            self._connection.cursor().executemany(_format(sql), [tuple(row) for row in rows])


ChainConnection = sqlite3.Connection | PortableConnection


def chain_connection(session: Session) -> ChainConnection:
    """The connection under the session's transaction (begun if need be), as verification reads it."""
    connection = session.connection().connection.driver_connection
    if isinstance(connection, sqlite3.Connection):
        return connection
    return PortableConnection(connection)
