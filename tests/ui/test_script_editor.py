"""Tools → Scripts…: creating, duplicating, editing with located errors, importing, exporting,
previewing with a real lead and assigning scripts to lists, warm leads and one lead."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.ui.script.editor import TAB_ASSIGN, TAB_FORM, TAB_PREVIEW, TAB_YAML, ScriptsDialog

pytestmark = pytest.mark.gui

MARIA = 1
SHIPPED = "question-led-discovery"


@pytest.fixture
def dialog(qtbot, window) -> ScriptsDialog:  # type: ignore[no-untyped-def]
    """The dialog as Tools → Scripts… opens it, over the window showing Maria Lopez."""
    action = next(
        action
        for menu in window.menuBar().actions()
        if menu.text() == "&Tools"
        for action in menu.menu().actions()
        if action.text() == "&Scripts…"
    )
    action.trigger()
    opened = window.scripts_dialog
    qtbot.waitUntil(opened.isVisible)
    return opened


def list_names(dialog: ScriptsDialog) -> list[str]:
    return [str(dialog.list.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(dialog.list.count())]


def problems(dialog: ScriptsDialog) -> list[str]:
    return [dialog.problems_list.item(row).text() for row in range(dialog.problems_list.count())]


def test_opens_on_the_script_of_the_lead_on_screen(dialog):  # type: ignore[no-untyped-def]
    assert dialog.name == SHIPPED
    assert list_names(dialog) == [
        "advice-first-401k",
        SHIPPED,
        "retirement-checkup-residential",
        "advice-first-401k-ru",
    ]
    assert dialog.title_label.text() == "Question-led discovery (business owners)"
    assert "Shipped with Dialdesk" in dialog.info_label.text()
    assert dialog.summary_label.text().startswith("✓ Valid: 12 stages, 13 questions")
    assert not dialog.remove_button.isEnabled(), "a shipped script cannot be removed"
    assert dialog.yaml_edit.toPlainText().startswith("# Question-led discovery")


def test_new_script_is_created_edited_in_the_form_and_saved(qtbot, dialog, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert dialog.name == "my-script"
    assert "my-script" in list_names(dialog)
    assert dialog.summary_label.text().startswith("✓ Valid: 6 stages")
    assert (tmp_path / "scripts" / "my-script.yaml").is_file()

    assert dialog.tabs.currentIndex() == TAB_FORM
    assert dialog.form.pages.currentWidget() is dialog.form.meta_page
    title = dialog.form.meta_page.fields["title"]
    title.selectAll()
    qtbot.keyClicks(title, "Seminar follow-up")
    assert "title: Seminar follow-up" in dialog.yaml_edit.toPlainText()
    assert dialog.save_button.isEnabled() and dialog.revert_button.isEnabled()

    # A question added to the discovery stage, turned into a choice with two answers.
    assert dialog.form.select_path(("stages", 1))
    qtbot.mouseClick(dialog.form.question_button, Qt.MouseButton.LeftButton)
    page = dialog.form.question_page
    assert dialog.form.current_path() == ("stages", 1, "questions", 1)
    ask = page.fields["ask"]
    ask.setPlainText("Who looks after the plan today?")
    kind = page.fields["type"]
    kind.setCurrentIndex(kind.findData("choice"))
    kind.activated.emit(kind.currentIndex())
    assert page.choices_box.isVisible()
    assert "a choice question needs at least two choices" in " ".join(problems(dialog))
    for choice_id, label in (("me", "I do"), ("advisor", "An advisor")):
        qtbot.mouseClick(page.choices.add_button, Qt.MouseButton.LeftButton)
        row = page.choices.table.rowCount() - 1
        page.choices.table.item(row, 0).setText(choice_id)
        page.choices.table.item(row, 1).setText(label)
    assert dialog.summary_label.text().startswith("✓ Valid: 6 stages, 4 questions")

    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.status_label.text() == "Saved “Seminar follow-up”."
    script = window.workspace.scripts.load("my-script")
    assert script.title == "Seminar follow-up"
    question = script.question("question_1")
    assert [choice.label for choice in question.choices] == ["I do", "An advisor"]
    assert (tmp_path / "scripts" / "my-script.yaml").read_text(encoding="utf-8") == script.source
    assert not dialog.revert_button.isEnabled()


def test_duplicate_then_an_invalid_edit_shows_the_located_error(qtbot, dialog, window):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    copy = f"{SHIPPED}-copy"
    assert dialog.name == copy
    assert dialog.status_label.text() == f"Duplicated as “{copy}”."
    stored = window.workspace.scripts.source_text(copy)
    assert stored.startswith("# Question-led discovery"), "the copy keeps the file's comments"
    assert 'title: "Question-led discovery (business owners) (copy)"' in stored

    # In the form: the opening stage now goes to a stage that does not exist.
    assert dialog.form.select_path(("stages", 0))
    page = dialog.form.stage_page
    target = page.fields["next"]
    target.lineEdit().selectAll()
    qtbot.keyClicks(target.lineEdit(), "nowhere")
    (error,) = problems(dialog)
    assert error.startswith("line ") and error.endswith(
        "stages[opening].next: there is no stage or question 'nowhere'"
    )
    assert dialog.summary_label.text() == "✗ 1 error: the script cannot be saved until it is fixed."
    assert page.problems_label.isVisible() and "nowhere" in page.problems_label.text()
    assert target.property("error") is True
    assert dialog.form.tree.currentItem().foreground(0).color().name() == "#c0392b"

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status_label.text().startswith("Not saved: fix the errors first")
    assert window.workspace.scripts.source_text(copy) == stored

    # Double-clicking the problem in the YAML tab goes to its line; fixing the text there clears it.
    dialog.tabs.setCurrentIndex(TAB_YAML)
    dialog.on_problem_activated(dialog.problems_list.item(0))
    line = int(error.split()[1].rstrip(":"))
    assert dialog.yaml_edit.textCursor().blockNumber() == line - 1
    assert "next: nowhere" in dialog.yaml_edit.textCursor().block().text()
    dialog.yaml_edit.setPlainText(dialog.yaml_edit.toPlainText().replace("next: nowhere", "next: permission"))
    qtbot.waitUntil(lambda: dialog.summary_label.text().startswith("✓ Valid"))
    assert problems(dialog) == []
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.workspace.scripts.load(copy).stage("opening").next == "permission"


def test_broken_yaml_keeps_the_form_away_and_says_where(qtbot, dialog):  # type: ignore[no-untyped-def]
    dialog.tabs.setCurrentIndex(TAB_YAML)
    dialog.yaml_edit.setPlainText("format: 1\nname: broken\ntitle: [unclosed\nstages: []\n")
    qtbot.waitUntil(lambda: bool(problems(dialog)))
    assert problems(dialog)[0].startswith("line 4: not valid YAML")
    dialog.tabs.setCurrentIndex(TAB_FORM)
    assert dialog.form.unavailable.isVisible()
    assert "Fix it in the YAML tab" in dialog.form.unavailable.text()


def test_import_and_export_files(qtbot, dialog, window, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    out = tmp_path / "exported.yaml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert out.read_text(encoding="utf-8") == window.workspace.scripts.source_text(SHIPPED)
    assert dialog.status_label.text() == f"Exported to {out}."

    # An invalid file is not imported: it opens as a draft with its problems located.
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        out.read_text(encoding="utf-8")
        .replace("name: question-led-discovery", "name: chamber-calls")
        .replace("next: gatekeeper", "next: front_desk"),
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(bad), ""))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "bad.yaml was not imported" in dialog.status_label.text()
    assert dialog.name is None and "chamber-calls" not in window.workspace.scripts.names()
    assert any("there is no stage or question 'front_desk'" in text for text in problems(dialog))
    assert dialog.title_label.text() == "New script (not saved)"

    good = tmp_path / "good.yaml"
    good.write_text(bad.read_text(encoding="utf-8").replace("front_desk", "gatekeeper"), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(good), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.status_label.text() == "Imported “Question-led discovery (business owners)” from good.yaml."
    assert dialog.name == "chamber-calls" and "chamber-calls" in list_names(dialog)
    assert window.workspace.scripts.source_text("chamber-calls") == good.read_text(encoding="utf-8")

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    assert dialog.remove_button.isEnabled()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "chamber-calls" not in window.workspace.scripts.names()


def test_preview_with_a_real_lead(qtbot, dialog):  # type: ignore[no-untyped-def]
    dialog.tabs.setCurrentIndex(TAB_PREVIEW)
    assert dialog.preview.lead_id() == MARIA
    text = dialog.preview.plain_text()
    assert "May I speak with Maria Lopez?" in text
    assert "«your name?»" in text, "missing fields are marked in the preview too"
    assert "Someone else (reception, assistant) → Someone else answered" in text
    sample = dialog.preview.lead_combo.findData(-1)
    dialog.preview.lead_combo.setCurrentIndex(sample)
    dialog.preview.lead_combo.activated.emit(sample)
    assert "May I speak with Maria Lopez?" in dialog.preview.plain_text()  # the sample lead is a Maria too
    assert "Alex" in dialog.preview.plain_text(), "sample values fill the agent's name"


def test_assign_a_script_to_the_list_warm_leads_and_the_lead(qtbot, dialog, window):  # type: ignore[no-untyped-def]
    scripts = window.workspace.scripts
    dialog.select_name("advice-first-401k")
    dialog.tabs.setCurrentIndex(TAB_ASSIGN)
    tab = dialog.assignment
    assert tab.no_lists_label.isVisible()
    assert tab.lead_now_label.text() == "Maria Lopez gets “Question-led discovery (business owners)” now."
    tab.list_combo.setEditText("Sample list")
    qtbot.mouseClick(tab.assign_list_button, Qt.MouseButton.LeftButton)
    assert scripts.script_name_for_lead(MARIA) == "advice-first-401k"
    assert tab.lists_widget.count() == 1 and tab.lists_widget.item(0).text() == "Sample list"
    assert "used by: Sample list" in dialog.list.currentItem().text()
    assert window.script_panel.session.script.name == "advice-first-401k", "the panel follows at once"

    tab.warm_box.setChecked(True)
    assert any(a.scope == "warmth" and a.script_name == "advice-first-401k" for a in scripts.assignments())
    tab.warm_box.setChecked(False)
    assert not any(a.scope == "warmth" for a in scripts.assignments())

    # The lead's own choice overrides its list's.
    dialog.select_name("retirement-checkup-residential")
    tab.lead_box.setChecked(True)
    assert scripts.script_name_for_lead(MARIA) == "retirement-checkup-residential"
    assert window.script_panel.session.script.name == "retirement-checkup-residential"
    tab.lead_box.setChecked(False)
    assert scripts.script_name_for_lead(MARIA) == "advice-first-401k"


def test_close_asks_before_dropping_changes(qtbot, dialog, monkeypatch):  # type: ignore[no-untyped-def]
    dialog.tabs.setCurrentIndex(TAB_YAML)
    dialog.yaml_edit.appendPlainText("# a note")
    asked: list[str] = []

    def cancel(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", cancel)
    dialog.on_close_clicked()
    assert asked == ["Unsaved changes"] and dialog.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    dialog.on_close_clicked()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_new_script_files_land_next_to_the_database(dialog, tmp_path):  # type: ignore[no-untyped-def]
    from desktop.ui.script.editor import scripts_folder

    assert scripts_folder(dialog.workspace) == tmp_path / "scripts"
    assert Path(dialog.workspace.describe()).parent == tmp_path
