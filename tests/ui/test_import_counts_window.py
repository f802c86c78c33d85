"""The window's word on an import of the sample list: why the queue holds fewer leads than were
imported (some have no number to dial), and "nothing new" when the same list comes again (never
"25 merged" when nothing changed)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from desktop.services.workspace import Workspace


def statuses(workspace: Workspace) -> list[str]:
    return [record["status"] for record in workspace.leads.export_records()]


def test_the_window_says_why_the_queue_is_shorter_and_when_nothing_is_new(qtbot, window, ui_workspace):  # type: ignore[no-untyped-def]
    # The `window` fixture has imported the sample list once already: twice more, nothing new.
    messages = []
    for _attempt in range(2):
        window.file_actions.on_sample_triggered()
        qtbot.waitUntil(lambda: window.file_actions.sample_task is None, timeout=10_000)
        QApplication.processEvents()
        messages.append(window.statusBar().currentMessage())
    assert messages[0] == messages[1]
    assert messages[1].startswith("Nothing new in “Sample list” · ")
    rows = len(statuses(ui_workspace)) + 1  # the sample repeats one lead's row
    assert f" · {rows} rows matched leads already here, 0 changed" in messages[1]
    assert "merged" not in messages[1]


def test_the_first_sample_import_in_the_window(qtbot, make_window, ui_workspace):  # type: ignore[no-untyped-def]
    window = make_window()
    window.file_actions.on_sample_triggered()
    qtbot.waitUntil(lambda: window.file_actions.sample_task is None, timeout=10_000)
    QApplication.processEvents()
    no_number = statuses(ui_workspace).count("no_dialable_number")
    imported = len(statuses(ui_workspace))
    message = window.statusBar().currentMessage()
    assert message.startswith(
        f"Imported {imported} leads into “Sample list” · {no_number} have no number to dial · 1 merged"
    )
    assert window.counts_label.text().startswith(f"{imported - no_number} leads")
