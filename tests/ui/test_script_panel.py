"""The script panel during a call: walking a script by keyboard, objections, advice callbacks, answers
on the lead card, choosing another script for a lead, reading a stage aloud.

The sample list's first lead, Maria Lopez (business, New York), gets the shipped script
"question-led-discovery".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.ui.calling.session import ON_CALL
from desktop.ui.main_window import MainWindow
from desktop.ui.script.inputs import DateField, OptionsInput
from desktop.ui.script.panel import ScriptPanel
from tests.conftest import require_tool
from tests.ui.conftest import GUI_MOMENT

pytestmark = pytest.mark.gui

MARIA = 1


def focused():  # type: ignore[no-untyped-def]
    """The widget keys go to; offscreen, a window may take a moment to be active again after a dialog."""
    main = next(widget for widget in QApplication.topLevelWidgets() if isinstance(widget, MainWindow))
    return QApplication.focusWidget() or QApplication.activeWindow() or main


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    """A key as the user types it: delivered to whatever has the keyboard focus."""
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(focused(), text)


def back_to_the_window(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """After the objection picker closed: the main window is active again (a window manager does
    this by itself; the offscreen platform needs asking)."""
    qtbot.waitUntil(lambda: window.script_panel.picker is None)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def current_question(panel: ScriptPanel) -> str:
    block = panel.current_block()
    assert block is not None, panel.plain_text()
    return block.question.id


def test_walk_the_whole_script_with_the_keyboard(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    assert window.lead_panel.name_label.text() == "Maria Lopez"
    assert panel.session is not None and panel.session.script.name == "question-led-discovery"
    assert panel.step_button.text().startswith("Step 1 of 6 · Opening")
    # Fields the settings do not have yet are marked, not left blank.
    assert "May I speak with Maria Lopez?" in panel.plain_text()
    assert "«your name?»" in panel.plain_text()
    assert not window.lead_panel.answers_box.isVisible()

    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # Ctrl+J: to the current question
    assert isinstance(focused(), OptionsInput)
    assert current_question(panel) == "reached"
    press(qtbot, Qt.Key.Key_A)  # Maria is on the line
    assert current_question(panel) == "ok_to_talk"
    assert panel.step_button.text().startswith("Step 2 of 6 · Permission to talk")
    assert isinstance(focused(), OptionsInput), "the cursor follows the script"
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Return)  # the first choice: now is fine; Enter did not dial
    assert window.dial_bar.state == "idle"

    assert current_question(panel) == "employees"
    assert isinstance(focused(), QLineEdit)
    type_text(qtbot, "1 2")  # digits and Space are typed, not outcomes or a call
    press(qtbot, Qt.Key.Key_Backspace)
    press(qtbot, Qt.Key.Key_Backspace)
    type_text(qtbot, "2")
    press(qtbot, Qt.Key.Key_Return)
    assert window.lead_panel.name_label.text() == "Maria Lopez"
    calls = [item for item in window.leads.card(MARIA).history if item.kind == "call"]
    assert calls == [], "no outcome was recorded while typing a number"
    assert "12 employees" in panel.feedback_label.text()

    assert current_question(panel) == "has_plan"
    press(qtbot, Qt.Key.Key_N)  # no plan: the route goes to why_no_plan
    assert current_question(panel) == "why_no_plan"
    press(qtbot, Qt.Key.Key_A)  # cost; brings up the plan options advice
    assert "Compare retirement plan options" in panel.feedback_label.text()
    assert "plan_options" in panel.advice_cards
    press(qtbot, Qt.Key.Key_A)  # top concern: taxes
    assert current_question(panel) == "concern_detail"
    type_text(qtbot, "Fewer forms, 2 hours a year")
    press(qtbot, Qt.Key.Key_Return)

    assert panel.step_button.text().startswith("Step 4 of 6 · Free advice offer")
    assert set(panel.advice_cards) == {"plan_options", "tax_checklist"}
    press(qtbot, Qt.Key.Key_A)  # yes to the free research
    assert current_question(panel) == "meeting_choice"
    press(qtbot, Qt.Key.Key_A)  # book a meeting
    assert current_question(panel) == "meeting_date"
    assert isinstance(focused(), DateField)
    press(qtbot, Qt.Key.Key_Up)  # the date moves a day on from the callee's today
    press(qtbot, Qt.Key.Key_Return)

    session = panel.session
    assert session is not None and session.finished and session.suggested_outcome == "meeting"
    assert panel.step_button.text().startswith("Step 6 of 6 · Meeting booked")
    assert panel.end_banner.isVisible()
    assert "Suggested outcome: <b>Meeting</b> — press <b>7</b>" in panel.end_banner.label.text()

    saved = window.workspace.scripts.latest_answers(MARIA)
    assert {key: answer.label for key, answer in saved.items()} == {
        "reached": "Maria is on the line",  # the script's "{first_name} is on the line", filled in
        "ok_to_talk": "Now is fine",
        "employees": "12 employees",
        "has_plan": "no",
        "why_no_plan": "Cost",
        "top_concern": "Taxes",
        "concern_detail": "Fewer forms, 2 hours a year",
        "accepts_offer": "Yes",
        "meeting_choice": "Book a meeting",
        "meeting_date": (GUI_MOMENT.date() + timedelta(days=1)).isoformat(),
    }
    box = window.lead_panel.answers_box
    assert box.isVisible()
    assert "How many people work at Lopez Dental Group, including you? — 12 employees" in box.lines
    assert "Who answered? — Maria is on the line" in box.lines
    assert [item for item in window.leads.card(MARIA).history if item.kind == "call"] == []

    # The end banner's button records the suggested outcome (it asks for the meeting time first).
    qtbot.mouseClick(panel.end_banner.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.outcome_dialog is not None)
    assert window.outcome_dialog.kind == "meeting"
    window.outcome_dialog.reject()


def test_a_wrong_answer_is_explained_and_nothing_is_saved(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    panel.go_to("employees")
    panel.focus_current()
    type_text(qtbot, "about a dozen")
    press(qtbot, Qt.Key.Key_Return)
    block = panel.current_block()
    assert block is not None and block.question.id == "employees"
    assert "'about a dozen' is not a number" in block.error_label.text()
    assert window.workspace.scripts.latest_answers(MARIA) == {}
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "0")
    press(qtbot, Qt.Key.Key_Return)
    assert "must be at least 1" in panel.current_block().error_label.text()


def test_tab_walks_through_the_questions_of_a_stage(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    panel.go_to("employees")
    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(focused(), QLineEdit)
    has_plan = panel.blocks[1]
    assert has_plan.question.id == "has_plan" and not has_plan.is_open
    press(qtbot, Qt.Key.Key_Tab)
    assert has_plan.is_open and focused() is has_plan.input
    press(qtbot, Qt.Key.Key_Y)  # answered out of turn: saved, and the script stays where it was
    assert window.workspace.scripts.latest_answers(MARIA)["has_plan"].value == "yes"
    assert current_question(panel) == "employees"
    assert panel.blocks[1].answer_label.text() == "✓ Yes"
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is panel.blocks[0].input.edit


def test_outcome_keys_still_work_while_a_choice_has_the_focus(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(focused(), OptionsInput)
    press(qtbot, Qt.Key.Key_Space)  # Space still calls
    assert window.dial_bar.state == ON_CALL
    press(qtbot, Qt.Key.Key_2)  # Busy: the script does not swallow the outcome keys
    assert window.lead_panel.name_label.text() != "Maria Lopez"
    assert [item.outcome for item in window.leads.card(MARIA).history if item.kind == "call"] == ["busy"]
    assert panel.lead_id == window.lead_panel.card.id, "the panel follows the next lead"


def test_back_skip_and_jump(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_A)
    assert current_question(panel) == "ok_to_talk"
    press(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # back
    assert current_question(panel) == "reached"
    block = panel.current_block()
    assert block is not None and block.input.picked == 0, "the answer given stays shown"
    press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # skip: the default route
    assert current_question(panel) == "ok_to_talk"
    panel.go_to("advice_offer")
    assert panel.step_button.text().startswith("Step 3 of ")
    assert "Free advice offer" in panel.plain_text()


def test_objection_card_by_shortcut(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    press(qtbot, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.picker is not None and panel.picker.isVisible())
    picker = panel.picker
    qtbot.waitUntil(lambda: focused() is picker.filter_edit)
    assert len(picker.visible_ids()) == 8
    type_text(qtbot, "e-mail")  # into the filter box of the picker
    assert picker.visible_ids() == ["send_email"]
    press(qtbot, Qt.Key.Key_Return)
    back_to_the_window(qtbot, window)

    card = panel.objection_card
    assert card is not None
    qtbot.waitUntil(card.isVisible)
    assert card.card.says == "Just send me an e-mail."
    assert "So that I send you something useful rather than a brochure" in card.card.response
    assert "Suggested outcome: <b>Call back</b> — key 6" in card.suggestion.text()
    assert card.outcome_button is not None and card.outcome_button.text() == "Record “Call back” (6)"

    # The card's callback button schedules the promised call without leaving the lead.
    qtbot.mouseClick(card.callback_button, Qt.MouseButton.LeftButton)
    assert "Callback on" in card.feedback.text()
    with window.workspace.uow() as uow:
        (callback,) = uow.callbacks.open_for_lead(MARIA)
        assert callback.due_at == GUI_MOMENT + timedelta(days=3)

    # Take-me-off-the-list suggests Do not call; its button records it at once.
    press(qtbot, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.picker is not None and focused() is panel.picker.filter_edit)
    type_text(qtbot, "off your list")
    press(qtbot, Qt.Key.Key_Return)
    back_to_the_window(qtbot, window)
    card = panel.objection_card
    assert card is not None and card.card.outcome == "do_not_call"
    assert card.callback_button is None
    qtbot.waitUntil(lambda: focused() is card.outcome_button)  # Enter records the suggested outcome
    press(qtbot, Qt.Key.Key_Return)
    # No call in progress: a do-not-call outcome asks first (Enter confirms).
    qtbot.waitUntil(lambda: window.stray_guard.box is not None and window.stray_guard.box.isVisible())
    assert window.leads.card(MARIA).status != "do_not_call"
    qtbot.keyClick(window.stray_guard.box, Qt.Key.Key_Return)
    assert window.leads.card(MARIA).status == "do_not_call"


def test_advice_card_schedules_a_callback_in_one_click(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    scripts = window.workspace.scripts
    session = panel.session
    assert session is not None
    panel.go_to("has_plan")
    panel.focus_current()
    press(qtbot, Qt.Key.Key_Y)
    assert current_question(panel) == "last_review"
    press(qtbot, Qt.Key.Key_D)  # never / not sure: brings up the free fee benchmark
    card = panel.advice_cards["fee_benchmark"]
    assert card.property("fresh") is True
    assert card.schedule_button is not None
    assert card.schedule_button.text() == "Schedule callback in 3 days"

    qtbot.mouseClick(card.schedule_button, Qt.MouseButton.LeftButton)

    card = panel.advice_cards["fee_benchmark"]
    assert "✓ Callback on" in card.feedback.text()
    assert "Call back with the plan fee benchmark" in card.feedback.text()
    assert not card.schedule_button.isEnabled()
    due = GUI_MOMENT + timedelta(days=3)  # Tuesday + 3 days: Friday
    with window.workspace.uow() as uow:
        (callback,) = uow.callbacks.open_for_lead(MARIA)
        assert (callback.due_at, callback.note) == (due, "Call back with the plan fee benchmark")
        lead = uow.leads.get(MARIA)
        assert lead is not None and (lead.next_due_at, lead.due_reason) == (due, "callback")
    assert "Callback scheduled" in window.statusBar().currentMessage()
    assert window.lead_panel.card.next_due_at == due, "the lead card was reloaded"
    row = window.queue_model.row_of(window.queue_model.row_for_lead(MARIA))
    assert row.bucket == "later"
    window.workspace.clock.advance(days=3)
    assert window.leads.queue_page(0, 5)[0].bucket == "callback"
    assert scripts.latest_answers(MARIA)["last_review"].label == "Never / not sure"


def test_answers_and_place_survive_leaving_and_coming_back(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_A)
    window.on_next_triggered()
    assert panel.lead_id != MARIA
    assert not window.lead_panel.answers_box.isVisible()
    window.on_previous_triggered()
    assert panel.lead_id == MARIA
    block = panel.blocks[0]
    assert block.question.id == "reached" and block.answer_label.text() == "✓ Maria is on the line"
    assert window.lead_panel.answers_box.isVisible()


def test_choosing_another_script_for_the_lead(qtbot, window):  # type: ignore[no-untyped-def]
    panel = window.script_panel
    panel.use_script("advice-first-401k")
    assert panel.session is not None and panel.session.script.name == "advice-first-401k"
    assert window.workspace.scripts.script_name_for_lead(MARIA) == "advice-first-401k"
    assert "now gets" in panel.feedback_label.text()
    panel.on_script_menu_about_to_show()
    texts = [action.text() for action in panel.script_menu.actions()]
    assert "Use the script of the lead's list" in texts
    panel.use_script(None)
    assert panel.session is not None and panel.session.script.name == "question-led-discovery"


def test_read_aloud_renders_the_stage_to_a_wav(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    require_tool("espeak-ng", "espeak-ng")
    panel = window.script_panel
    panel.set_audio_dir(tmp_path / "audio")
    panel.read_aloud.find_player = lambda: None  # no sound in tests: offer the file instead
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert panel.read_aloud.state == "rendering"
    assert panel.read_button.text() == "■ Stop"
    qtbot.waitUntil(lambda: panel.read_aloud.state == "ready", timeout=30000)
    path = panel.read_aloud.path
    assert path is not None and path.parent == tmp_path / "audio"
    assert path.read_bytes()[:4] == b"RIFF" and path.stat().st_size > 10000
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "No audio player found" in panel.audio_label.text()
    assert panel.open_audio_button.isVisible()
    assert panel.read_button.text() == "Read"
    # The same stage again comes from the cache, without rendering.
    panel.on_read_triggered()
    assert panel.read_aloud.state == "ready" and panel.read_aloud.path == path


def test_the_next_lead_s_script_says_the_next_lead_s_name(qtbot, window):  # type: ignore[no-untyped-def]
    """The stage's lines are what the agent reads aloud: after an outcome they name the next lead,
    whether the panel made new labels or re-used the last lead's."""
    from PySide6.QtWidgets import QLabel

    def said(panel: ScriptPanel) -> str:
        layout = panel.stage.say_layout
        labels = [layout.itemAt(index).widget() for index in range(layout.count())]
        return " ".join(label.text() for label in labels if isinstance(label, QLabel) and label.isVisible())

    panel = window.script_panel
    assert "Maria" in said(panel)
    for _ in range(3):
        before = window.lead_panel.name_label.text()
        press(qtbot, Qt.Key.Key_Return)  # call, so 1 needs no confirmation
        press(qtbot, Qt.Key.Key_1)
        card = window.current_card
        assert card is not None and window.lead_panel.name_label.text() != before
        first_name = card.display_name.split()[0]
        assert first_name in said(panel) and before.split()[0] not in said(panel)
        assert said(panel) and all(line in panel.plain_text() for line in panel.session.stage_view().lines)


def test_the_next_leads_question_reuses_its_block_with_that_leads_texts(qtbot, window):  # type: ignore[no-untyped-def]
    """The next lead's first question has the shape of the last one's: its block is refilled, not
    rebuilt (a frame saved per lead), and shows nothing of the last lead: not its name in a choice,
    not where the cursor was."""
    panel = window.script_panel
    discovery = []  # sample leads that get the same script as Maria
    for lead_id in range(MARIA, MARIA + 40):
        if window.show_lead(lead_id) and panel.session is not None:
            if panel.session.script.name == "question-led-discovery":
                discovery.append(lead_id)
    assert len(discovery) >= 2
    assert window.show_lead(MARIA)
    first = panel.blocks[0]
    assert isinstance(first.input, OptionsInput)
    assert any("Maria is on the line" in text for text in first.input.option_texts())
    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Down)  # the cursor on Maria's second choice
    assert first.input.cursor_index == 1
    assert window.show_lead(discovery[1])
    assert window.current_card is not None
    name = window.current_card.first_name
    assert panel.blocks[0] is first, "the block was made anew"
    texts = first.input.option_texts()
    assert any(f"{name} is on the line" in text for text in texts), texts
    assert not any("Maria" in text for text in texts)
    assert first.input.cursor_index == 0 and first.input.picked is None


def test_a_refilled_text_question_keeps_nothing_typed_for_the_last_lead(qtbot):  # type: ignore[no-untyped-def]
    """Typed and not saved, on the last lead: gone from the field and from its undo history."""
    from datetime import date

    from desktop.domain.script_engine import QuestionView
    from desktop.ui.script.inputs import FieldInput, QuestionBlock

    question = QuestionView(
        id="pain", ask="What worries you, Maria?", ask_pieces=(), kind="text", hint="", choices=(),
        unit="", minimum=None, maximum=None, integer=False, current=True, answer=None,
    )  # fmt: skip
    block = QuestionBlock(1, question, date(2026, 12, 1))
    qtbot.addWidget(block)
    assert isinstance(block.input, FieldInput)
    qtbot.keyClicks(block.input.edit, "her fees")
    block.show_question(replace(question, ask="What worries you, Robert?"))
    assert block.input.edit.text() == ""
    assert not block.input.edit.isUndoAvailable()
