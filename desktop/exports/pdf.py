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
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from desktop.exports.tables import PrintedTableLike

PAGE_WIDTH_PX = 680  # the text width QTextDocument lays out, in its pixels (A4 with 15 mm margins)
CHART_WIDTH_PX = 660


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


def _table_html(table: PrintedTableLike, limit: int | None = None) -> str:
    headers = list(table.headers)
    shown = [headers.index(h) for h in table.brief if h in headers] or list(range(len(headers)))
    head = "".join(f"<th>{html.escape(header_text(headers[i]))}</th>" for i in shown)
    formats = [table.formats.get(h) for h in headers]
    row_formats = list(table.row_formats)
    body = []
    for number, row in enumerate(table.rows):
        if limit is not None and number >= limit:
            body.append(
                f"<tr><td colspan='{len(shown)}'>… (the rest is in the CSV and XLSX exports)</td></tr>"
            )
            break
        cells = []
        for index in shown:
            value = row[index]
            wanted = row_formats[number] if number < len(row_formats) else formats[index]
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            align = " align='right'" if numeric or value is None else ""
            text = html.escape(_cell(headers[index], value, wanted))
            cells.append(f"<td{align} style='white-space: nowrap'>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<h2>{html.escape(table.title)}</h2>"
        "<table class='grid' width='100%' cellspacing='0' cellpadding='3'>"
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
    tables: Sequence[PrintedTableLike],
    chart_names: Sequence[str],
    row_limit: int | None = None,
) -> str:
    """The whole report as HTML: title block, the first table (the figures), charts, other tables."""
    meta = "".join(f"<p class='meta'><b>{html.escape(k)}:</b> {html.escape(v)}</p>" for k, v in info)
    parts = [f"<html><head><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{meta}"]
    if tables:
        parts.append(_table_html(tables[0]))
    for name in chart_names:
        parts.append(f"<p align='center'><img src='chart:{name}' width='{CHART_WIDTH_PX}'></p>")
    for table in tables[1:]:
        parts.append(_table_html(table, row_limit))
    parts.append("</body></html>")
    return "".join(parts)


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
    document.setHtml(report_html(title, info, tables, [name for name, _image in charts], row_limit))
    document.setPageSize(QSizeF(PAGE_WIDTH_PX, PAGE_WIDTH_PX * 297 / 210 * 0.93))
    pages = document.pageCount()
    document.print_(writer)
    del writer  # closes the file
    if os.name == "posix":
        os.chmod(path, 0o600)
    return pages
