"""Quick picks of the callback and meeting dialogs: working days inside the callee's calling hours,
each later than the one before, and "In 1 hour" an hour of real time across a change of clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from desktop.ui.calling.outcome_dialog import CALLBACK, MEETING, quick_picks

pytestmark = pytest.mark.gui

NEW_YORK = ZoneInfo("America/New_York")
# Every hour of a whole week (Monday 30 Nov 2026 00:00 their time onwards), Saturday and Sunday too.
WEEK = [datetime(2026, 11, 30, 5, 0, tzinfo=UTC) + timedelta(hours=h) for h in range(7 * 24)]


def open_from_ten_to_four(moment: datetime) -> bool:
    """A stricter calling window than 9:00 so the rule, not the default hour, decides."""
    local = moment.astimezone(NEW_YORK)
    return 10 <= local.hour < 16


@pytest.mark.parametrize("kind", [CALLBACK, MEETING])
def test_dated_picks_are_distinct_working_days_inside_calling_hours(kind: str) -> None:
    for now in WEEK:
        picks = quick_picks(kind, now, NEW_YORK, open_from_ten_to_four)
        dated = picks[1:] if kind == CALLBACK else picks
        moments = [moment for _name, moment in dated]
        days = [moment.date() for moment in moments]
        assert days == sorted(set(days)), (now, picks)  # each on a day of its own, in order
        for name, moment in dated:
            assert moment > now, (now, name)
            assert moment.weekday() < 5, (now, name, moment)
            assert open_from_ten_to_four(moment), (now, name, moment)
            if name.startswith("Tomorrow"):
                assert moment.date() == now.astimezone(NEW_YORK).date() + timedelta(days=1)
        assert dated[-1][0] == "Next week"
        assert dated[-1][1].isocalendar().week != now.astimezone(NEW_YORK).isocalendar().week


def test_in_one_hour_is_an_hour_of_real_time_across_the_change_of_clocks() -> None:
    # 01:30 EDT on 1 November 2026; an hour later it is 01:30 EST (the clocks went back at 02:00).
    now = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    name, moment = quick_picks(CALLBACK, now, NEW_YORK)[0]
    assert name == "In 1 hour"
    assert moment - now == timedelta(hours=1)
    assert moment.utcoffset() == timedelta(hours=-5)
    spring = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 01:30 EST; an hour later it is 03:30 EDT
    assert quick_picks(CALLBACK, spring, NEW_YORK)[0][1] - spring == timedelta(hours=1)


def test_the_dialog_offers_working_days_in_the_leads_calling_hours(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    # Saturday 5 December 2026, 12:00 in New York, from the product's clock.
    ui_clock.set(datetime(2026, 12, 5, 17, 0, tzinfo=UTC))
    window.reload_card()
    qtbot.keyClick(window, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None)
    dialog = window.outcome_dialog
    texts = [button.text() for button in dialog.quick_buttons]
    moments = [datetime.fromisoformat(button.property("moment")) for button in dialog.quick_buttons]
    assert texts[0].startswith("In 1 hour") and moments[0] == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    assert texts[1].startswith("Next working day 9:00 their time") and "Mon 07 Dec, 09:00" in texts[1]
    assert texts[2].startswith("Next week") and "Tue 08 Dec, 09:00" in texts[2]
    is_open = window.leads.calling_hours_check(window.current_card.id)
    assert all(is_open(moment) for moment in moments[1:])
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.outcome_dialog is None)


def test_the_dialog_saves_in_one_hour_as_an_hour_of_real_time_across_the_change_of_clocks(qtbot) -> None:  # type: ignore[no-untyped-def]
    """01:32 EDT on 1 November 2026: "In 1 hour" is 01:35 EST (06:35 UTC). The time field shows the wall
    time 01:35, which names two moments that night; the dialog saves the one picked, not the first."""
    from desktop.ui.calling.outcome_dialog import OutcomeTimeDialog

    now = datetime(2026, 11, 1, 5, 32, tzinfo=UTC)
    dialog = OutcomeTimeDialog(CALLBACK, "Maria Lopez", now, "America/New_York", clock=lambda: now)
    qtbot.addWidget(dialog)
    assert dialog.quick_buttons[0].isChecked()  # In 1 hour
    assert dialog.chosen_at() == datetime(2026, 11, 1, 6, 35, tzinfo=UTC)
    qtbot.mouseClick(dialog.quick_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.quick_buttons[0], Qt.MouseButton.LeftButton)
    assert dialog.chosen_at() == datetime(2026, 11, 1, 6, 35, tzinfo=UTC)
    assert dialog.quick_buttons[0].isChecked()
    assert "06:35" in dialog.yours_label.text() or "01:35" in dialog.yours_label.text()
    # Another wall time typed in the repeated hour is its first occurrence (still daylight time).
    edit = dialog.when_edit
    edit.setDateTime(edit.dateTime().addSecs(5 * 60))  # 01:40
    assert dialog.chosen_at() == datetime(2026, 11, 1, 5, 40, tzinfo=UTC)
    assert not any(button.isChecked() for button in dialog.quick_buttons)


def test_every_quick_pick_says_whose_time_it_shows(qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.calling.outcome_dialog import OutcomeTimeDialog

    now = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    for kind in (CALLBACK, MEETING):
        dialog = OutcomeTimeDialog(kind, "Maria Lopez", now, "America/Los_Angeles", clock=lambda: now)
        qtbot.addWidget(dialog)
        for button in dialog.quick_buttons:
            moment = datetime.fromisoformat(button.property("moment"))
            text = button.text()
            assert f"their {moment.astimezone(ZoneInfo('America/Los_Angeles')):%a %d %b, %H:%M}" in text, text
            assert f"your {moment.astimezone():%H:%M}" in text, text
