"""What an import did, in the words the window uses (status bar and the import dialog's summary).

The leads imported come first, then why the queue shows fewer ("4 have no number to dial"); rows that
matched leads already here are "updated" only when they changed something, and a file imported again
says "nothing new" rather than "25 merged".
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.services.imports import ImportReport
from desktop.ui.common.text import plural

CONTEXT = "ImportSummary"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def import_headline(report: ImportReport) -> str:
    """ "Imported 24 leads into “Sample”", or "Nothing new in “Sample”" when every row was there."""
    if report.nothing_new:
        return _tr("Nothing new in “{list}”").format(list=report.list_name)
    summary = plural(CONTEXT, report.imported, "Imported {n} lead", "Imported {n} leads")
    return _tr("{summary} into “{list}”").format(summary=summary, list=report.list_name)


def import_details(report: ImportReport, rejected: bool = True) -> list[str]:
    """The counts after the headline, most telling first; a zero count is left out. `rejected`: with
    the count of values rejected (the import dialog says it on its own line, zero included)."""
    parts = []
    if report.without_number:
        parts.append(
            plural(
                CONTEXT,
                report.without_number,
                "{n} has no number to dial",
                "{n} have no number to dial",
            )
        )
    if report.merged_duplicates:
        parts.append(plural(CONTEXT, report.merged_duplicates, "{n} merged", "{n} merged"))
    if report.unchanged:
        parts.append(
            plural(
                CONTEXT,
                report.unchanged,
                "{n} row matched a lead already here, 0 changed",
                "{n} rows matched leads already here, 0 changed",
            )
            if report.nothing_new
            else plural(CONTEXT, report.unchanged, "{n} unchanged", "{n} unchanged")
        )
    if rejected and report.rejected:
        parts.append(plural(CONTEXT, len(report.rejected), "{n} value rejected", "{n} values rejected"))
    return parts


def import_status_message(report: ImportReport) -> str:
    """One line for the status bar: "Imported 24 leads into “Sample” · 4 have no number to dial"."""
    return " · ".join([import_headline(report), *import_details(report)])
