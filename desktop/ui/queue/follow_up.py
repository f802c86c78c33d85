"""Following up what was promised: callback reminders, the callbacks list, meetings and their .ics.

A QTimer checks every 30 seconds (on `workspace.clock`, so tests move a ManualClock and call
`check()`): 5 minutes before a callback is due the window shows a banner ("Call back Maria Lopez
at 10:00 their time — in 5 min", with Show) and, where the desktop has a tray, a notification; when
it becomes due the queue is re-read so the lead is on top. After a meeting is booked, a banner
offers to save it to the calendar.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QStyle, QSystemTrayIcon

from desktop.services.callbacks import REMIND_BEFORE, CallbackView
from desktop.services.meetings import MeetingError
from desktop.services.workspace import Workspace
from desktop.ui.common.banners import INFO, POSITIVE, BannerArea
from desktop.ui.common.clocks import TIME, both_clocks, span_text, their_time, your_time
from desktop.ui.queue.callbacks_dialog import CallbacksDialog
from desktop.ui.queue.meetings_dialog import MeetingsDialog, save_meeting_ics

CHECK_MS = 30_000
CALLBACK_BANNER = "callback:{id}"
DUE_BANNER = "callbacks-due"
MEETING_BANNER = "meeting:{id}"
# More newly due callbacks than this get one banner with the list, not one banner each.
MAX_DUE_BANNERS = 3


class FollowUpActions(QObject):
    """Reminds of callbacks and opens the callbacks and meetings lists over `window`."""

    showLeadRequested = Signal(int)
    queueChanged = Signal()

    def __init__(self, workspace: Workspace, window: QMainWindow, banners: BannerArea) -> None:
        super().__init__(window)
        self._workspace = workspace
        self._window = window
        self._banners = banners
        self._reminded: set[int] = set()
        self._announced_due: set[int] = set()
        self._tray_lead: int | None = None
        self._banner_leads: dict[str, int] = {}  # callback banner key -> its lead
        self.tray: QSystemTrayIcon | None = None
        self.callbacks_dialog: CallbacksDialog | None = None
        self.meetings_dialog: MeetingsDialog | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    # -- reminders -------------------------------------------------------------------------------

    def _their(self, callback: CallbackView) -> str:
        if callback.time_zone:
            return self.tr("{time} their time").format(
                time=their_time(callback.due_at, callback.time_zone, TIME)
            )
        return self.tr("{time} your time").format(time=your_time(callback.due_at, TIME))

    def soon_text(self, callback: CallbackView, now: datetime) -> str:
        minutes = max(1, callback.minutes_until(now))
        return self.tr("Call back {name} at {when} — in {span}").format(
            name=callback.lead_name, when=self._their(callback), span=span_text(minutes)
        )

    def due_text(self, callback: CallbackView) -> str:
        return self.tr("Call back {name} now: promised for {when}").format(
            name=callback.lead_name, when=self._their(callback)
        )

    @Slot()
    def check(self) -> None:
        """Remind of callbacks due within 5 minutes; re-read the queue when one has become due."""
        now = self._workspace.clock()
        callbacks = self._workspace.callbacks
        soon = callbacks.due_soon(REMIND_BEFORE)
        due = callbacks.overdue()
        open_ids = {callback.id for callback in soon + due}
        for key in self._banners.keys():
            if key.startswith("callback:") and int(key.removeprefix("callback:")) not in open_ids:
                self._banners.dismiss(key)  # done (an outcome was recorded) or no longer the agent's
        for callback in soon:
            key = CALLBACK_BANNER.format(id=callback.id)
            if callback.id not in self._reminded:
                self._reminded.add(callback.id)
                self._show_callback(callback, self.soon_text(callback, now), INFO)
                self._notify(
                    self.tr("Callback in {span}").format(span=span_text(callback.minutes_until(now))),
                    self.soon_text(callback, now),
                    callback.lead_id,
                )
            else:
                self._banners.update_text(key, self.soon_text(callback, now))
        fresh = [callback for callback in due if callback.id not in self._announced_due]
        if not fresh:
            return
        self._announced_due.update(callback.id for callback in fresh)
        if len(fresh) <= MAX_DUE_BANNERS:
            for callback in fresh:
                self._show_callback(callback, self.due_text(callback), POSITIVE)
                self._notify(self.tr("Callback due"), self.due_text(callback), callback.lead_id)
        else:
            self._banners.show_banner(
                DUE_BANNER,
                self.tr("{n} callbacks are due now; the queue offers them first.").format(n=len(fresh)),
                POSITIVE,
                [(self.tr("Show the list…"), self.open_callbacks_dialog)],
            )
            self._notify(
                self.tr("Callbacks due"), self.tr("{n} callbacks are due now.").format(n=len(fresh)), None
            )
        self.queueChanged.emit()

    def _show_callback(self, callback: CallbackView, text: str, kind: str) -> None:
        key = CALLBACK_BANNER.format(id=callback.id)
        lead_id = callback.lead_id

        def show() -> None:
            self._banners.dismiss(key)
            self.showLeadRequested.emit(lead_id)

        self._banner_leads[key] = lead_id
        self._banners.show_banner(
            key,
            text,
            kind,
            [(self.tr("Show"), show)],
            tooltip=self.tr("Due {when}").format(when=both_clocks(callback.due_at, callback.time_zone))
            + (f"\n{callback.note}" if callback.note else ""),
        )

    def _notify(self, title: str, text: str, lead_id: int | None) -> None:
        """A desktop notification, where the desktop has a system tray."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self.tray is None:
            icon = self._window.windowIcon()
            if icon.isNull():
                icon = self._window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip(self.tr("Dialdesk"))
            self.tray.messageClicked.connect(self.on_tray_message_clicked)
            self.tray.show()
        self._tray_lead = lead_id
        self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 15_000)

    @Slot()
    def on_tray_message_clicked(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
        if self._tray_lead is not None:
            self.showLeadRequested.emit(self._tray_lead)

    # -- the lists -------------------------------------------------------------------------------

    @Slot()
    def on_callbacks_triggered(self) -> None:
        self.open_callbacks_dialog()

    def open_callbacks_dialog(self) -> CallbacksDialog:
        if self.callbacks_dialog is not None:
            self.callbacks_dialog.close()
        dialog = CallbacksDialog(self._workspace.callbacks, self._workspace.clock, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.showLeadRequested.connect(self.showLeadRequested)
        dialog.finished.connect(self.on_callbacks_dialog_finished)
        self.callbacks_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def on_callbacks_dialog_finished(self) -> None:
        self.callbacks_dialog = None

    @Slot()
    def on_meetings_triggered(self) -> None:
        self.open_meetings_dialog()

    def open_meetings_dialog(self) -> MeetingsDialog:
        if self.meetings_dialog is not None:
            self.meetings_dialog.close()
        dialog = MeetingsDialog(self._workspace.meetings, self._workspace.current_settings(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.showLeadRequested.connect(self.showLeadRequested)
        dialog.finished.connect(self.on_meetings_dialog_finished)
        self.meetings_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def on_meetings_dialog_finished(self) -> None:
        self.meetings_dialog = None

    # -- after an outcome ------------------------------------------------------------------------

    def outcome_recorded(self, lead_id: int, meeting_id: int | None = None) -> None:
        """An outcome closes the lead's callbacks (their reminders go); a meeting offers its .ics."""
        for key, lead in list(self._banner_leads.items()):
            if lead == lead_id:
                self._banners.dismiss(key)
                del self._banner_leads[key]
        if meeting_id is not None:
            self.offer_calendar(meeting_id)

    def offer_calendar(self, meeting_id: int) -> None:
        """A banner after a meeting outcome: when and where, and "Save to calendar (.ics)…"."""
        try:
            meeting = self._workspace.meetings.get(meeting_id)
        except MeetingError:
            return
        key = MEETING_BANNER.format(id=meeting_id)
        text = self.tr("Meeting with {name} booked: {when}").format(
            name=meeting.lead_name, when=both_clocks(meeting.starts_at, meeting.time_zone)
        )
        if meeting.where:
            text += self.tr(" — {where}").format(where=meeting.where)
        self._banners.show_banner(
            key,
            text + ".",
            POSITIVE,
            [(self.tr("Save to calendar (.ics)…"), lambda: self.save_calendar(meeting_id))],
        )

    def save_calendar(self, meeting_id: int) -> None:
        path, message = save_meeting_ics(
            self._window, self._workspace.meetings, meeting_id, self._workspace.current_settings()
        )
        if not message:
            return  # the user cancelled the file dialog; the offer stays
        if path is not None:
            self._banners.dismiss(MEETING_BANNER.format(id=meeting_id))
        self._window.statusBar().showMessage(message, 10_000)
