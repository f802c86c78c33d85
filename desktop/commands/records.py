"""`dialdesk audit verify|anchor|bundle`: the tamper-evident history and the examination bundle.

Registered under `dialdesk audit` (desktop/commands/compliance.py makes that parser).
`audit verify` exits 0 with "intact: N events, head HASH", or 1 naming the first event that is
altered, missing, inserted or out of order.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.commands.common import EXIT_BLOCKED, EXIT_OK, CliError, parse_day

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

_HASH = re.compile(r"^[0-9a-fA-F]{64}$")


def register_audit(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = actions.add_parser(
        "verify", help="check the whole history chain: exit 0 when intact, 1 naming the first bad event"
    )
    verify.add_argument("--anchor", metavar="HASH", help="also check the chain still passes through HASH")
    verify.set_defaults(handler=verify_history, needs_existing_database=True)

    anchor = actions.add_parser("anchor", help="print the day's chain head (date, seq, hash) to write down")
    anchor.add_argument("--date", dest="day", metavar="YYYY-MM-DD", help="another day (default: today, UTC)")
    anchor.set_defaults(handler=print_anchor, needs_existing_database=True)

    bundle = actions.add_parser(
        "bundle", help="write the examination bundle: calls, decisions, DNC, consents, scripts, verification"
    )
    bundle.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first day (UTC)")
    bundle.add_argument(
        "--to", dest="last", required=True, metavar="YYYY-MM-DD", help="last day (UTC), included"
    )
    bundle.add_argument("--out", type=Path, required=True, metavar="FILE.zip", help="the zip file to write")
    bundle.set_defaults(handler=write_bundle, needs_existing_database=True)


def verify_history(workspace: Workspace, args: argparse.Namespace) -> int:
    anchor = args.anchor
    if anchor is not None and not _HASH.match(anchor.strip()):
        raise CliError(f"--anchor: {anchor!r} is not a SHA-256 hash (64 hexadecimal digits)")
    result = workspace.history.verify(full=True, anchor=anchor)
    if result.intact:
        print(result.text())
        return EXIT_OK
    print(result.text(), file=sys.stderr)
    return EXIT_BLOCKED


def print_anchor(workspace: Workspace, args: argparse.Namespace) -> int:
    day = parse_day(args.day, "--date") if args.day else None
    today = workspace.clock().astimezone(UTC).date()
    if day is not None and day > today:
        # A day still to come has no head yet: printing today's under its date would be false.
        raise CliError(f"--date {day.isoformat()} is in the future (today is {today.isoformat()}, UTC)")
    print(workspace.history.anchor(day).text())
    return EXIT_OK


def write_bundle(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.exam_bundle import BundleError, ExamBundleService

    first, last = parse_day(args.first, "--from"), parse_day(args.last, "--to")
    service = ExamBundleService(workspace.uow, workspace.clock, workspace.history)
    try:
        result = service.write(first, last, args.out)
    except BundleError as error:
        raise CliError(str(error)) from None
    files = sum(1 for _ in result.files) + 1  # and the manifest
    print(f"Wrote {files} files to {result.path}", file=sys.stderr)
    if result.verification is not None and not result.verification.intact:
        # The bundle is written all the same: the examiner sees the broken history in it.
        print(result.verification.text(), file=sys.stderr)
        return EXIT_BLOCKED
    return EXIT_OK
