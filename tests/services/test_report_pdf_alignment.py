"""Every table of the report PDF prints a column's header in line with its values: numbers and their
headers at the right, text and its headers at the left (a value never sits under the next header)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument, QTextTable

from desktop.exports.charts import ensure_application
from desktop.exports.pdf import _printed, report_html, write_pdf
from desktop.services.clock import ManualClock
from desktop.services.reports import ReportFilter, report_service_for
from desktop.services.reports_tables import REPORT_TITLE, report_info, summary_tables
from desktop.services.workspace import Workspace
from tests.conftest import require_tool
from tests.services.test_reports_seed import FIRST, LAST, NOW, seed_known_answers


@pytest.fixture
def report(workspace: Workspace, clock: ManualClock):  # type: ignore[no-untyped-def]
    seed_known_answers(workspace)
    clock.set(NOW)
    return report_service_for(workspace).build(ReportFilter(FIRST, LAST, zone="America/New_York"))


def cell_alignment(document: QTextDocument, table: QTextTable, row: int, column: int) -> str:
    block = document.findBlock(table.cellAt(row, column).firstPosition())
    return "right" if block.blockFormat().alignment() & Qt.AlignmentFlag.AlignRight else "left"


def test_every_header_is_aligned_as_its_column(report) -> None:  # type: ignore[no-untyped-def]
    ensure_application()
    tables = summary_tables(report)
    printed = [_printed(table, None) for table in tables]
    document = QTextDocument()
    document.setHtml(report_html(REPORT_TITLE, [], printed, []))
    laid_out = [frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable)]
    assert len(laid_out) == len(printed)
    numeric_headers = 0
    for table, source in zip(laid_out, printed, strict=True):
        for column in range(table.columns()):
            header = cell_alignment(document, table, 0, column)
            values = {cell_alignment(document, table, row, column) for row in range(1, table.rows())}
            assert values <= {header}, f"{source.title}: {source.headers[column]} {header} over {values}"
            numeric_headers += header == "right"
    assert numeric_headers >= 10  # the tally columns of "By day", "By agent", the hours, ...


def spans(line: str) -> list[tuple[str, int, int]]:
    return [(match.group(), match.start(), match.end()) for match in re.finditer(r"\S+", line)]


def nearest_header(headers: list[tuple[str, int, int]], value_start: int, value_end: int) -> str:
    """The header a value is read under: the one its text is nearest to (overlapping is nearest)."""

    def distance(header: tuple[str, int, int]) -> int:
        _word, start, end = header
        return max(0, start - value_end, value_start - end)

    return min(headers, key=distance)[0]


def test_local_hours_stand_under_their_headers_on_paper(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdftotext = require_tool("pdftotext", "poppler-utils")
    ensure_application()
    out = tmp_path / "report.pdf"
    write_pdf(out, REPORT_TITLE, report_info(report), summary_tables(report), [])
    lines = subprocess.run(
        [pdftotext, "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Lead's local hour")
    header = ""
    rows = 0
    for line in lines[start + 1 :]:
        if line.strip().startswith("hour"):  # the header, again on each page the table runs onto
            header = line
            headers = spans(header)[:3]
            assert [word for word, _start, _end in headers] == ["hour", "dials", "connects"]
        elif re.match(r"\s*\d+\s+\d", line) and rows < 24:
            assert int(line.split()[0]) == rows
            read_under = [nearest_header(headers, s, e) for _value, s, e in spans(line)[:3]]
            assert read_under == ["hour", "dials", "connects"], (header, line)
            rows += 1
    assert rows == 24
