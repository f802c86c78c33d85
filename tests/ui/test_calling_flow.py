"""The calling loop driven from the keyboard: call, hang up, outcome, next lead, refusals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.ui.calling.session import ENDED, IDLE, ON_CALL
from desktop.ui.main_window import PAGE_LEAD, PAGE_WELCOME
from desktop.ui.queue.model import counts_text

pytestmark = pytest.mark.gui


def lead_name(window) -> str:  # type: ignore[no-untyped-def]
    return window.lead_panel.name_label.text()


def next_name(window, after: int = 1) -> str:  # type: ignore[no-untyped-def]
    """The lead the queue offers once `after` is done (the queue's order is the service's business)."""
    return window.leads.card(window.leads.next_lead_id(exclude=(after,))).display_name


def test_first_start_offers_the_sample_list(qtbot, make_window):  # type: ignore[no-untyped-def]
    window = make_window()
    assert "Dialdesk" in window.windowTitle()
    assert window.centre.currentIndex() == PAGE_WELCOME
    assert window.welcome_page.sample_button.isVisible()
    assert not window.dial_bar.isEnabled()

    qtbot.mouseClick(window.welcome_page.sample_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.centre.currentIndex() == PAGE_LEAD)
    assert lead_name(window) == "Maria Lopez"
    assert window.lead_panel.attempt_label.text() == "Attempt 1 of 18"
    assert window.queue_panel.counts_label.text().startswith("20 leads ·")
    assert window.counts_label.text() == counts_text(window.leads.queue_counts())
    assert window.queue_model.rowCount() == 20
    assert "Maria" in window.script_panel.plain_text()
    assert "«your name?»" in window.script_panel.plain_text()


def test_call_then_outcome_key_brings_up_the_next_lead(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    assert lead_name(window) == "Maria Lopez"
    expected_next = next_name(window)

    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL
    assert window.dial_bar.hang_up_button.isEnabled()
    assert "+1 212-555-0134" in window.dial_bar.state_label.text()

    ui_clock.advance(seconds=65)
    window.on_tick_timeout()
    assert window.dial_bar.timer_label.text() == "01:05"

    qtbot.keyClick(window, Qt.Key.Key_1)

    assert lead_name(window) == expected_next != "Maria Lopez"
    assert window.dial_bar.state == IDLE
    assert "Saved “No answer” for Maria Lopez" in window.statusBar().currentMessage()
    # The queue list moved in the same turn as the next lead was shown: the first frame shows both.
    maria_row = window.queue_model.row_for_lead(1)
    maria = window.queue_model.row_of(maria_row)
    assert (maria.bucket, maria.attempts) == ("later", 1)
    assert window.queue_panel.counts_label.text() == counts_text(window.leads.queue_counts())

    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)

    assert lead_name(window) == "Maria Lopez"
    assert window.lead_panel.attempt_label.text() == "Attempt 2 of 18"
    history = window.lead_panel.history_texts()
    assert len(history) == 1
    assert "No answer" in history[0] and "1:05" in history[0]


def test_hang_up_with_escape_then_outcome(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    expected_next = next_name(window)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.dial_bar.state == ON_CALL
    ui_clock.advance(seconds=12)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.dial_bar.state == ENDED
    assert window.dial_bar.timer_label.text() == "00:12"
    assert window.lead_panel.history_texts()[0].split(" | ")[2] == "Call, no outcome yet"

    qtbot.keyClick(window, Qt.Key.Key_3)

    assert lead_name(window) == expected_next
    card = window.leads.card(1)
    assert [item.outcome for item in card.history] == ["voicemail"]


def answer_stray_question(qtbot, window, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    """An outcome key with no call asks first: answer the question with Enter or Esc."""
    qtbot.waitUntil(lambda: window.stray_guard.box is not None and window.stray_guard.box.isVisible())
    qtbot.keyClick(window.stray_guard.box, key)
    qtbot.waitUntil(lambda: window.stray_guard.box is None)


def test_outcome_without_calling_first_logs_a_manual_call(qtbot, window):  # type: ignore[no-untyped-def]
    expected_next = next_name(window)
    qtbot.keyClick(window, Qt.Key.Key_2)
    answer_stray_question(qtbot, window, Qt.Key.Key_Return)

    assert lead_name(window) == expected_next
    history = window.leads.card(1).history
    assert [(item.allowed, item.outcome) for item in history] == [(True, "busy")]


def test_outcome_buttons_are_labelled_with_their_keys(qtbot, window):  # type: ignore[no-untyped-def]
    texts = [button.text() for button in window.dial_bar.outcome_buttons.values()]
    assert texts[0].split() == ["1", "No", "answer"]
    assert texts[-1].split() == ["0", "Hostile"]
    assert len(texts) == 10

    expected_next = next_name(window)
    qtbot.mouseClick(window.dial_bar.outcome_buttons["gatekeeper"], Qt.MouseButton.LeftButton)

    assert lead_name(window) == expected_next
    assert window.leads.card(1).last_outcome == "gatekeeper"


def test_do_not_call_then_calling_again_is_refused(qtbot, window):  # type: ignore[no-untyped-def]
    expected_next = next_name(window)
    qtbot.keyClick(window, Qt.Key.Key_9)
    answer_stray_question(qtbot, window, Qt.Key.Key_Return)
    assert lead_name(window) == expected_next
    assert "added to the do-not-call list" in window.statusBar().currentMessage()

    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert lead_name(window) == "Maria Lopez"
    assert "on the do-not-call list" in window.lead_panel.phones_label.text()
    assert window.lead_panel.status_badge.text() == "Out of the queue: Do not call"

    qtbot.keyClick(window, Qt.Key.Key_Space)

    assert window.dial_bar.state == IDLE
    banner = window.dial_bar.banner_text
    assert banner.startswith("Blocked:")
    assert "on the firm's internal do-not-call list" in banner
    assert window.dial_bar.banner.isVisible()
    newest = window.lead_panel.history_texts()[0]
    assert "Blocked" in newest and "do-not-call" in newest
    assert [item.allowed for item in window.leads.card(1).history] == [False, True]


def test_outside_calling_hours_is_refused_and_shown(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    ui_clock.advance(hours=10)  # 22:00 in New York
    window.on_tick_timeout()
    assert "outside calling hours" in window.lead_panel.gate_label.text()

    qtbot.keyClick(window, Qt.Key.Key_Space)

    assert "outside calling hours" in window.dial_bar.banner_text
    assert window.dial_bar.state == IDLE

    # Recording an outcome logs a manual call through the same gate: refused, nothing recorded.
    qtbot.keyClick(window, Qt.Key.Key_1)
    answer_stray_question(qtbot, window, Qt.Key.Key_Return)
    assert lead_name(window) == "Maria Lopez"
    assert "Blocked" in window.dial_bar.banner_text
    assert window.leads.card(1).attempts == 0


def test_digits_space_and_enter_typed_in_text_fields_stay_text(qtbot, window):  # type: ignore[no-untyped-def]
    notes = window.lead_panel.notes_edit
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    qtbot.keyClicks(notes, "call 2 pm")
    qtbot.keyClick(notes, Qt.Key.Key_Return)
    qtbot.keyClicks(notes, "ask for 9")
    assert notes.toPlainText() == "call 2 pm\nask for 9"
    assert lead_name(window) == "Maria Lopez"
    assert window.dial_bar.state == IDLE

    filter_edit = window.queue_panel.filter_edit
    filter_edit.setFocus()
    qtbot.waitUntil(filter_edit.hasFocus)
    assert window.leads.card(1).notes == "call 2 pm\nask for 9"  # saved when the notes lost focus
    qtbot.keyClicks(filter_edit, "Lee 512")
    qtbot.keyClick(filter_edit, Qt.Key.Key_Return)
    assert filter_edit.text() == "Lee 512"
    assert window.dial_bar.state == IDLE
    assert window.leads.card(1).attempts == 0

    filter_edit.setText("Natarajan")
    window.queue_panel.apply_filter()
    assert window.queue_model.rowCount() == 1
    assert window.queue_panel.counts_label.text().startswith("Filtered: 1 lead ·")

    window.queue_panel.view.setFocus()
    qtbot.waitUntil(window.queue_panel.view.hasFocus)
    qtbot.keyClick(window.queue_panel.view, Qt.Key.Key_1)
    answer_stray_question(qtbot, window, Qt.Key.Key_Return)
    assert lead_name(window) != "Maria Lopez"
    assert window.leads.card(1).last_outcome == "no_answer"


def test_clicking_a_queue_row_shows_that_lead(qtbot, window):  # type: ignore[no-untyped-def]
    view = window.queue_panel.view
    row = window.queue_model.row_for_lead(4)
    index = window.queue_panel.proxy.mapFromSource(window.queue_model.index(row, 1))
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert lead_name(window) == "Robert Kim"
    assert window.lead_panel.previous_button.isEnabled()


def test_notes_are_saved_as_you_type(qtbot, window):  # type: ignore[no-untyped-def]
    window.lead_panel.save_timer.setInterval(20)  # the pause in typing that triggers a save
    notes = window.lead_panel.notes_edit
    notes.setFocus()
    qtbot.keyClicks(notes, "Wants a quote")
    qtbot.waitUntil(lambda: window.lead_panel.notes_state.text() == "Saved", timeout=3000)
    assert window.leads.card(1).notes == "Wants a quote"


def test_hand_off_backend_opens_a_tel_link(qtbot, window):  # type: ignore[no-untyped-def]
    settings = window.workspace.current_settings()
    settings.backend = "handoff_tel"
    window.workspace.save_settings(settings)
    opened: list[str] = []
    window.workspace.set_url_opener(lambda uri: opened.append(uri) or True)

    qtbot.keyClick(window, Qt.Key.Key_Space)

    assert opened == ["tel:+12125550134"]
    assert window.dial_bar.state == ON_CALL


def test_hand_off_without_a_phone_app_says_so(qtbot, window):  # type: ignore[no-untyped-def]
    settings = window.workspace.current_settings()
    settings.backend = "handoff_tel"
    window.workspace.save_settings(settings)
    window.workspace.set_url_opener(lambda uri: False)

    qtbot.keyClick(window, Qt.Key.Key_Space)

    assert window.dial_bar.state == IDLE
    assert window.dial_bar.banner_text.startswith(
        "Could not call: no application on this computer opens tel:"
    )


def test_gate_preview_warns_before_calling(qtbot, window):  # type: ignore[no-untyped-def]
    assert "OK to call now" in window.lead_panel.gate_label.text()
    # James O'Neil is residential; with no national registry copy imported the gate would refuse.
    james = next(row.lead_id for row in window.leads.queue_page(0, 50) if row.name == "James O'Neil")
    window.show_lead(james)
    assert lead_name(window) == "James O'Neil"
    assert "The gate would block a call now" in window.lead_panel.gate_label.text()
    assert "registry" in window.lead_panel.gate_label.text().lower()


@pytest.mark.parametrize("key", [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_9, Qt.Key.Key_0])
def test_a_stray_outcome_key_asks_first_and_esc_records_nothing(qtbot, window, key):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, key)
    answer_stray_question(qtbot, window, Qt.Key.Key_Escape)

    assert lead_name(window) == "Maria Lopez"
    card = window.leads.card(1)
    assert card.history == [] or all(item.outcome is None for item in card.history)
    assert card.attempts == 0
    assert window.workspace.dnc.list() == []


def test_do_not_call_without_a_call_asks_even_from_the_button(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.dial_bar.outcome_buttons["do_not_call"], Qt.MouseButton.LeftButton)
    answer_stray_question(qtbot, window, Qt.Key.Key_Escape)
    assert window.leads.card(1).last_outcome is None

    qtbot.mouseClick(window.dial_bar.outcome_buttons["do_not_call"], Qt.MouseButton.LeftButton)
    answer_stray_question(qtbot, window, Qt.Key.Key_Return)
    assert window.leads.card(1).last_outcome == "do_not_call"


def test_an_outcome_key_after_a_call_needs_no_question(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert window.stray_guard.box is None
    assert window.leads.card(1).last_outcome == "no_answer"


def test_ctrl_z_undoes_the_last_outcome_as_a_correction(qtbot, window):  # type: ignore[no-untyped-def]
    before = window.leads.card(1)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_9)  # Do not call, after a call: no question
    assert lead_name(window) != "Maria Lopez"
    assert window.workspace.dnc.list() != []

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert lead_name(window) == "Maria Lopez"
    after = window.leads.card(1)
    assert (after.attempts, after.status, after.last_outcome, after.next_due_at) == (
        before.attempts,
        before.status,
        before.last_outcome,
        before.next_due_at,
    )
    assert window.workspace.dnc.list() == []
    assert "do-not-call" not in window.lead_panel.phones_label.text()
    outcomes = [item.outcome for item in after.history if item.kind == "call"]
    assert "do_not_call" in outcomes, "the undone call stays in the history"
    assert "Undone" in window.statusBar().currentMessage()
    assert window.lead_panel.history_texts()[0].split(" | ")[2] == "Undone (correction)"

    # Only the last one, once: a second Ctrl+Z has nothing left.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Nothing to undo in this session."


def test_ctrl_z_in_the_notes_undoes_typing_not_the_outcome(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.leads.card(1).last_outcome == "busy"
    notes = window.lead_panel.notes_edit
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    qtbot.keyClicks(notes, "abc")
    qtbot.keyClick(notes, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.leads.card(1).last_outcome == "busy"


def test_outcome_key_on_a_live_call_ends_it_with_its_outcome_in_one_commit(  # type: ignore[no-untyped-def]
    qtbot, window, ui_clock, ui_workspace
):
    from sqlalchemy import event

    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL
    ui_clock.advance(seconds=42)
    commits: list[object] = []
    count = commits.append  # one bound method, so the listener can be removed
    event.listen(ui_workspace.engine, "commit", count)
    try:
        qtbot.keyClick(window, Qt.Key.Key_3)  # 3 = Voicemail, no time to ask
    finally:
        event.remove(ui_workspace.engine, "commit", count)
    assert len(commits) == 1  # the call's end and its outcome are one transaction
    assert lead_name(window) != "Maria Lopez" and window.dial_bar.state == IDLE
    with ui_workspace.engine.connect() as connection:
        kinds = [kind for (kind,) in connection.exec_driver_sql("SELECT kind FROM events ORDER BY seq")]
    assert kinds[-2:] == ["call_end", "outcome"]
    assert ui_workspace.history.verify().intact
    window.on_previous_triggered()
    [maria_call] = window.lead_panel.history_texts()
    assert "Voicemail" in maria_call and "0:42" in maria_call
