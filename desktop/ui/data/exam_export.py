"""File → Export for an examination…: two dates and a file, then the bundle is written off the GUI thread.

The same service as `dialdesk audit bundle` (desktop/services/exam_bundle.py) writes the zip; the
dialog only asks for the period (UTC days, inclusive) and where to save it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Signal, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.exam_bundle import BundleResult, ExamBundleService
from desktop.services.workspace import Workspace
from desktop.ui.common.workers import Task, run_task


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ExamDialog(QDialog):
    """The period and the file of an examination bundle."""

    def __init__(self, today: date, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export for an examination"))
        self.from_edit = QDateEdit(_qdate(today.replace(day=1)))
        self.to_edit = QDateEdit(_qdate(today))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.path_edit = QLineEdit(str(folder / f"exam-{today.isoformat()}.zip"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self.on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("From (UTC day)"), self.from_edit)
        form.addRow(self.tr("To (UTC day)"), self.to_edit)
        form.addRow(self.tr("Save as"), file_row)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "Calls, gate decisions, do-not-call and consent changes, scripts, the verified history."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

    def period(self) -> tuple[date, date]:
        return _day(self.from_edit.date()), _day(self.to_edit.date())

    def path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    @Slot()
    def on_browse_clicked(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the examination bundle"), self.path_edit.text(), self.tr("Zip files (*.zip)")
        )
        if chosen:
            self.path_edit.setText(chosen)

    @Slot()
    def on_ok_clicked(self) -> None:
        first, last = self.period()
        if last < first:
            self.problem_label.setText(self.tr("The “To” day is before the “From” day."))
        elif not self.path_edit.text().strip():
            self.problem_label.setText(self.tr("Choose where to save the bundle."))
        else:
            self.accept()
            return
        self.problem_label.show()


class ExamExport(QObject):
    """Opens the dialog and writes the bundle on a worker thread; `written` carries the result."""

    written = Signal(object)  # BundleResult

    def __init__(self, workspace: Workspace, window: QWidget) -> None:
        super().__init__(window)
        self.workspace = workspace
        self.window = window
        self.dialog: ExamDialog | None = None
        self.task: Task | None = None
        self.message_box: QMessageBox | None = None

    @Slot()
    def on_exam_triggered(self) -> None:
        self.dialog = ExamDialog(self.workspace.clock().date(), Path.home(), self.window)
        self.dialog.accepted.connect(self.on_dialog_accepted)
        self.dialog.open()

    @Slot()
    def on_dialog_accepted(self) -> None:
        assert self.dialog is not None
        first, last = self.dialog.period()
        self.export(first, last, self.dialog.path())

    def export(self, first: date, last: date, path: Path) -> Task:
        service = ExamBundleService(self.workspace.uow, self.workspace.clock, self.workspace.history)
        self.task = run_task(
            lambda _progress, _cancelled: service.write(first, last, path),
            on_result=self.on_export_result,
            on_error=self.on_export_error,
        )
        return self.task

    @Slot(object)
    def on_export_result(self, result: BundleResult) -> None:
        self.task = None
        history = result.verification.text() if result.verification is not None else ""
        self._tell(
            QMessageBox.Icon.Information,
            self.tr("Wrote the examination bundle to {path}. History: {history}").format(
                path=result.path, history=history
            ),
        )
        self.written.emit(result)

    @Slot(object)
    def on_export_error(self, error: BaseException) -> None:
        self.task = None
        self._tell(QMessageBox.Icon.Warning, str(error))

    def _tell(self, icon: QMessageBox.Icon, text: str) -> None:
        box = QMessageBox(
            icon, self.tr("Export for an examination"), text, QMessageBox.StandardButton.Ok, self.window
        )
        self.message_box = box
        box.open()
