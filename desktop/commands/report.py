"""`dialdesk report`: supervisor reports as JSON, CSV, XLSX or PDF, for a period and optional filters.

    dialdesk report --from 2026-12-01 --to 2026-12-07 [--agent NAME] [--list NAME] [--script NAME]
                    [--tz America/New_York] --format json|csv|xlsx|pdf [--out PATH] [--table calls]
    dialdesk report outcomes --from 2026-12-01 --to 2026-12-07 --out tasks.csv
    dialdesk report agents merge OLD NEW

JSON goes to standard output unless --out is given; CSV writes one table (--table, default the
per-call detail); XLSX writes every table on its own sheet; PDF writes the figures, the charts and
the summary tables. Files are created readable by the user only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, parse_day
from desktop.terminal import shown_text

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

FORMATS = ("json", "csv", "xlsx", "pdf")
CSV_TABLES = (
    "calls",
    "by-day",
    "by-agent",
    "compliance",
    "summary",
    "outcomes",
    "blocked",
    "scripts",
    "local-hours",
    "attempts-to-contact",
)


def register(commands: Subparsers) -> None:
    report = commands.add_parser(
        "report",
        help="supervisor report: dials, connects, meetings, per agent, per day, per script",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    report.add_argument(
        "subject",
        nargs="*",
        metavar="outcomes | agents merge OLD NEW",
        help="outcomes: the calls as Salesforce Tasks keyed by the lead's CRM record id (--out FILE.csv); "
        "agents merge OLD NEW: count OLD's calls as NEW's in every report",
    )
    report.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day")
    report.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (included)")
    report.add_argument("--agent", help="only this agent's calls (the name in their settings)")
    report.add_argument("--list", dest="list_name", help="only calls to leads of this call list")
    report.add_argument("--script", help="only calls made under this script (its name)")
    report.add_argument(
        "--tz",
        metavar="ZONE",
        help="time zone of the days, e.g. America/New_York (default: this computer's, as in the window)",
    )
    report.add_argument(
        "--format", choices=FORMATS, default="json", help=", ".join(FORMATS) + " (default: json)"
    )
    report.add_argument("--out", type=Path, help="output file (JSON and CSV: default standard output)")
    report.add_argument(
        "--table",
        choices=CSV_TABLES,
        default="calls",
        help="which table --format csv writes (default: calls)",
    )
    report.set_defaults(handler=run_report)


def run_report(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.reports import ReportError, ReportFilter, report_service_for
    from desktop.services.reports_figures import local_zone_name

    if args.subject[:2] == ["agents", "merge"]:
        return _merge_agents(workspace, args.subject[2:])
    if args.subject not in ([], ["outcomes"]):
        raise CliError(f"unknown report {' '.join(args.subject)!r}: use 'outcomes' or 'agents merge OLD NEW'")
    for value, option in ((args.first, "--from"), (args.last, "--to")):
        if value is None:
            raise CliError(f"{option} YYYY-MM-DD is required")

    flt = ReportFilter(
        first_day=parse_day(args.first, "--from"),
        last_day=parse_day(args.last, "--to"),
        zone=args.tz or local_zone_name(),  # the broker's calendar days, as the window shows them
        agent=args.agent,
        list_name=args.list_name,
        script=args.script,
    )
    if args.subject == ["outcomes"]:
        _refuse_options_outcomes_ignore(args)
        return _write_outcomes(workspace, flt, args.out)
    if args.format in ("xlsx", "pdf") and args.out is None:
        raise CliError(f"--format {args.format} needs --out FILE")
    service = report_service_for(workspace)
    try:
        if args.format == "csv" and args.table in ("calls", "compliance"):
            service.scope(flt)  # reports bad filters before any file is created
            return _write_csv(workspace, service, flt, None, args)
        report = service.build(flt)
        if args.format == "json":
            return _write_json(report.to_json(), args.out)
        if args.format == "csv":
            return _write_csv(workspace, service, flt, report, args)
        if args.format == "xlsx":
            return _write_xlsx(workspace, service, flt, report, args.out)
        return _write_pdf(report, args.out)
    except ReportError as error:
        raise CliError(str(error)) from None


def _write_json(data: dict[str, Any], out: Path | None) -> int:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        print(text)
        return EXIT_OK
    from desktop.exports.safe_csv import open_private

    with open_private(out) as stream:
        stream.write(text + "\n")
    print(f"Wrote the report to {out}", file=sys.stderr)
    return EXIT_OK


def _write_csv(workspace: Workspace, service: Any, flt: Any, report: Any, args: argparse.Namespace) -> int:
    from desktop.exports.safe_csv import open_private, write_csv
    from desktop.services.reports_tables import detail_tables, summary_tables, text_rows

    tables = detail_tables(workspace.uow, service, flt)
    if report is not None:
        tables += summary_tables(report)
    table = next(t for t in tables if t.key == args.table)
    stream = open_private(args.out) if args.out else sys.stdout
    try:
        count = write_csv(stream, list(table.headers), text_rows(table.rows))
    finally:
        if args.out:
            stream.close()
    if args.out:
        print(f"Wrote {count:,} rows ({table.title}) to {args.out}", file=sys.stderr)
    return EXIT_OK


def _write_xlsx(workspace: Workspace, service: Any, flt: Any, report: Any, out: Path) -> int:
    from desktop.exports.xlsx import write_workbook
    from desktop.services.reports_tables import detail_tables, report_info, summary_tables

    tables = summary_tables(report) + detail_tables(workspace.uow, service, flt)
    counts = write_workbook(out, tables, info=report_info(report))
    print(f"Wrote {len(counts)} sheets to {out}", file=sys.stderr)
    return EXIT_OK


def _write_pdf(report: Any, out: Path) -> int:
    from desktop.exports.charts import render_report_charts
    from desktop.exports.pdf import write_pdf
    from desktop.services.reports_tables import REPORT_TITLE, report_info, summary_tables

    images = render_report_charts(report.to_json())
    pages = write_pdf(out, REPORT_TITLE, report_info(report), summary_tables(report), images)
    print(f"Wrote {pages} pages to {out}", file=sys.stderr)
    return EXIT_OK


def _refuse_options_outcomes_ignore(args: argparse.Namespace) -> None:
    """The outcomes export writes every call of the period as CSV: an option it would not apply is
    refused rather than silently ignored (a file 'for alice' must not hold everyone's calls)."""
    ignored = [
        option
        for option, given in (
            ("--agent", args.agent),
            ("--list", args.list_name),
            ("--script", args.script),
            ("--format", args.format != "json"),
            ("--table", args.table != "calls"),
        )
        if given
    ]
    if ignored:
        raise CliError(
            f"report outcomes writes every call of the period as CSV: leave out {', '.join(ignored)}"
        )
    if args.out is not None and args.out.suffix.lower() not in ("", ".csv", ".txt"):
        raise CliError(f"report outcomes writes CSV: give a .csv file, not {shown_text(str(args.out))}")


def _write_outcomes(workspace: Workspace, flt: Any, out: Path | None) -> int:
    from desktop.services.crm_export import export_outcomes
    from desktop.services.reports import ReportError

    if out is None:
        raise CliError("report outcomes needs --out FILE.csv")
    try:
        flt.validate()
    except ReportError as error:
        raise CliError(str(error)) from None
    labels = {rule.code: rule.label for rule in workspace.calling.outcome_rules}
    try:
        done = export_outcomes(workspace.uow, out, flt.first_day, flt.last_day, flt.tzinfo(), labels)
    except OSError as error:
        raise CliError(f"cannot write {shown_text(str(out))}: {error.strerror or error}") from None
    print(
        f"Wrote {done.written:,} calls as Salesforce Tasks to {out}"
        + (
            f"; {done.without_record_id:,} calls to leads without a CRM record id left out"
            if done.without_record_id
            else ""
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _merge_agents(workspace: Workspace, names: list[str]) -> int:
    from desktop.services.agents import AgentError, merge_agents

    if len(names) != 2 or not all(name.strip() for name in names):
        raise CliError("usage: dialdesk report agents merge OLD NEW")
    try:
        done = merge_agents(workspace.uow, workspace.clock, names[0], names[1])
    except AgentError as error:
        raise CliError(str(error)) from None
    print(
        f"Reports now count {done.old!r}'s calls as {done.new!r}'s ({done.calls_moved:,} calls); "
        "the calls keep their agent and the merge is in the audit log."
    )
    return EXIT_OK
