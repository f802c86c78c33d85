"""Following up: callback reminders and the callbacks list on both clocks, meetings saved as .ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.queue.model import COL_NAME, DetailRole

pytestmark = pytest.mark.gui

# "In 1 hour" from 17:00 UTC: 18:00 UTC, 13:00 in New York (Maria Lopez).
CALLBACK_AT = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def book(qtbot, window, key: Qt.Key):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, key)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None and window.outcome_dialog.isVisible())
    return window.outcome_dialog


def test_callback_dialog_shows_both_clocks(qtbot, window):  # type: ignore[no-untyped-def]
    dialog = book(qtbot, window, Qt.Key.Key_6)
    yours = datetime(2026, 12, 1, 17, 0, tzinfo=UTC).astimezone().strftime("%a %H:%M")
    if yours == "Tue 12:00":
        assert dialog.now_label.text() == "It is Tue 12:00 for them and for you."
    else:
        assert dialog.now_label.text() == f"It is Tue 12:00 for them (America/New York), {yours} for you."
    assert "Their time (America/New York)" in [
        label.text() for label in dialog.findChildren(type(dialog.now_label)) if label.text()
    ]
    expected = CALLBACK_AT.astimezone().strftime("%a %d %b, %H:%M")
    assert dialog.yours_label.text() == f"= {expected} your time"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_callback_reminder_then_the_lead_is_on_top_when_due(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    dialog = book(qtbot, window, Qt.Key.Key_6)
    assert dialog.quick_buttons[0].isChecked()  # "In 1 hour"
    qtbot.keyClick(dialog.when_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.outcome_dialog is None)
    assert window.lead_panel.name_label.text() != "Maria Lopez"
    assert window.leads.card(1).next_due_at == CALLBACK_AT
    qtbot.waitUntil(lambda: window.queue_model.row_of(window.queue_model.row_for_lead(1)).bucket == "later")

    ui_clock.set(CALLBACK_AT - timedelta(minutes=10))
    window.follow_up.check()
    assert window.banners.texts() == []

    ui_clock.set(CALLBACK_AT - timedelta(minutes=5))
    window.follow_up.check()  # what the 30-second timer does
    assert window.banners.isVisible()
    assert window.banners.texts() == ["Call back Maria Lopez at 13:00 their time — in 5 min"]
    banner = window.banners.banner(window.banners.keys()[0])
    assert [button.text() for button in banner.buttons] == ["Show"]
    row = window.queue_model.row_for_lead(1)
    detail = window.queue_model.index(row, COL_NAME).data(DetailRole)
    assert detail.startswith("Call back from 13:00 their time")

    ui_clock.set(CALLBACK_AT + timedelta(minutes=1))
    window.follow_up.check()
    assert window.queue_model.row_of(0).lead_id == 1
    assert window.queue_model.row_of(0).bucket == "callback"
    assert window.queue_model.index(0, COL_NAME).data(DetailRole) == "Call back now (13:00 their time)"
    assert window.banners.texts() == ["Call back Maria Lopez now: promised for 13:00 their time"]

    banner = window.banners.banner(window.banners.keys()[0])
    qtbot.mouseClick(banner.buttons[0], Qt.MouseButton.LeftButton)
    assert window.lead_panel.name_label.text() == "Maria Lopez"
    assert window.banners.texts() == []
    assert not window.banners.isVisible()


def test_overdue_callbacks_list_on_both_clocks(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    window.workspace.calling.record_outcome(1, "callback", callback_at=CALLBACK_AT, note="after lunch")
    ui_clock.set(CALLBACK_AT + timedelta(minutes=30))
    window.follow_up.on_callbacks_triggered()
    dialog = window.follow_up.callbacks_dialog
    qtbot.waitUntil(dialog.isVisible)
    yours = CALLBACK_AT.astimezone().strftime("%a %d %b %H:%M")
    assert dialog.summary_label.text() == "1 overdue · 0 in the next 7 days"
    assert dialog.row_texts() == [
        f"Maria Lopez | Tue 01 Dec 13:00 · New York | {yours} | overdue 30 min | after lunch"
    ]
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.follow_up.callbacks_dialog is None)
    assert window.lead_panel.name_label.text() == "Maria Lopez"


def test_meeting_booked_then_saved_to_calendar(qtbot, window, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    dialog = book(qtbot, window, Qt.Key.Key_7)
    qtbot.keyClicks(dialog.where_edit, "Their office, 5th Ave")
    starts = dialog.chosen_at()
    qtbot.keyClick(dialog.where_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.outcome_dialog is None)

    [key] = window.banners.keys()
    banner = window.banners.banner(key)
    assert banner.text().startswith("Meeting with Maria Lopez booked: Wed 02 Dec 10:00 their time")
    assert banner.text().endswith(" — Their office, 5th Ave.")
    offered: list[str] = []
    target = tmp_path / "maria.ics"
    monkeypatch.setattr(
        "desktop.ui.queue.meetings_dialog.choose_ics_path",
        lambda parent, name: offered.append(name) or str(target),
    )
    qtbot.mouseClick(banner.buttons[0], Qt.MouseButton.LeftButton)

    assert offered == ["meeting-maria-lopez-2026-12-02.ics"]
    assert window.banners.keys() == []
    assert str(target) in window.statusBar().currentMessage()
    [event] = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert event.decoded("DTSTART") == starts
    assert str(event.get("LOCATION")) == "Their office, 5th Ave"
    assert "Maria Lopez" in str(event.get("SUMMARY"))

    # The same meeting from View → Upcoming meetings, with both clocks.
    window.follow_up.on_meetings_triggered()
    meetings = window.follow_up.meetings_dialog
    qtbot.waitUntil(meetings.isVisible)
    yours = starts.astimezone().strftime("%a %d %b %H:%M")
    assert meetings.row_texts() == [
        f"Wed 02 Dec 10:00 · New York | {yours} | Maria Lopez (Lopez Dental Group) | Their office, 5th Ave"
        " | +1 212-555-0134"
    ]
    again = tmp_path / "again.ics"
    monkeypatch.setattr("desktop.ui.queue.meetings_dialog.choose_ics_path", lambda parent, name: str(again))
    qtbot.mouseClick(meetings.save_button, Qt.MouseButton.LeftButton)
    assert meetings.saved_path == Path(again)
    assert "Saved the meeting with Maria Lopez" in meetings.message_label.text()
    assert icalendar.Calendar.from_ical(again.read_bytes()).walk("VEVENT")[0].decoded("DTSTART") == starts
    meetings.close()
    assert QApplication.activeModalWidget() is None
