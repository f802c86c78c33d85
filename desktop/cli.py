"""The `dialdesk` command: with no subcommand it opens the window; subcommands do the same work headless.

Exit codes: 0 success; 1 the dial gate refused; 2 bad input or an unusable file/database (one line
on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop import __version__
from desktop.domain.outcomes import OUTCOME_CODES

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_ERROR = 2


class CliError(Exception):
    """A problem to report in one line with exit code 2."""


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

    leads = commands.add_parser("leads", help="import and export call lists")
    leads_commands = leads.add_subparsers(dest="leads_command", metavar="ACTION", required=True)
    leads_import = leads_commands.add_parser("import", help="import a CSV/TXT/XLSX call list")
    leads_import.add_argument("file", type=Path)
    leads_import.add_argument("--list", dest="list_name", help="list name (default: the file name)")
    leads_import.add_argument("--region", help="default country for numbers without +code (default: US)")
    leads_import.add_argument("--json", action="store_true", help="print the result as one JSON object")
    leads_export = leads_commands.add_parser("export", help="write every lead with its phones")
    leads_export.add_argument("--format", choices=("json", "csv"), default="json")
    leads_export.add_argument("--out", type=Path, help="output file (default: standard output)")

    queue = commands.add_parser("queue", help="list the next leads in the order the window offers them")
    queue.add_argument("--limit", type=int, default=20)
    queue.add_argument("--json", action="store_true")

    record = commands.add_parser("record", help="log a manual call and its outcome, through the dial gate")
    record.add_argument("lead_id", type=int, metavar="LEAD_ID")
    record.add_argument("outcome", choices=OUTCOME_CODES, metavar="OUTCOME", help=", ".join(OUTCOME_CODES))
    record.add_argument(
        "--phone", help="the number called (E.164); default: the lead's first dialable number"
    )
    record.add_argument("--note", default="")
    record.add_argument("--callback", metavar="ISO8601", help="when to call back (outcome callback)")
    record.add_argument("--meeting", metavar="ISO8601", help="when the meeting is (outcome meeting)")
    record.add_argument("--where", default="", help="where the meeting is")
    record.add_argument("--json", action="store_true")

    dnc = commands.add_parser("dnc", help="the firm's internal do-not-call list")
    dnc_commands = dnc.add_subparsers(dest="dnc_command", metavar="ACTION", required=True)
    dnc_add = dnc_commands.add_parser("add", help="never call this number again")
    dnc_add.add_argument("number")
    dnc_add.add_argument("--reason", default="")
    dnc_add.add_argument("--region", default=None)
    dnc_remove = dnc_commands.add_parser("remove", help="take a number off the internal list (audited)")
    dnc_remove.add_argument("number")
    dnc_remove.add_argument("--confirm", action="store_true", help="required: removing allows calls again")
    dnc_remove.add_argument("--region", default=None)
    dnc_list = dnc_commands.add_parser("list", help="print the internal list")
    dnc_list.add_argument("--json", action="store_true")
    return parser


def _parse_time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"{option}: {text!r} is not an ISO 8601 time such as 2026-12-01T15:00:00-05:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a bare local time means the agent's own clock
    return moment


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=None, default=str))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.command is None:
            return _run_gui(args)
        from desktop.services.workspace import open_workspace

        workspace = open_workspace(args.db)
        try:
            handler = _HANDLERS[args.command]
            return handler(workspace, args)
        finally:
            workspace.close()
    except CliError as error:
        print(f"dialdesk: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`dialdesk leads export | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the known failures below become one clear line
        from desktop.services.calling import CallingError
        from desktop.services.dnc import DncError
        from desktop.services.imports import ImportCancelled, ImportFailed
        from desktop.services.leads import LeadNotFound
        from desktop.storage.engine import DatabaseError

        if isinstance(
            error, ImportFailed | ImportCancelled | DatabaseError | CallingError | LeadNotFound | DncError
        ):
            print(f"dialdesk: {error}", file=sys.stderr)
            return EXIT_ERROR
        raise


def _run_gui(args: argparse.Namespace) -> int:
    from desktop.services.workspace import open_workspace
    from desktop.ui.app import run_gui

    workspace = open_workspace(args.db)
    try:
        return run_gui(workspace, sys.argv[:1])
    finally:
        workspace.close()


def _leads(workspace: Any, args: argparse.Namespace) -> int:
    if args.leads_command == "import":
        report = workspace.imports.run(args.file, list_name=args.list_name, region=args.region)
        if args.json:
            _print_json(report.to_json())
        else:
            print(
                f"Imported {report.imported:,} leads into list '{report.list_name}' "
                f"({report.merged_duplicates:,} repeated rows merged, {report.without_number:,} without a "
                f"dialable number)."
            )
            for item in report.rejected:
                print(f"  line {item.line}, {item.column or 'row'}: {item.value!r}: {item.reason}")
        return EXIT_OK
    return _export_leads(workspace, args)


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


def _export_leads(workspace: Any, args: argparse.Namespace) -> int:
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

            def flat(record: dict[str, Any]) -> list[Any]:
                phones = "; ".join(
                    (p["e164"] or p["raw"])
                    + (f" ext. {p['extension']}" if p["extension"] else "")
                    + ("" if p["valid"] else " (invalid)")
                    for p in record["phones"]
                )
                return [phones if column == "phones" else record[column] for column in EXPORT_COLUMNS]

            write_csv(stream, EXPORT_COLUMNS, (flat(record) for record in records))
    finally:
        if args.out:
            stream.close()
    return EXIT_OK


def _queue(workspace: Any, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    rows = workspace.leads.queue_page(0, args.limit)
    if args.json:
        _print_json(
            [
                {
                    "lead_id": row.lead_id,
                    "name": row.name,
                    "company": row.company,
                    "reason": row.bucket,
                    "due_at": row.due_at.isoformat() if row.due_at else None,
                    "attempt": row.attempts + 1,
                    "attempts": row.attempts,
                    "target": row.target,
                    "phone": row.phone,
                    "local_time": row.local_time,
                }
                for row in rows
            ]
        )
    else:
        counts = workspace.leads.queue_counts()
        print(
            f"{counts.total:,} leads in the queue "
            f"({counts.new:,} new, {counts.due:,} due, {counts.later:,} later)"
        )
        for row in rows:
            due = f" due {row.due_at:%Y-%m-%d %H:%M}Z" if row.due_at else ""
            print(
                f"#{row.lead_id:<6} {row.name[:28]:<28} {row.phone:<18} {row.bucket:<8} "
                f"attempt {row.attempts + 1} of {row.target}{due}"
            )
    return EXIT_OK


def _record(workspace: Any, args: argparse.Namespace) -> int:
    from desktop.services.calling import GateRefused

    callback_at = _parse_time(args.callback, "--callback")
    meeting_at = _parse_time(args.meeting, "--meeting")
    try:
        result = workspace.calling.record_outcome(
            args.lead_id,
            args.outcome,
            number=args.phone,
            note=args.note,
            callback_at=callback_at,
            meeting_at=meeting_at,
            where=args.where,
        )
    except GateRefused as refused:
        decision = refused.decision
        if args.json:
            _print_json(
                {
                    "lead_id": args.lead_id,
                    "number": decision.number,
                    "allowed": False,
                    "reasons": [{"code": r.code, "detail": r.detail} for r in decision.reasons],
                    "attempt_id": refused.attempt_id,
                }
            )
        else:
            print(f"Blocked: {decision.number}", file=sys.stderr)
            for reason in decision.reasons:
                print(f"  {reason.code}: {reason.detail}", file=sys.stderr)
        return EXIT_BLOCKED
    if args.json:
        _print_json(
            {
                "lead_id": result.lead_id,
                "attempt_id": result.attempt_id,
                "outcome": result.outcome,
                "attempts": result.attempts,
                "status": result.status,
                "next_due_at": result.next_due_at.isoformat() if result.next_due_at else None,
                "added_to_dnc": list(result.added_to_dnc),
                "next_lead_id": result.next_lead_id,
            }
        )
    else:
        print(
            f"Recorded {result.outcome} for lead #{result.lead_id} (call #{result.attempt_id}); "
            f"attempts: {result.attempts}; status: {result.status}."
        )
    return EXIT_OK


def _dnc(workspace: Any, args: argparse.Namespace) -> int:
    from desktop.services.dnc import DncService

    service = DncService(workspace.uow, workspace.clock, workspace.current_settings)
    if args.dnc_command == "add":
        number = service.add(args.number, reason=args.reason, region=args.region)
        print(f"{number} is on the internal do-not-call list.")
    elif args.dnc_command == "remove":
        if not args.confirm:
            raise CliError("removing a number allows calls to it again: add --confirm")
        number = service.remove(args.number, region=args.region)
        print(f"{number} was removed from the internal do-not-call list.")
    else:
        entries = service.list()
        if args.json:
            _print_json(
                [
                    {"number": e.number, "reason": e.reason, "added_at": e.added_at.isoformat()}
                    for e in entries
                ]
            )
        else:
            for entry in entries:
                print(f"{entry.number:<16} {entry.added_at:%Y-%m-%d}  {entry.reason}")
    return EXIT_OK


_HANDLERS = {"leads": _leads, "queue": _queue, "record": _record, "dnc": _dnc}


if __name__ == "__main__":
    raise SystemExit(main())
