"""SQLite database files as files: consistent copies through the online backup API, integrity checks,
the schema revision a file carries, and which SQLite failure an exception stands for.

Plain `sqlite3`, not SQLAlchemy: these work on files that may not open as a Dialdesk database at all
(a damaged file, a backup from another version), and a copy must never go through the ORM.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

SQLITE_MAGIC = b"SQLite format 3\x00"

# Primary result codes (https://www.sqlite.org/rescode.html); extended codes carry them in the low byte.
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

# What a failure is, for the message the user gets (see desktop.services.backup.database_problem).
BUSY = "busy"
READONLY = "readonly"
FULL = "full"
CORRUPT = "corrupt"
CANTOPEN = "cantopen"
IOERR = "ioerr"

_KIND_BY_CODE = {
    SQLITE_BUSY: BUSY,
    SQLITE_LOCKED: BUSY,
    SQLITE_READONLY: READONLY,
    SQLITE_PERM: READONLY,
    SQLITE_FULL: FULL,
    SQLITE_CORRUPT: CORRUPT,
    SQLITE_NOTADB: CORRUPT,
    SQLITE_CANTOPEN: CANTOPEN,
    SQLITE_IOERR: IOERR,
}
# Older SQLite builds (or wrapped errors) may lose the code; the message text still tells.
_KIND_BY_TEXT = (
    ("database is locked", BUSY),
    ("database table is locked", BUSY),
    ("readonly database", READONLY),
    ("database or disk is full", FULL),
    ("file is not a database", CORRUPT),
    ("database disk image is malformed", CORRUPT),
    ("unable to open database file", CANTOPEN),
    ("disk i/o error", IOERR),
)
_BUSY_TIMEOUT_S = 5.0


class CopyBusy(sqlite3.OperationalError):
    """The target stayed locked by another connection for the whole busy timeout."""

    sqlite_errorcode = SQLITE_BUSY


def failure_kind(error: BaseException) -> tuple[str, str] | None:
    """(kind, SQLite's own words) for an SQLite failure anywhere in `error`'s chain; None otherwise.

    Looks through SQLAlchemy's wrappers (`.orig`) and `__cause__`/`__context__`, so the caller may
    hand in whatever reached it.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            text = str(current)
            if isinstance(code, int) and (code & 0xFF) in _KIND_BY_CODE:
                return _KIND_BY_CODE[code & 0xFF], text
            lowered = text.lower()
            for marker, kind in _KIND_BY_TEXT:
                if marker in lowered:
                    return kind, text
        pending.extend((getattr(current, "orig", None), current.__cause__, current.__context__))
    return None


def has_sqlite_header(path: Path) -> bool:
    """True when the file starts with SQLite's magic string (it may still be damaged further in)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


@contextmanager
def open_existing(path: Path, timeout_s: float = _BUSY_TIMEOUT_S) -> Iterator[sqlite3.Connection]:
    """A connection to an existing file (never creates one); read-only when the file cannot be written."""
    connection = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=timeout_s, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def create_private(path: Path) -> None:
    """An empty file only its owner can read, replacing whatever stale file had that name."""
    with suppress(FileNotFoundError):
        path.unlink()
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return  # Windows cannot open folders; the rename is durable enough there
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def copy_database(source: Path, target: Path, page_size: int | None = None) -> None:
    """A consistent copy of `source` in a new, private, self-contained file `target` (no -wal beside it).

    SQLite's online backup API copies a snapshot even while another program writes. The copy is
    written under a temporary name, flushed to disk and then renamed, so a crash or a full disk never
    leaves a half copy under `target`'s name. `page_size` rewrites the copy with that page size.
    """
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    create_private(partial)
    try:
        with open_existing(source) as origin, closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            if page_size is not None and copy.execute("PRAGMA page_size").fetchone()[0] != page_size:
                copy.execute(f"PRAGMA page_size={int(page_size)}")
                copy.execute("VACUUM")
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    except BaseException:
        with suppress(OSError):
            partial.unlink()
        raise


def copy_into(source: Path, target: Path, timeout_s: float = _BUSY_TIMEOUT_S) -> None:
    """Write `source`'s content over the existing database `target`, in one transaction.

    The backup API takes the target's write lock, so windows that have `target` open see the new
    content on their next read; a crash part way leaves the target as it was. Raises CopyBusy when
    another connection keeps the target locked for `timeout_s`.
    """
    deadline = time.monotonic() + timeout_s

    def give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
        if status in (SQLITE_BUSY, SQLITE_LOCKED) and time.monotonic() > deadline:
            raise CopyBusy("database is locked")

    with open_existing(source) as origin, open_existing(target, timeout_s) as destination:
        origin.backup(destination, progress=give_up_when_busy)


def page_size(path: Path) -> int:
    with open_existing(path) as connection:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])


def integrity_problems(connection: sqlite3.Connection, limit: int = 20) -> list[str]:
    """What `PRAGMA integrity_check` and `foreign_key_check` report; empty when the file is sound."""
    rows = [str(row[0]) for row in connection.execute(f"PRAGMA integrity_check({int(limit)})")]
    problems = [] if rows == ["ok"] else rows
    for table, rowid, parent, _index in connection.execute("PRAGMA foreign_key_check").fetchmany(limit):
        problems.append(f"{table} row {rowid} refers to a missing row of {parent}")
    return problems


def table_names(connection: sqlite3.Connection) -> set[str]:
    return {str(row[0]) for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def schema_revision(connection: sqlite3.Connection) -> str | None:
    """The Alembic revision recorded in the file; None when it has no alembic_version table."""
    if "alembic_version" not in table_names(connection):
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def count_rows(connection: sqlite3.Connection, table: str) -> int | None:
    if table not in table_names(connection):
        return None
    return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
