"""`dialdesk team`: set up a PostgreSQL database for a team (roles for agents and supervisors)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json

if TYPE_CHECKING:
    from desktop.services.team_watch import TeamSnapshot
    from desktop.services.workspace import Workspace

# How long one wait for a notification lasts before waiting again (Ctrl+C is seen at once anyway).
_WAIT_S = 60.0


def register(commands: Subparsers) -> None:
    team = commands.add_parser("team", help="team mode: set up a shared PostgreSQL database and its people")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="bring the database to the latest schema and create the agent and supervisor roles"
    )
    init.add_argument("url", metavar="URL", help="postgresql+psycopg://ADMIN@HOST/DB (a role that may grant)")
    init.set_defaults(without_workspace=init_team)
    add = actions.add_parser("add-agent", help="a login for a person, in the agent (or supervisor) role")
    add.add_argument("name", metavar="NAME", help="their database login: lower-case letters, digits, _")
    add.add_argument("--supervisor", action="store_true", help="a supervisor rather than an agent")
    add.set_defaults(without_workspace=add_agent)
    watch = actions.add_parser(
        "watch",
        help="the live supervisor view: who is on a call, dials and connects per agent, the queue, "
        "blocked dials; a fresh view each time the team database says something changed",
    )
    watch.add_argument("--once", action="store_true", help="print the view once and exit")
    watch.add_argument("--json", action="store_true", help="one JSON object per view, one per line")
    watch.add_argument(
        "--zone", metavar="ZONE", help="whose hour and day to count (IANA zone; default: this computer's)"
    )
    watch.set_defaults(handler=watch_team)


def _admin_url(args: argparse.Namespace, given: str | None = None) -> str:
    from desktop.services.workspace import resolve_database

    return resolve_database(given or args.db)


@contextmanager
def _server_errors_as_one_line() -> Iterator[None]:
    """A server that cannot be reached (or refuses the admin) is the user's to fix: one line, exit 2."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as error:
        first = str(error.orig or error).strip().splitlines()
        raise CliError(
            f"the team database could not be set up: {first[0] if first else 'no answer'}"
        ) from None


def init_team(args: argparse.Namespace) -> int:
    from desktop.services.team import init_team as init

    with _server_errors_as_one_line():
        tables = init(_admin_url(args, args.url))
    print(f"Team database ready: {len(tables)} tables granted to dialdesk_agent and dialdesk_supervisor.")
    print("Add people with: dialdesk --db URL team add-agent NAME [--supervisor]")
    return EXIT_OK


def add_agent(args: argparse.Namespace) -> int:
    from desktop.services.team import add_member

    with _server_errors_as_one_line():
        created = add_member(_admin_url(args), args.name, supervisor=args.supervisor)
    role = "supervisor" if args.supervisor else "agent"
    print(f"{args.name} {'added' if created else 'is now'} as {role}: they connect as {args.name}.")
    return EXIT_OK


def watch_team(workspace: Workspace, args: argparse.Namespace) -> int:
    """`team watch`: the snapshot, then a fresh one on each change notification (not polling)."""
    from desktop.services.reports_figures import known_zone
    from desktop.services.team_watch import ListenerLost, NotificationsUnavailable

    if args.zone is not None and not known_zone(args.zone):
        raise CliError(f"--zone {args.zone}: not a time zone name (like America/New_York)")
    watch = workspace.team_watch
    if args.once:
        _show(watch.snapshot(args.zone), args.json)
        return EXIT_OK
    try:
        # Listening before the first read: a change made while it is read is not missed.
        listener = watch.listen()
    except NotificationsUnavailable as error:
        raise CliError(f"{error} (--once prints the view of any database)") from None
    try:
        _show(watch.snapshot(args.zone), args.json)
        while True:
            if listener.wait(_WAIT_S):
                _show(watch.snapshot(args.zone), args.json)
    except KeyboardInterrupt:
        return EXIT_OK
    except ListenerLost as error:
        raise CliError(f"{error}; nothing more will be shown: run team watch again") from None
    finally:
        listener.close()


def _show(snapshot: TeamSnapshot, as_json: bool) -> None:
    from desktop.services.team_watch import snapshot_lines

    if as_json:
        print_json(snapshot.to_json())
    else:
        print("\n".join(snapshot_lines(snapshot)))
    sys.stdout.flush()  # a pipe (a supervisor's script) sees each view when it is made
