"""What every subcommand shares: exit codes, the one-line error, JSON output, time parsing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, Protocol

from desktop.terminal import shown_table_text, shown_text

__all__ = ["shown_table_text", "shown_text"]  # re-exported: every command prints through these

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_ERROR = 2


class CliError(Exception):
    """A problem to report in one line with exit code 2."""


class Subparsers(Protocol):
    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str))


def say_blocked(number: str | None, reasons: Iterable[Any]) -> None:
    """The gate's refusal on stderr in one line: the number and every reason with its code."""
    why = "; ".join(f"{reason.code}: {reason.detail}" for reason in reasons) or "refused"
    print(f"Blocked: {number or 'no number'} ({why})", file=sys.stderr)


# Days and times the commands accept: every computation on them (zones, the day after, a week
# before) stays far inside what Python and SQLite can represent.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
# Row ids are SQLite integers.
_MAX_ID = 2**63 - 1


def _in_range(option: str, shown: str, day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise CliError(f"{option}: {shown} is outside the years {EARLIEST_DAY.year} to {LATEST_DAY.year}")


def parse_day(text: str, option: str) -> date:
    """A YYYY-MM-DD day from the command line, within EARLIEST_DAY … LATEST_DAY."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"{option}: '{shown_text(text)}' is not a date as YYYY-MM-DD, such as 2026-11-30"
        ) from None
    _in_range(option, text, day)
    return day


def parse_time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time from the command line; a time without offset is the agent's local time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"{option}: '{shown_text(text)}' is not an ISO 8601 time such as 2026-12-01T15:00:00-05:00"
        ) from None
    _in_range(option, text, moment.date())
    if moment.tzinfo is None:
        moment = moment.astimezone()
    _in_range(option, text, moment.astimezone(UTC).date())
    return moment


def whole_number(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type for a whole number from `low` to `high` (a count, minutes, a version):
    anything else is one clear line and exit 2, never an overflow deeper down."""

    def parse(text: str) -> int:
        try:
            number = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown_text(text)} is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"{what} must be from {low:,} to {high:,}, not {shown_text(text)}"
            )
        return number

    return parse


def record_id(text: str) -> int:
    """An argparse type for a row id (lead, call): a whole number a database row can have."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown_text(text)} is not a number") from None
    if not 1 <= number <= _MAX_ID:
        raise argparse.ArgumentTypeError(f"{shown_text(text)} is not an id (1 to {_MAX_ID})")
    return number
