"""`dialdesk dnc`: the firm's internal do-not-call list and the registries (national, state, Canada).

`add|remove|list` edit the internal list; `import` loads a registry copy (full list, change list or
zip of area-code files) or adds a file of numbers to the internal list; `status` shows each copy's
age; `export` writes a list back out.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from desktop.commands.common import EXIT_OK, CliError, Subparsers, parse_day, print_json
from desktop.terminal import raw_stderr

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

SOURCE_HELP = "national, canada, state:XX (e.g. state:FL) or internal"


def register(commands: Subparsers) -> None:
    dnc = commands.add_parser("dnc", help="do-not-call lists: the firm's own and the registries")
    actions = dnc.add_subparsers(dest="dnc_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="never call this number again")
    add.add_argument("number", help="the phone number (E.164, or national with --region)")
    add.add_argument("--reason", default="", help="why (kept with the entry, e.g. 'asked on the call')")
    add.add_argument("--region", default=None, help="country for a number without +code (default: settings)")
    add.set_defaults(handler=add_number)
    remove = actions.add_parser("remove", help="take a number off the internal list (audited)")
    remove.add_argument("number", help="the phone number to take off the list")
    remove.add_argument("--confirm", action="store_true", help="required: removing allows calls again")
    remove.add_argument(
        "--region", default=None, help="country for a number without +code (default: settings)"
    )
    remove.set_defaults(handler=remove_number)
    listing = actions.add_parser("list", help="print the internal list")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(handler=list_numbers)

    importing = actions.add_parser(
        "import",
        help="import a registry copy: full list, change list or zip of area-code files (all or nothing)",
        description=(
            "Copies are kept per area code. A full list (AREACODE,NUMBER or 10 digits a line) replaces "
            "the source's numbers in the area codes it covers; change lists (number, A/ADD or D/DELETE, "
            "optional date) update the area codes they touch; a zip may hold many area-code files. "
            "With --source internal the numbers are added to the firm's own list."
        ),
    )
    importing.add_argument("file", type=Path, help="the registry file: CSV/TXT, or a zip of area-code files")
    importing.add_argument("--source", default="national", help=SOURCE_HELP + " (default: national)")
    importing.add_argument(
        "--as-of", dest="as_of", metavar="YYYY-MM-DD", help="the download date (default: the file's date)"
    )
    importing.add_argument(
        "--area-codes",
        dest="area_codes",
        metavar="212,646",
        help="area codes the file covers even with no number in it (no registered numbers there)",
    )
    importing.add_argument("--json", action="store_true", help="print the result as one JSON object")
    importing.set_defaults(handler=import_list)

    status = actions.add_parser(
        "status",
        help="each registry copy's area codes, oldest copy, size, and the area codes going stale next",
    )
    status.add_argument("--json", action="store_true", help="print the status as one JSON object")
    status.set_defaults(handler=show_status)

    exporting = actions.add_parser("export", help="write a list as CSV")
    exporting.add_argument("--source", default="internal", help=SOURCE_HELP + " (default: internal)")
    exporting.add_argument("--out", type=Path, help="output file (default: standard output)")
    exporting.set_defaults(handler=export_list)


def _service(workspace: Workspace) -> Any:
    from desktop.services.dnc import DncService

    return DncService(workspace.uow, workspace.clock, workspace.current_settings)


def _registry(workspace: Workspace) -> Any:
    return workspace.registry_service


def add_number(workspace: Workspace, args: argparse.Namespace) -> int:
    number = _service(workspace).add(args.number, reason=args.reason, region=args.region)
    print(f"{number} is on the internal do-not-call list.")
    return EXIT_OK


def remove_number(workspace: Workspace, args: argparse.Namespace) -> int:
    if not args.confirm:
        raise CliError("removing a number allows calls to it again: add --confirm")
    number = _service(workspace).remove(args.number, region=args.region)
    print(f"{number} was removed from the internal do-not-call list.")
    return EXIT_OK


def list_numbers(workspace: Workspace, args: argparse.Namespace) -> int:
    entries = _service(workspace).list()
    if args.json:
        print_json(
            [{"number": e.number, "reason": e.reason, "added_at": e.added_at.isoformat()} for e in entries]
        )
    else:
        for entry in entries:
            print(f"{entry.number:<16} {entry.added_at:%Y-%m-%d}  {entry.reason}")
    return EXIT_OK


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    return parse_day(text, "--as-of")


def _source(text: str) -> str:
    from desktop.domain.dnc_files import source_name

    try:
        return source_name(text)
    except ValueError as error:
        raise CliError(str(error)) from None


def _terminal_progress() -> Callable[[int, int], None] | None:
    """A percentage on stderr while a big file loads, only when someone is watching."""
    if not sys.stderr.isatty():
        return None
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != shown[0]:
            shown[0] = percent
            print(f"\r  {percent:3d}%", end="", file=raw_stderr(), flush=True)

    return progress


def _area_codes(text: str | None) -> tuple[int, ...]:
    if text is None:
        return ()
    from desktop.domain.registry_coverage import parse_area_codes

    try:
        return parse_area_codes(text)
    except ValueError as error:
        raise CliError(f"--area-codes: {error}") from None


def import_list(workspace: Workspace, args: argparse.Namespace) -> int:
    source = _source(args.source)
    area_codes = _area_codes(args.area_codes)
    progress = _terminal_progress()
    try:
        report = _registry(workspace).import_file(
            args.file, source, as_of=_as_of(args.as_of), progress=progress, area_codes=area_codes
        )
    finally:
        if progress is not None:
            print("\r", end="", file=raw_stderr(), flush=True)
    if args.json:
        print_json(report.to_json())
        return EXIT_OK
    where = "the internal list" if report.source == "internal" else f"the {report.source} registry"
    kind = "change list" if report.kind == "changes" else "full list"
    print(
        f"Imported a {kind} into {where}, as of {report.as_of}: {report.added:,} added, "
        f"{report.removed:,} removed, {report.total:,} numbers in all; "
        f"{report.rejected_count:,} lines rejected."
    )
    from desktop.domain.registry_coverage import codes_phrase

    if report.area_codes and report.source != "internal":
        print(f"  area codes as of {report.as_of}: {codes_phrase(report.area_codes)}")
    for item in report.rejected:
        print(f"  {item.file}, line {item.line}: {item.value!r}: {item.reason}")
    if report.rejected_count > len(report.rejected):
        print(f"  … and {report.rejected_count - len(report.rejected):,} more rejected lines")
    return EXIT_OK


def show_status(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.domain.registry_coverage import codes_phrase, is_state_list, registry_title

    service = _registry(workspace)
    rows = service.status()
    internal = service.internal_count()
    if args.json:
        print_json({"sources": [row.to_json() for row in rows], "internal": {"count": internal}})
        return EXIT_OK
    if not rows:
        print(
            "No registry copy imported yet: every residential US and Canadian call is blocked until one "
            "is (`dialdesk dnc import FILE --source national`)."
        )
    for row in rows:
        # Each copy by its own rule: 31 days for the national registries, a state's own (Texas: 92).
        max_age = row.max_age_days
        age = f"{row.age_days} days old" if row.age_days is not None else "age unknown"
        coverage = row.coverage
        statewide = is_state_list(row.source)
        stale = coverage.stale_codes if coverage is not None else ()
        if row.fresh:
            state = f"fresh (≤ {max_age} days)"
        elif statewide or not stale:
            state = f"STALE (> {max_age} days)"
        else:
            state = f"STALE: area codes {codes_phrase(stale)} (> {max_age} days)"
        what = "statewide list as of" if statewide else "oldest copy as of"
        print(f"{row.source:<10} {what} {row.as_of}  {age:<14} {row.count:>13,} numbers  {state}")
        if coverage is None:
            continue
        if statewide:
            if coverage.next_stale_on is not None:
                print(
                    f"{'':<10} the whole {registry_title(row.source)} goes stale on {coverage.next_stale_on}"
                )
            continue
        if coverage.area_codes:
            count = len(coverage.area_codes)
            print(
                f"{'':<10} {count} area code{'s' if count != 1 else ''}: {codes_phrase(coverage.area_codes)}"
            )
            if coverage.next_stale_on is not None:
                copied_on = coverage.next_stale_on - timedelta(days=max_age + 1)
                print(
                    f"{'':<10} stale next: {codes_phrase(coverage.next_stale_codes)} "
                    f"on {coverage.next_stale_on} (as of {copied_on})"
                )
        print(f"{'':<10} other area codes were never downloaded: residential calls there are blocked")
    print(f"{'internal':<10} {internal:,} numbers on the firm's own list")
    return EXIT_OK


def _write(out: Path | None, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    from desktop.exports.safe_csv import open_private, write_csv

    stream: IO[str] = open_private(out) if out is not None else sys.stdout
    try:
        return write_csv(stream, headers, rows)
    finally:
        if out is not None:
            stream.close()


def export_list(workspace: Workspace, args: argparse.Namespace) -> int:
    source = _source(args.source)
    if source == "internal":
        entries = _service(workspace).list(limit=10**9)
        count = _write(
            args.out,
            ("number", "reason", "added_at"),
            ((e.number, e.reason, e.added_at.isoformat()) for e in reversed(entries)),
        )
    else:
        service = _registry(workspace)
        if source not in {row.source for row in service.status()}:
            raise CliError(f"no copy of the {source} registry has been imported")
        # The registry's own layout (with a header), so an export imports again unchanged.
        count = _write(
            args.out,
            ("area_code", "number"),
            ((f"{n // 10_000_000:03d}", f"{n % 10_000_000:07d}") for n in service.iter_numbers(source)),
        )
    if args.out is not None:
        print(f"Wrote {count:,} numbers of the {source} list to {args.out}.", file=sys.stderr)
    return EXIT_OK
