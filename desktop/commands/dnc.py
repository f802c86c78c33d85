"""`dialdesk dnc add|remove|list`: the firm's internal do-not-call list."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json


def register(commands: Subparsers) -> None:
    dnc = commands.add_parser("dnc", help="the firm's internal do-not-call list")
    actions = dnc.add_subparsers(dest="dnc_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="never call this number again")
    add.add_argument("number")
    add.add_argument("--reason", default="")
    add.add_argument("--region", default=None, help="country for a number without +code (default: settings)")
    add.set_defaults(handler=add_number)
    remove = actions.add_parser("remove", help="take a number off the internal list (audited)")
    remove.add_argument("number")
    remove.add_argument("--confirm", action="store_true", help="required: removing allows calls again")
    remove.add_argument("--region", default=None)
    remove.set_defaults(handler=remove_number)
    listing = actions.add_parser("list", help="print the internal list")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_numbers)


def _service(workspace: Any) -> Any:
    from desktop.services.dnc import DncService

    return DncService(workspace.uow, workspace.clock, workspace.current_settings)


def add_number(workspace: Any, args: argparse.Namespace) -> int:
    number = _service(workspace).add(args.number, reason=args.reason, region=args.region)
    print(f"{number} is on the internal do-not-call list.")
    return EXIT_OK


def remove_number(workspace: Any, args: argparse.Namespace) -> int:
    if not args.confirm:
        raise CliError("removing a number allows calls to it again: add --confirm")
    number = _service(workspace).remove(args.number, region=args.region)
    print(f"{number} was removed from the internal do-not-call list.")
    return EXIT_OK


def list_numbers(workspace: Any, args: argparse.Namespace) -> int:
    entries = _service(workspace).list()
    if args.json:
        print_json(
            [{"number": e.number, "reason": e.reason, "added_at": e.added_at.isoformat()} for e in entries]
        )
    else:
        for entry in entries:
            print(f"{entry.number:<16} {entry.added_at:%Y-%m-%d}  {entry.reason}")
    return EXIT_OK
