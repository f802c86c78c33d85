"""Importing a call list: preview with a column mapping, a cancellable import off the GUI thread,
and a summary that lists every rejected value with its row as a spreadsheet shows it (and the file's
line for a CSV).

Pages: preview (mapping) → progress → result; a failure shows its one-line message instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.columns import FIELD_LABELS, FIELDS, IGNORE, ColumnMapping
from desktop.services.imports import ImportCancelled, ImportFailed, ImportPreview, ImportReport, ImportService
from desktop.ui.common import style
from desktop.ui.common.progress_page import ProgressPage
from desktop.ui.common.text import plural
from desktop.ui.common.workers import Cancelled, Progress, Task, run_task
from desktop.ui.data.import_summary import import_details, import_headline

FILE_FILTER = "Call lists (*.csv *.txt *.tsv *.xlsx);;All files (*)"
PAGE_PREVIEW = 0
PAGE_PROGRESS = 1
PAGE_RESULT = 2
PAGE_FAILED = 3

REJ_LINE = 0
REJ_COLUMN = 1
REJ_VALUE = 2
REJ_REASON = 3


def choose_call_list(parent: QWidget | None) -> str | None:
    """Ask for a call-list file; None when the user cancels."""
    path, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("Import call list") if parent else "Import call list", "", FILE_FILTER
    )
    return path or None


class ImportDialog(QDialog):
    """The import of one file, from the mapping preview to the report; emits `imported` on success."""

    imported = Signal(object)  # ImportReport

    def __init__(
        self,
        imports: ImportService,
        default_region: str,
        path: str | Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._imports = imports
        self._default_region = default_region
        self.preview: ImportPreview | None = None
        self.report: ImportReport | None = None
        self.task: Task | None = None
        self._close_when_done = False
        self.mapping_combos: list[QComboBox] = []
        self.setWindowTitle(self.tr("Import call list"))
        self.setMinimumSize(780, 520)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._build_preview_page())
        self.pages.addWidget(self._build_progress_page())
        self.pages.addWidget(self._build_result_page())
        self.pages.addWidget(self._build_failed_page())
        if path is not None:
            self.load(path)

    # -- pages -----------------------------------------------------------------------------------

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.file_label = QLabel()
        self.file_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(self.file_label)
        self.format_label = QLabel()
        self.format_label.setObjectName("Muted")
        layout.addWidget(self.format_label)
        hint = QLabel(self.tr("Check what each column holds. Columns set to “(ignore)” are not imported."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.preview_table = QTableWidget()
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_table.horizontalHeader().setDefaultSectionSize(160)
        layout.addWidget(self.preview_table, 1)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet(f"color: {style.DANGER}; font-weight: 600;")
        layout.addWidget(self.problems_label)
        self.note_label = QLabel()
        self.note_label.setObjectName("Muted")
        self.note_label.hide()
        layout.addWidget(self.note_label)

        form = QFormLayout()
        self.list_name_edit = QLineEdit()
        self.list_name_edit.setPlaceholderText(self.tr("Name of this list"))
        form.addRow(self.tr("List name"), self.list_name_edit)
        self.region_edit = QLineEdit(self._default_region)
        self.region_edit.setMaxLength(2)
        self.region_edit.setMaximumWidth(80)
        self.region_edit.setToolTip(self.tr("Country for numbers written without +country code"))
        form.addRow(self.tr("Region"), self.region_edit)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.other_file_button = QPushButton(self.tr("Choose another file…"))
        self.other_file_button.setAutoDefault(False)
        self.other_file_button.clicked.connect(self.on_other_file_clicked)
        buttons.addWidget(self.other_file_button)
        buttons.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.on_import_clicked)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        return page

    def _build_progress_page(self) -> QWidget:
        self.progress_page = ProgressPage()
        self.progress_page.cancelRequested.connect(self.on_cancel_clicked)
        # Under the name the dialog has always given it: the tests click it.
        self.cancel_button = self.progress_page.cancel_button
        return self.progress_page

    def _build_result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-size: 17px; font-weight: 600;")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.summary_details = QLabel()
        self.summary_details.setWordWrap(True)
        layout.addWidget(self.summary_details)
        self.rejected_title = QLabel()
        self.rejected_title.setObjectName("PanelTitle")
        layout.addWidget(self.rejected_title)
        self.rejected_table = QTableWidget(0, 4)
        self.rejected_table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("Value"), self.tr("Reason")]
        )
        self.rejected_table.verticalHeader().setVisible(False)
        self.rejected_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.rejected_table.horizontalHeader()
        for column in (REJ_LINE, REJ_COLUMN, REJ_VALUE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.rejected_table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = QPushButton(self.tr("Start calling"))
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        row.addWidget(self.done_button)
        layout.addLayout(row)
        return page

    def _build_failed_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        title = QLabel(self.tr("This file cannot be imported"))
        title.setStyleSheet("font-size: 17px; font-weight: 600;")
        layout.addWidget(title)
        self.failure_label = QLabel()
        self.failure_label.setWordWrap(True)
        self.failure_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.failure_label.setStyleSheet(f"color: {style.DANGER};")
        layout.addWidget(self.failure_label)
        layout.addWidget(QLabel(self.tr("Nothing was imported.")))
        layout.addStretch(1)
        row = QHBoxLayout()
        other = QPushButton(self.tr("Choose another file…"))
        other.setAutoDefault(False)
        other.clicked.connect(self.on_other_file_clicked)
        row.addWidget(other)
        row.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        row.addWidget(close)
        layout.addLayout(row)
        return page

    # -- preview ---------------------------------------------------------------------------------

    def load(self, path: str | Path) -> bool:
        """Read the head of `path` and show the mapping preview; a failure shows the failure page."""
        try:
            preview = self._imports.preview(path)
        except ImportFailed as error:
            self._fail(str(error))
            return False
        self.preview = preview
        self.file_label.setText(Path(preview.path).name)
        delimiter = {
            ",": self.tr("comma"),
            ";": self.tr("semicolon"),
            "\t": self.tr("tab"),
            "|": self.tr("bar"),
        }
        details = [preview.format.upper()]
        if preview.format != "xlsx":
            details.append(preview.encoding)
            details.append(
                self.tr("{name}-separated").format(name=delimiter.get(preview.delimiter, preview.delimiter))
            )
        details.append(self.tr("showing the first {n} rows").format(n=len(preview.sample_rows)))
        self.format_label.setText(" · ".join(details))
        self._fill_preview(preview)
        self.list_name_edit.setText(Path(preview.path).stem)
        self.note_label.hide()
        self.pages.setCurrentIndex(PAGE_PREVIEW)
        self.on_mapping_changed()
        return True

    def _fill_preview(self, preview: ImportPreview) -> None:
        table = self.preview_table
        headers = preview.headers
        table.clear()
        table.setColumnCount(len(headers))
        table.setRowCount(len(preview.sample_rows) + 1)
        table.setHorizontalHeaderLabels(headers)
        table.setVerticalHeaderLabels(
            [self.tr("Import as")] + [str(n) for n in range(1, len(preview.sample_rows) + 1)]
        )
        self.mapping_combos = []
        for column, field_name in enumerate(preview.mapping.fields):
            combo = QComboBox()
            for name in (IGNORE, *FIELDS):
                combo.addItem(self.tr(FIELD_LABELS[name]), name)
            combo.setCurrentIndex(max(0, combo.findData(field_name)))
            combo.currentIndexChanged.connect(self.on_mapping_changed)
            table.setCellWidget(0, column, combo)
            self.mapping_combos.append(combo)
        for row, cells in enumerate(preview.sample_rows, start=1):
            for column in range(len(headers)):
                text = cells[column] if column < len(cells) else ""
                table.setItem(row, column, QTableWidgetItem(text))
        table.setRowHeight(0, 34)

    def mapping(self) -> ColumnMapping:
        headers = self.preview.headers if self.preview is not None else []
        # The guessed mapping's dropped columns stay reported unless the user mapped them after all.
        dropped = dict(self.preview.mapping.dropped) if self.preview is not None else {}
        return ColumnMapping(
            headers=list(headers),
            fields=[str(combo.currentData()) for combo in self.mapping_combos],
            dropped=dropped,
        )

    @Slot()
    def on_mapping_changed(self) -> None:
        problems = self.mapping().problems()
        text = "; ".join(problems)
        self.problems_label.setText(text[:1].upper() + text[1:])
        self.problems_label.setVisible(bool(problems))
        self.import_button.setEnabled(not problems)
        for combo in self.mapping_combos:
            ignored = combo.currentData() == IGNORE
            combo.setStyleSheet(f"color: {style.FAINT};" if ignored else "font-weight: 600;")

    @Slot()
    def on_other_file_clicked(self) -> None:
        path = choose_call_list(self)
        if path:
            self.load(path)

    # -- running ---------------------------------------------------------------------------------

    @Slot()
    def on_import_clicked(self) -> None:
        if self.preview is None or self.task is not None:
            return
        mapping = self.mapping()
        if mapping.problems():
            return
        path = self.preview.path
        list_name = self.list_name_edit.text().strip() or None
        region = self.region_edit.text().strip().upper() or None
        imports = self._imports

        def work(progress: Progress, cancelled: Cancelled) -> ImportReport:
            return imports.run(path, mapping, list_name, region, progress=progress, cancelled=cancelled)

        self.progress_page.start(self.tr("Importing {name}…").format(name=Path(path).name))
        self.pages.setCurrentIndex(PAGE_PROGRESS)
        self.task = run_task(
            work,
            on_result=self.on_task_result,
            on_error=self.on_task_error,
            on_progress=self.on_task_progress,
        )

    @Slot(object, object)
    def on_task_progress(self, done: int, total: int) -> None:
        self.progress_page.show_progress(done, total, self.tr("{percent}% of the file read"))

    @Slot()
    def on_cancel_clicked(self) -> None:
        self.progress_page.cancel_task(
            self.task, self.tr("Cancelling: undoing everything this import wrote…")
        )

    @Slot(object)
    def on_task_result(self, report: ImportReport) -> None:
        self.task = None
        self.report = report
        self._show_report(report)
        self.imported.emit(report)
        if self._close_when_done:
            super().accept()

    @Slot(object)
    def on_task_error(self, error: BaseException) -> None:
        self.task = None
        if self._close_when_done:
            super().reject()
            return
        if isinstance(error, ImportCancelled):
            self.note_label.setText(self.tr("Import cancelled: nothing was imported."))
            self.note_label.show()
            self.pages.setCurrentIndex(PAGE_PREVIEW)
        elif isinstance(error, ImportFailed):
            self._fail(str(error))
        else:
            self._fail(self.tr("Unexpected error: {error}").format(error=f"{type(error).__name__}: {error}"))

    def _fail(self, message: str) -> None:
        self.failure_label.setText(message)
        self.pages.setCurrentIndex(PAGE_FAILED)

    def _show_report(self, report: ImportReport) -> None:
        context = "ImportDialog"
        self.summary_label.setText(import_headline(report))
        lines = [plural(context, report.rows, "{n} row read", "{n} rows read")]
        lines += import_details(report, rejected=False)
        lines.append(plural(context, len(report.rejected), "{n} value rejected", "{n} values rejected"))
        if report.do_not_call_leads:
            lines.append(
                plural(
                    context,
                    report.do_not_call_leads,
                    "{n} lead marked do-not-call: its numbers are on the internal list",
                    "{n} leads marked do-not-call: their numbers are on the internal list",
                )
            )
        details = " · ".join(lines)
        for dropped in report.dropped_columns:
            details += "\n" + self.tr("Not imported: {what}").format(what=dropped)
        self.summary_details.setText(details)
        self.rejected_title.setText(
            self.tr("REJECTED VALUES (THE LEAD IS KEPT, THE VALUE IS NOT DIALLED)") if report.rejected else ""
        )
        self.rejected_table.setVisible(bool(report.rejected))
        self.rejected_table.setRowCount(len(report.rejected))
        for row, item in enumerate(report.rejected):
            values = {
                REJ_LINE: (
                    self.tr("row {row}").format(row=item.row)
                    if item.line is None
                    else self.tr("row {row} (line {line})").format(row=item.row, line=item.line)
                ),
                REJ_COLUMN: item.column,
                REJ_VALUE: item.value,
                REJ_REASON: item.reason,
            }
            for column, text in values.items():
                cell = QTableWidgetItem(text)
                if column == REJ_LINE:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.rejected_table.setItem(row, column, cell)
        self.pages.setCurrentIndex(PAGE_RESULT)

    def rejected_rows(self) -> list[tuple[str, str, str, str]]:
        """The rejected-values table as shown (for tests and copying)."""
        table = self.rejected_table
        rows = []
        for row in range(table.rowCount()):
            cells = [table.item(row, column) for column in range(4)]
            texts = [cell.text() if cell is not None else "" for cell in cells]
            rows.append((texts[0], texts[1], texts[2], texts[3]))
        return rows

    # -- closing ---------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.task is not None:
            # Closing mid-import cancels it; the dialog goes once the rollback has finished.
            self._close_when_done = True
            self.on_cancel_clicked()
            return
        super().reject()
