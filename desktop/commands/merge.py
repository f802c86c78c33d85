"""`dialdesk merge DB...`: fold colleagues' databases into this one (a team without a server).

Each file is another agent's Dialdesk database; their leads, calls, callbacks, meetings, consents,
script answers and do-not-call entries are added to this database. Merging the same file again
adds nothing. The colleague's file is only read (a copy is upgraded, never the file itself).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace


def register(commands: Subparsers) -> None:
    merge = commands.add_parser(
        "merge",
        help="merge colleagues' databases into this one (idempotent)",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    merge.add_argument("files", nargs="+", type=Path, metavar="DB", help="a colleague's database file")
    merge.add_argument("--json", action="store_true", help="print one JSON object per file merged")
    merge.set_defaults(handler=merge_databases)


def merge_databases(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.merge import MergeError, merge_service_for

    service = merge_service_for(workspace)
    reports: list[Any] = []
    for path in args.files:
        try:
            report = service.merge(path)
        except MergeError as error:
            done = f" ({len(reports)} merged before it)" if reports else ""
            raise CliError(f"{path}: {error}{done}") from None
        reports.append(report)
        if args.json:
            print_json(report.to_json())
        else:
            print(report.summary())
    if not args.json:
        print(f"This database: {workspace.describe()}", file=sys.stderr)
    return EXIT_OK
