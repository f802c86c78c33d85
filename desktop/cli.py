"""The `dialdesk` command: with no subcommand it opens the window; subcommands do the same work headless.

Exit codes: 0 success; 1 the dial gate refused; 2 bad input or an unusable file/database (one line
on stderr, nothing written); 3 the call could not be placed (`dialdesk call`: no baresip, registration
failed, network error).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from desktop import __version__
from desktop.commands import call, calls, compliance, dnc, leads, scripts
from desktop.commands.common import EXIT_ERROR, EXIT_OK, CliError

# Each module adds its subcommands; see desktop/commands/__init__.py.
COMMAND_MODULES: tuple[ModuleType, ...] = (leads, calls, call, compliance, dnc, scripts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dialdesk",
        description="Dialdesk, a calling workstation. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"dialdesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="database file or SQLAlchemy URL (default: $DIALDESK_DB, else the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions whose message is meant for the user: printed in one line, exit code 2."""
    from desktop.services.calling import CallingError
    from desktop.services.dnc import DncError
    from desktop.services.imports import ImportCancelled, ImportFailed
    from desktop.services.leads import LeadNotFound
    from desktop.services.meetings import MeetingError
    from desktop.storage.engine import DatabaseError

    return (
        CliError,
        ImportFailed,
        ImportCancelled,
        DatabaseError,
        CallingError,
        LeadNotFound,
        DncError,
        MeetingError,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        from desktop.services.workspace import open_workspace

        workspace = open_workspace(args.db)
        try:
            if args.command is None:
                from desktop.ui.app import run_gui

                return run_gui(workspace, sys.argv[:1])
            return int(args.handler(workspace, args))
        finally:
            workspace.close()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`dialdesk leads export | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:
        if isinstance(error, _user_errors()):
            print(f"dialdesk: {error}", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    raise SystemExit(main())
