"""The Reports window's File menu: exports (CSV, XLSX, PDF, compliance) and merging a colleague's
database, each run off the GUI thread with progress and Cancel.

Charts are QGraphicsWidgets, so the PDF's chart images are drawn here on the GUI thread (a fraction
of a second); the figures, the tables and the PDF itself are written by the worker.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.exports.charts import render_report_charts
from desktop.exports.pdf import write_pdf
from desktop.exports.safe_csv import open_private, write_csv
from desktop.exports.xlsx import write_workbook
from desktop.services.crm_export import OutcomesExported, export_outcomes
from desktop.services.merge import MergeReport, merge_service_for
from desktop.services.reports import Report, ReportCancelled, ReportFilter, ReportService
from desktop.services.reports_tables import (
    REPORT_TITLE,
    detail_tables,
    report_info,
    summary_tables,
    text_rows,
)
from desktop.services.workspace import Workspace
from desktop.ui.common.workers import Cancelled, Progress, Task, run_task

CHECK_EVERY = 2000  # rows between looks at the Cancel button while writing the per-call detail


def cancellable(rows: Iterable[Sequence[Any]], cancelled: Cancelled) -> Iterator[Sequence[Any]]:
    """Rows, stopping with ReportCancelled when the user cancels."""
    for number, row in enumerate(rows):
        if number % CHECK_EVERY == 0 and cancelled():
            raise ReportCancelled("the export was cancelled")
        yield row


def sibling(path: Path, suffix: str) -> Path:
    """calls.csv -> calls-by-day.csv"""
    return path.with_name(f"{path.stem}-{suffix}{path.suffix or '.csv'}")


class ReportActions(QObject):
    """Runs exports and merges for the Reports window; tells it by signals."""

    started = Signal(str)  # what is running, in words
    progressed = Signal(object, object)  # (done, total)
    finished = Signal(str)  # what was done, in words
    failed = Signal(str)
    merged = Signal(object)  # MergeReport

    def __init__(
        self,
        workspace: Workspace,
        service: ReportService,
        current_filter: Callable[[], ReportFilter],
        current_report: Callable[[], Report | None],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._workspace = workspace
        self._service = service
        self._filter = current_filter
        self._report = current_report
        self._window = window
        self.task: Task | None = None

    @property
    def busy(self) -> bool:
        return self.task is not None

    def _start(
        self, what: str, work: Callable[[Progress, Cancelled], Any], done: Callable[[Any], str]
    ) -> Task:
        self.started.emit(what)

        def on_result(value: Any) -> None:
            self.task = None
            self.finished.emit(done(value))

        def on_error(error: BaseException) -> None:
            self.task = None
            self.failed.emit(str(error))

        self.task = run_task(work, on_result=on_result, on_error=on_error, on_progress=self.progressed.emit)
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def shutdown(self, timeout_s: float = 10.0) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task.wait(timeout_s)

    def _save_path(self, title: str, suggested: str, pattern: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self._window, title, suggested, pattern)
        return Path(path) if path else None

    # -- exports ----------------------------------------------------------------------------------

    @Slot()
    def on_export_csv_triggered(self) -> None:
        path = self._save_path(self.tr("Export CSV"), "calls.csv", self.tr("CSV files (*.csv)"))
        if path is not None:
            self.export_csv(path)

    def export_csv(self, path: Path) -> Task:
        """The per-call detail at `path`, the per-day and per-agent summaries beside it."""
        flt, service, uow = self._filter(), self._service, self._workspace.uow

        def work(progress: Progress, cancelled: Cancelled) -> list[Path]:
            report = service.build(flt, progress, cancelled)
            summaries = {t.key: t for t in summary_tables(report)}
            calls = detail_tables(uow, service, flt)[0]
            written = []
            for target, table in (
                (path, calls),
                (sibling(path, "by-day"), summaries["by-day"]),
                (sibling(path, "by-agent"), summaries["by-agent"]),
            ):
                _write_csv(target, table.headers, cancellable(table.rows, cancelled))
                written.append(target)
            return written

        return self._start(
            self.tr("Exporting CSV…"),
            work,
            lambda paths: self.tr("Wrote {files}").format(files=", ".join(p.name for p in paths)),
        )

    @Slot()
    def on_export_compliance_triggered(self) -> None:
        path = self._save_path(
            self.tr("Export gate decisions"), "gate-decisions.csv", self.tr("CSV files (*.csv)")
        )
        if path is not None:
            self.export_compliance(path)

    def export_compliance(self, path: Path) -> Task:
        """Every gate decision in the period with its reasons and the registry snapshot in force."""
        flt, service, uow = self._filter(), self._service, self._workspace.uow

        def work(progress: Progress, cancelled: Cancelled) -> int:
            table = detail_tables(uow, service, flt)[1]
            return _write_csv(path, table.headers, cancellable(table.rows, cancelled))

        return self._start(
            self.tr("Exporting gate decisions…"),
            work,
            lambda count: self.tr("Wrote {count} gate decisions to {file}").format(
                count=count, file=path.name
            ),
        )

    @Slot()
    def on_export_outcomes_triggered(self) -> None:
        path = self._save_path(
            self.tr("Export outcomes for the CRM"), "crm-tasks.csv", self.tr("CSV files (*.csv)")
        )
        if path is not None:
            self.export_outcomes(path)

    def export_outcomes(self, path: Path) -> Task:
        """The period's calls as Salesforce Tasks keyed by each lead's CRM record id (services/crm_export)."""
        flt, uow = self._filter(), self._workspace.uow
        labels = {rule.code: rule.label for rule in self._workspace.calling.outcome_rules}

        def work(progress: Progress, cancelled: Cancelled) -> OutcomesExported:
            return export_outcomes(uow, path, flt.first_day, flt.last_day, flt.tzinfo(), labels)

        return self._start(
            self.tr("Exporting outcomes…"),
            work,
            lambda done: self.tr(
                "Wrote {count} calls as CRM tasks to {file}; "
                "{skipped} calls to leads without a record id left out"
            ).format(count=done.written, file=path.name, skipped=done.without_record_id),
        )

    @Slot()
    def on_export_xlsx_triggered(self) -> None:
        path = self._save_path(self.tr("Export XLSX"), "report.xlsx", self.tr("Excel workbooks (*.xlsx)"))
        if path is not None:
            self.export_xlsx(path)

    def export_xlsx(self, path: Path) -> Task:
        flt, service, uow = self._filter(), self._service, self._workspace.uow

        def work(progress: Progress, cancelled: Cancelled) -> int:
            report = service.build(flt, progress, cancelled)
            tables = summary_tables(report) + detail_tables(uow, service, flt)
            for table in tables:
                table.rows = cancellable(table.rows, cancelled)
            with _removed_on_failure(path):
                return len(write_workbook(path, tables, info=report_info(report)))

        return self._start(
            self.tr("Exporting XLSX…"),
            work,
            lambda sheets: self.tr("Wrote {sheets} sheets to {file}").format(sheets=sheets, file=path.name),
        )

    @Slot()
    def on_export_pdf_triggered(self) -> None:
        report = self._report()
        if report is None:
            self.failed.emit(self.tr("Show a report first: the PDF is the report on screen."))
            return
        path = self._save_path(self.tr("Export PDF"), "report.pdf", self.tr("PDF files (*.pdf)"))
        if path is not None:
            self.export_pdf(path, report)

    def export_pdf(self, path: Path, report: Report) -> Task:
        """The figures, charts and tables of `report` (the one on screen) as a PDF."""
        images = render_report_charts(report.to_json(), tr=self.tr)  # QtCharts: on this (GUI) thread
        shown = report

        def work(progress: Progress, cancelled: Cancelled) -> int:
            with _removed_on_failure(path):
                return write_pdf(path, REPORT_TITLE, report_info(shown), summary_tables(shown), images)

        return self._start(
            self.tr("Writing the PDF…"),
            work,
            lambda pages: self.tr("Wrote {pages} pages to {file}").format(pages=pages, file=path.name),
        )

    # -- merging ----------------------------------------------------------------------------------

    @Slot()
    def on_merge_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window,
            self.tr("Merge a colleague's database"),
            "",
            self.tr("Dialdesk databases (*.db *.sqlite *.sqlite3);;All files (*)"),
        )
        if path:
            self.merge(Path(path))

    def merge(self, path: Path) -> Task:
        service = merge_service_for(self._workspace)

        def work(progress: Progress, cancelled: Cancelled) -> MergeReport:
            return service.merge(path, progress, cancelled)

        def done(report: MergeReport) -> str:
            self.merged.emit(report)
            return report.summary()

        return self._start(self.tr("Merging {file}…").format(file=path.name), work, done)


def _write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    with _removed_on_failure(path), open_private(path) as stream:
        return write_csv(stream, list(headers), text_rows(rows))


@contextlib.contextmanager
def _removed_on_failure(path: Path) -> Iterator[None]:
    """A file left half-written by a failure or a cancel is removed, not left to be mistaken."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise
