"""File → Export for an examination…: the dialog's two dates and file make the same bundle as the CLI."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QDate

from desktop.services.exam_bundle import manifest_problems
from desktop.services.workspace import Workspace

pytestmark = pytest.mark.gui


def menu_action(window, text: str):  # type: ignore[no-untyped-def]
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.text().replace("&", "") == text:
                return action
    raise AssertionError(f"no menu item {text!r}")


def test_export_for_an_examination_writes_the_bundle(  # type: ignore[no-untyped-def]
    qtbot, window, ui_workspace: Workspace, tmp_path: Path
) -> None:
    ui_workspace.dnc.add("212-555-0199")
    menu_action(window, "Export for an examination…").trigger()
    dialog = window.exam_export.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.from_edit.setDate(QDate(2026, 12, 2))
    dialog.to_edit.setDate(QDate(2026, 12, 1))
    dialog.path_edit.setText(str(tmp_path / "exam.zip"))
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "before" in dialog.problem_label.text()  # the period is refused

    dialog.from_edit.setDate(QDate(2026, 11, 1))
    with qtbot.waitSignal(window.exam_export.written, timeout=60_000) as written:
        dialog.buttons.accepted.emit()

    assert written.args[0].path == tmp_path / "exam.zip"
    with zipfile.ZipFile(tmp_path / "exam.zip") as bundle:
        assert manifest_problems(bundle) == []
        assert "dnc_changes.csv" in bundle.namelist() and "summary.pdf" in bundle.namelist()
        assert b"+12125550199" in bundle.read("dnc_changes.csv")
