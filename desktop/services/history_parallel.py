"""The calls checked against their events on a second connection while the chain is walked.

Both halves of `audit verify` on a million events cost seconds: walking the chain (Python hashing rows)
and comparing the calls with their events (`calls_problem` below: mostly SQLite statements, which run
without holding Python's lock). On a second connection of its own the comparison runs beside the walk,
on the other core, while the first reads the do-not-call list and consents after the walk. It reads one
snapshot of its own (one read transaction), as it would after the walk on the first connection: a call
and its events are written in one transaction, so any snapshot has both or neither. Used only for the
live database file (HistoryService.verify), opened read-only.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

from desktop.services.history_carried import carried_problem
from desktop.services.history_ledgers import calls_columns_problem
from desktop.services.history_records import records_problem
from desktop.services.history_records_sql import suspects


def calls_problem(connection: sqlite3.Connection, chain: str) -> str | None:
    """The first call or merged call of this database that its history does not account for: SQLite
    clears the calls that surely agree once, the full rules (records, then other columns) check the rest."""
    found = suspects(connection, chain)
    return (
        records_problem(connection, chain, found)
        or carried_problem(connection)
        or calls_columns_problem(connection, chain, found[0])
    )


def database_file(connection: sqlite3.Connection) -> Path | None:
    """The file of the main database on `connection` (None: in memory or a temporary database)."""
    for _seq, name, file in connection.execute("PRAGMA database_list"):
        if name == "main":
            return Path(file) if file else None
    return None


class RecordsCheck:
    """`calls_problem` for `chain` on a read-only connection of `path`, in a thread started
    now."""

    def __init__(self, path: Path, chain: str) -> None:
        self._problem: str | None = None
        self._error: BaseException | None = None
        self._connection: sqlite3.Connection | None = None
        self._chain = chain
        self._unopened = False  # the file could not be opened a second time: compare on the first
        self._opened = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path, chain), name="verify-records", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, chain: str) -> None:
        try:
            try:
                connection = sqlite3.connect(
                    f"file:{quote(str(path))}?mode=ro", uri=True, isolation_level=None
                )
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # SQLite opens lazily
            except sqlite3.OperationalError:
                # A folder that cannot hold the `-shm` beside a WAL file (a read-only disk), say.
                self._unopened = True
                return
            self._connection = connection
            self._opened.set()
            try:
                # One read transaction: every statement of the comparison reads the same snapshot.
                connection.execute("BEGIN")
                self._problem = calls_problem(connection, chain)
            finally:
                connection.close()
        except BaseException as error:  # handed to the caller's thread by result()
            self._error = error
        finally:
            self._opened.set()

    def result(self, first: sqlite3.Connection) -> str | None:
        """The first record that disagrees with its events (None: they agree); waits for the thread.

        When the file could not be opened a second time, the comparison runs now on `first`.
        """
        self._thread.join()
        if self._unopened:
            return calls_problem(first, self._chain)
        if self._error is not None:
            raise self._error
        return self._problem

    def cancel(self) -> None:
        """Stop early (the walk already found a problem): interrupt the statement, wait for the thread."""
        self._opened.wait()
        if self._connection is not None and self._thread.is_alive():
            try:
                self._connection.interrupt()
            except sqlite3.ProgrammingError:
                pass  # closed meanwhile: the thread has finished
        self._thread.join()
