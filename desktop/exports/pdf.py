"""PDF reports with Qt's own PDF writer: a title block, the figures, the charts and the tables.

The document is HTML laid out by QTextDocument and printed to a QPdfWriter (A4, 300 dpi); chart
images (rendered offscreen by `desktop.exports.charts`) are embedded as document resources. The
file is created readable by its owner only. Nothing here needs a window, so the command line
writes the same PDF as the window; it does need a Qt application for fonts (see
`charts.ensure_application`).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlock,
    QTextDocument,
    QTextTable,
)

from desktop.exports.tables import PrintedTableLike

PAGE_WIDTH_PX = 680  # the text width QTextDocument lays out, in its pixels (A4 with 15 mm margins)
PAGE_HEIGHT_PX = PAGE_WIDTH_PX * 297 / 210 * 0.93
CHART_WIDTH_PX = 660
BODY_PT = 9.0  # the text size of tables, made smaller (to SMALLEST_PT) until a table fits the width
SMALLEST_PT = 5.0
FONT_FAMILY = "DejaVu Sans"  # STYLE's first choice
CELL_EXTRA_PX = 2 * 3 + 2 + 2  # padding (cellpadding 3) both sides, the borders, a pixel of slack


def format_value(value: Any, number_format: str | None = None) -> str:
    """A cell as the PDF shows it: percentages, thousands separators, ISO dates, a dash for none."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        if number_format and number_format.endswith("%"):
            return f"{100.0 * value:.1f}%"
        if isinstance(value, int):
            return f"{value:,}"
        if number_format == "0":
            return f"{value:,.0f}"
        return f"{value:,.2f}"
    return str(value)


def header_text(header: str) -> str:
    """ "talk_time_s" -> "talk time (h)": what a column is called on paper."""
    if header.endswith("time_s"):
        return header[:-2].replace("_", " ") + " (h)"
    return header.replace("_", " ")


def _cell(header: str, value: Any, number_format: str | None) -> str:
    if header.endswith("time_s") and isinstance(value, int | float):
        return f"{value / 3600:,.1f}"
    return format_value(value, number_format)


@dataclass(frozen=True)
class _Printed:
    """A table as it is printed: heading, header texts, cell texts with their alignment; read once
    (a table's rows may be a one-pass iterator) and laid out at several sizes."""

    title: str
    headers: list[str]
    rows: list[list[tuple[str, bool]]]  # (text, right-aligned)
    cut: bool  # more rows than printed

    def right_aligned(self, column: int) -> bool:
        """Whether a column is one of numbers: every cell of it right-aligned (numbers and dashes for
        none) and at least one a number. Its header and all its cells then stand at the right, so a
        value is read under its own header, never under the next column's."""
        cells = [row[column] for row in self.rows]
        return bool(cells) and all(right for _text, right in cells) and any(t != "–" for t, _r in cells)


def _printed(table: PrintedTableLike, limit: int | None) -> _Printed:
    headers = list(table.headers)
    shown = [headers.index(h) for h in table.brief if h in headers] or list(range(len(headers)))
    formats = [table.formats.get(h) for h in headers]
    row_formats = list(table.row_formats)
    rows: list[list[tuple[str, bool]]] = []
    cut = False
    for number, row in enumerate(table.rows):
        if limit is not None and number >= limit:
            cut = True
            break
        cells = []
        for index in shown:
            value = row[index]
            wanted = row_formats[number] if number < len(row_formats) else formats[index]
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cells.append((_cell(headers[index], value, wanted), numeric or value is None))
        rows.append(cells)
    return _Printed(table.title, [header_text(headers[i]) for i in shown], rows, cut)


def _column_widths(table: _Printed, size_pt: float) -> list[float]:
    """Pixel widths that hold each column's longest cell and its header's longest word (headers wrap
    at spaces only), spread over the page width; their sum is over it when the size is too big."""
    body = QFont(FONT_FAMILY)
    body.setPointSizeF(size_pt)
    bold = QFont(body)
    bold.setBold(True)
    body_metrics, bold_metrics = QFontMetricsF(body), QFontMetricsF(bold)
    needs = []
    for column, header in enumerate(table.headers):
        words = [bold_metrics.horizontalAdvance(word) for word in header.split()] or [0.0]
        cells = [body_metrics.horizontalAdvance(row[column][0]) for row in table.rows] or [0.0]
        needs.append(max(*words, *cells) * 1.06 + CELL_EXTRA_PX)
    total = sum(needs)
    if total >= PAGE_WIDTH_PX:
        return needs
    return [need * PAGE_WIDTH_PX / total for need in needs]


def _table_html(table: _Printed, size_pt: float = BODY_PT, new_page: bool = False) -> str:
    font = f"font-size: {size_pt:g}pt"
    widths = _column_widths(table, size_pt)
    # A column's header and cells share one alignment (STYLE's left for text, right for numbers).
    right = [table.right_aligned(column) for column in range(len(table.headers))]
    head = "".join(
        f"<th width='{width:.0f}' style='{font}; text-align: {'right' if at_right else 'left'}'>"
        f"{html.escape(header)}</th>"
        for header, width, at_right in zip(table.headers, widths, right, strict=True)
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f"<td{' align=right' if right[column] else ''} style='white-space: nowrap; {font}'>"
            f"{html.escape(text)}</td>"
            for column, (text, _numeric) in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    if table.cut:
        body.append(
            f"<tr><td colspan='{len(table.headers)}' style='{font}'>"
            "… (the rest is in the CSV and XLSX exports)</td></tr>"
        )
    # The heading opens a page when it would end one (see `_fitted`); the size fits the page width.
    heading_style = " style='page-break-before: always'" if new_page else ""
    return (
        f"<h2{heading_style}>{html.escape(table.title)}</h2>"
        "<table class='grid' cellspacing='0' cellpadding='3'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


STYLE = """
body { font-family: 'DejaVu Sans', 'Helvetica', sans-serif; font-size: 9pt; color: #1F2933; }
h1 { font-size: 16pt; margin-bottom: 2px; }
h2 { font-size: 11pt; margin-top: 14px; margin-bottom: 4px; color: #243B53; }
p.meta { color: #52606D; margin: 0; }
table.grid { border-collapse: collapse; }
table.grid th { background-color: #E4E7EB; text-align: left; font-weight: bold; }
table.grid td, table.grid th { border: 1px solid #CBD2D9; }
"""


def report_html(
    title: str,
    info: Sequence[tuple[str, str]],
    tables: Sequence[PrintedTableLike | _Printed],
    chart_names: Sequence[str],
    row_limit: int | None = None,
    sizes: Sequence[float] = (),
    new_pages: Collection[int] = (),
) -> str:
    """The whole report as HTML: title block, the first table (the figures), charts, other tables.

    `sizes`: each table's text size (default BODY_PT); `new_pages`: the tables whose heading opens
    a page."""
    meta = "".join(f"<p class='meta'><b>{html.escape(k)}:</b> {html.escape(v)}</p>" for k, v in info)
    parts = [f"<html><head><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{meta}"]

    printed = [
        table if isinstance(table, _Printed) else _printed(table, row_limit if index else None)
        for index, table in enumerate(tables)
    ]

    def table_html(index: int) -> str:
        size = sizes[index] if index < len(sizes) else BODY_PT
        return _table_html(printed[index], size, index in new_pages)

    if printed:
        parts.append(table_html(0))
    for name in chart_names:
        parts.append(f"<p align='center'><img src='chart:{name}' width='{CHART_WIDTH_PX}'></p>")
    for index in range(1, len(printed)):
        parts.append(table_html(index))
    parts.append("</body></html>")
    return "".join(parts)


def _breaks_a_word(cell_block: QTextBlock) -> bool:
    """Whether the text of a table cell is broken across lines anywhere but at a space."""
    text, layout = cell_block.text(), cell_block.layout()
    for number in range(1, layout.lineCount()):
        start = layout.lineAt(number).textStart()
        if 0 < start <= len(text) and not text[start - 1].isspace():
            return True
    return False


def _too_tight(document: QTextDocument, table: QTextTable) -> bool:
    """A table wider than the page, or a header broken inside a word ("conn / ects")."""
    # The width, not the right edge: the grid's outer border stands a few pixels into the margin.
    if document.documentLayout().frameBoundingRect(table).width() > PAGE_WIDTH_PX + 0.5:
        return True
    return any(
        _breaks_a_word(document.findBlock(table.cellAt(0, column).firstPosition()))
        for column in range(table.columns())
    )


def _page_of(y: float) -> int:
    return int(y // PAGE_HEIGHT_PX)


def _stranded(document: QTextDocument, table: QTextTable) -> bool:
    """Whether the table's heading ends a page its header and first row are not on."""
    layout = document.documentLayout()
    heading = document.findBlock(table.firstPosition() - 1)
    first_row = min(1, table.rows() - 1)
    cell = document.findBlock(table.cellAt(first_row, 0).firstPosition())
    return _page_of(layout.blockBoundingRect(heading).top()) != _page_of(
        layout.blockBoundingRect(cell).bottom()
    )


def _fitted(document: QTextDocument, html_for: Callable[[list[float], set[int]], str], count: int) -> None:
    """Lay the report out so that every table fits the page width with its headers broken only at
    spaces (smaller text, down to SMALLEST_PT), and no heading is left at the foot of a page without
    its table (the heading opens the next page)."""
    sizes, new_pages = [BODY_PT] * count, set[int]()

    def tables() -> list[QTextTable]:
        document.setHtml(html_for(sizes, new_pages))
        document.setPageSize(QSizeF(PAGE_WIDTH_PX, PAGE_HEIGHT_PX))
        document.pageCount()  # the whole layout now: the checks read lines and places of every table
        return [frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable)]

    laid_out = tables()
    while True:
        tight = [
            index
            for index, table in enumerate(laid_out)
            if sizes[index] > SMALLEST_PT and _too_tight(document, table)
        ]
        if not tight:
            break
        for index in tight:
            sizes[index] = max(SMALLEST_PT, sizes[index] - 0.5)
        laid_out = tables()
    # In page order: a heading moved to the next page moves everything after it.
    for index in range(count):
        if index not in new_pages and index < len(laid_out) and _stranded(document, laid_out[index]):
            new_pages.add(index)
            laid_out = tables()


def write_pdf(
    path: Path,
    title: str,
    info: Sequence[tuple[str, str]],
    tables: Sequence[PrintedTableLike],
    charts: Sequence[tuple[str, QImage]],
    row_limit: int | None = 400,
) -> int:
    """Write the report PDF at `path` (user-only); returns its page count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(descriptor)
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("Dialdesk")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    document = QTextDocument()
    document.setDocumentMargin(0)
    for name, image in charts:
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart:{name}"), image)
    names = [name for name, _image in charts]
    # Each table's rows read once: the layout is tried at several sizes.
    printed = [_printed(table, row_limit if index else None) for index, table in enumerate(tables)]
    _fitted(
        document,
        lambda sizes, new_pages: report_html(title, info, printed, names, row_limit, sizes, new_pages),
        len(printed),
    )
    pages = document.pageCount()
    document.print_(writer)
    del writer  # closes the file
    if os.name == "posix":
        os.chmod(path, 0o600)
    return pages
