"""XLSX workbooks of tables: one sheet per table, real number and date cells, a frozen header row.

Written with openpyxl's write-only mode, so a year of calls streams to disk instead of living in
memory; a table longer than a sheet allows continues on "Calls (2)", "Calls (3)" …. The file is
created readable by its owner only. Text is written as text cells, which a spreadsheet never runs as
a formula: "+12125550134" and '=HYPERLINK(…)' read back exactly as they are, with no apostrophe
(that prefix is what CSV needs, desktop/exports/safe_csv.py, since a CSV cell has no type).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from desktop.exports.tables import TableLike

MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_BAD_TITLE_CHARACTERS = str.maketrans({ch: " " for ch in "[]:*?/\\"})


def open_private_binary(path: Path) -> IO[bytes]:
    """Open `path` for writing bytes, created readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if os.name == "posix":
        os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def _shown_control(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def xlsx_text(value: Any) -> Any:
    """A text as XLSX can hold it: the control characters XML 1.0 forbids (a bell in a name, a stray
    escape in a note) are written visibly as `\\x07` instead of failing the whole report."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(_shown_control, value)
    return value


def _typed_as_other_than_text(value: Any) -> bool:
    """openpyxl stores a string starting with "=" as a formula and "#N/A" as an error: these must be
    made text cells explicitly."""
    return isinstance(value, str) and ((len(value) > 1 and value.startswith("=")) or value in ERROR_CODES)


def _keep_text(cell: Any) -> None:
    """A string cell openpyxl typed as a formula or an error becomes text again (set after the value:
    setting the value picks the type again)."""
    if _typed_as_other_than_text(cell.value):
        cell.data_type = "s"


def _cell(sheet: Any, value: Any, number_format: str | None = None) -> Any:
    """The value as openpyxl appends it; a WriteOnlyCell when it needs a format or must be kept text."""
    stored = cell_value(value)
    as_text = _typed_as_other_than_text(stored)
    if number_format is None and not as_text:
        return stored
    cell = WriteOnlyCell(sheet, value=stored)
    _keep_text(cell)
    if number_format is not None:
        cell.number_format = number_format
    return cell


def cell_value(value: Any) -> Any:
    """A Python value as openpyxl stores it: aware times become the local wall time they show."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return xlsx_text(value)


def sheet_title(title: str, taken: set[str]) -> str:
    base = ILLEGAL_CHARACTERS_RE.sub("", title.translate(_BAD_TITLE_CHARACTERS)).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def _format_for(value: Any, header_format: str | None) -> str | None:
    if isinstance(value, datetime):
        return header_format or DATETIME_FORMAT
    if isinstance(value, date):
        return header_format or DATE_FORMAT
    if isinstance(value, int | float) and not isinstance(value, bool):
        return header_format
    return None


def write_workbook(
    path: Path,
    tables: Iterable[TableLike],
    info: Sequence[tuple[str, Any]] = (),
    max_rows: int = MAX_ROWS,
) -> dict[str, int]:
    """Write `tables` as sheets (an "About" sheet of `info` first); returns data rows per sheet."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    counts: dict[str, int] = {}
    bold = Font(bold=True)
    if info:
        about = workbook.create_sheet(sheet_title("About", taken))
        about.column_dimensions["A"].width = 28
        about.column_dimensions["B"].width = 60
        for name, value in info:
            label = WriteOnlyCell(about, value=xlsx_text(name))
            _keep_text(label)
            label.font = bold
            cell = WriteOnlyCell(about, value=cell_value(value))
            _keep_text(cell)
            cell.alignment = Alignment(horizontal="left")
            style = _format_for(value, None)
            if style:
                cell.number_format = style
            about.append([label, cell])
    for table in tables:
        counts.update(_write_table(workbook, table, taken, bold, max_rows))
    with open_private_binary(path) as stream:
        workbook.save(stream)
    return counts


def _new_sheet(workbook: Workbook, table: TableLike, taken: set[str], bold: Font) -> Any:
    sheet = workbook.create_sheet(sheet_title(table.title, taken))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) + 4))
    cells = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, value=xlsx_text(header))
        _keep_text(cell)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _write_table(
    workbook: Workbook, table: TableLike, taken: set[str], bold: Font, max_rows: int
) -> dict[str, int]:
    counts: dict[str, int] = {}
    sheet = _new_sheet(workbook, table, taken, bold)
    header_formats = [table.formats.get(header) for header in table.headers]
    row_formats = list(table.row_formats)
    written = 0
    for number, row in enumerate(table.rows):
        if written >= max_rows - 1:
            counts[sheet.title] = written
            sheet = _new_sheet(workbook, table, taken, bold)
            written = 0
        cells = []
        for index, value in enumerate(row):
            wanted = row_formats[number] if number < len(row_formats) else header_formats[index]
            cells.append(_cell(sheet, value, _format_for(value, wanted or None)))
        sheet.append(cells)
        written += 1
    counts[sheet.title] = written
    return counts
