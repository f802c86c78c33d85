"""What every subcommand shares: exit codes, the one-line error, JSON output, time parsing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

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


def parse_time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time from the command line; a time without offset is the agent's local time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"{option}: {text!r} is not an ISO 8601 time such as 2026-12-01T15:00:00-05:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment
