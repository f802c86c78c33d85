"""`dialdesk check`, `dialdesk scrub` and `dialdesk audit export`: the gate asked without dialling."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop.commands.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    CliError,
    Subparsers,
    parse_day,
    parse_time,
    print_json,
    record_id,
)
from desktop.commands.records import register_audit

if TYPE_CHECKING:
    from desktop.domain.compliance_rules import RuleBook
    from desktop.services.gate import GateResult
    from desktop.services.settings import Settings
    from desktop.services.workspace import Workspace


def register(commands: Subparsers) -> None:
    check = commands.add_parser(
        "check",
        help="ask the dial gate about a number or a lead (never dials)",
        description=(
            "Asks what the window asks before a dial. With --lead and no NUMBER, decides for the "
            "lead's first dialable number (the one the window dials)."
        ),
    )
    check.add_argument("number", nargs="?", help="the number (default with --lead: the lead's first)")
    check.add_argument(
        "--kind", choices=("business", "residential"), help="default: the lead's, else residential"
    )
    check.add_argument("--lead", type=record_id, metavar="ID", help="decide as a call to this lead")
    check.add_argument("--at", metavar="ISO8601", help="what if: decide at this moment instead of now")
    check.add_argument(
        "--region", default=None, help="country for a number without +code (default: settings)"
    )
    check.add_argument(
        "--power-dial",
        dest="automated",
        action="store_true",
        help="ask about an automatically dialled call (the power dialler), as some state rules differ",
    )
    check.add_argument(
        "--voicemail-drop",
        dest="prerecorded",
        action="store_true",
        help="ask about leaving a prerecorded message (a voicemail drop)",
    )
    check.add_argument("--json", action="store_true", help="print the decision as one JSON object")
    check.set_defaults(handler=check_number)

    scrub = commands.add_parser("scrub", help="check the whole list now: who would be skipped and why")
    scrub.add_argument("--list", dest="list_name", help="only this list")
    scrub.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    scrub.add_argument("--out", type=Path, metavar="FILE.csv", help="write the decision for every lead")
    scrub.set_defaults(handler=scrub_list)

    audit = commands.add_parser("audit", help="compliance evidence")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="every gate decision with its reasons, as CSV")
    export.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first day (UTC)")
    export.add_argument(
        "--to", dest="last", required=True, metavar="YYYY-MM-DD", help="last day (UTC), included"
    )
    export.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="the CSV file to write")
    export.set_defaults(handler=export_audit)
    register_audit(actions)


class CheckAnswerer(Protocol):
    """What a check asks of an open database: the Workspace, or the quick check's plain reader."""

    rulebook: RuleBook

    def current_settings(self) -> Settings: ...

    def check(
        self,
        lead_id: int | None = None,
        phone_id: int | None = None,
        number: str | None = None,
        region: str = "US",
        at: datetime | None = None,
        kind: str | None = None,
        automated: bool = False,
        prerecorded: bool = False,
    ) -> GateResult: ...


class _WorkspaceAnswerer:
    """A Workspace as a CheckAnswerer (its gate questions go to the calling service)."""

    def __init__(self, workspace: Workspace) -> None:
        self.rulebook = workspace.rulebook
        self.current_settings = workspace.current_settings
        self.check = workspace.calling.check


def check_number(workspace: Workspace, args: argparse.Namespace) -> int:
    return answer_check(_WorkspaceAnswerer(workspace), args)


def quick_check_number(args: argparse.Namespace) -> int | None:
    """`dialdesk check` without the ORM when the database needs nothing done at open; else None."""
    from desktop.services.quick_check import open_quick_gate

    quick = open_quick_gate(args.db)
    if quick is None:
        return None
    try:
        return answer_check(quick, args)
    finally:
        quick.close()


def answer_check(answerer: CheckAnswerer, args: argparse.Namespace) -> int:
    if args.number is None and args.lead is None:
        raise CliError("check needs a NUMBER, or --lead ID to decide for the lead's first dialable number")
    at = parse_time(args.at, "--at")
    region = args.region or answerer.current_settings().default_region
    result = answerer.check(
        lead_id=args.lead,
        number=args.number,
        region=region,
        at=at,
        kind=args.kind,
        automated=args.automated,
        prerecorded=args.prerecorded,
    )
    decision = result.decision
    if args.json:
        data = decision.to_json()
        callable_at = result.callable_at(answerer.rulebook) if not decision.allowed else None
        data["callable_at"] = callable_at.isoformat() if callable_at else None
        print_json(data)
    else:
        verdict = "ALLOWED" if decision.allowed else "BLOCKED"
        print(f"{verdict}: {decision.number}  ({decision.local_time_text})")
        for reason in decision.reasons + decision.notes:
            print(f"  {reason.code}: {reason.detail}")
    return EXIT_OK if decision.allowed else EXIT_BLOCKED


def scrub_list(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.exports.safe_csv import open_private, write_csv
    from desktop.services.scrub import SCRUB_COLUMNS, ScrubReport, ScrubService, add_to_report, scrub_record

    service = ScrubService(workspace.uow, workspace.clock, workspace.gate)
    report = ScrubReport(at=workspace.clock())

    def counted(rows: Any) -> Any:
        for row in rows:
            add_to_report(report, row)
            yield row

    rows = counted(service.rows(args.list_name))
    if args.out:
        with open_private(args.out) as stream:
            write_csv(stream, SCRUB_COLUMNS, (scrub_record(row) for row in rows))
    else:
        for _row in rows:
            pass
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
    return EXIT_OK


def export_audit(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.exports.safe_csv import open_private, write_csv
    from desktop.services.audit import AUDIT_COLUMNS, decisions

    first, last = parse_day(args.first, "--from"), parse_day(args.last, "--to")
    if last < first:
        raise CliError("--to is before --from")
    with open_private(args.out) as stream:
        count = write_csv(stream, AUDIT_COLUMNS, decisions(workspace.uow, first, last))
    print(f"Wrote {count:,} decisions to {args.out}", file=sys.stderr)
    return EXIT_OK
