"""`dialdesk db backup|restore|check|backups`: keeping the database file safe from the command line.

These work on the file itself and do not open it as a workspace first, so `check` and `restore`
still work on a database too damaged to open. `restore` replaces the database: it asks first, and
without a terminal to ask on it refuses unless `--yes` is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.commands.common import (
    EXIT_BLOCKED,
    EXIT_ERROR,
    EXIT_OK,
    CliError,
    Subparsers,
    parse_day,
    print_json,
)

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace


def register(commands: Subparsers) -> None:
    db = commands.add_parser("db", help="back up, restore and check the database file")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    backup = actions.add_parser("backup", help="copy the database to PATH (a new file, or a folder)")
    backup.add_argument(
        "path", type=Path, metavar="PATH", help="where to write the copy (a new file, or a folder)"
    )
    backup.set_defaults(without_workspace=back_up)

    restore = actions.add_parser(
        "restore", help="replace the database with a backup (the current one is kept first)"
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="the backup file to restore")
    restore.add_argument(
        "--yes",
        action="store_true",
        help="do not ask for confirmation (required when not run from a terminal)",
    )
    restore.set_defaults(without_workspace=restore_backup)

    check = actions.add_parser("check", help="run SQLite's integrity check: exit 0 when sound, 1 on problems")
    check.add_argument("--json", action="store_true", help="print the result as one JSON object")
    check.set_defaults(without_workspace=check_database)

    purge = actions.add_parser(
        "purge", help="delete calls older than DATE; dates inside the retention period are refused"
    )
    purge.add_argument(
        "--before", required=True, metavar="YYYY-MM-DD", help="delete calls made before this day"
    )
    purge.set_defaults(handler=purge_records, needs_existing_database=True)

    listing = actions.add_parser("backups", help="list the automatic backups of the database")
    listing.set_defaults(without_workspace=list_backups)


def _service(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from desktop.services.backup import BackupService
    from desktop.services.workspace import resolve_database

    return BackupService(resolve_database(args.db))


def _fail(error: Exception) -> CliError:
    return CliError(str(error))


def back_up(args: argparse.Namespace) -> int:
    from desktop.services.backup import BackupError

    service = _service(args)
    try:
        facts = service.backup_to(args.path)
    except BackupError as error:
        raise _fail(error) from None
    print(f"Backed up {service.database} to {facts.path} ({facts.describe()}).")
    return EXIT_OK


def _confirmed(question: str) -> bool:
    try:
        answer = input(question + " [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def restore_backup(args: argparse.Namespace) -> int:
    from desktop.services.backup import BackupError

    service = _service(args)
    try:
        target = service.database
        if not args.yes and not sys.stdin.isatty():
            raise CliError(
                f"restoring replaces the database {target}: run it again with --yes to confirm "
                "(there is no terminal to ask on)"
            )
        facts = service.inspect(args.path)
        if not args.yes and not _confirmed(
            f"Replace the database {target} with the backup {facts.path} ({facts.describe()})? "
            f"A copy of the current database is kept in {service.folder} first."
        ):
            print("dialdesk: restore cancelled: nothing was changed", file=sys.stderr)
            return EXIT_ERROR
        result = service.restore(args.path)
    except BackupError as error:
        raise _fail(error) from None
    if result.kept_copy is not None:
        print(f"Kept the database as it was in {result.kept_copy}.")
    upgraded = ""
    if result.upgraded_from != result.restored.revision:
        upgraded = f", upgraded from schema {result.upgraded_from} to {result.restored.revision}"
    print(f"Restored {target} from {facts.path}: {result.restored.describe()}{upgraded}.")
    if result.history is not None:
        # The restored history, verified: a broken one is restored all the same (it may be the only copy).
        print(f"History: {result.history.text()}", file=sys.stdout if result.history.intact else sys.stderr)
    return EXIT_OK


def check_database(args: argparse.Namespace) -> int:
    from desktop.services.backup import BackupError

    service = _service(args)
    try:
        report = service.check()
    except BackupError as error:
        raise _fail(error) from None
    if args.json:
        print_json(report.to_json())
    else:
        try:
            folder: Path | None = service.folder
        except OSError:
            folder = None
        print(report.text(folder))
    return EXIT_OK if report.ok else EXIT_BLOCKED


def list_backups(args: argparse.Namespace) -> int:
    from desktop.services.backup import BackupError

    service = _service(args)
    try:
        backups = service.automatic_backups()
        database = service.database
    except BackupError as error:
        raise _fail(error) from None
    if not backups:
        print(f"No automatic backups of {database} in {service.folder} yet.")
        return EXIT_OK
    print(f"Automatic backups of {database} (newest first), in {service.folder}:")
    for backup in backups:
        print(f"  {backup.taken_at:%Y-%m-%d %H:%M}Z  {backup.size / 1_000_000:7.1f} MB  {backup.path.name}")
    return EXIT_OK


def purge_records(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.retention import RetentionError

    before = parse_day(args.before, "--before")
    try:
        purged = workspace.retention.purge(before)
    except RetentionError as error:
        raise CliError(str(error)) from None
    print(
        f"Purged {purged.calls:,} calls and {purged.audit_records:,} audit records from before "
        f"{purged.before.isoformat()}; the history keeps its events."
    )
    return EXIT_OK
