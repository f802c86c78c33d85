"""Focus never traps the keys: Esc clears and leaves the queue filter, and after every dialog (the
callback dialog, the objection picker, "Try the sample list") the keyboard is back with the lead,
where Space calls and 1–0 record; the filter gets the focus only when the broker gives it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.calling.session import IDLE, ON_CALL

pytestmark = pytest.mark.gui


def hand_off(window) -> list[str]:  # type: ignore[no-untyped-def]
    settings = window.workspace.current_settings()
    settings.backend = "handoff_tel"
    window.workspace.save_settings(settings)
    window.on_settings_saved()
    opened: list[str] = []
    window.workspace.set_url_opener(lambda uri: opened.append(uri) or True)
    return opened


def focused():  # type: ignore[no-untyped-def]
    return QApplication.focusWidget()


def keys_work_on_the_lead(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Space calls and 1 records the outcome: neither is typed into a field."""
    filter_edit = window.queue_panel.filter_edit
    assert focused() is not filter_edit
    name = window.current_card.display_name
    qtbot.keyClick(focused() or window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL
    qtbot.keyClick(focused() or window, Qt.Key.Key_1)
    assert window.dial_bar.state == IDLE and window.current_card.display_name != name
    assert filter_edit.text() == ""


def back_to_the_window(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    # A window manager activates the window after a dialog; the offscreen platform needs asking.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.wait(10)  # the focus comes home one turn of the event loop later


def test_escape_clears_and_leaves_the_filter(qtbot, window):  # type: ignore[no-untyped-def]
    hand_off(window)
    filter_edit = window.queue_panel.filter_edit
    qtbot.mouseClick(filter_edit, Qt.MouseButton.LeftButton)  # the broker chooses the filter
    assert focused() is filter_edit
    qtbot.keyClicks(filter_edit, "Kim 2")  # digits and spaces are text here
    assert filter_edit.text() == "Kim 2" and window.dial_bar.state == IDLE

    qtbot.keyClick(filter_edit, Qt.Key.Key_Escape)

    assert filter_edit.text() == ""
    assert window.queue_model.filter_text == ""
    assert focused() is window.lead_panel
    keys_work_on_the_lead(qtbot, window)


def test_ctrl_f_still_enters_the_filter_on_purpose(qtbot, window):  # type: ignore[no-untyped-def]
    window.on_filter_triggered()
    qtbot.wait(10)
    assert focused() is window.queue_panel.filter_edit


@pytest.mark.parametrize("close_with", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_focus_returns_to_the_lead_after_the_callback_dialog(qtbot, window, close_with):  # type: ignore[no-untyped-def]
    hand_off(window)
    qtbot.keyClick(window, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None and window.outcome_dialog.isVisible())
    dialog = window.outcome_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(QApplication.focusWidget() or dialog, close_with)
    qtbot.waitUntil(lambda: window.outcome_dialog is None)
    back_to_the_window(qtbot, window)
    assert focused() is window.lead_panel
    keys_work_on_the_lead(qtbot, window)


def test_focus_returns_to_the_lead_after_the_objection_picker(qtbot, window):  # type: ignore[no-untyped-def]
    hand_off(window)
    panel = window.script_panel
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.picker is not None and panel.picker.isVisible())
    qtbot.keyClick(panel.picker.filter_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.picker is None)
    back_to_the_window(qtbot, window)
    assert focused() is not window.queue_panel.filter_edit
    keys_work_on_the_lead(qtbot, window)


def test_focus_returns_to_the_lead_after_try_the_sample_list(qtbot, make_window):  # type: ignore[no-untyped-def]
    window = make_window()  # an empty database: the first-start page
    hand_off(window)
    window.file_actions.on_sample_triggered()
    qtbot.waitUntil(lambda: window.file_actions.sample_task is None and window.current_card is not None)
    back_to_the_window(qtbot, window)
    assert focused() is window.lead_panel
    keys_work_on_the_lead(qtbot, window)


def test_the_filter_never_keeps_a_focus_it_was_not_given(qtbot, window):  # type: ignore[no-untyped-def]
    """Whatever hands the focus back by itself (a closed dialog, a re-enabled window, a widget
    that disappeared), the filter does not keep it."""
    filter_edit = window.queue_panel.filter_edit
    for reason in (
        Qt.FocusReason.ActiveWindowFocusReason,
        Qt.FocusReason.OtherFocusReason,
        Qt.FocusReason.MenuBarFocusReason,
    ):
        filter_edit.setFocus(reason)
        qtbot.wait(10)
        assert focused() is window.lead_panel, reason
