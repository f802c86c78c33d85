"""Starting the window: the QApplication, the main window, the event loop."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication

from desktop import APP_NAME, __version__
from desktop.paths import resource
from desktop.services.workspace import Workspace
from desktop.ui.data_actions import WindowGuards
from desktop.ui.main_window import MainWindow
from desktop.ui.single_instance import InstanceServer


def make_application(argv: list[str]) -> QApplication:
    """The QApplication (the existing one when there is one, as under tests)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    # The installed dialdesk.desktop names the window's icon on Wayland; the icon set is package data.
    app.setDesktopFileName("dialdesk")
    app.setWindowIcon(QIcon(str(resource("icons", "256x256", "dialdesk.png"))))
    app.setStyle("Fusion")
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return app


def run_gui(
    workspace: Workspace,
    argv: list[str],
    instance: InstanceServer | None = None,
    call_uri: str | None = None,
    daily_backup: bool = False,
    exit_after_start: bool = False,
) -> int:
    """Open the main window on `workspace` and run until it is closed; returns the exit code.

    `instance` answers later starts (single instance), `call_uri` is the start's own click-to-call
    link, `daily_backup` takes the daily backup in the background (the real program; not tests).
    `exit_after_start` quits once the event loop has shown the window (installed-copy smoke tests).
    """
    app = make_application(argv or sys.argv[:1])
    window = MainWindow(workspace)
    window.resize(1440, 900)
    window.show()
    guards = WindowGuards(window, workspace, instance, call_uri, daily_backup)
    if exit_after_start:
        QTimer.singleShot(0, lambda: (print(f"{window.windowTitle()}: window shown", flush=True), app.quit()))
    try:
        return int(app.exec())
    finally:
        guards.stop()
