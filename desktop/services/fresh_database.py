"""A command that fails leaves no database behind: the file it created for itself is taken away.

Every command opens (and so creates and migrates) its database before its handler reads the
arguments that name files, numbers or lists. When such a command then fails on its input, a new
user would find an empty database (and its folder) left where none was asked for. The guard notes
that the file did not exist, counts the rows that opening it wrote, and after a failed command
removes the file, its SQLite companions and the folders made for it — only if the command added or
removed no row, so a refusal that was audited, or any data written, always stays.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from desktop.storage.engine import sqlite_path

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _row_counts(path: Path) -> dict[str, int] | None:
    """Rows per table, read with a plain read-only connection; None when the file cannot be read."""
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    except sqlite3.Error:
        return None
    finally:
        connection.close()


class FreshDatabaseGuard:
    """Takes away a database file this run created, when the command failed and wrote nothing."""

    def __init__(self, url: str) -> None:
        path = sqlite_path(url)
        self._path = path.resolve() if path is not None and not path.exists() else None
        self._made_folders: list[Path] = []
        if self._path is not None:
            folder = self._path.parent
            while not folder.exists():
                self._made_folders.append(folder)
                folder = folder.parent
        self._opened_rows: dict[str, int] | None = None

    @property
    def creates_file(self) -> bool:
        return self._path is not None

    def opened(self) -> None:
        """Call once the database is open and migrated: what it holds now is only what opening wrote."""
        if self._path is not None:
            self._opened_rows = _row_counts(self._path)

    def command_failed(self) -> bool:
        """Remove the created file if the command left it as opening made it; True when removed."""
        if self._path is None:
            return False
        if self._opened_rows is not None and _row_counts(self._path) != self._opened_rows:
            return False  # the command wrote something before failing: that is the user's data
        for suffix in ("", *SQLITE_COMPANIONS):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self._path}{suffix}").unlink()
        for folder in self._made_folders:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never takes away anything else
        return True
