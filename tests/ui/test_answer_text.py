"""Script answers are shown as said, never as the script's template: "✓ Saved: Maria is on the
line", the same in the history, the answers box and exports. Fields are filled once: a lead whose
name holds braces, or a typed answer that does, is shown as written."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_script_panel import MARIA, current_question, press


def answer_who_answered(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # Ctrl+J: to the current question
    assert current_question(window.script_panel) == "reached"
    press(qtbot, Qt.Key.Key_A)  # "{first_name} is on the line"


def test_a_choice_is_shown_filled_in_everywhere(qtbot, window):  # type: ignore[no-untyped-def]
    answer_who_answered(qtbot, window)
    assert window.script_panel.feedback_label.text().startswith("✓ Saved: Maria is on the line")
    window.reload_card()
    history = "\n".join(window.lead_panel.history_texts())
    assert "Maria is on the line" in history
    assert "{" not in history
    assert "Who answered? — Maria is on the line" in window.lead_panel.answers_box.lines
    exported = list(window.workspace.scripts.export_records())
    assert [record["answer"] for record in exported if record["lead_id"] == MARIA] == ["Maria is on the line"]


def test_braces_in_a_name_are_not_fields(qtbot, make_window, ui_workspace, tmp_path):  # type: ignore[no-untyped-def]
    ui_workspace.imports.import_sample()
    csv = tmp_path / "braces.csv"
    row = "{company},Smith,Acme Tools,(212) 555-0155,business"
    csv.write_text(f"First Name,Last Name,Company,Phone,Type\n{row}\n")
    ui_workspace.imports.run(csv, region="US")
    window = make_window()
    (lead_id,) = [row.lead_id for row in ui_workspace.leads.queue_page(0, 50, "Acme Tools")]
    assert window.show_lead(lead_id)
    assert window.lead_panel.name_label.text() == "{company} Smith"
    window.activateWindow()  # offscreen, the window may need asking to be active again
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    answer_who_answered(qtbot, window)
    assert window.script_panel.feedback_label.text().startswith("✓ Saved: {company} is on the line")
    (saved,) = ui_workspace.scripts.answers_for_lead(lead_id)
    assert saved.label == "{company} is on the line"
    window.reload_card()
    history = "\n".join(window.lead_panel.history_texts())
    assert "{company} is on the line" in history and "Acme Tools is on the line" not in history
