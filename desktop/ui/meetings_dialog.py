"""Upcoming meetings (View → Upcoming meetings…): when (their time and yours), who, where, and
"Save to calendar (.ics)…" for the selected one. `save_meeting_ics` is also what the window offers
right after a meeting is booked.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QModelIndex, QStandardPaths, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.leads import display_number
from desktop.services.meetings import MeetingError, MeetingService, MeetingView
from desktop.services.settings import Settings
from desktop.ui import style
from desktop.ui.clocks import DAY_TIME, their_time, your_time, zone_city
from desktop.ui.table_text import read_only_table, table_rows

ICS_FILTER = "Calendar files (*.ics)"

COL_THEIRS = 0
COL_YOURS = 1
COL_WHO = 2
COL_WHERE = 3
COL_PHONE = 4


def suggested_ics_name(meeting: MeetingView) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", meeting.lead_name.casefold()).strip("-") or "meeting"
    return f"meeting-{slug}-{meeting.starts_at:%Y-%m-%d}.ics"


def choose_ics_path(parent: QWidget, suggested: str) -> str | None:
    """Ask where to save a calendar file; None when the user cancels."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(
        Path.home()
    )
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Save to calendar"), str(Path(folder) / suggested), ICS_FILTER
    )
    if not path:
        return None
    return path if path.lower().endswith(".ics") else path + ".ics"


def save_meeting_ics(
    parent: QWidget, meetings: MeetingService, meeting_id: int, settings: Settings
) -> tuple[Path | None, str]:
    """Ask for a file and write the meeting to it: (path, message for the user); path None if not saved."""
    try:
        meeting = meetings.get(meeting_id)
    except MeetingError as error:
        return None, str(error)
    chosen = choose_ics_path(parent, suggested_ics_name(meeting))
    if chosen is None:
        return None, ""
    try:
        path = meetings.write_ics(meeting_id, Path(chosen), settings.agent_name, settings.firm_name)
    except MeetingError as error:
        return None, parent.tr("Not saved: {error}").format(error=error)
    return path, parent.tr(
        "Saved the meeting with {name} to {path}: open it to add it to your calendar."
    ).format(name=meeting.lead_name, path=path)


class MeetingsDialog(QDialog):
    """Lists meetings from an hour ago on; saves the selected one as .ics; `showLeadRequested(lead_id)`."""

    showLeadRequested = Signal(int)

    def __init__(
        self,
        meetings: MeetingService,
        settings: Settings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._meetings = meetings
        self._settings = settings
        self.rows: list[MeetingView] = []
        self.saved_path: Path | None = None
        self.setWindowTitle(self.tr("Upcoming meetings"))
        self.setMinimumSize(820, 400)
        layout = QVBoxLayout(self)
        self.table = read_only_table(
            [
                self.tr("When, their time"),
                self.tr("Your time"),
                self.tr("Who"),
                self.tr("Where"),
                self.tr("Phone"),
            ]
        )
        header = self.table.horizontalHeader()
        for column in (COL_THEIRS, COL_YOURS, COL_WHO, COL_PHONE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_WHERE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.on_table_double_clicked)
        self.table.itemSelectionChanged.connect(self.on_table_selection_changed)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self.tr("No meetings booked. A meeting outcome (key 7) books one."))
        self.empty_label.setObjectName("Muted")
        layout.addWidget(self.empty_label)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save to calendar (.ics)…"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.on_save_button_clicked)
        buttons.addWidget(self.save_button)
        self.show_button = QPushButton(self.tr("Show lead"))
        self.show_button.setAutoDefault(False)
        self.show_button.clicked.connect(self.on_show_button_clicked)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.rows = self._meetings.upcoming()
        self.table.setRowCount(len(self.rows))
        for row, meeting in enumerate(self.rows):
            theirs = their_time(meeting.starts_at, meeting.time_zone, DAY_TIME)
            who = meeting.lead_name
            if meeting.company and meeting.company != meeting.lead_name:
                who += f" ({meeting.company})"
            values = {
                COL_THEIRS: f"{theirs} · {zone_city(meeting.time_zone)}"
                if theirs
                else self.tr("zone unknown"),
                COL_YOURS: your_time(meeting.starts_at, DAY_TIME),
                COL_WHO: who,
                COL_WHERE: meeting.where,
                COL_PHONE: display_number(meeting.phone, meeting.phone),
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if text:
                    item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(self.rows))
        self.empty_label.setVisible(not self.rows)
        if self.rows:
            self.table.selectRow(0)
        self.on_table_selection_changed()

    def row_texts(self) -> list[str]:
        return [" | ".join(cells) for cells in table_rows(self.table)]

    def selected(self) -> MeetingView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def select_meeting(self, meeting_id: int) -> bool:
        for row, meeting in enumerate(self.rows):
            if meeting.id == meeting_id:
                self.table.selectRow(row)
                return True
        return False

    @Slot()
    def on_table_selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.save_button.setEnabled(chosen)
        self.show_button.setEnabled(chosen)

    @Slot(QModelIndex)
    def on_table_double_clicked(self, _index: QModelIndex) -> None:
        self.on_show_button_clicked()

    @Slot()
    def on_save_button_clicked(self) -> None:
        meeting = self.selected()
        if meeting is None:
            return
        path, message = save_meeting_ics(self, self._meetings, meeting.id, self._settings)
        if not message:
            return
        self.saved_path = path
        self.message_label.setText(message)
        colour = style.POSITIVE if path is not None else style.DANGER
        self.message_label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.message_label.show()

    @Slot()
    def on_show_button_clicked(self) -> None:
        meeting = self.selected()
        if meeting is not None:
            self.showLeadRequested.emit(meeting.lead_id)
            self.accept()
