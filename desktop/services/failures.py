"""What a failure no command handled means for the user: one line and an exit code.

A database that is busy, read-only, full or damaged, or a team server that cannot be reached, is the
user's to fix (exit 2, with the
explanation `services.backup.database_problem` gives); anything else is an error of ours (exit 70)
with a pointer to the log. The command line prints the line; the window shows it in a message box.
"""

from __future__ import annotations

import logging
import sys

from desktop.logging_setup import EXIT_INTERNAL, current_log_file
from desktop.services.backup import database_problem
from desktop.services.workspace import resolve_database
from desktop.storage.engine import sqlite_path
from desktop.storage.untrusted import Interrupted, clean_stale_scratch
from desktop.terminal import shown_text

# The command line reaches storage only through services: a merge or restore stopped by Ctrl+C, and
# the clean-up of private copies such a stop (or a kill) left behind.
__all__ = ["Interrupted", "clean_stale_scratch", "cli_failure", "database_label", "describe_failure"]


def database_label(db: str | None) -> str:
    """The database named in messages: its file path, else its URL, else what the user typed."""
    try:
        url = resolve_database(db)
    except Exception:  # noqa: BLE001 - only a label for a message
        return db or "the database"
    path = sqlite_path(url)
    return str(path) if path is not None else url


def describe_failure(error: BaseException, db: str | None) -> tuple[int, str] | None:
    """(exit code, one line for the user) for a failure no command handled; None when it must propagate.

    A database that is busy, read-only, full or damaged: 2 and its explanation. Anything else: 70 and
    a pointer to the log, or None without a log (main() called from Python code, as tests do).
    """
    problem = database_problem(error, database_label(db)) or _server_problem(error, db)
    if problem is not None:
        return 2, problem
    path = current_log_file()
    if path is None:
        return None
    return EXIT_INTERNAL, f"unexpected error ({type(error).__name__}); the details are in {path}"


def _server_problem(error: BaseException, db: str | None) -> str | None:
    """The team server went away (or refused us) in the middle of a command: one line, not a trace."""
    from desktop.storage.server import server_problem

    try:
        url = resolve_database(db)
    except Exception:  # noqa: BLE001 - no URL: not a server failure
        return None
    return server_problem(error, url)


def cli_failure(error: BaseException, db: str | None) -> int | None:
    """Log `error`, say in one line on stderr what went wrong, and return the exit code (see
    `describe_failure`); None to let `error` propagate."""
    found = describe_failure(error, db)
    if found is None:
        return None
    code, message = found
    log = logging.getLogger("desktop.cli")
    if code == EXIT_INTERNAL:
        log.error("unexpected error", exc_info=error)
    else:
        log.warning("database problem", exc_info=error)  # the message names files: not for the log
    print(f"dialdesk: {shown_text(message)}", file=sys.stderr)
    return code
