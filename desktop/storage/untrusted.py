"""Database files Dialdesk did not write itself (a colleague's, a backup): read as data, never as code.

- The file is never opened by SQLite where it lies: its bytes (and its `-wal`) are copied into a
  private scratch folder first, so no `-shm` appears beside it and its WAL is never checkpointed.
- The copy is opened with `trusted_schema` off and compared with the exact schema of the revision it
  claims (`schema_check`) before any statement touches its data: an extra trigger, view or column
  refuses the file, so none of its code can run here.
- Scratch folders are 0700 under the user data folder, named with the owning process id; a folder
  left by a killed process is removed at the next start (`clean_stale_scratch`).
- `interruptible()` makes Ctrl+C stop SQLite work in progress (a long statement would otherwise
  ignore it until it ends): the statement is aborted, the caller's transaction rolls back.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from desktop.paths import user_data_dir
from desktop.storage import sqlite_files
from desktop.storage.schema_check import known_revision, schema_problems

SCRATCH = "scratch"
_PROGRESS_EVERY = 10_000  # SQLite virtual-machine steps between checks for Ctrl+C
_stop = threading.Event()


class UntrustedFileError(Exception):
    """The file cannot be used as a Dialdesk database; the message is one line for the user."""


class Interrupted(KeyboardInterrupt):
    """Ctrl+C during a merge or restore: what was being written was rolled back."""


def scratch_root() -> Path:
    root = user_data_dir() / SCRATCH
    root.mkdir(mode=0o700, exist_ok=True)
    if os.name == "posix":
        os.chmod(root, 0o700)
    return root


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_scratch() -> int:
    """Remove scratch folders whose process is gone (killed during a merge or restore); how many."""
    removed = 0
    try:
        entries = list(scratch_root().iterdir())
    except OSError:
        return 0
    for entry in entries:
        _kind, _, rest = entry.name.partition("-")
        pid = rest.partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


@contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """A new private folder for one merge or restore, removed when the block ends."""
    folder = scratch_root() / f"{kind}-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_bytes(source: Path, folder: Path, name: str = "candidate.db") -> Path:
    """The file `source` and its `-wal` copied byte for byte into `folder` (0600); never opened by SQLite."""
    if not source.is_file():
        raise UntrustedFileError(f"{source}: no such file")
    if not sqlite_files.has_sqlite_header(source):
        raise UntrustedFileError(f"{source}: not a SQLite database file")
    copy = folder / name
    try:
        for suffix in ("", "-wal"):
            original = Path(str(source) + suffix)
            if suffix and not original.is_file():
                continue
            target = Path(str(copy) + suffix)
            sqlite_files.create_private(target)
            with original.open("rb") as reader, target.open("wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
    except OSError as error:
        raise UntrustedFileError(f"cannot copy {source}: {error.strerror or error}") from None
    return copy


def _uri(path: Path, mode: str) -> str:
    from urllib.parse import quote

    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def guard(connection: Any) -> None:
    """Settings for a connection to an untrusted copy: no schema code runs, Ctrl+C stops a statement."""
    connection.execute("PRAGMA trusted_schema=OFF")
    watch(connection)


def watch(connection: Any) -> None:
    """Let `interruptible()` abort a statement running on this sqlite3 connection.

    Other drivers (a team's PostgreSQL database merged into) have no progress handler: Ctrl+C stops
    the merge between its steps there, and the transaction rolls back.
    """
    if not isinstance(connection, sqlite3.Connection):
        return
    connection.set_progress_handler(lambda: 1 if _stop.is_set() else 0, _PROGRESS_EVERY)


@contextmanager
def open_copy(path: Path) -> Iterator[sqlite3.Connection]:
    """A guarded connection to a private copy (never to a file the user handed in)."""
    connection = sqlite3.connect(_uri(path, "rw"), uri=True, isolation_level=None)
    try:
        guard(connection)
        yield connection
    finally:
        connection.close()


def validate_copy(copy: Path, shown: Path) -> str:
    """The revision of the private copy `copy` of `shown`; UntrustedFileError unless it is sound and has
    exactly the schema of that revision."""
    from desktop.storage.rollups import TRIGGERS

    try:
        with open_copy(copy) as connection:
            problems = sqlite_files.integrity_problems(connection, limit=5)
            if problems:
                raise UntrustedFileError(f"{shown}: fails the integrity check ({problems[0]})")
            tables = sqlite_files.table_names(connection)
            revision = sqlite_files.schema_revision(connection)
            if revision is None or not {"leads", "attempts"} <= tables:
                raise UntrustedFileError(
                    f"{shown}: not a Dialdesk database (no Dialdesk schema version in it)"
                )
            if not known_revision(revision):
                raise UntrustedFileError(
                    f"{shown}: written by another (newer?) version of Dialdesk (schema revision {revision}); "
                    "update Dialdesk first"
                )
            differences = schema_problems(connection, revision, optional_missing=frozenset(TRIGGERS))
    except sqlite3.Error as error:
        found = sqlite_files.failure_kind(error)
        if _stop.is_set():
            raise Interrupted() from None
        detail = found[1] if found else type(error).__name__
        raise UntrustedFileError(f"{shown}: not a usable SQLite database ({detail})") from None
    if differences:
        more = f" (and {len(differences) - 1} more)" if len(differences) > 1 else ""
        raise UntrustedFileError(
            f"{shown}: its schema is not Dialdesk's schema {revision}: {differences[0]}{more}; "
            "it is refused, nothing of it was used"
        )
    return revision


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block Ctrl+C (SIGINT) also aborts an SQLite statement in progress on guarded or
    watched connections; KeyboardInterrupt (`Interrupted`) reaches the caller, whose transaction rolls
    back. Outside the main thread (the window's workers) the block changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(_signal: int, _frame: object) -> None:
        _stop.set()
        raise Interrupted()

    def quiet_about_interrupts(unraisable: Any) -> None:
        # An interrupt raised inside a garbage-collection callback cannot propagate: Python would print
        # it with a traceback. `_stop` keeps it, and the block raises Interrupted when it ends.
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous_hook(unraisable)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = quiet_about_interrupts
    _stop.clear()
    try:
        yield
        if _stop.is_set():  # the interrupt was swallowed by a callback: the statement failed, say why
            raise Interrupted()
    except Exception:
        if _stop.is_set():
            raise Interrupted() from None
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook
        _stop.clear()


def stop_requested() -> bool:
    return _stop.is_set()


def forget_partial(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


def copy_engine(path: Path) -> Any:
    """A SQLAlchemy engine on a validated private copy, its connections guarded like `open_copy`'s."""
    from sqlalchemy import event

    from desktop.storage.engine import file_url, make_engine

    engine = make_engine(file_url(path))
    event.listen(engine, "connect", lambda connection, _record: guard(connection))
    return engine
