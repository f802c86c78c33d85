"""Callback and meeting outcomes ask for a time first (quick picks in the lead's time), Enter saves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def next_name(window, after: int = 1) -> str:  # type: ignore[no-untyped-def]
    return window.leads.card(window.leads.next_lead_id(exclude=(after,))).display_name


def test_callback_quick_pick_tomorrow_their_time(qtbot, window):  # type: ignore[no-untyped-def]
    expected_next = next_name(window)
    qtbot.keyClick(window, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None and window.outcome_dialog.isVisible())
    dialog = window.outcome_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    names = [button.text() for button in dialog.quick_buttons]
    assert names[0].startswith("In 1 hour")
    assert names[1].startswith("Tomorrow 9:00 their time") and "Wed 02 Dec, 09:00" in names[1]
    assert names[2].startswith("Next week") and "Mon 07 Dec, 09:00" in names[2]
    assert dialog.quick_buttons[0].isChecked()

    # Keys typed while the dialog is open are the dialog's, not outcomes for the main window.
    qtbot.keyClick(dialog, Qt.Key.Key_1)
    assert window.leads.card(1).attempts == 0

    qtbot.mouseClick(dialog.quick_buttons[1], Qt.MouseButton.LeftButton)
    assert dialog.quick_buttons[1].isChecked()
    assert "Wed 02 Dec 2026  09:00" in dialog.when_edit.text()
    # Enter where the focus is (the quick pick just clicked) saves; it does not re-press the pick.
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.outcome_dialog is None)
    assert window.lead_panel.name_label.text() == expected_next
    card = window.leads.card(1)
    assert card.last_outcome == "callback"
    # 09:00 in New York on 2 December is 14:00 UTC.
    assert card.next_due_at == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    qtbot.waitUntil(lambda: window.queue_model.row_of(window.queue_model.row_for_lead(1)).bucket == "later")


def test_callback_dialog_cancel_records_nothing(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None)
    qtbot.keyClick(window.outcome_dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.outcome_dialog is None)
    assert window.lead_panel.name_label.text() == "Maria Lopez"
    assert window.leads.card(1).history == []


def test_meeting_asks_when_and_where(qtbot, window):  # type: ignore[no-untyped-def]
    expected_next = next_name(window)
    qtbot.keyClick(window, Qt.Key.Key_7)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None and window.outcome_dialog.isVisible())
    dialog = window.outcome_dialog
    assert dialog.where_edit.isVisible()
    qtbot.keyClicks(dialog.where_edit, "Their office, 5th Ave")
    dialog.when_edit.setFocus()
    qtbot.keyClick(dialog.when_edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.outcome_dialog is None)
    card = window.leads.card(1)
    assert card.last_outcome == "meeting"
    assert card.status == "closed"
    assert window.lead_panel.name_label.text() == expected_next


def test_a_callback_time_gone_while_the_dialog_was_open_is_refused(qtbot, window):  # type: ignore[no-untyped-def]
    """The dialog reads the clock again on Save: "In 1 hour", saved two hours later, is in the past."""
    qtbot.keyClick(window, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None and window.outcome_dialog.isVisible())
    dialog = window.outcome_dialog
    assert dialog.quick_buttons[0].isChecked()  # In 1 hour
    window.workspace.clock.advance(hours=2)
    qtbot.keyClick(dialog.when_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error_label.text().startswith("Pick a time in the future")
    assert window.leads.card(1).history == []
    # A time typed in the past (a day back) is refused the same way.
    dialog.when_edit.setDateTime(dialog.when_edit.dateTime().addDays(-1))
    qtbot.keyClick(dialog.when_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and window.leads.card(1).history == []
    # Picked again from now on, it saves.
    dialog.when_edit.setDateTime(dialog.when_edit.dateTime().addDays(2))
    qtbot.keyClick(dialog.when_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.outcome_dialog is None)
    assert window.leads.card(1).last_outcome == "callback"
