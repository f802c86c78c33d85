"""Rejected values say where they are as the user will look for them: the row a spreadsheet shows
(header row 1, a quoted note over several lines one row, a blank line an empty row) and the line of
the file, for CSV; Excel's own row number for XLSX."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from desktop.services.tables import Place, open_table
from desktop.services.workspace import Workspace

# Row 1 header; row 2 Ada (lines 2-4: a three-line note); row 3 Ben's bad number (line 5); row 4
# blank (line 6); row 5 Cleo (lines 7-8, a quoted line break inside the company); row 6 Dan's bad
# number (line 9).
CSV_TEXT = (
    "Name,Company,Phone,Notes\n"
    'Ada Park,Park Optics,(212) 555-0170,"met at the fair\n\nwants a call in spring"\n'
    "Ben Ortiz,Ortiz Tiles,555-0100,\n"
    "\n"
    'Cleo Young,"Young\nLegal",(646) 555-0131,\n'
    "Dan Reyes,Reyes Bakery,call me maybe,\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_rows_are_spreadsheet_rows_with_their_file_lines(
    workspace: Workspace, tmp_path: Path, newline: str
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(CSV_TEXT.replace("\n", newline).encode("utf-8"))
    places = [place for place, _cells, _pos in open_table(path).rows()]
    assert places == [Place(2, 2), Place(3, 5), Place(5, 7), Place(6, 9)]

    report = workspace.imports.run(path, list_name="Fair")
    assert [(r.row, r.line, r.value) for r in report.rejected] == [
        (3, 5, "555-0100"),
        (6, 9, "call me maybe"),
    ]
    assert [r.place for r in report.rejected] == ["row 3 (line 5)", "row 6 (line 9)"]


def test_xlsx_rows_are_excel_row_numbers(workspace: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A3"], sheet["B3"] = "Name", "Phone"  # rows 1-2 empty: the header is Excel's row 3
    sheet["A4"], sheet["B4"] = "Ada Park", "(212) 555-0170"
    sheet["A6"], sheet["B6"] = "Ben Ortiz", "555-0100"  # row 5 empty
    sheet["A7"], sheet["B7"] = "Cleo Young\nYoung Legal", "call me maybe"  # a line break in a cell
    path = tmp_path / "list.xlsx"
    book.save(path)

    report = workspace.imports.run(path, list_name="Fair")
    assert [(r.row, r.line, r.place) for r in report.rejected] == [(6, None, "row 6"), (7, None, "row 7")]


def test_the_cli_names_row_and_line(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    env = {**os.environ, "DIALDESK_DB": "", "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(db_path), "leads", "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "row 3 (line 5), Phone: '555-0100'" in result.stdout
    assert "row 6 (line 9), Phone: 'call me maybe'" in result.stdout
