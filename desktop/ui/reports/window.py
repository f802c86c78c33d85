"""The Reports window (Reports → Open reports… in the main window): the supervisor's view.

Filters (period, time zone, agent, call list, script) on top; the headline figures below them; then
tabs with the charts and each breakdown. The report is built off the GUI thread with progress and
Cancel (desktop/ui/workers.py); File has the exports and "Merge a colleague's database…".
The window talks to services only: `ReportService` for figures, `ReportActions` for files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QDate, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.exports.charts import report_charts
from desktop.exports.pdf import format_value
from desktop.services.agents import AgentsMerged, merge_agents
from desktop.services.merge import MergeReport
from desktop.services.reports import (
    PERSISTENCE_MARKS,
    Report,
    ReportCancelled,
    ReportFilter,
    ReportOptions,
    local_zone_name,
    report_service_for,
)
from desktop.services.reports_tables import summary_tables
from desktop.services.workspace import Workspace
from desktop.ui.common import style
from desktop.ui.common.fit.window_fit import WindowPlacement
from desktop.ui.common.workers import Cancelled, Progress, Task, run_task
from desktop.ui.reports.actions import ReportActions
from desktop.ui.reports.merge_agents import MergeAgentsDialog
from desktop.ui.reports.models import ReportTableModel

US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles")
# The figures across the top: (key, how to show it).
FIGURES = (
    "dials",
    "blocked_dials",
    "connects",
    "contact_rate",
    "conversations",
    "meetings",
    "meeting_rate",
    "meeting_rate_per_contact",
    "avg_attempts_to_contact",
    *(f"reached_{mark}_share" for mark in PERSISTENCE_MARKS),
    "talk_time_s",
    "callbacks_kept",
    "callbacks_missed",
)
PREFERRED_SIZE = QSize(1200, 860)
# A filter list shows this many characters and elides longer names, so the Show button stays on screen.
FILTER_CHARS = 14
TABLE_TABS = ("by-agent", "by-day", "outcomes", "blocked", "scripts")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ReportsWindow(QMainWindow):
    """Figures, charts and breakdowns for a period; exports; merging colleagues' databases."""

    merged = Signal(object)  # MergeReport: the main window refreshes its queue
    reportShown = Signal(object)  # Report

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.workspace = workspace
        self.service = report_service_for(workspace)
        self.report: Report | None = None
        self.task: Task | None = None
        self.figure_values: dict[str, QLabel] = {}
        self.table_models: dict[str, ReportTableModel] = {}
        self.chart_views: dict[str, QChartView] = {}
        self.merge_agents_dialog: MergeAgentsDialog | None = None  # File → Merge two agents…, when open
        self.report_actions = ReportActions(
            workspace, self.service, self.current_filter, lambda: self.report, self
        )
        self.report_actions.started.connect(self.on_actions_started)
        self.report_actions.progressed.connect(self.on_task_progress)
        self.report_actions.finished.connect(self.on_actions_finished)
        self.report_actions.failed.connect(self.on_actions_failed)
        self.report_actions.merged.connect(self.on_actions_merged)
        self.setWindowTitle(self.tr("Reports — Dialdesk"))
        self.setStyleSheet(style.APP_STYLE)
        self._build()
        self._build_menus()
        self.load_options()
        # Sized to this screen (never larger), or where the supervisor left it when that still fits.
        self.placement = WindowPlacement(self, "reports", PREFERRED_SIZE)
        self.placement.restore()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(self._build_filters())
        layout.addWidget(self._build_progress())
        layout.addWidget(self._build_figures())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_charts(), self.tr("Charts"))
        titles = {
            "by-agent": self.tr("By agent"),
            "by-day": self.tr("By day"),
            "outcomes": self.tr("Outcomes"),
            "blocked": self.tr("Blocked by the gate"),
            "scripts": self.tr("Scripts"),
        }
        for key in TABLE_TABS:
            model = ReportTableModel(self)
            view = QTableView()
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.verticalHeader().setVisible(False)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.setObjectName(f"table-{key}")
            self.table_models[key] = model
            self.tabs.addTab(view, titles[key])
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def _build_filters(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("Panel")
        grid = QGridLayout(bar)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        for zone in dict.fromkeys((local_zone_name(), "UTC", *US_ZONES)):
            self.zone_combo.addItem(zone)
        self.agent_combo = QComboBox()
        self.list_combo = QComboBox()
        self.script_combo = QComboBox()
        for combo in (self.zone_combo, self.agent_combo, self.list_combo, self.script_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(FILTER_CHARS)
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.on_show_clicked)
        # Two rows of three filters, Show at the right of both: fits a 1280-pixel screen.
        pairs = (
            (self.tr("From"), self.from_edit),
            (self.tr("to"), self.to_edit),
            (self.tr("Time zone"), self.zone_combo),
            (self.tr("Agent"), self.agent_combo),
            (self.tr("List"), self.list_combo),
            (self.tr("Script"), self.script_combo),
        )
        for index, (label, widget) in enumerate(pairs):
            row, column = divmod(index, 3)
            grid.addWidget(QLabel(label), row, column * 2)
            grid.addWidget(widget, row, column * 2 + 1)
        grid.setColumnStretch(6, 1)
        grid.addWidget(self.show_button, 0, 7, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        return bar

    def _build_progress(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel()
        self.status_label.setObjectName("Muted")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(240)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        row.addWidget(self.status_label, 1)
        row.addWidget(self.progress_bar)
        row.addWidget(self.cancel_button)
        self._set_busy(False)
        return box

    def _build_figures(self) -> QWidget:
        names = {
            "dials": self.tr("Dials"),
            "blocked_dials": self.tr("Blocked by the gate"),
            "connects": self.tr("Connects"),
            "contact_rate": self.tr("Contact rate"),
            "conversations": self.tr("Conversations"),
            "meetings": self.tr("Meetings booked"),
            "meeting_rate": self.tr("Meetings per dial"),
            "meeting_rate_per_contact": self.tr("Meetings per contact"),
            "avg_attempts_to_contact": self.tr("Attempts to first contact"),
            "talk_time_s": self.tr("Talk time"),
            "callbacks_kept": self.tr("Callbacks kept"),
            "callbacks_missed": self.tr("Callbacks missed"),
        }
        for mark in PERSISTENCE_MARKS:
            names[f"reached_{mark}_share"] = self.tr("Leads reaching {n} attempts").format(n=mark)
        panel = QFrame()
        panel.setObjectName("Panel")
        grid = QGridLayout(panel)
        for index, key in enumerate(FIGURES):
            value = QLabel("–")
            value.setObjectName(f"figure-{key}")
            value.setStyleSheet("font-size: 20px; font-weight: 600;")
            caption = QLabel(names[key])
            caption.setObjectName("Muted")
            caption.setWordWrap(True)
            cell = QVBoxLayout()
            cell.addWidget(value)
            cell.addWidget(caption)
            grid.addLayout(cell, index // 7, index % 7)
            self.figure_values[key] = value
        return panel

    def _build_charts(self) -> QWidget:
        holder = QWidget()
        self.charts_grid = QGridLayout(holder)
        # Two columns of equal width: left to their size hints, a chart with a long legend (the
        # outcomes) took most of the width on X11 and squeezed its neighbour to a sliver.
        for column in (0, 1):
            self.charts_grid.setColumnStretch(column, 1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(holder)
        return area

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.export_csv_action = self._action(
            file_menu, self.tr("Export &CSV…"), None, self.report_actions.on_export_csv_triggered
        )
        self.export_xlsx_action = self._action(
            file_menu, self.tr("Export &XLSX…"), None, self.report_actions.on_export_xlsx_triggered
        )
        self.export_pdf_action = self._action(
            file_menu, self.tr("Export &PDF…"), "Ctrl+P", self.report_actions.on_export_pdf_triggered
        )
        self.export_compliance_action = self._action(
            file_menu,
            self.tr("Export &gate decisions (compliance)…"),
            None,
            self.report_actions.on_export_compliance_triggered,
        )
        self.export_outcomes_action = self._action(
            file_menu,
            self.tr("Export &outcomes for the CRM (Salesforce tasks)…"),
            None,
            self.report_actions.on_export_outcomes_triggered,
        )
        file_menu.addSeparator()
        self.merge_action = self._action(
            file_menu, self.tr("&Merge a colleague's database…"), None, self.report_actions.on_merge_triggered
        )
        self.merge_agents_action = self._action(
            file_menu, self.tr("Merge two &agents…"), None, self.on_merge_agents_triggered
        )
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Close"), "Ctrl+W", self.close)

    def _action(self, menu: QMenu, text: str, shortcut: str | None, handler: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(handler)
        menu.addAction(action)
        return action

    # -- filters ---------------------------------------------------------------------------------

    def load_options(self) -> None:
        """Fill the filter lists from the database (quick: names and the date span)."""
        options: ReportOptions = self.service.options()
        for combo, everyone, items in (
            (self.agent_combo, self.tr("All agents"), [(name, name) for name in options.agents]),
            (
                self.list_combo,
                self.tr("All lists"),
                [(name or self.tr("(no list)"), name) for name in options.lists],
            ),
            (self.script_combo, self.tr("All scripts"), [(title, name) for name, title in options.scripts]),
        ):
            chosen = combo.currentData()
            combo.clear()
            combo.addItem(everyone, None)
            for text, value in items:
                combo.addItem(text, value)
            index = combo.findData(chosen)
            combo.setCurrentIndex(max(index, 0))
        if self.report is None:
            today = self.workspace.clock().date()
            last = min(today, options.last_day) if options.last_day else today
            self.set_period(last - timedelta(days=6), last)

    def set_period(self, first: date, last: date) -> None:
        self.from_edit.setDate(_qdate(first))
        self.to_edit.setDate(_qdate(last))

    def current_filter(self) -> ReportFilter:
        return ReportFilter(
            first_day=_date(self.from_edit.date()),
            last_day=_date(self.to_edit.date()),
            zone=self.zone_combo.currentText().strip() or "UTC",
            agent=self.agent_combo.currentData(),
            list_name=self.list_combo.currentData(),
            script=self.script_combo.currentData(),
        )

    # -- building the report ---------------------------------------------------------------------

    @Slot()
    def on_show_clicked(self) -> None:
        self.refresh()

    def refresh(self) -> Task | None:
        """Build the report for the filters off the GUI thread; the figures update when it is ready."""
        if self.task is not None:
            return self.task
        try:
            flt = self.current_filter()
            flt.validate()
        except Exception as error:  # noqa: BLE001 - a bad filter is shown, not raised
            self.on_actions_failed(str(error))
            return None
        service = self.service

        def work(progress: Progress, cancelled: Cancelled) -> Report:
            return service.build(flt, progress, cancelled)

        self._set_busy(True, self.tr("Working out the figures…"))
        self.task = run_task(
            work,
            on_result=self.on_report_result,
            on_error=self.on_report_error,
            on_progress=self.on_task_progress,
        )
        return self.task

    @Slot(object)
    def on_report_result(self, report: Report) -> None:
        self.task = None
        self._set_busy(False)
        self.show_report(report)

    @Slot(object)
    def on_report_error(self, error: BaseException) -> None:
        self.task = None
        self._set_busy(False)
        if isinstance(error, ReportCancelled):
            self.status_label.setText(self.tr("Cancelled."))
            return
        self.on_actions_failed(str(error))

    @Slot(object, object)
    def on_task_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(int(total), 1))
        self.progress_bar.setValue(int(done))

    @Slot()
    def on_cancel_clicked(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.report_actions.cancel()
        self.status_label.setText(self.tr("Cancelling…"))

    def show_report(self, report: Report) -> None:
        """Put a report on screen: figures, charts and every breakdown."""
        self.report = report
        data = report.to_json()
        values = dict(data)
        values["callbacks_kept"] = data["callbacks"]["kept"]
        values["callbacks_missed"] = data["callbacks"]["missed"]
        for key, label in self.figure_values.items():
            label.setText(self._figure_text(key, values.get(key)))
        tables = {table.key: table for table in summary_tables(report)}
        flt = report.filter
        # Days are the report zone's: the header says whose (the broker's own zone is "your time").
        zone_label = self.tr("your time") if flt.zone == local_zone_name() else flt.zone
        for key, model in self.table_models.items():
            model.set_table(tables[key], zone_label)
        self._show_charts(data)
        self.status_label.setText(
            self.tr("{first} to {last} ({zone}): {dials} dials").format(
                first=flt.first_day.isoformat(),
                last=flt.last_day.isoformat(),
                zone=flt.zone,
                dials=f"{report.totals.dials:,}",
            )
        )
        self.reportShown.emit(report)

    def _figure_text(self, key: str, value: Any) -> str:
        if value is None:
            return "–"
        if key.endswith("rate") or key.endswith("rate_per_contact") or key.endswith("share"):
            return format_value(value, "0.0%")
        if key == "talk_time_s":
            hours, rest = divmod(int(round(value)), 3600)
            return self.tr("{h} h {m:02d} min").format(h=hours, m=rest // 60)
        if key == "avg_attempts_to_contact":
            return f"{value:.1f}"
        return format_value(value)

    def _show_charts(self, data: dict[str, Any]) -> None:
        for view in self.chart_views.values():
            self.charts_grid.removeWidget(view)
            view.deleteLater()
        self.chart_views.clear()
        for index, (name, chart) in enumerate(report_charts(data, tr=self.tr)):
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(320)
            view.setObjectName(f"chart-{name}")
            self.charts_grid.addWidget(view, index // 2, index % 2)
            self.chart_views[name] = view

    # -- exports and merges ----------------------------------------------------------------------

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.show_button.setEnabled(not busy)
        if busy:
            self.progress_bar.setRange(0, 0)
            self.status_label.setText(text)

    @Slot(str)
    def on_actions_started(self, what: str) -> None:
        self._set_busy(True, what)

    @Slot(str)
    def on_actions_finished(self, what: str) -> None:
        self._set_busy(self.task is not None)
        self.status_label.setText(what)

    @Slot(str)
    def on_actions_failed(self, message: str) -> None:
        self._set_busy(self.task is not None)
        self.status_label.setText(message)
        if not message.endswith("cancelled"):
            QMessageBox.warning(self, self.tr("Reports"), message)

    @Slot(object)
    def on_actions_merged(self, report: MergeReport) -> None:
        self.load_options()
        self.refresh()
        self.merged.emit(report)

    @Slot()
    def on_merge_agents_triggered(self) -> None:
        """Pick two agents and merge them (confirmed), with the service `report agents merge` uses."""
        workspace = self.workspace
        names = self.service.options().agents
        dialog = MergeAgentsDialog(
            names, lambda old, new: merge_agents(workspace.uow, workspace.clock, old, new), self
        )
        dialog.merged.connect(self.on_agents_merged)
        dialog.finished.connect(dialog.deleteLater)
        self.merge_agents_dialog = dialog
        dialog.open()

    @Slot(object)
    def on_agents_merged(self, done: AgentsMerged) -> None:
        self.load_options()
        self.refresh()
        self.statusBar().showMessage(
            self.tr("Reports now count “{old}”'s calls as “{new}”'s ({calls} calls).").format(
                old=done.old, new=done.new, calls=f"{done.calls_moved:,}"
            )
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.placement.save()
        if self.task is not None:
            self.task.cancel()
            self.task.wait(10.0)
        self.report_actions.shutdown()
        super().closeEvent(event)
