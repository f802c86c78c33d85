"""Help → Open log folder on a machine without a file manager: the path is shown, with a Copy button."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

import desktop.ui.common.log_folder_dialog as log_folder_dialog
from desktop.logging_setup import log_folder


def trigger_help_log_folder(window) -> None:  # type: ignore[no-untyped-def]
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == "Help":
            for item in action.menu().actions():
                if item.text().replace("&", "") == "Open log folder":
                    item.trigger()
                    return
    raise AssertionError("no Help → Open log folder")


@pytest.mark.parametrize("file_manager", [False, True])
def test_the_log_folder_path_is_shown_and_copied(qtbot, window, monkeypatch, file_manager):  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def open_url(url):  # type: ignore[no-untyped-def]
        asked.append(url.toLocalFile())
        return file_manager

    monkeypatch.setattr(log_folder_dialog.QDesktopServices, "openUrl", open_url)
    QGuiApplication.clipboard().clear()
    trigger_help_log_folder(window)
    folder = str(log_folder())
    assert asked == [folder]  # the file manager is still asked first
    dialog = window.data_actions.log_folder_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.path_edit.text() == folder
    assert ("No file manager" in dialog.state_label.text()) is not file_manager
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == folder
    dialog.close()
