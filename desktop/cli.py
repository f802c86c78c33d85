"""The `dialdesk` command: with no subcommand it opens the window; subcommands do the same work headless.

Exit codes: 0 success; 1 the dial gate refused; 2 bad input or an unusable file/database (one line
on stderr, nothing written); 3 the call could not be placed (`dialdesk call`: no baresip, registration
failed, network error); 70 an unexpected error (one line on stderr pointing at the log file).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from desktop import __version__
from desktop.commands import (
    call,
    calls,
    compliance,
    db,
    dnc,
    emergency,
    leads,
    merge,
    report,
    scripts,
    settings,
    team,
)
from desktop.commands.common import EXIT_ERROR, EXIT_OK, CliError
from desktop.terminal import safe_terminal_output, shown_text

if TYPE_CHECKING:
    from desktop.services.fresh_database import FreshDatabaseGuard
    from desktop.services.workspace import Workspace

# Set to 1, the window quits as soon as it is shown: how packaging checks start an installed copy.
EXIT_AFTER_START_VAR = "DIALDESK_EXIT_AFTER_START"
# Who a scripted agent is, like `--agent NAME` (team mode).
AGENT_ENV_VAR = "DIALDESK_AGENT"

# Each module adds its subcommands; see desktop/commands/__init__.py.
COMMAND_MODULES: tuple[ModuleType, ...] = (
    leads,
    calls,
    call,
    compliance,
    dnc,
    emergency,
    scripts,
    report,
    merge,
    db,
    settings,
    team,
)


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
    parser.add_argument(
        "--agent",
        dest="acting_agent",
        metavar="NAME",
        help="team mode: act as this agent (queue --claim takes leads for them, record records as them; "
        "default: $DIALDESK_AGENT, else the agent name in the settings)",
    )
    parser.add_argument(
        "--require-tls",
        action="store_true",
        help="team mode: refuse a database server that does not offer TLS (as sslmode=require in the URL)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions whose message is meant for the user: printed in one line, exit code 2."""
    from desktop.services.calling import CallingError
    from desktop.services.claims import ClaimError
    from desktop.services.dnc import DncError
    from desktop.services.imports import ImportCancelled, ImportFailed
    from desktop.services.leads import LeadNotFound
    from desktop.services.meetings import MeetingError
    from desktop.services.team import TeamError
    from desktop.services.workspace import DatabaseError

    return (
        CliError,
        ClaimError,
        TeamError,
        ImportFailed,
        ImportCancelled,
        DatabaseError,
        CallingError,
        LeadNotFound,
        DncError,
        MeetingError,
    )


def _clean_scratch() -> None:
    """Private copies left by a merge or restore that was killed go at the next start."""
    from desktop.services.scratch import clean_stale_scratch

    try:
        clean_stale_scratch()
    except OSError:
        pass  # a user data folder that cannot be written: the command says so itself when it matters


def main(argv: Sequence[str] | None = None) -> int:
    # Everything printed (argparse's own errors included) has its control and bidi characters escaped.
    with safe_terminal_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    from desktop.logging_setup import setup_logging
    from desktop.services.instance import split_call_uri

    parser = build_parser()
    # A click-to-call link (`dialdesk tel:+12125550134`) is not a subcommand: taken out before parsing.
    call_uri, arguments = split_call_uri(list(argv) if argv is not None else sys.argv[1:])
    args = parser.parse_args(arguments)
    if call_uri is not None and args.command is not None:
        parser.error("a tel:/sip:/callto: link opens the window; it does not go with a command")
    if argv is None:
        # The program as run logs to its file; main() called from Python code (tests) does not.
        setup_logging()
        logging.getLogger("desktop.cli").info("dialdesk %s: %s", __version__, args.command or "window")
    _clean_scratch()
    return _run(args, call_uri)


def acting_agent(args: argparse.Namespace) -> str | None:
    """`--agent NAME`, else $DIALDESK_AGENT, checked; None when neither is given."""
    from desktop.services.claims import checked_agent_name

    chosen = args.acting_agent if args.acting_agent is not None else os.environ.get(AGENT_ENV_VAR) or None
    return None if chosen is None else checked_agent_name(chosen)


def _require_tls(args: argparse.Namespace) -> None:
    """`--require-tls`: the database URL (or a team command's URL) asks libpq for TLS."""
    from desktop.services.team_login import is_server, with_tls_required
    from desktop.services.workspace import resolve_database

    given = [name for name in ("url", "db") if getattr(args, name, None) or name == "db"]
    required = False
    for name in given:
        url = resolve_database(getattr(args, name))
        if is_server(url):
            setattr(args, name, with_tls_required(url))
            required = True
    if not required:
        raise CliError("--require-tls is for a team database on a server (postgresql+psycopg://…)")


def open_for(args: argparse.Namespace) -> Workspace:
    """The command's workspace. For the window, a team server that cannot be reached is said in a
    message box that offers the local copy `team checkout` made (when there is one) instead."""
    from desktop.services.workspace import ServerUnreachable, open_workspace

    try:
        return open_workspace(args.db)
    except ServerUnreachable as error:
        if args.command is not None:
            raise
        from desktop.services.team_checkout import offline_copy_path

        offline = offline_copy_path()
        if not offline.is_file():
            raise
        from desktop.ui.offline_offer import ask_to_open_offline_copy

        if not ask_to_open_offline_copy(str(error), offline):
            raise
        return open_workspace(str(offline))


def _run(args: argparse.Namespace, call_uri: str | None) -> int:
    fresh: FreshDatabaseGuard | None = None
    try:
        if args.require_tls:
            _require_tls(args)
        if args.command == "check":
            # Without the ORM when the database needs nothing done at open (the same gate code).
            from desktop.commands.compliance import quick_check_number

            quick = quick_check_number(args)
            if quick is not None:
                return quick
        if getattr(args, "without_workspace", None) is not None:
            return int(args.without_workspace(args))  # `db …`: works on files that cannot be opened
        instance = None
        if args.command is None:
            from desktop.services.workspace import resolve_database
            from desktop.ui.single_instance import claim_or_hand_off

            instance = claim_or_hand_off(resolve_database(args.db), call_uri, sys.argv[:1])
            if instance is None:
                return EXIT_OK  # the window already open on this database took the request
        from desktop.services.workspace import resolve_database

        if args.command is not None:
            from desktop.services.fresh_database import FreshDatabaseGuard

            fresh = FreshDatabaseGuard(resolve_database(args.db))
            if fresh.creates_file and getattr(args, "needs_existing_database", False):
                # Verifying, anchoring, bundling or purging a database that is not there would make
                # an empty one and answer for it ("intact: 0 events"): a mistyped --db is bad input.
                fresh = None
                raise CliError(f"there is no database at {shown_text(resolve_database(args.db))}")
        agent = acting_agent(args)
        workspace = open_for(args)
        workspace.act_as(agent)
        if fresh is not None:
            fresh.opened()
        try:
            if args.command is None:
                from desktop.ui.app import run_gui

                return run_gui(
                    workspace,
                    sys.argv[:1],
                    instance=instance,
                    call_uri=call_uri,
                    daily_backup=True,
                    exit_after_start=os.environ.get(EXIT_AFTER_START_VAR) == "1",
                )
            code = int(args.handler(workspace, args))
        finally:
            workspace.close()
        if code == EXIT_ERROR and fresh is not None:
            # Bad input: a database made only for this command is not left behind. Other answers
            # (1: the gate refused, 3: the call could not be placed) are results, not bad input.
            fresh.command_failed()
        return code
    except KeyboardInterrupt as interrupt:
        from desktop.services.failures import Interrupted

        if isinstance(interrupt, Interrupted):
            print("dialdesk: interrupted: the database was left as it was", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`dialdesk leads export | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:
        if fresh is not None:
            fresh.command_failed()
        if isinstance(error, _user_errors()):
            # Messages quote file names, cells and names: one line, whatever they hold.
            print(f"dialdesk: {shown_text(str(error))}", file=sys.stderr)
            failure: int | None = EXIT_ERROR
        else:
            from desktop.services.failures import cli_failure

            failure = cli_failure(error, args.db)  # busy/read-only/full/damaged database, or one line + log
        if failure is None:
            raise
        if args.command is None:  # the window did not open: say it where a desktop user looks, too
            from desktop.ui.common.error_dialog import startup_failed

            startup_failed(error, args.db, _user_errors())
        return failure


if __name__ == "__main__":
    raise SystemExit(main())
