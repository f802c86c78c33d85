"""`dialdesk team`: set up a PostgreSQL database for a team (roles for agents and supervisors)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.commands.common import EXIT_OK, CliError, Subparsers


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
