"""The callbacks list (View → Callbacks…): overdue callbacks first, then those coming up, each with its
time on both clocks (theirs and the agent's). Double-click or "Show lead" opens the lead.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.callbacks import CallbackService, CallbackView
from desktop.services.clock import Clock
from desktop.ui import style
from desktop.ui.clocks import DAY_TIME, span_text, their_time, your_time, zone_city
from desktop.ui.table_text import read_only_table, table_rows

UPCOMING_WITHIN = timedelta(days=7)

COL_LEAD = 0
COL_THEIRS = 1
COL_YOURS = 2
COL_WHEN = 3
COL_NOTE = 4


class CallbacksDialog(QDialog):
    """Lists the agent's open callbacks; emits `showLeadRequested(lead_id)`."""

    showLeadRequested = Signal(int)

    def __init__(self, callbacks: CallbackService, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._callbacks = callbacks
        self._clock = clock
        self.rows: list[CallbackView] = []
        self.setWindowTitle(self.tr("Callbacks"))
        self.setMinimumSize(760, 420)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(self.summary_label)
        self.table = read_only_table(
            [
                self.tr("Lead"),
                self.tr("Due, their time"),
                self.tr("Due, your time"),
                self.tr("When"),
                self.tr("Note"),
            ]
        )
        header = self.table.horizontalHeader()
        for column in (COL_LEAD, COL_THEIRS, COL_YOURS, COL_WHEN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self.on_table_double_clicked)
        self.table.itemSelectionChanged.connect(self.on_table_selection_changed)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self.tr("No callback is overdue or due in the next 7 days."))
        self.empty_label.setObjectName("Muted")
        layout.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        self.show_button = QPushButton(self.tr("Show lead"))
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.on_show_button_clicked)
        buttons.addWidget(self.show_button)
        close = QPushButton(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        now = self._clock()
        overdue = self._callbacks.overdue()
        upcoming = self._callbacks.due_soon(UPCOMING_WITHIN)
        self.rows = overdue + upcoming
        self.table.setRowCount(len(self.rows))
        for row, callback in enumerate(self.rows):
            minutes = callback.minutes_until(now)
            late = minutes <= 0
            when = (
                self.tr("overdue {span}").format(span=span_text(minutes))
                if late and minutes < 0
                else (self.tr("due now") if late else self.tr("in {span}").format(span=span_text(minutes)))
            )
            theirs = their_time(callback.due_at, callback.time_zone, DAY_TIME)
            values = {
                COL_LEAD: callback.lead_name,
                COL_THEIRS: f"{theirs} · {zone_city(callback.time_zone)}"
                if theirs
                else self.tr("zone unknown"),
                COL_YOURS: your_time(callback.due_at, DAY_TIME),
                COL_WHEN: when,
                COL_NOTE: callback.note,
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if column == COL_WHEN and late:
                    item.setForeground(QBrush(QColor(style.DANGER)))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if column == COL_NOTE and text:
                    item.setToolTip(text)
                self.table.setItem(row, column, item)
        overdue_n, upcoming_n = len(overdue), len(upcoming)
        self.summary_label.setText(
            self.tr("{overdue} overdue · {upcoming} in the next 7 days").format(
                overdue=overdue_n, upcoming=upcoming_n
            )
        )
        self.summary_label.setStyleSheet(
            f"font-size: 15px; font-weight: 600; color: {style.DANGER if overdue_n else style.INK};"
        )
        self.table.setVisible(bool(self.rows))
        self.empty_label.setVisible(not self.rows)
        if self.rows:
            self.table.selectRow(0)
        self.on_table_selection_changed()

    def row_texts(self) -> list[str]:
        """Each row as one line, as shown (for tests)."""
        return [" | ".join(cells) for cells in table_rows(self.table)]

    def selected(self) -> CallbackView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    @Slot()
    def on_table_selection_changed(self) -> None:
        self.show_button.setEnabled(self.selected() is not None)

    @Slot(QModelIndex)
    def on_table_double_clicked(self, _index: QModelIndex) -> None:
        self.on_show_button_clicked()

    @Slot()
    def on_show_button_clicked(self) -> None:
        callback = self.selected()
        if callback is not None:
            self.showLeadRequested.emit(callback.lead_id)
            self.accept()
