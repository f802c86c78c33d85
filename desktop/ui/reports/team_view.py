"""View → Team (a team on PostgreSQL): the live supervisor view, redrawn when the database says so.

The dialog LISTENs through `TeamWatch.listen()` and watches that connection's socket with a
QSocketNotifier: when a notification arrives (another agent claimed, dialled, recorded; revision
0016a), the snapshot is read again and redrawn. No timer polls the database; an idle team costs
nothing. Times shown say whose they are (the zone of this computer, named in the heading). When the
server goes away (a restart) the heading says it is reconnecting; a single-shot timer tries to listen
again after a growing wait, and the view is read whole once it listens again.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QSocketNotifier, QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.team_watch import (
    ChangeListener,
    ListenerLost,
    TeamSnapshot,
    TeamWatch,
    reconnect_delay,
)

COLUMNS = ("Agent", "Now", "Dials this hour", "Connects this hour", "Dials today", "Connects today")


class TeamViewDialog(QDialog):
    """Who is on a call, each agent's dials and connects, the queue's depth and blocked dials."""

    def __init__(self, watch: TeamWatch, parent: QWidget | None = None, zone: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Team — live"))
        self._watch = watch
        self._zone = zone
        self.snapshot: TeamSnapshot | None = None
        self.heading = QLabel()
        self.queue_label = QLabel()
        self.blocked_label = QLabel()
        self.blocked_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(title) for title in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.queue_label, self.table, self.blocked_label):
            layout.addWidget(widget)
        self.resize(760, 360)
        self._listener: ChangeListener | None = None
        self._notifier: QSocketNotifier | None = None
        self.reconnecting = False
        self._failures = 0  # tries in a row that found the server away
        self._retry = QTimer(self)  # only while the server is away: listening again, not polling
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.on_retry_timeout)
        self._listen_and_refresh()

    def _listen_and_refresh(self) -> None:
        """Listen, then read the whole snapshot (listening first: a change committed while it is read
        is not missed; after a reconnect, the changes made meanwhile were never notified)."""
        try:
            listener = self._watch.listen()
            self._listener = listener
            self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self.on_notifier_activated)
            self.refresh()
        except ListenerLost as error:
            self._connection_lost(error)
            return
        self.reconnecting = False
        self._failures = 0

    def _connection_lost(self, error: ListenerLost) -> None:
        """The server went away: say so, and try to listen again after a growing wait."""
        self._stop_listening()
        self._failures += 1
        self.reconnecting = True
        delay = reconnect_delay(self._failures)
        self.heading.setText(
            self.tr("{error}: reconnecting… (next try in {seconds} s)").format(
                error=error, seconds=f"{delay:g}"
            )
        )
        self._retry.start(int(delay * 1000))

    @Slot()
    def on_retry_timeout(self) -> None:
        self._listen_and_refresh()

    @Slot()
    def on_notifier_activated(self) -> None:
        if self._listener is None:
            return
        try:
            if self._listener.pending():
                self.refresh()
        except ListenerLost as error:
            self._connection_lost(error)

    def refresh(self) -> None:
        """Read the team's snapshot now and show it (ListenerLost when the server is away)."""
        snapshot = self._watch.reread(self._zone)
        self.snapshot = snapshot
        zone = snapshot.zone
        at = snapshot.at.astimezone(ZoneInfo(zone))
        self.heading.setText(
            self.tr("The team at {time} ({zone}), counted in that zone's hour and day").format(
                time=f"{at:%H:%M}", zone=zone
            )
        )
        self.queue_label.setText(
            self.tr("Queue: {waiting} leads waiting, {held} being worked").format(
                waiting=snapshot.queue_depth, held=snapshot.held_leads
            )
        )
        self.table.setRowCount(len(snapshot.agents))
        for row, agent in enumerate(snapshot.agents):
            if agent.on_call_since is not None:
                since = agent.on_call_since.astimezone(ZoneInfo(zone))
                doing = self.tr("On a call (lead #{lead}) since {time}").format(
                    lead=agent.on_call_lead, time=f"{since:%H:%M}"
                )
            elif agent.working_lead is not None:
                doing = self.tr("Working lead #{lead}").format(lead=agent.working_lead)
            else:
                doing = self.tr("Free")
            values = (
                agent.name,
                doing,
                agent.dials_hour,
                agent.connects_hour,
                agent.dials_today,
                agent.connects_today,
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
        blocked = ", ".join(f"{code}: {count}" for code, count in snapshot.blocked_today.items())
        self.blocked_label.setText(
            self.tr("Blocked dials today: {which}").format(which=blocked or self.tr("none"))
        )

    def _stop_listening(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def done(self, result: int) -> None:
        self._retry.stop()
        self._stop_listening()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._retry.stop()
        self._stop_listening()
        super().closeEvent(event)
