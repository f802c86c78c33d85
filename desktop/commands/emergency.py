"""`dialdesk emergency add|list`: declared states of emergency during which a state forbids sales calls.

Louisiana forbids telephone solicitation into parishes under a declared state of emergency. The gate
cannot place a number in a parish, so an emergency blocks calls to the whole state for its dates.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json
from desktop.domain.compliance_hours import ANY_STATE


def register(commands: Subparsers) -> None:
    emergency = commands.add_parser("emergency", help="declared states of emergency that stop sales calls")
    actions = emergency.add_subparsers(dest="emergency_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="block calls to a state from FIRST to LAST day (inclusive)")
    add.add_argument("state", metavar="STATE", help="two-letter state code, e.g. LA")
    add.add_argument("first", metavar="FIRST", help="first day, YYYY-MM-DD")
    add.add_argument("last", metavar="LAST", help="last day, YYYY-MM-DD")
    add.add_argument("--areas", default="", help="the parishes or counties named in the declaration")
    add.set_defaults(handler=add_emergency)
    listing = actions.add_parser("list", help="the emergencies entered")
    listing.add_argument("--json", action="store_true", help="print the emergencies as JSON")
    listing.set_defaults(handler=list_emergencies)


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{what} {text!r} is not a date like 2026-08-31") from None


def add_emergency(workspace: Any, args: argparse.Namespace) -> int:
    code = args.state.strip().upper()
    if workspace.rulebook.state(code) is None:
        raise CliError(f"{args.state!r} is not a state code Dialdesk knows")
    from desktop.services.emergencies import EmergencyService

    try:
        added = EmergencyService(workspace.uow).add(
            code, _day(args.first, "FIRST"), _day(args.last, "LAST"), args.areas
        )
    except ValueError as error:
        raise CliError(str(error)) from None
    print(f"Calls to {added.state} are blocked from {added.start} to {added.end} (callee's local dates).")
    return EXIT_OK


def list_emergencies(workspace: Any, args: argparse.Namespace) -> int:
    from desktop.services.emergencies import EmergencyService

    rows = EmergencyService(workspace.uow).list()
    if args.json:
        print_json(
            [
                {"state": e.state, "first": str(e.start), "last": str(e.end), "areas": e.areas}
                | ({"unreadable": e.problem} if e.problem else {})
                for e in rows
            ]
        )
    elif not rows:
        print("No declared emergencies entered.")
    for emergency in [] if args.json else rows:
        if emergency.problem:
            whose = "every state" if emergency.state == ANY_STATE else emergency.state
            print(f"UNREADABLE  {emergency.problem}: calls to {whose} are refused until it is fixed")
            continue
        areas = f"  ({emergency.areas})" if emergency.areas else ""
        print(f"{emergency.state}  {emergency.start} to {emergency.end}{areas}")
    return EXIT_OK
