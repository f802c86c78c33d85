"""Listening for the team database's change notifications (PostgreSQL `LISTEN dialdesk_team`).

Revision 0016a makes every statement that writes calls or leads send `NOTIFY dialdesk_team` (payload:
the table's name) when its transaction commits. A `ChangeListener` holds its own connection, in
autocommit so nothing it reads keeps a transaction open, LISTENing on that channel: the window watches
its socket (`fileno()`) with a QSocketNotifier and reads what arrived with `pending()`; the CLI
blocks in `wait()`. Nobody polls the database.
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

CHANNEL = "dialdesk_team"  # migrations/versions/0016a_team_notify.py sends on it


class NotificationsUnavailable(ValueError):
    """Change notifications need a PostgreSQL team database; the message is for the user."""


class ListenerLost(ConnectionError):
    """The listening connection broke (the server stopped or restarted); the message is for the user."""


def first_line(error: BaseException) -> str:
    """The first line of a driver's error message (its class name when it says nothing)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class ChangeListener:
    """A connection LISTENing for changes to calls and leads; close it when done."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise NotificationsUnavailable(
                "the live team view needs a PostgreSQL team database (--db postgresql+psycopg://…)"
            )
        try:
            connection = engine.connect()
        except DBAPIError as error:  # the server is down or restarting: a watcher tries again later
            raise ListenerLost(
                f"cannot reach the team database: {first_line(error.orig or error)}"
            ) from error
        self._connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            self._connection.exec_driver_sql(f"LISTEN {CHANNEL}")
        except DBAPIError as error:
            self._connection.invalidate()
            self._connection.close()
            raise ListenerLost(
                f"cannot reach the team database: {first_line(error.orig or error)}"
            ) from error
        driver: Any = self._connection.connection.driver_connection
        self._driver = driver
        self._lost = False

    def fileno(self) -> int:
        """The connection's socket: readable when a notification (or anything else) arrived."""
        return int(self._driver.fileno())

    def pending(self) -> list[str]:
        """The notifications that arrived, without waiting (their payloads: table names)."""
        return self.wait(0.0)

    def wait(self, timeout: float) -> list[str]:
        """Block until at least one notification arrives or `timeout` seconds pass; the payloads
        received (empty on timeout)."""
        import psycopg

        try:
            if timeout > 0:
                readable, _, _ = select.select([self.fileno()], [], [], timeout)
                if not readable:
                    return []
            # notifies() reads what the socket holds; with a zero timeout it returns once it is read.
            return [str(note.payload) for note in self._driver.notifies(timeout=0.0)]
        except (psycopg.Error, OSError) as error:
            self._lost = True
            raise ListenerLost(f"lost the connection to the team database: {first_line(error)}") from error

    def close(self) -> None:
        if self._lost and not self._connection.closed:
            # A broken connection cannot be rolled back and put back in the pool: it is dropped.
            self._connection.invalidate()
        self._connection.close()
