"""Report exports: CSV that survives a formula for a name, XLSX with typed cells, PDF with the figures."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from desktop.exports.safe_csv import open_private, write_csv
from desktop.services.clock import ManualClock
from desktop.services.reports import ReportFilter, report_service_for
from desktop.services.reports_tables import (
    CALL_HEADERS,
    REPORT_TITLE,
    detail_tables,
    report_info,
    summary_tables,
    text_rows,
)
from desktop.services.workspace import Workspace
from tests.conftest import require_tool
from tests.services.test_reports_seed import FIRST, FORMULA_NAME, LAST, NOW, seed_known_answers


@pytest.fixture
def seeded(workspace: Workspace, clock: ManualClock) -> Workspace:
    seed_known_answers(workspace, formula_lead=True)
    clock.set(NOW)
    return workspace


def private(path: Path) -> bool:
    return os.name != "posix" or stat.S_IMODE(os.stat(path).st_mode) == 0o600


def tables_of(workspace: Workspace, flt: ReportFilter | None = None) -> tuple[object, list[object]]:
    flt = flt or ReportFilter(FIRST, LAST)
    service = report_service_for(workspace)
    report = service.build(flt)
    return report, summary_tables(report) + detail_tables(workspace.uow, service, flt)


def test_csv_detail_neutralises_a_formula_for_a_name(seeded: Workspace, tmp_path: Path) -> None:
    _report, tables = tables_of(seeded)
    calls = next(t for t in tables if t.key == "calls")  # type: ignore[attr-defined]
    out = tmp_path / "calls.csv"
    with open_private(out) as stream:
        count = write_csv(stream, list(calls.headers), text_rows(calls.rows))  # type: ignore[attr-defined]
    assert count == 13  # a1 … a10 in the two days
    assert private(out)
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(CALL_HEADERS)
    names = {row["lead"] for row in rows}
    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    first = rows[0]
    assert (first["started_at"], first["day"], first["agent"], first["outcome"]) == (
        "2026-03-02T14:00:00+00:00",
        "2026-03-02",
        "Ann",
        "no_answer",
    )
    blocked = [row for row in rows if row["allowed"] == "no"]
    assert [row["blocked_reasons"] for row in blocked] == ["calling_hours", "calling_hours dnc_internal"]
    assert next(row for row in rows if row["outcome"] == "voicemail")["note"] == "left a message"


def test_summary_csvs_per_day_and_per_agent(seeded: Workspace, tmp_path: Path) -> None:
    _report, tables = tables_of(seeded)
    for key, first_cells in (("by-day", ["2026-03-02", "5", "1", "2"]), ("by-agent", ["Ann", "8", "1", "1"])):
        table = next(t for t in tables if t.key == key)  # type: ignore[attr-defined]
        out = tmp_path / f"{key}.csv"
        with open_private(out) as stream:
            write_csv(stream, list(table.headers), text_rows(table.rows))  # type: ignore[attr-defined]
        with out.open(newline="", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))
        assert rows[1][:4] == first_cells
        assert rows[0][4] == "contact_rate"
    by_day = next(t for t in tables if t.key == "by-day")  # type: ignore[attr-defined]
    assert [row[4] for row in text_rows(by_day.rows)] == ["0.4", "0.166667"]  # type: ignore[attr-defined]


def test_xlsx_reads_back_with_typed_cells(seeded: Workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from desktop.exports.xlsx import write_workbook

    report, tables = tables_of(seeded)
    out = tmp_path / "report.xlsx"
    counts = write_workbook(out, tables, info=report_info(report))  # type: ignore[arg-type]
    assert private(out)
    assert counts["Calls"] == 13 and counts["By day"] == 2
    book = load_workbook(out)
    assert book.sheetnames[:4] == ["About", "Summary", "By day", "By agent"]
    assert {"Outcomes", "Blocked by the gate", "Scripts", "Calls", "Gate decisions"} <= set(book.sheetnames)

    summary = book["Summary"]
    assert summary.freeze_panes == "A2"
    assert summary["A2"].value == "Dials" and summary["B2"].value == 11 and summary["B2"].data_type == "n"
    assert summary["B5"].value == pytest.approx(3 / 11) and summary["B5"].number_format == "0.0%"

    by_day = book["By day"]
    assert by_day.freeze_panes == "A2"
    assert [c.value for c in by_day[1]][:4] == ["date", "dials", "blocked", "connects"]
    assert isinstance(by_day["A2"].value, datetime) and by_day["A2"].value.date() == date(2026, 3, 2)
    assert by_day["A2"].is_date and by_day["A2"].number_format == "yyyy-mm-dd"
    assert (by_day["B2"].value, by_day["D2"].value) == (5, 2)
    assert by_day["E2"].value == pytest.approx(0.4) and by_day["E2"].number_format == "0.0%"

    calls = book["Calls"]
    assert calls.freeze_panes == "A2"
    header = [c.value for c in calls[1]]
    started = calls.cell(row=2, column=header.index("started_at") + 1)
    assert started.is_date and started.value == datetime(2026, 3, 2, 14, 0)
    duration = calls.cell(row=2, column=header.index("duration_s") + 1)
    assert duration.value == 20 and duration.data_type == "n"
    names = {calls.cell(row=r, column=header.index("lead") + 1).value for r in range(2, calls.max_row + 1)}
    # Text cells hold the text as it is (no CSV apostrophe), and a text cell is never a formula.
    assert FORMULA_NAME in names and "'" + FORMULA_NAME not in names
    assert_text_is_text(book)
    numbers = [calls.cell(row=r, column=header.index("number") + 1) for r in range(2, calls.max_row + 1)]
    assert numbers and all(cell.value.startswith("+1") and cell.data_type == "s" for cell in numbers)
    # Gate decisions: the compliance evidence, with the registry snapshot in force.
    decisions = book["Gate decisions"]
    header = [c.value for c in decisions[1]]
    assert "registry_snapshots" in header and decisions.max_row == 1 + 13
    snapshot = decisions.cell(row=2, column=header.index("registry_snapshots") + 1).value
    assert '"as_of": "2026-02-20"' in snapshot
    numbers = [decisions.cell(row=r, column=header.index("number") + 1).value for r in range(2, 15)]
    assert all(number.startswith("+1") for number in numbers), numbers


def assert_text_is_text(book) -> None:  # type: ignore[no-untyped-def]
    """No cell of any sheet is a formula, and no text carries the apostrophe CSV needs."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("'"), (sheet.title, cell.coordinate, cell.value)


@pytest.mark.parametrize(
    "text", ["+12125550134", "=1+1", '=HYPERLINK("http://x","y")', "#N/A", "-6", "@SUM(A1)"]
)
def test_xlsx_text_reads_back_as_written_and_never_runs(tmp_path: Path, text: str) -> None:
    from openpyxl import load_workbook

    from desktop.exports.xlsx import write_workbook
    from desktop.services.reports_tables import Table

    table = Table("Calls", (text, text + " "), [[text, text]], key="calls")
    write_workbook(tmp_path / "text.xlsx", [table], info=[(text, text)])
    book = load_workbook(tmp_path / "text.xlsx")
    cells = [*book["About"][1], book["Calls"]["A1"], *book["Calls"][2]]
    assert [(cell.value, cell.data_type) for cell in cells] == [(text, "s")] * 5


def test_xlsx_continues_a_long_table_on_another_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from desktop.exports.xlsx import write_workbook
    from desktop.services.reports_tables import Table

    table = Table("Calls", ("n", "text"), ([n, f"-{n}"] for n in range(7)), key="calls")
    counts = write_workbook(tmp_path / "long.xlsx", [table], max_rows=4)
    assert counts == {"Calls": 3, "Calls (2)": 3, "Calls (3)": 1}
    book = load_workbook(tmp_path / "long.xlsx")
    assert [c.value for c in book["Calls (3)"][2]] == [6, "-6"]
    assert [c.value for c in book["Calls (2)"][1]] == ["n", "text"]


def test_compliance_rows_follow_the_filters(seeded: Workspace) -> None:
    _report, tables = tables_of(seeded, ReportFilter(FIRST, LAST, agent="Bob"))
    decisions = list(next(t for t in tables if t.key == "compliance").rows)  # type: ignore[attr-defined]
    assert [row[2] for row in decisions] == ["Bob"] * 4  # a5 a6 a7 a10
    assert decisions[-1][7] == "no" and decisions[-1][8] == "dnc_internal calling_hours"


def test_pdf_has_the_figures_charts_and_pages(seeded: Workspace, tmp_path: Path) -> None:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    pdfinfo = require_tool("pdfinfo", "poppler-utils")
    from desktop.exports.charts import render_report_charts
    from desktop.exports.pdf import write_pdf

    report = report_service_for(seeded).build(ReportFilter(FIRST, LAST, zone="America/New_York"))
    images = render_report_charts(report.to_json())
    assert [name for name, _image in images] == ["outcomes", "per_day", "local_hour", "attempts", "scripts"]
    assert all(not image.isNull() and image.width() > 1000 for _name, image in images)
    out = tmp_path / "report.pdf"
    pages = write_pdf(out, REPORT_TITLE, report_info(report), summary_tables(report), images)
    assert private(out)
    info = subprocess.run([pdfinfo, str(out)], capture_output=True, text=True, check=True).stdout
    page_line = next(line for line in info.splitlines() if line.startswith("Pages:"))
    assert int(page_line.split()[1]) >= 2
    assert pages >= 2
    text = subprocess.run(
        [pdftotext, "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Calling report" in text
    assert "Period: 2026-03-02 to 2026-03-03" in text and "Time zone: America/New_York" in text
    assert "Agent: all agents" in text
    dials = next(
        line for line in text.splitlines() if line.strip().startswith("Dials ") and "blocked" not in line
    )
    assert dials.split()[-1] == "12"  # a11 is on the 3rd in New York
    assert "Contact rate" in text and "33.3%" in text  # 4 connects / 12 dials
    for heading in ("By day", "By agent", "Outcomes", "Blocked by the gate", "Scripts"):
        assert heading in text
    assert "Ann" in text and "Bob" in text and "calling_hours" in text
