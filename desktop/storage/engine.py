"""Opening a database: URL resolution, the user-only file, SQLite pragmas, migrations on start."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from desktop.storage.drivers import driver_advice
from desktop.storage.server import connect_args, is_server, ping_on_checkout
from desktop.storage.sqlite_files import has_sqlite_header

ENV_VAR = "DIALDESK_DB"


class DatabaseError(Exception):
    """The database cannot be opened or upgraded; the message is meant for the user."""


class ServerUnreachable(DatabaseError):
    """The team database's server cannot be reached (the window offers the local copy instead)."""


def database_url(path_or_url: str) -> str:
    """A SQLAlchemy URL from what the user typed: a file path or a full URL."""
    text = path_or_url.strip()
    if not text:
        raise DatabaseError("the database path is empty")
    if "://" in text:
        try:
            port = make_url(text).port
        except (ArgumentError, ValueError) as error:
            # SQLAlchemy reads the port as a number: `h:54x2` (or an unclosed `[::1`) is a ValueError.
            reason = "its port is not a number" if "int()" in str(error) else str(error)
            raise DatabaseError(f"not a database URL: {text} ({reason})") from None
        if port is not None and not 0 < port < 65536:
            raise DatabaseError(f"not a database URL: {text} (port {port} is not between 1 and 65535)")
        return text
    return file_url(Path(text))


def file_url(path: Path) -> str:
    """The URL of the SQLite file `path`, quoted: `sam%41.db`, `Sam #2.db` and `a?b.db` stay themselves."""
    return URL.create("sqlite", database=str(path.expanduser().resolve())).render_as_string()


def sqlite_path(url: str | URL) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _refuse_foreign(path: Path) -> None:
    """DatabaseError unless `path` may be opened, and made private, as a database.

    Only a regular file that is empty (a database about to be created) or an SQLite file may be
    opened: a text file, a folder or a device given to `--db` by mistake keeps its mode and gets a
    clear error.
    """
    try:
        facts = os.stat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(facts.st_mode):
        raise DatabaseError(f"{path} is a folder, not a database file")
    if not stat.S_ISREG(facts.st_mode):
        raise DatabaseError(f"{path} is not a regular file (a device, a pipe or a socket), not a database")
    if facts.st_size and not has_sqlite_header(path):
        raise DatabaseError(
            f"{path} is not an SQLite database file: it is damaged or is something else (it was left as "
            "it was); if it was your database, restore a backup with `dialdesk db restore BACKUP`"
        )


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite creates it its own way.

    An existing file is checked first (`_refuse_foreign`), and only a database of this user gets its
    mode changed: someone else's file keeps theirs.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _refuse_foreign(path)
    if not path.exists():
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(descriptor)
    if os.name == "posix" and os.stat(path).st_uid == os.getuid():
        # Take group/other access away; keep the owner's bits (a database made read-only stays so).
        mode = os.stat(path).st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # WAL + synchronous=FULL: an outcome committed is on disk, even if the machine loses power.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def read_only(path: Path) -> bool:
    """True when the existing database file, or its folder, cannot be written (a read-only disk or file)."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def make_read_only_engine(path: Path) -> Engine:
    """An engine that only reads the database file `path`, for reading commands on a read-only disk.

    SQLite needs a `-shm` file beside a WAL database to read it; when the folder cannot hold one and
    there is no pending `-wal` either, the file cannot change under us and is opened as immutable.
    """
    from urllib.parse import quote

    base = f"file:{quote(str(path.resolve()))}"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(f"{base}?mode=ro", uri=True, check_same_thread=False)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # SQLite opens lazily
            return connection
        except sqlite3.OperationalError:
            connection.close()
            wal = Path(str(path) + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise
            return sqlite3.connect(f"{base}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, hide_parameters=True)
    event.listen(engine, "connect", _read_only_pragmas)
    return engine


def make_engine(url: str | URL) -> Engine:
    """An engine for `url`; SQLite files are created user-only and opened with the product's pragmas.

    A server URL may be a `URL` carrying the password from the keyring (services/team_login.py): it
    goes to the driver, never into a string that is shown or logged.
    """
    path = sqlite_path(url)
    if path is not None:
        try:
            create_private_file(path)
        except OSError as error:
            raise DatabaseError(f"cannot create the database file {path}: {error.strerror}") from None
    try:
        # hide_parameters: error messages and logs never carry the values (names, numbers) of a statement.
        # pool_pre_ping on a server: a connection the server dropped (restarted, failed over) is
        # replaced before use, so an agent's next action reconnects instead of failing.
        server = make_url(url).get_backend_name() != "sqlite"
        options: dict[str, Any] = {"connect_args": connect_args(url)} if is_server(url) else {}
        if not server:
            # The last connection returned is the next handed out: one thread's units of work stay on
            # one connection, whose change marker (storage/change_marker.py) then spans them.
            options["pool_use_lifo"] = True
        # psycopg: SQLAlchemy's pre-ping is BEGIN, SELECT 1, ROLLBACK (three round trips at every unit
        # of work, a tenth of an agent's); an empty query checks the connection in one.
        light_ping = server and make_url(url).get_dialect().driver == "psycopg"
        engine = create_engine(url, hide_parameters=True, pool_pre_ping=server and not light_ping, **options)
        if light_ping:
            event.listen(engine, "checkout", ping_on_checkout)
    except ImportError as error:
        raise DatabaseError(
            f"cannot use the database URL {make_url(url).render_as_string()}: "
            + driver_advice(make_url(url), error)
        ) from None
    except (ArgumentError, NoSuchModuleError) as error:
        raise DatabaseError(
            f"cannot use the database URL {make_url(url).render_as_string()}: {error}"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
