"""The callbacks list (View → Callbacks…): overdue callbacks first, then those coming up, each with its
time on both clocks (theirs and the agent's). Double-click or "Show lead" opens the lead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.services.callbacks import CallbackService, CallbackView
from desktop.services.clock import Clock
from desktop.ui.common import style
from desktop.ui.common.clocks import DAY_TIME, span_text, your_time
from desktop.ui.common.table_text import cell
from desktop.ui.queue.lead_list_dialog import LeadListDialog

UPCOMING_WITHIN = timedelta(days=7)

COL_LEAD = 0
COL_THEIRS = 1
COL_YOURS = 2
COL_WHEN = 3
COL_NOTE = 4


class CallbacksDialog(LeadListDialog[CallbackView]):
    """Lists the agent's open callbacks; emits `showLeadRequested(lead_id)`."""

    def __init__(self, callbacks: CallbackService, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._callbacks = callbacks
        self._clock = clock
        self.setWindowTitle(self.tr("Callbacks"))
        self.setMinimumSize(760, 420)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(self.summary_label)
        self.add_table(
            layout,
            [
                self.tr("Lead"),
                self.tr("Due, their time"),
                self.tr("Due, your time"),
                self.tr("When"),
                self.tr("Note"),
            ],
            fit_to_contents=(COL_LEAD, COL_THEIRS, COL_YOURS, COL_WHEN),
            empty_text=self.tr("No callback is overdue or due in the next 7 days."),
        )
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        self.show_button.setDefault(True)
        buttons.addWidget(self.show_button)
        self.add_button_row(layout, buttons)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        now = self._clock()
        overdue = self._callbacks.overdue()
        upcoming = self._callbacks.due_soon(UPCOMING_WITHIN)
        overdue_n, upcoming_n = len(overdue), len(upcoming)
        self.summary_label.setText(
            self.tr("{overdue} overdue · {upcoming} in the next 7 days").format(
                overdue=overdue_n, upcoming=upcoming_n
            )
        )
        self.summary_label.setStyleSheet(
            f"font-size: 15px; font-weight: 600; color: {style.DANGER if overdue_n else style.INK};"
        )
        self.show_rows(overdue + upcoming, lambda callback: self._cells(callback, now))

    def _cells(self, callback: CallbackView, now: datetime) -> dict[int, QTableWidgetItem]:
        minutes = callback.minutes_until(now)
        late = minutes <= 0
        when = (
            self.tr("overdue {span}").format(span=span_text(minutes))
            if late and minutes < 0
            else (self.tr("due now") if late else self.tr("in {span}").format(span=span_text(minutes)))
        )
        texts = {
            COL_LEAD: callback.lead_name,
            COL_THEIRS: self.their_time_text(callback.due_at, callback.time_zone),
            COL_YOURS: your_time(callback.due_at, DAY_TIME),
            COL_WHEN: when,
            COL_NOTE: callback.note,
        }
        # Only the note can be longer than its column; the other cells are sized to their text.
        cells = {column: cell(text, text if column == COL_NOTE else "") for column, text in texts.items()}
        if late:
            when_cell = cells[COL_WHEN]
            when_cell.setForeground(QBrush(QColor(style.DANGER)))
            font = when_cell.font()
            font.setBold(True)
            when_cell.setFont(font)
        return cells
