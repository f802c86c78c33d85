"""The log: a rotating, private log file, and the redaction every line passes through.

The log is `dialdesk.log` in the user log folder (`desktop.paths.user_log_dir()`, or
$DIALDESK_LOG_DIR), rotated at 1 MB with 5 old files kept; the folder is 0700 and the files 0600.
At the default level (INFO; $DIALDESK_LOG_LEVEL changes it) Dialdesk logs what happened to which lead
*id*, never names or numbers, and every line passes through `redact()`, which masks phone numbers
and e-mail addresses (and quoted values in error messages) that might still slip in, for instance
inside an exception's text.

It imports nothing from the rest of Dialdesk but its folder names (`desktop.paths`), so anything —
the error dialog, the command line — can log without reaching the database; what a failure means
for the user (`describe_failure`) is in `desktop.services.failures`.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

LOG_NAME = "dialdesk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LEVEL_ENV = "DIALDESK_LOG_LEVEL"
FOLDER_ENV = "DIALDESK_LOG_DIR"
# sysexits' EX_SOFTWARE: an error of ours, not of the input (0, 1, 2 and 3 are the documented codes).
EXIT_INTERNAL = 70
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"

# ISO dates and times are left alone; other runs of 7+ digits (with the usual separators) are masked.
_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_NUMBERISH = r"\+?\(?\d[\d\s().\-/]{5,}\d"
_TOKEN = re.compile(rf"(?P<date>{_DATE})|(?P<number>{_NUMBERISH})")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_MIN_DIGITS = 7

_log_file: Path | None = None


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("date") is not None or sum(ch.isdigit() for ch in text) < _MIN_DIGITS:
        return text
    return "<number>"


def redact(text: str, quoted: bool = False) -> str:
    """`text` with phone numbers and e-mail addresses masked; `quoted` also masks '…' and "…" values."""
    text = _EMAIL.sub("<email>", text)
    if quoted:
        text = _QUOTED.sub(lambda match: match.group(0)[0] + "…" + match.group(0)[0], text)
    return _TOKEN.sub(_mask_number, text)


_EXCEPTION_LINE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?P<message>:.*)?$", re.DOTALL)


def redacted_traceback(error: BaseException) -> str:
    """The traceback of `error` with what the exceptions *said* left out, their types kept, and the
    home folder written as ~. An exception's message often quotes the data that caused it (a name, a
    note, a cell); the log holds ids, so messages never reach it. The code lines hold no data: kept."""
    home = str(Path.home())
    parts = []
    for chunk in traceback.format_exception(type(error), error, error.__traceback__):
        if chunk.startswith("  "):
            parts.append(chunk.replace(home, "~") if home not in ("/", "") else chunk)
        elif chunk.startswith(("Traceback", "\n")):
            parts.append(chunk)  # the header, and "During handling of the above exception …"
        elif (match := _EXCEPTION_LINE.match(chunk.strip())) is not None:
            withheld = " (message withheld from the log)" if (match["message"] or "").strip(": ") else ""
            parts.append(f"{match['name']}{withheld}\n")
        else:
            parts.append("(an exception's text, withheld from the log)\n")
    return "".join(parts)


def versions() -> str:
    """The versions a bug report needs (no user data)."""
    from desktop import __version__

    found = [f"Dialdesk {__version__}", f"Python {platform.python_version()}", platform.platform(terse=True)]
    for module, name in (("PySide6", "PySide6"), ("sqlalchemy", "SQLAlchemy"), ("alembic", "Alembic")):
        loaded = sys.modules.get(module)
        if loaded is not None:
            found.append(f"{name} {getattr(loaded, '__version__', '?')}")
    qt = sys.modules.get("PySide6.QtCore")
    if qt is not None:
        found.append(f"Qt {qt.qVersion()}")
    return ", ".join(found)


class RedactingFormatter(logging.Formatter):
    """Formats records with `redact()` applied to the message and (more strictly) to tracebacks."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = redact(record.getMessage())
        record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + redacted_traceback(record.exc_info[1]).rstrip("\n")
        elif record.exc_text:
            text += "\n(a traceback given as text, withheld from the log)"
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose files (the current one and each new one after a rollover) are 0600."""

    def _open(self) -> Any:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(descriptor, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A log line that cannot be formatted is a bug of ours, not the user's business: logging's
        default prints "--- Logging error ---" and a traceback on the user's terminal. Note it in the
        log instead, by where it was logged (no arguments: they may hold user data)."""
        try:
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(
                f"{self.formatter.formatTime(record) if self.formatter else ''} ERROR desktop.logging: "
                f"a log line could not be formatted ({record.pathname}:{record.lineno})\n"
            )
            self.flush()
        except Exception:  # noqa: BLE001 - the log is a help: never fail the program for it
            pass


def log_folder() -> Path:
    """Where the log is written (the folder Help → Open log folder shows)."""
    chosen = os.environ.get(FOLDER_ENV)
    if chosen:
        return Path(chosen).expanduser()
    from desktop.paths import user_log_dir

    return user_log_dir()


def current_log_file() -> Path | None:
    """The file this process logs to; None until `setup_logging()` succeeded."""
    return _log_file


def setup_logging(folder: Path | None = None, level: str | None = None) -> Path | None:
    """Log to the private rotating file (once per process); None when the folder cannot be written."""
    global _log_file
    if _log_file is not None:
        return _log_file
    try:
        target = folder or log_folder()
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(target, 0o700)
        handler = PrivateRotatingFileHandler(
            target / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None  # a log is a help, not a condition: the program still runs
    handler.setFormatter(RedactingFormatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    name = (level or os.environ.get(LEVEL_ENV) or "INFO").upper()
    chosen = logging.getLevelName(name)
    root.setLevel(chosen if isinstance(chosen, int) else logging.INFO)
    # SQLAlchemy logs statements (and their parameters: names, numbers) at INFO; never at ours.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    _log_file = target / LOG_NAME
    return _log_file
