"""Checking the list before a calling session (Tools → Check the list…): the gate's answer for every
lead at once, computed off the GUI thread, summed up as "312 of 5,000 leads would be skipped: 280 DNC,
32 outside calling hours" with the count per reason.

`run_scrub` is also what the window uses after an import, to show the same summary in a banner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, QRect, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.imports import ImportCancelled
from desktop.services.scrub import ScrubReport, ScrubRow, ScrubService
from desktop.ui.common import style
from desktop.ui.common.fit.window_fit import available_geometry
from desktop.ui.common.progress_page import ProgressPage
from desktop.ui.common.workers import Cancelled, Progress, Task, run_task
from desktop.ui.compliance.skipped_leads import COL_LEAD, COL_REASON, SkippedLeadsModel, export_skipped

PAGE_RUNNING = 0
PAGE_RESULT = 1
PAGE_FAILED = 2
# The share of the screen the dialog takes: the reasons are long sentences and a list skips many leads.
SCREEN_WIDTH_SHARE = 0.8
SCREEN_HEIGHT_SHARE = 0.9


class ScrubCancelled(ImportCancelled):
    """The user stopped the check; nothing was written anyway."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScrubDialog", text)


def group_label(group: str) -> str:
    return {
        "DNC": _tr("DNC"),
        "registry out of date": _tr("registry out of date"),
        "no registry copy of the area code": _tr("no registry copy of the area code"),
        "outside calling hours": _tr("outside calling hours"),
        "state rules": _tr("state rules"),
        "no valid number": _tr("no valid number"),
        "no consent for recorded messages": _tr("no consent for recorded messages"),
    }.get(group, group)


def scrub_summary(report: ScrubReport) -> str:
    """ "312 of 5,000 leads would be skipped: 280 DNC, 32 outside calling hours" (or all callable)."""
    if not report.checked:
        return _tr("No leads to check.")
    if not report.skipped:
        return _tr("All {n} leads may be called now.").format(n=f"{report.checked:,}")
    parts = ", ".join(f"{count:,} {group_label(group)}" for group, count in report.by_group.most_common())
    return _tr("{skipped} of {checked} leads would be skipped: {parts}").format(
        skipped=f"{report.skipped:,}", checked=f"{report.checked:,}", parts=parts
    )


def run_scrub(
    scrub: ScrubService,
    list_name: str | None,
    on_result: Callable[[ScrubReport], None],
    on_error: Callable[[BaseException], None],
    on_progress: Callable[[int, int], None] | None = None,
) -> Task:
    """Decide every lead of `list_name` (all lists: None) on the thread pool; cancellable."""

    def work(progress: Progress, cancelled: Cancelled) -> ScrubReport:
        def rows() -> Iterator[ScrubRow]:
            for row in scrub.rows(list_name, progress=progress):
                if cancelled():
                    raise ScrubCancelled("check cancelled")
                yield row

        return scrub.report(rows())

    return run_task(work, on_result=on_result, on_error=on_error, on_progress=on_progress)


class ScrubDialog(QDialog):
    """Runs a check of the list (or shows one already made) and explains who would be skipped."""

    def __init__(
        self,
        scrub: ScrubService,
        list_name: str | None = None,
        report: ScrubReport | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scrub = scrub
        self.list_name = list_name
        self.report: ScrubReport | None = None
        self.task: Task | None = None
        self.setWindowTitle(self.tr("Check the list"))
        self.setMinimumSize(640, 460)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._build_running_page())
        self.pages.addWidget(self._build_result_page())
        self.pages.addWidget(self._build_failed_page())
        row = QHBoxLayout()
        row.addStretch(1)
        self.export_button = QPushButton(self.tr("Export skipped leads (CSV)…"))
        self.export_button.setAutoDefault(False)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.on_export_button_clicked)
        row.addWidget(self.export_button)
        self.export_label = QLabel()
        self.export_label.setObjectName("Muted")
        row.insertWidget(0, self.export_label)
        self.again_button = QPushButton(self.tr("Check again"))
        self.again_button.setAutoDefault(False)
        self.again_button.clicked.connect(self.on_again_button_clicked)
        row.addWidget(self.again_button)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.fit_to_screen()
        if report is not None:
            self.show_report(report)
        else:
            self.start()

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Take a share of `area` (default: the screen's available area), never less than the minimum
        size nor more than the area, centred in it."""
        area = area if area is not None else available_geometry(self.parentWidget() or self)
        width = min(area.width(), max(self.minimumWidth(), int(area.width() * SCREEN_WIDTH_SHARE)))
        height = min(area.height(), max(self.minimumHeight(), int(area.height() * SCREEN_HEIGHT_SHARE)))
        self.resize(width, height)
        self.move(area.center() - QPoint(width // 2, height // 2))

    def _what(self) -> str:
        if self.list_name:
            return self.tr("the list “{name}”").format(name=self.list_name)
        return self.tr("all lists")

    def _build_running_page(self) -> QWidget:
        # Leads are few enough to count one by one, and a check writes nothing, so stopping it needs no
        # explaining under the bar.
        self.progress_page = ProgressPage(counting=True, detail_line=False)
        self.progress_page.cancelRequested.connect(self.on_cancel_button_clicked)
        return self.progress_page

    def _build_result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.scope_label = QLabel()
        self.scope_label.setObjectName("Muted")
        layout.addWidget(self.scope_label)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("font-size: 17px; font-weight: 600;")
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.groups_table = QTableWidget(0, 2)
        self.groups_table.setHorizontalHeaderLabels([self.tr("Why they would be skipped"), self.tr("Leads")])
        self.groups_table.verticalHeader().setVisible(False)
        self.groups_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.groups_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.groups_table.setShowGrid(False)
        header = self.groups_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.groups_table)
        # Who exactly, and why: one row per skipped lead, exportable as CSV.
        self.skipped_title = QLabel(self.tr("Leads that would be skipped"))
        self.skipped_title.setObjectName("Muted")
        layout.addWidget(self.skipped_title)
        self.skipped_model = SkippedLeadsModel(self)
        self.skipped_view = QTableView()
        self.skipped_view.setModel(self.skipped_model)
        self.skipped_view.verticalHeader().setVisible(False)
        self.skipped_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.skipped_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.skipped_view.setWordWrap(False)
        # One line a lead, so many show at once; a reason too long for its cell is its tooltip and,
        # for the selected lead, the wrapped line under the table.
        rows = self.skipped_view.verticalHeader()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        skipped_header = self.skipped_view.horizontalHeader()
        skipped_header.setStretchLastSection(True)
        for column, width in ((0, 170), (1, 140), (2, 200)):  # "registry_missing calling_hours"
            self.skipped_view.setColumnWidth(column, width)
        layout.addWidget(self.skipped_view, 2)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.reason_label)
        self.skipped_view.selectionModel().currentRowChanged.connect(self.on_skipped_row_changed)
        note = QLabel(
            self.tr(
                "Nothing is dialled or recorded by a check. Leads outside calling hours come back when "
                "their hours open; leads on a do-not-call list are never offered. The gate decides again "
                "at every call."
            )
        )
        note.setObjectName("Muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        return page

    def _build_failed_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.failure_label = QLabel()
        self.failure_label.setWordWrap(True)
        self.failure_label.setStyleSheet(f"color: {style.DANGER}; font-weight: 600;")
        layout.addWidget(self.failure_label)
        layout.addStretch(1)
        return page

    def start(self) -> None:
        if self.task is not None:
            return
        self.progress_page.start(self.tr("Checking {what} against the gate…").format(what=self._what()))
        self.again_button.setEnabled(False)
        self.pages.setCurrentIndex(PAGE_RUNNING)
        self.task = run_scrub(
            self._scrub,
            self.list_name,
            on_result=self.on_task_result,
            on_error=self.on_task_error,
            on_progress=self.on_task_progress,
        )

    @Slot(object, object)
    def on_task_progress(self, done: int, total: int) -> None:
        self.progress_page.show_progress(done, total)

    @Slot()
    def on_cancel_button_clicked(self) -> None:
        self.progress_page.cancel_task(self.task)

    @Slot()
    def on_again_button_clicked(self) -> None:
        self.start()

    @Slot(object)
    def on_task_result(self, report: ScrubReport) -> None:
        self.task = None
        self.show_report(report)

    @Slot(object)
    def on_task_error(self, error: BaseException) -> None:
        self.task = None
        self.again_button.setEnabled(True)
        if isinstance(error, ImportCancelled):
            self.failure_label.setText(self.tr("Check cancelled."))
        else:
            self.failure_label.setText(
                self.tr("The check failed: {error}").format(error=f"{type(error).__name__}: {error}")
            )
        self.pages.setCurrentIndex(PAGE_FAILED)

    def show_report(self, report: ScrubReport) -> None:
        self.report = report
        self.again_button.setEnabled(True)
        at = report.at.astimezone().strftime("%a %d %b %H:%M")
        self.scope_label.setText(
            self.tr("Checked {what} at {at} (your time)").format(what=self._what(), at=at)
        )
        self.summary_label.setText(scrub_summary(report))
        colour = style.POSITIVE if report.checked and not report.skipped else style.INK
        self.summary_label.setStyleSheet(f"font-size: 17px; font-weight: 600; color: {colour};")
        groups = report.by_group.most_common()
        self.groups_table.setRowCount(len(groups))
        for row, (group, count) in enumerate(groups):
            label = group_label(group)
            self.groups_table.setItem(row, 0, QTableWidgetItem(label[:1].upper() + label[1:]))
            number = QTableWidgetItem(f"{count:,}")
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.groups_table.setItem(row, 1, number)
        self.groups_table.setVisible(bool(groups))
        self.groups_table.setMaximumHeight(self.groups_table.verticalHeader().length() + 34)
        self.skipped_model.set_rows(report.skipped_rows)
        self.skipped_title.setVisible(bool(report.skipped_rows))
        self.skipped_view.setVisible(bool(report.skipped_rows))
        self.reason_label.setVisible(bool(report.skipped_rows))
        self.reason_label.clear()
        if report.skipped_rows:
            self.skipped_view.setCurrentIndex(self.skipped_model.index(0, COL_REASON))
        self.export_button.setEnabled(bool(report.skipped_rows))
        self.pages.setCurrentIndex(PAGE_RESULT)

    @Slot(QModelIndex, QModelIndex)
    def on_skipped_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """The selected lead's reasons in full, wrapped under the table."""
        if not current.isValid():
            self.reason_label.clear()
            return
        name = self.skipped_model.index(current.row(), COL_LEAD).data()
        why = self.skipped_model.index(current.row(), COL_REASON).data()
        self.reason_label.setText(self.tr("{name}: {why}").format(name=name, why=why))

    def ask_export_path(self) -> str:
        """The CSV file to write (a file dialog; tests set a path instead)."""
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export skipped leads"), "skipped-leads.csv", self.tr("CSV files (*.csv)")
        )
        return path

    @Slot()
    def on_export_button_clicked(self) -> None:
        if self.report is None:
            return
        path = self.ask_export_path()
        if not path:
            return
        try:
            count = export_skipped(Path(path), self.report.skipped_rows)
        except OSError as error:
            self.export_label.setText(self.tr("Not exported: {error}").format(error=error.strerror or error))
            return
        self.export_label.setText(self.tr("{n} leads written to {file}").format(n=f"{count:,}", file=path))

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task.wait(10)
            self.task = None
        super().reject()
