"""`dialdesk leads import|export`: call lists in, leads with their phones out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, print_json, record_id
from desktop.domain.phones import known_region
from desktop.terminal import shown_text

if TYPE_CHECKING:
    from desktop.services.imports import ImportReport
    from desktop.services.workspace import Workspace

EXPORT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "company",
    "title",
    "email",
    "kind",
    "state",
    "source",
    "list",
    "status",
    "attempts",
    "contacts",
    "last_outcome",
    "next_due_at",
    "phones",
    "notes",
)


def register(commands: Subparsers) -> None:
    leads = commands.add_parser("leads", help="import and export call lists")
    actions = leads.add_subparsers(dest="leads_command", metavar="ACTION", required=True)
    importing = actions.add_parser("import", help="import a CSV/TXT/XLSX call list")
    importing.add_argument("file", type=Path, help="the call list file (.csv, .txt or .xlsx)")
    importing.add_argument("--list", dest="list_name", help="list name (default: the file name)")
    importing.add_argument("--region", help="default country for numbers without +code (default: US)")
    importing.add_argument("--json", action="store_true", help="print the result as one JSON object")
    importing.set_defaults(handler=import_leads)
    exporting = actions.add_parser("export", help="write every lead with its phones")
    exporting.add_argument("--format", choices=("json", "csv"), default="json", help="json (default) or csv")
    exporting.add_argument("--out", type=Path, help="output file (default: standard output)")
    exporting.set_defaults(handler=export_leads)
    erasing = actions.add_parser(
        "erase", help="erase a lead's personal fields on request (its calls and do-not-call entries stay)"
    )
    erasing.add_argument("lead", type=record_id, metavar="ID", help="the lead's id")
    erasing.add_argument("--reason", required=True, help="why (e.g. 'asked by e-mail on 2026-12-01')")
    erasing.set_defaults(handler=erase_lead)


def import_summary_line(report: ImportReport) -> str:
    """What an import did in one line: the leads added and why the queue holds fewer (no number to
    dial), rows that changed leads already here, and "nothing new" when a file was imported again."""
    if report.nothing_new:
        return (
            f"Nothing new in list '{report.list_name}': {report.unchanged:,} rows matched leads "
            "already here, 0 changed."
        )
    line = f"Imported {report.imported:,} leads into list '{report.list_name}'"
    if report.without_number:
        line += f" · {report.without_number:,} have no number to dial (not in the queue)"
    counts = [f"{report.merged_duplicates:,} merged"]
    if report.unchanged:
        counts.append(f"{report.unchanged:,} unchanged")
    return f"{line} ({', '.join(counts)})."


def import_leads(workspace: Workspace, args: argparse.Namespace) -> int:
    if args.region is not None and not known_region(args.region):
        raise CliError(
            f"--region {shown_text(args.region)} is not a country code phone numbers know (US, CA, GB …)"
        )
    report = workspace.imports.run(args.file, list_name=args.list_name, region=args.region)
    if args.json:
        print_json(report.to_json())
        return EXIT_OK
    print(import_summary_line(report))
    for item in report.rejected:
        print(f"  {item.place}, {item.column or 'row'}: {item.value!r}: {item.reason}")
    if report.do_not_call_leads:
        print(
            f"  {report.do_not_call_leads:,} leads marked do-not-call in the file: "
            f"{report.do_not_call_numbers_added:,} numbers added to the internal do-not-call list."
        )
    for dropped in report.dropped_columns:
        print(f"  not imported: {dropped}")
    if report.ignored_columns:
        print(f"  columns not imported: {', '.join(report.ignored_columns)}")
    return EXIT_OK


def _flat(record: dict[str, Any]) -> list[Any]:
    phones = "; ".join(
        (p["e164"] or p["raw"])
        + (f" ext. {p['extension']}" if p["extension"] else "")
        + ("" if p["valid"] else " (invalid)")
        for p in record["phones"]
    )
    return [phones if column == "phones" else record[column] for column in EXPORT_COLUMNS]


def export_leads(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.exports.safe_csv import open_private, write_csv

    records = workspace.leads.export_records()
    stream = open_private(args.out) if args.out else sys.stdout
    try:
        if args.format == "json":
            stream.write("[")
            for index, record in enumerate(records):
                stream.write(("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False))
            stream.write("\n]\n")
        else:
            write_csv(stream, EXPORT_COLUMNS, (_flat(record) for record in records))
    finally:
        if args.out:
            stream.close()
    return EXIT_OK


def erase_lead(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.retention import RetentionError

    try:
        erased = workspace.retention.erase(args.lead, args.reason)
    except RetentionError as error:
        raise CliError(str(error)) from None
    fields = ", ".join(erased.fields) or "nothing left to erase"
    print(
        f"Erased lead #{erased.lead_id} ({fields}); its {erased.calls_kept:,} calls and its "
        "do-not-call entries are kept, and the erasure is recorded in the history."
    )
    return EXIT_OK
