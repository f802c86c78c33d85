"""`dialdesk settings show|set`: the settings of the window's Settings dialog, without the window.

`set KEY VALUE` checks the value as the dialog does (a caller ID must be a dialable number, firm
mode is on/off …); a bad value is one line on stderr and exit 2, nothing saved.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, fields, replace
from typing import TYPE_CHECKING, Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace


def register(commands: Subparsers) -> None:
    from desktop.services.settings import Settings

    settings = commands.add_parser("settings", help="show or change settings (firm mode, caller ID, firm …)")
    actions = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="every setting and its value")
    show.add_argument("--json", action="store_true", help="print the settings as one JSON object")
    show.set_defaults(handler=show_settings)
    change = actions.add_parser("set", help="change one setting")
    change.add_argument(
        "key",
        choices=[item.name for item in fields(Settings)],
        metavar="KEY",
        help="the setting: " + ", ".join(item.name for item in fields(Settings)),
    )
    change.add_argument("value", help="the new value; on/off for firm_mode")
    change.set_defaults(handler=set_setting)


def show_settings(workspace: Workspace, args: argparse.Namespace) -> int:
    values = asdict(workspace.current_settings())
    if args.json:
        print_json(values)
        return EXIT_OK
    for key, value in values.items():
        shown = ("on" if value else "off") if isinstance(value, bool) else value
        print(f"{key:<16} {shown}")
    return EXIT_OK


def set_setting(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.settings import parse_switch

    current = workspace.current_settings()
    default = getattr(current, args.key)
    value: Any
    try:
        if isinstance(default, bool):
            value = parse_switch(args.value)
        elif isinstance(default, int):
            value = int(args.value)
        else:
            value = args.value.strip()
    except ValueError:
        kind = "on or off" if isinstance(default, bool) else "a whole number"
        raise CliError(f"{args.key} must be {kind}, not {args.value!r}") from None
    changed = replace(current, **{args.key: value})
    problems = changed.validate()
    if problems:
        raise CliError("; ".join(problems))
    workspace.save_settings(changed)
    shown = ("on" if value else "off") if isinstance(value, bool) else value
    print(f"{args.key} is now {shown}.")
    return EXIT_OK
