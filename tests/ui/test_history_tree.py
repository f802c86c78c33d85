"""The lead's history lists calls first: each call's script answers are folded under it, answers
given outside a call under one row after the calls, so answers never push the calls out of sight."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_any_screen import place

MARIA = 1
SCRIPT = "question-led-discovery"
ANSWERS = (("reached", "decision_maker"), ("ok_to_talk", "now"), ("employees", "12"), ("has_plan", "no"))


def work_maria(workspace, clock) -> None:  # type: ignore[no-untyped-def]
    """Three calls with four answers each, and one answer given with no call going."""
    for outcome in ("no_answer", "voicemail", "busy"):
        call = workspace.calling.start_call(MARIA)
        for question, raw in ANSWERS:
            clock.advance(seconds=20)
            workspace.scripts.record_answer(MARIA, SCRIPT, question, raw)
        workspace.calling.hang_up(call.attempt_id)
        workspace.calling.record_outcome(MARIA, outcome, attempt_id=call.attempt_id)
        clock.advance(hours=1)
    clock.advance(days=1)  # long after the last call: this answer belongs to none
    workspace.scripts.record_answer(MARIA, SCRIPT, "why_no_plan", "cost")


def test_answers_fold_under_their_call(make_window, ui_workspace, ui_clock):  # type: ignore[no-untyped-def]
    ui_workspace.imports.import_sample()
    work_maria(ui_workspace, ui_clock)
    window = make_window()
    place(window, QRect(0, 0, 1366, 768))
    assert window.show_lead(MARIA)
    QApplication.processEvents()
    tree = window.lead_panel.history
    rows = tree.top_rows()
    assert [row.text(2) for row in rows] == ["Busy", "Voicemail", "No answer", "Script answers"]
    assert [row.childCount() for row in rows] == [4, 4, 4, 1]
    assert not any(row.isExpanded() for row in rows)  # folded: the calls stay in sight
    assert len(tree.call_rows_in_sight()) == 4
    first_call = rows[0]
    assert [first_call.child(index).text(4).split(":")[0] for index in range(4)] == [q for q, _ in ANSWERS]
    assert first_call.child(0).text(4) == "reached: Maria is on the line"
    lines = window.lead_panel.history_texts()
    assert "Busy" in lines[0] and lines[1].startswith("  ") and "Script answer" in lines[1]


def test_an_answer_during_a_call_shows_under_it_at_once(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    from tests.ui.test_answer_text import answer_who_answered

    qtbot.keyClick(window, Qt.Key.Key_Space)  # call Maria
    assert window.dial_bar.state == "on_call"
    answer_who_answered(qtbot, window)
    rows = window.lead_panel.history.top_rows()
    assert len(rows) == 1 and rows[0].childCount() == 1
    assert rows[0].child(0).text(4) == "reached: Maria is on the line"
