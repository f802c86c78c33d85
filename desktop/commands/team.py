"""`dialdesk team`: set up a PostgreSQL database for a team (roles for agents and supervisors)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json

if TYPE_CHECKING:
    from desktop.services.team_watch import ChangeListener, ListenerLost, TeamSnapshot
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
    add.add_argument(
        "--no-password",
        action="store_true",
        help="set no password (the server authenticates them otherwise: peer, certificate)",
    )
    add.add_argument(
        "--existing-role",
        action="store_true",
        help="make an existing role that Dialdesk did not add a login (never an administrator: "
        "superuser, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS)",
    )
    add.add_argument(
        "--store",
        action="store_true",
        help="also keep their new password in this computer's keyring (setting up their own computer)",
    )
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
    login = actions.add_parser(
        "login", help="check a person's database password and keep it in the OS keyring (never in the URL)"
    )
    login.add_argument("url", metavar="URL", help="postgresql+psycopg://USER@HOST/DB (no password in it)")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin instead of asking"
    )
    login.set_defaults(without_workspace=login_command)
    out = actions.add_parser(
        "checkout",
        help="offline: claim your leads and copy them (with the do-not-call list and registries) to a file",
    )
    out.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="the local database to write (a new file; default: team-offline.db in the user data folder)",
    )
    out.add_argument(
        "--take", type=int, default=0, metavar="N", help="also claim N more leads from the queue"
    )
    out.add_argument(
        "--hours", type=float, default=8.0, metavar="H", help="hold the claims this long (default 8)"
    )
    out.add_argument("--json", action="store_true", help="print what was copied as JSON")
    out.set_defaults(handler=checkout_command)


def _admin_url(args: argparse.Namespace, given: str | None = None) -> str:
    from desktop.services.workspace import resolve_database

    return resolve_database(given or args.db)


@contextmanager
def _server_errors_as_one_line(url: str) -> Iterator[None]:
    """A server that cannot be reached (or refuses the admin) is the user's to fix: one line, exit 2."""
    from sqlalchemy.exc import DBAPIError

    from desktop.services.team_login import server_problem

    try:
        yield
    except DBAPIError as error:
        first = str(error.orig or error).strip().splitlines()
        raise CliError(
            server_problem(error, url)
            or f"the team database could not be set up: {first[0] if first else 'no answer'}"
        ) from None


def init_team(args: argparse.Namespace) -> int:
    from desktop.services.team import init_team as init

    url = _admin_url(args, args.url)
    with _server_errors_as_one_line(url):
        tables = init(url)
    print(f"Team database ready: {len(tables)} tables granted to dialdesk_agent and dialdesk_supervisor.")
    print("Add people with: dialdesk --db URL team add-agent NAME [--supervisor]")
    return EXIT_OK


def add_agent(args: argparse.Namespace) -> int:
    import secrets

    from sqlalchemy.engine import make_url

    from desktop.services.team import add_member
    from desktop.services.team_login import LoginError, refuse_password_in_url, store_login

    admin_url = _admin_url(args)
    try:
        refuse_password_in_url(admin_url)
    except LoginError as error:
        raise CliError(str(error)) from None
    # A new password each time: printed once, for the person (or kept here with --store).
    password = None if args.no_password else secrets.token_urlsafe(18)
    with _server_errors_as_one_line(admin_url):
        created = add_member(
            admin_url, args.name, supervisor=args.supervisor, password=password, adopt=args.existing_role
        )
    role = "supervisor" if args.supervisor else "agent"
    became = f"added as {role}" if created else f"is now {'a' if args.supervisor else 'an'} {role}"
    print(f"{args.name} {became}: they connect as {args.name}.")
    if password is None:
        return EXIT_OK
    their_url = make_url(admin_url).set(username=args.name).render_as_string(hide_password=True)
    if args.store:
        try:
            store_login(their_url, password)
        except LoginError as error:
            raise CliError(f"{args.name} was added, but {error}") from None
        print(f"Their password is in this computer's keyring for {their_url}.")
    else:
        print(f"Their password (shown once; they run `dialdesk team login {their_url}`): {password}")
    return EXIT_OK


def login_command(args: argparse.Namespace) -> int:
    import getpass
    import sys

    from desktop.services.team_login import (
        LoginError,
        check_login,
        login_key,
        refuse_password_in_url,
        store_login,
    )

    url = _admin_url(args, args.url)
    try:
        refuse_password_in_url(url)
        login_key(url)  # a URL whose login cannot be kept is refused before the password is asked
        if args.password_stdin or not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(f"Password for {url}: ")
        check_login(url, password)
        key = store_login(url, password)
    except LoginError as error:
        raise CliError(str(error)) from None
    print(f"Logged in: the password for {key} is in the keyring; connect with --db {url}")
    return EXIT_OK


def checkout_command(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.team_checkout import CheckoutError, checkout, offline_copy_path

    agent = workspace.acting_agent()
    if agent is None:
        raise CliError("team checkout needs an agent: --agent NAME or $DIALDESK_AGENT")
    try:
        report = checkout(workspace, agent, args.out or offline_copy_path(), args.take, args.hours)
    except CheckoutError as error:
        raise CliError(str(error)) from None
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
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
    listener: ChangeListener | None = None
    failures = 0  # tries in a row that found the server away
    try:
        while True:
            try:
                if listener is None:
                    # Listening before the read: a change made while it is read is not missed. After a
                    # reconnect the whole view is read: the changes made meanwhile were never notified.
                    listener = watch.listen()
                    _show(watch.reread(args.zone), args.json)
                    if failures:
                        print("reconnected to the team database", file=sys.stderr, flush=True)
                    failures = 0
                if listener.wait(_WAIT_S):
                    _show(watch.reread(args.zone), args.json)
            except ListenerLost as error:
                failures += 1
                _lost(listener, error, failures)
                listener = None
    except NotificationsUnavailable as error:
        raise CliError(f"{error} (--once prints the view of any database)") from None
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        if listener is not None:
            listener.close()


def _lost(listener: ChangeListener | None, error: ListenerLost, failures: int) -> None:
    """Say the watch is reconnecting, drop the dead listener, wait before the next try."""
    from desktop.services.team_watch import reconnect_delay

    if listener is not None:
        listener.close()
    delay = reconnect_delay(failures)
    print(f"{error}; reconnecting in {delay:g} s…", file=sys.stderr, flush=True)
    time.sleep(delay)


def _show(snapshot: TeamSnapshot, as_json: bool) -> None:
    from desktop.services.team_watch import snapshot_lines

    if as_json:
        print_json(snapshot.to_json())
    else:
        print("\n".join(snapshot_lines(snapshot)))
    sys.stdout.flush()  # a pipe (a supervisor's script) sees each view when it is made
