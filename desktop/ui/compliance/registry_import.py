"""The registries tab of the do-not-call page: the copies in force with their as-of date and age,
and importing a registry file (national, state:XX, Canada, or numbers for the internal list) off the
GUI thread with a progress bar and Cancel. A finished import tells the workspace that lists changed
and emits `changed` and `imported(report)`; `idle` once no import runs any more.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dnc_files import source_name
from desktop.domain.registry_coverage import parse_area_codes
from desktop.services.registry import (
    RegistryImportCancelled,
    RegistryImportFailed,
    RegistryImportReport,
    RegistryStatus,
)
from desktop.services.workspace import Workspace
from desktop.ui.common import style
from desktop.ui.common.progress_page import ProgressPage
from desktop.ui.common.table_text import cell as _cell
from desktop.ui.common.table_text import read_only_table as _table
from desktop.ui.common.table_text import table_rows
from desktop.ui.common.workers import Cancelled, Progress, Task, run_task
from desktop.ui.compliance.registry_status import (
    AGEING,
    FRESH,
    LEVEL_COLOURS,
    age_text,
    coverage_text,
    import_summary,
    source_label,
    status_level,
)

REGISTRY_FILTER = "Registry files (*.txt *.csv *.zip);;All files (*)"

REG_SOURCE = 0
REG_AS_OF = 1
REG_AGE = 2
REG_COUNT = 3
REG_IMPORTED = 4
REG_AREAS = 5


# Source choices of the import form: (data, label); "state" takes a two-letter code.
SOURCES = (
    ("national", "National Do Not Call Registry (US)"),
    ("state", "A state's do-not-call list"),
    ("canada", "Canada's National DNCL"),
    ("internal", "Add the numbers to the internal list"),
)


def choose_registry_file(parent: QWidget | None) -> str | None:
    """Ask for a registry file; None when the user cancels."""
    title = parent.tr("Import a do-not-call file") if parent else "Import a do-not-call file"
    path, _ = QFileDialog.getOpenFileName(parent, title, "", REGISTRY_FILTER)
    return path or None


class RegistriesTab(QWidget):
    """Shows the registry copies and imports new ones in the background."""

    changed = Signal()
    imported = Signal(object)  # RegistryImportReport
    idle = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.task: Task | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_registries_tab())
        self.refresh_registries()

    def _build_registries_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(8)
        intro = QLabel(
            self.tr(
                "Registry copies the gate checks residential numbers against, kept per area code: a file "
                "replaces only the area codes it holds. An area code never downloaded, or whose copy is "
                "older than {max} days, blocks residential calls there: import at least once a month."
            ).format(max=self._workspace.rulebook.registry_max_age_days)
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.registry_table = _table(
            [
                self.tr("Registry"),
                self.tr("Oldest copy"),
                self.tr("Age"),
                self.tr("Numbers"),
                self.tr("Imported (your time)"),
                self.tr("Area codes"),
            ]
        )
        header = self.registry_table.horizontalHeader()
        for column in range(REG_AREAS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.registry_table.setMinimumHeight(110)
        self.registry_table.setMaximumHeight(180)
        layout.addWidget(self.registry_table)
        self.registry_empty = QLabel()
        self.registry_empty.setWordWrap(True)
        layout.addWidget(self.registry_empty)

        title = QLabel(self.tr("IMPORT A FILE"))
        title.setObjectName("PanelTitle")
        layout.addWidget(title)
        form = QFormLayout()
        file_row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(self.tr("A full list, a change list, or a zip of area-code files"))
        self.file_edit.textChanged.connect(self.on_file_edit_changed)
        file_row.addWidget(self.file_edit, 1)
        self.browse_button = QPushButton(self.tr("Choose…"))
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self.on_browse_button_clicked)
        file_row.addWidget(self.browse_button)
        form.addRow(self.tr("File"), file_row)
        source_row = QHBoxLayout()
        self.source_combo = QComboBox()
        for data, label in SOURCES:
            self.source_combo.addItem(self.tr(label), data)
        self.source_combo.currentIndexChanged.connect(self.on_source_combo_changed)
        source_row.addWidget(self.source_combo, 1)
        self.state_edit = QLineEdit()
        self.state_edit.setPlaceholderText(self.tr("State, e.g. FL"))
        self.state_edit.setMaxLength(2)
        self.state_edit.setMaximumWidth(110)
        self.state_edit.setEnabled(False)
        source_row.addWidget(self.state_edit)
        form.addRow(self.tr("Into"), source_row)
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setToolTip(
            self.tr("The day the file was downloaded from the registry: the copy's age counts from it.")
        )
        self._set_as_of(self._workspace.clock().date())
        self.as_of_edit.setMinimumWidth(150)
        as_of_row = QHBoxLayout()
        as_of_row.addWidget(self.as_of_edit)
        as_of_hint = QLabel(self.tr("the copy's age counts from this day"))
        as_of_hint.setObjectName("Muted")
        as_of_row.addWidget(as_of_hint, 1)
        form.addRow(self.tr("Downloaded on"), as_of_row)
        self.area_codes_edit = QLineEdit()
        self.area_codes_edit.setPlaceholderText(self.tr("e.g. 212, 646 (optional)"))
        self.area_codes_edit.setToolTip(
            self.tr(
                "Area codes the file covers that have no registered number in it. The area codes it "
                "holds numbers in are covered anyway."
            )
        )
        form.addRow(self.tr("Also covers"), self.area_codes_edit)
        layout.addLayout(form)

        run_row = QHBoxLayout()
        self.progress_page = ProgressPage(compact=True, spacing=layout.spacing())
        self.progress_page.cancelRequested.connect(self.on_cancel_button_clicked)
        # The row's widgets under the names the tab has always given them: the tests read them.
        self.progress_bar = self.progress_page.bar
        self.progress_label = self.progress_page.detail_label
        self.cancel_button = self.progress_page.cancel_button
        self.cancel_button.setAutoDefault(False)
        run_row.addWidget(self.progress_page, 1)
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setAutoDefault(False)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.on_import_button_clicked)
        run_row.addWidget(self.import_button)
        layout.addLayout(run_row)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        self.rejected_label = QLabel()
        self.rejected_label.setObjectName("Muted")
        self.rejected_label.setWordWrap(True)
        self.rejected_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejected_label.hide()
        layout.addWidget(self.rejected_label)
        layout.addStretch(1)
        return page

    def _set_as_of(self, day: date) -> None:
        self.as_of_edit.setDate(QDate(day.year, day.month, day.day))

    def as_of(self) -> date:
        value = self.as_of_edit.date()
        return date(value.year(), value.month(), value.day())

    def refresh_registries(self) -> None:
        statuses: list[RegistryStatus] = [
            s for s in self._workspace.registry_service.status() if s.source != "internal"
        ]
        rules = self._workspace.rulebook
        table = self.registry_table
        table.setRowCount(len(statuses))
        for row, status in enumerate(statuses):
            level = status_level(status, rules.registry_warn_days, rules.registry_max_age_days)
            imported = (
                status.imported_at.astimezone().strftime("%d %b %Y %H:%M") if status.imported_at else ""
            )
            values = {
                REG_SOURCE: source_label(status.source),
                REG_AS_OF: status.as_of.isoformat() if status.as_of else "",
                REG_AGE: age_text(status.age_days),
                REG_COUNT: f"{status.count:,}",
                REG_IMPORTED: imported,
                REG_AREAS: coverage_text(status),
            }
            for column, text in values.items():
                item = _cell(text)
                if column == REG_COUNT:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == REG_AGE and level != FRESH:
                    item.setForeground(QBrush(QColor(LEVEL_COLOURS[level])))
                    item.setToolTip(
                        self.tr("Older than {max} days: residential calls are blocked.").format(
                            max=status.max_age_days
                        )
                        if level != AGEING
                        else self.tr("Import a fresh copy soon.")
                    )
                table.setItem(row, column, item)
        if statuses:
            self.registry_empty.hide()
        else:
            self.registry_empty.setText(
                self.tr(
                    "No registry copy imported yet: the gate refuses calls to residential US and Canadian "
                    "numbers until one is. Download the list from the registry and import it below."
                )
            )
            self.registry_empty.setStyleSheet(f"color: {style.DANGER}; font-weight: 600;")
            self.registry_empty.show()

    def registry_rows(self) -> list[tuple[str, ...]]:
        """The registry table as shown (for tests)."""
        return table_rows(self.registry_table)

    @Slot()
    def on_browse_button_clicked(self) -> None:
        path = choose_registry_file(self)
        if path:
            self.file_edit.setText(path)

    @Slot(str)
    def on_file_edit_changed(self, text: str) -> None:
        path = Path(text.strip())
        self.import_button.setEnabled(bool(text.strip()) and self.task is None)
        try:
            modified = datetime.fromtimestamp(path.stat().st_mtime).date() if text.strip() else None
        except OSError:
            modified = None
        if modified is not None:
            # The file's date is the best guess of the download date; never later than today.
            self._set_as_of(min(modified, self._workspace.clock().date()))

    @Slot()
    def on_source_combo_changed(self) -> None:
        is_state = self.source_combo.currentData() == "state"
        self.state_edit.setEnabled(is_state)
        if is_state:
            self.state_edit.setFocus()

    def chosen_source(self) -> str:
        """The source as the service names it; ValueError with a message for a bad state code."""
        data = str(self.source_combo.currentData())
        if data == "state":
            code = self.state_edit.text().strip()
            if not code:
                raise ValueError(self.tr("Type the two-letter code of the state, e.g. FL."))
            return source_name(f"state:{code}")
        return data

    def _show_result(self, text: str, ok: bool) -> None:
        self.result_label.setText(text)
        colour = style.POSITIVE if ok else style.DANGER
        self.result_label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.result_label.show()

    @Slot()
    def on_import_button_clicked(self) -> None:
        if self.task is not None:
            return
        path = self.file_edit.text().strip()
        if not path:
            return
        try:
            source = self.chosen_source()
        except ValueError as error:
            self._show_result(str(error), ok=False)
            return
        try:
            area_codes = (
                parse_area_codes(self.area_codes_edit.text()) if self.area_codes_edit.text().strip() else ()
            )
        except ValueError as error:
            self._show_result(self.tr("Also covers: {error}").format(error=error), ok=False)
            return
        as_of = self.as_of()
        registry = self._workspace.registry_service

        def work(progress: Progress, cancelled: Cancelled) -> RegistryImportReport:
            return registry.import_file(
                path, source, as_of, progress=progress, cancelled=cancelled, area_codes=area_codes
            )

        self.result_label.hide()
        self.rejected_label.hide()
        self._set_running(True)
        self.progress_page.start(self.tr("Reading {name}…").format(name=Path(path).name))
        self.task = run_task(
            work,
            on_result=self.on_task_result,
            on_error=self.on_task_error,
            on_progress=self.on_task_progress,
        )

    def _set_running(self, running: bool) -> None:
        """Lock the form while an import runs; the progress row is started by the caller."""
        self.import_button.setEnabled(not running and bool(self.file_edit.text().strip()))
        for widget in (
            self.file_edit,
            self.browse_button,
            self.source_combo,
            self.as_of_edit,
            self.area_codes_edit,
        ):
            widget.setEnabled(not running)
        self.state_edit.setEnabled(not running and self.source_combo.currentData() == "state")
        if not running:
            self.progress_page.stop()

    @Slot(object, object)
    def on_task_progress(self, done: int, total: int) -> None:
        self.progress_page.show_progress(done, total, self.tr("{percent}% read"))

    @Slot()
    def on_cancel_button_clicked(self) -> None:
        self.progress_page.cancel_task(self.task, self.tr("Cancelling: keeping the previous copy…"))

    @Slot(object)
    def on_task_result(self, report: RegistryImportReport) -> None:
        self.task = None
        self._set_running(False)
        self._show_result(import_summary(report), ok=True)
        if report.rejected:
            lines = [
                self.tr("{file}, line {line}: “{value}”: {reason}").format(
                    file=item.file, line=item.line, value=item.value, reason=item.reason
                )
                for item in report.rejected[:20]
            ]
            more = report.rejected_count - len(lines)
            if more > 0:
                lines.append(self.tr("… and {n} more rejected lines").format(n=f"{more:,}"))
            self.rejected_label.setText("\n".join(lines))
            self.rejected_label.show()
        self.refresh_registries()
        self._workspace.lists_changed()
        self.changed.emit()
        self.imported.emit(report)
        self.idle.emit()

    @Slot(object)
    def on_task_error(self, error: BaseException) -> None:
        self.task = None
        self._set_running(False)
        self.idle.emit()
        if isinstance(error, RegistryImportCancelled):
            self._show_result(self.tr("Import cancelled: the previous copy is unchanged."), ok=False)
        elif isinstance(error, RegistryImportFailed):
            self._show_result(self.tr("Not imported: {error}").format(error=error), ok=False)
        else:
            self._show_result(
                self.tr("Unexpected error, nothing imported: {error}").format(
                    error=f"{type(error).__name__}: {error}"
                ),
                ok=False,
            )
