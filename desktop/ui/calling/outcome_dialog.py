"""Asking for a time before recording a callback or a meeting: quick picks in the lead's own time.

Times are chosen as wall-clock time in the lead's time zone (what you agreed on the phone) and
handed back as aware UTC datetimes. Enter accepts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

CALLBACK = "callback"
MEETING = "meeting"


def _round_up(moment: datetime, minutes: int = 5) -> datetime:
    step = minutes * 60
    seconds = math.ceil(moment.timestamp() / step) * step
    return datetime.fromtimestamp(seconds, tz=moment.tzinfo)


def _at(day: date, hour: int, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone)


def _always_open(_moment: datetime) -> bool:
    return True


# Quick picks are offered on working days; the last hour a pick may start at, their time.
_LAST_PICK_HOUR = 17


def _business_moment(
    first_day: date, hour: int, zone: tzinfo, is_open: Callable[[datetime], bool], after: datetime | None
) -> datetime:
    """The first moment from `first_day` at `hour` (or later that day) on a working day, inside the
    callee's calling hours and later than `after` (so that no two picks are the same)."""
    day = first_day
    for _ in range(60):
        if day.weekday() < 5:
            for start in range(hour, max(hour, _LAST_PICK_HOUR) + 1):
                moment = _at(day, start, zone)
                if (after is None or moment > after) and is_open(moment):
                    return moment
        day += timedelta(days=1)
    return _at(first_day, hour, zone)  # no open hour in two months: the broker picks by hand


def quick_picks(
    kind: str, now: datetime, zone: tzinfo, is_open: Callable[[datetime], bool] = _always_open
) -> list[tuple[str, datetime]]:
    """(name, moment in the lead's zone) for the quick-pick buttons; names are translated by the dialog.

    Every dated pick is on a working day inside the callee's calling hours (`is_open`), on a later
    day than the pick before it. "In 1 hour" is what the callee asked: an hour of real time (across a change
    of clocks too), rounded up to 5 minutes.
    """
    local = now.astimezone(zone)
    tomorrow = local.date() + timedelta(days=1)
    next_monday = local.date() + timedelta(days=7 - local.weekday())
    picks: list[tuple[str, datetime]] = []
    if kind == CALLBACK:
        # Aware arithmetic in a zone adds wall-clock time; in UTC it adds real time.
        picks.append(("In 1 hour", _round_up(now.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)))
        hour, plan = 9, [(tomorrow, "Tomorrow 9:00 their time"), (next_monday, "Next week")]
    else:
        hour = 10
        plan = [
            (tomorrow, "Tomorrow 10:00"),
            (local.date() + timedelta(days=2), "In two days"),
            (next_monday, "Next week"),
        ]
    previous_day: date | None = None
    for first_day, name in plan:
        # Each dated pick on a day of its own: two picks on one day would not be two choices.
        if previous_day is not None:
            first_day = max(first_day, previous_day + timedelta(days=1))
        moment = _business_moment(first_day, hour, zone, is_open, now)
        previous_day = moment.date()
        if name.startswith("Tomorrow") and moment.date() != tomorrow:
            name = "Next working day 9:00 their time" if kind == CALLBACK else "Next working day 10:00"
        picks.append((name, moment))
    return picks


class OutcomeTimeDialog(QDialog):
    """A small dialog for the time of a callback (and the place of a meeting)."""

    def __init__(
        self,
        kind: str,
        lead_name: str,
        now: datetime,
        time_zone: str,
        parent: QWidget | None = None,
        is_open: Callable[[datetime], bool] = _always_open,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._now = now
        self._set_exactly: datetime | None = None  # the moment a quick pick put in the time field
        # Read again on Save: a dialog left open past the chosen time must not book a moment gone.
        self._clock = clock or (lambda: now)
        self._zone: tzinfo = ZoneInfo(time_zone) if time_zone else now.astimezone().tzinfo or UTC
        self._zone_name = time_zone or self.tr("your time zone")
        self._zone_known = bool(time_zone)  # else the times are the broker's own
        self.setWindowTitle(self.tr("Call back") if kind == CALLBACK else self.tr("Meeting"))
        self.setMinimumWidth(460)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        question = (
            self.tr("When should you call {name} back?")
            if kind == CALLBACK
            else self.tr("When and where do you meet {name}?")
        )
        heading = QLabel(question.format(name=lead_name))
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        # Both clocks, so "tomorrow at nine" is never off by the time difference.
        self.now_label = QLabel(self.now_text())
        self.now_label.setObjectName("Muted")
        layout.addWidget(self.now_label)

        picks = QVBoxLayout()
        picks.setSpacing(4)
        self.quick_buttons: list[QPushButton] = []
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        offered = quick_picks(kind, now, self._zone, is_open)
        for name, moment in offered:
            button = QPushButton(f"{self.tr(name)}  ·  {self.both_times(moment)}")
            button.setCheckable(True)
            # Enter must accept the dialog, not press whichever quick pick has focus.
            button.setAutoDefault(False)
            button.setDefault(False)
            button.setStyleSheet("text-align: left; padding: 6px 10px;")
            button.setProperty("moment", moment.isoformat())
            button.clicked.connect(self.on_quick_button_clicked)
            self._group.addButton(button)
            picks.addWidget(button)
            self.quick_buttons.append(button)
        layout.addLayout(picks)

        form = QFormLayout()
        self.when_edit = QDateTimeEdit()
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        self.when_edit.dateTimeChanged.connect(self.on_when_edit_changed)
        form.addRow(
            self.tr("Their time ({zone})").format(zone=self._zone_name.replace("_", " ")), self.when_edit
        )
        self.yours_label = QLabel()
        self.yours_label.setObjectName("Muted")
        form.addRow("", self.yours_label)
        self.where_edit = QLineEdit()
        self.where_edit.setPlaceholderText(self.tr("Their office, a video link, a phone number…"))
        if kind == MEETING:
            form.addRow(self.tr("Where"), self.where_edit)
        else:
            self.where_edit.hide()
        layout.addLayout(form)

        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Save  (Enter)"))
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.quick_buttons[0].setChecked(True)
        self._set_moment(offered[0][1])
        if kind == MEETING:
            self.where_edit.setFocus()
        else:
            self.when_edit.setFocus()

    def now_text(self) -> str:
        if not self._zone_known:
            return self.tr("Their time zone is unknown: the times below are your time.")
        theirs = self._now.astimezone(self._zone).strftime("%a %H:%M")
        yours = self._now.astimezone().strftime("%a %H:%M")
        if theirs == yours:
            return self.tr("It is {theirs} for them and for you.").format(theirs=theirs)
        return self.tr("It is {theirs} for them ({zone}), {yours} for you.").format(
            theirs=theirs, zone=self._zone_name.replace("_", " "), yours=yours
        )

    def both_times(self, moment: datetime) -> str:
        """A moment as both clocks say it: "their Wed 02 Dec, 09:00 · your 15:00"."""
        if not self._zone_known:
            return self.tr("{when} your time").format(when=moment.astimezone().strftime("%a %d %b, %H:%M"))
        theirs = moment.astimezone(self._zone)
        yours = moment.astimezone()
        your_format = "%H:%M" if yours.date() == theirs.date() else "%a %H:%M"
        return self.tr("their {theirs} · your {yours}").format(
            theirs=theirs.strftime("%a %d %b, %H:%M"), yours=yours.strftime(your_format)
        )

    def _set_moment(self, moment: datetime) -> None:
        local = moment.astimezone(self._zone)
        # Kept whole: in the hour a change of clocks repeats, the wall time alone names two moments.
        self._set_exactly = local
        self.when_edit.setDateTime(
            QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
        )

    def chosen_at(self) -> datetime:
        """The chosen moment, aware, in UTC. A quick pick is that very moment; a wall time typed in the
        hour a change of clocks repeats is its first occurrence."""
        value = self.when_edit.dateTime()
        day = value.date()
        clock = value.time()
        local = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=self._zone)
        picked = self._set_exactly
        if picked is not None and picked.replace(fold=0, second=0, microsecond=0) == local:
            return picked.astimezone(UTC)
        return local.astimezone(UTC)

    def where(self) -> str:
        return self.where_edit.text().strip()

    @Slot()
    def on_quick_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self._set_moment(datetime.fromisoformat(str(button.property("moment"))))

    @Slot()
    def on_when_edit_changed(self) -> None:
        chosen = self.chosen_at()
        for button in self.quick_buttons:
            if datetime.fromisoformat(str(button.property("moment"))) != chosen:
                continue
            button.setChecked(True)
            break
        else:
            checked = self._group.checkedButton()
            if checked is not None:
                self._group.setExclusive(False)
                checked.setChecked(False)
                self._group.setExclusive(True)
        yours = chosen.astimezone()
        self.yours_label.setText(self.tr("= {when} your time").format(when=yours.strftime("%a %d %b, %H:%M")))

    def accept(self) -> None:
        now = self._clock()
        if self.chosen_at() <= now:
            yours = now.astimezone().strftime("%a %d %b, %H:%M")
            self.error_label.setText(
                self.tr("Pick a time in the future: it is now {now} your time.").format(now=yours)
            )
            self.error_label.show()
            return
        super().accept()
