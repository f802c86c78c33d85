"""Status-bar messages are never cut off unread: a long one ends in "…" inside the window and its full
text is the message area's tooltip; the database path gives up its middle, not the messages' room."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from tests.ui.test_any_screen import fully_in_sight, place

SMALL_SCREEN = QRect(0, 0, 1280, 720)


def test_a_long_import_message_is_elided_with_the_full_text_at_hand(make_window, ui_workspace, tmp_path):
    ui_workspace.imports.import_sample()
    csv = tmp_path / "Regional accounts for the northeast spring campaign, second pass.csv"
    csv.write_text("First Name,Last Name,Phone,Type\nAda,Park,(212) 555-0150,business\n")
    report = ui_workspace.imports.run(csv, region="US")
    window = make_window()
    place(window, SMALL_SCREEN)
    window.on_import_finished(report)
    QApplication.processEvents()
    status = window.statusBar()
    message = status.currentMessage()
    assert message.startswith("Imported 1 lead into “Regional accounts") and message.endswith("second pass”")
    area = status.message_label
    assert fully_in_sight(area, window)
    assert area.is_elided() and area.shown_text().endswith("…")
    assert area.toolTip() == message
    # Every permanent label is in sight too; the database path keeps its start and end.
    for label in (window.database_label, window.counts_label, window.backend_label, window.registry_label):
        assert fully_in_sight(label, window), label.text()
    assert window.database_label.toolTip() == f"Database: {ui_workspace.describe()}"


def test_a_short_message_is_shown_whole_and_clears_after_its_timeout(qtbot, window):
    place(window, SMALL_SCREEN)
    status = window.statusBar()
    status.showMessage("Outcome rules saved.", 100)
    QApplication.processEvents()
    assert status.message_label.shown_text() == "Outcome rules saved."
    assert status.message_label.toolTip() == ""
    qtbot.waitUntil(lambda: status.currentMessage() == "", timeout=2000)
    assert status.message_label.shown_text() == ""


def fits_whole(window) -> str:  # type: ignore[no-untyped-def]
    """The status message, asserted to be painted whole (no "…") at the window's size."""
    QApplication.processEvents()
    area = window.statusBar().message_label
    assert fully_in_sight(area, window)
    assert not area.is_elided(), (area.text(), area.shown_text())
    return area.text()


def test_a_saved_outcome_and_its_undo_key_fit_at_1280(make_window, ui_workspace):
    ui_workspace.imports.import_sample()
    window = make_window()
    place(window, SMALL_SCREEN)
    assert window.current_card.display_name == "Maria Lopez"
    assert window.record_outcome("gatekeeper")
    assert fits_whole(window) == "Saved “Gatekeeper” for Maria Lopez · Ctrl+Z undoes"


def test_the_daily_backups_name_fits_at_1280(qtbot, make_window, ui_workspace):
    ui_workspace.imports.import_sample()
    window = make_window()
    place(window, SMALL_SCREEN)
    with qtbot.waitSignal(window.data_actions.dailyBackupFinished, timeout=20000) as finished:
        window.data_actions.start_daily_backup()
    backup = finished.args[0]
    assert fits_whole(window) == f"Daily backup saved: {backup.path.name}"
    # The database is named by its file; its folder is in the tooltip.
    assert window.database_label.text() == f"Database: {ui_workspace.describe_briefly()}"
    assert ui_workspace.describe_briefly() == Path(ui_workspace.describe()).name
