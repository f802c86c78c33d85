"""Upcoming meetings (View → Upcoming meetings…): when (their time and yours), who, where, and
"Save to calendar (.ics)…" for the selected one. `save_meeting_ics` is also what the window offers
right after a meeting is booked.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.leads import display_number
from desktop.services.meetings import MeetingError, MeetingService, MeetingView
from desktop.services.settings import Settings
from desktop.ui.common import style
from desktop.ui.common.clocks import DAY_TIME, your_time
from desktop.ui.common.table_text import cell
from desktop.ui.queue.lead_list_dialog import LeadListDialog

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


class MeetingsDialog(LeadListDialog[MeetingView]):
    """Lists meetings from an hour ago on; saves the selected one as .ics; `showLeadRequested(lead_id)`."""

    def __init__(
        self,
        meetings: MeetingService,
        settings: Settings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._meetings = meetings
        self._settings = settings
        self.saved_path: Path | None = None
        self.setWindowTitle(self.tr("Upcoming meetings"))
        self.setMinimumSize(820, 400)
        layout = QVBoxLayout(self)
        self.add_table(
            layout,
            [
                self.tr("When, their time"),
                self.tr("Your time"),
                self.tr("Who"),
                self.tr("Where"),
                self.tr("Phone"),
            ],
            fit_to_contents=(COL_THEIRS, COL_YOURS, COL_WHO, COL_PHONE),
            stretch=COL_WHERE,
            empty_text=self.tr("No meetings booked. A meeting outcome (key 7) books one."),
        )
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save to calendar (.ics)…"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.on_save_button_clicked)
        buttons.addWidget(self.save_button)
        self.show_button.setAutoDefault(False)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        self.add_button_row(layout, buttons)
        self.refresh()

    def refresh(self) -> None:
        self.show_rows(self._meetings.upcoming(), self._cells)

    def _cells(self, meeting: MeetingView) -> dict[int, QTableWidgetItem]:
        who = meeting.lead_name
        if meeting.company and meeting.company != meeting.lead_name:
            who += f" ({meeting.company})"
        texts = {
            COL_THEIRS: self.their_time_text(meeting.starts_at, meeting.time_zone),
            COL_YOURS: your_time(meeting.starts_at, DAY_TIME),
            COL_WHO: who,
            COL_WHERE: meeting.where,
            COL_PHONE: display_number(meeting.phone, meeting.phone),
        }
        return {column: cell(text, text) for column, text in texts.items()}

    def select_meeting(self, meeting_id: int) -> bool:
        for row, meeting in enumerate(self.rows):
            if meeting.id == meeting_id:
                self.table.selectRow(row)
                return True
        return False

    @Slot()
    def on_table_selection_changed(self) -> None:
        super().on_table_selection_changed()
        self.save_button.setEnabled(self.selected() is not None)

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
