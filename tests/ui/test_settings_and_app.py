"""Settings saved through the service (with its errors shown), help dialogs, and starting the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from desktop.ui.app import run_gui
from desktop.ui.help_dialogs import ShortcutsDialog

pytestmark = pytest.mark.gui


def test_settings_errors_are_shown_and_good_settings_are_used(qtbot, window):  # type: ignore[no-untyped-def]
    dialog = window.file_actions.open_settings_dialog()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.target_spin.value() == 18
    assert dialog.backend_combo.currentData() == "manual"
    assert not dialog.sip_domain_edit.isEnabled()

    dialog.region_edit.setText("U")
    dialog.agent_edit.setText("Sam Carter")
    dialog.firm_edit.setText("Harbor Advisors")
    dialog.target_spin.setValue(12)
    dialog.backend_combo.setCurrentIndex(dialog.backend_combo.findData("handoff_sip"))
    assert dialog.sip_domain_edit.isEnabled()
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "two-letter country code" in dialog.error_label.text()

    dialog.region_edit.setText("us")
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    saved = window.workspace.settings.load()
    assert (saved.agent_name, saved.firm_name, saved.attempt_target, saved.default_region) == (
        "Sam Carter",
        "Harbor Advisors",
        12,
        "US",
    )
    assert "Hand-off (sip:)" in window.backend_label.text()
    assert window.lead_panel.attempt_label.text() == "Attempt 1 of 12"
    script = window.script_panel.plain_text()
    assert "Hi, this is Sam Carter with Harbor Advisors. May I speak with Maria Lopez?" in script
    assert "«" not in script.split("\n")[1]


def test_status_bar_shows_database_backend_and_counts(window):  # type: ignore[no-untyped-def]
    assert window.workspace.describe_briefly() in window.database_label.text()
    assert window.workspace.describe() in window.database_label.toolTip()
    assert window.backend_label.text() == "Backend: Manual"
    assert window.counts_label.text().startswith("20 leads")


def test_shortcuts_dialog_lists_every_outcome_key(qtbot, window):  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog(window.rules, window)
    qtbot.addWidget(dialog)
    keys = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert keys[:2] == ["Space or Enter", "Esc"]
    assert keys[2:12] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]


def test_nudge_appears_past_four_attempts(qtbot, window):  # type: ignore[no-untyped-def]
    assert not window.lead_panel.nudge_label.isVisible()
    for _ in range(4):
        window.calling.record_outcome(1, "no_answer")
    window.show_lead(1)
    assert window.lead_panel.attempt_label.text() == "Attempt 5 of 18"
    assert window.lead_panel.nudge_label.isVisible()
    assert "Most sellers give up after 4 attempts" in window.lead_panel.nudge_label.text()


def test_run_gui_opens_the_window_and_returns_when_it_closes(qtbot, ui_workspace):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def close_all() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isWindow() and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.close()

    QTimer.singleShot(200, close_all)
    assert run_gui(ui_workspace, ["dialdesk"]) == 0
    assert any("Dialdesk" in title for title in seen)
    assert QApplication.applicationName() == "Dialdesk"


def test_screenshot_script_renders_the_window(tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "shot.png"
    script = Path(__file__).resolve().parents[2] / "packaging" / "screenshot.py"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(script), str(out), "--size", "1280x800"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
