"""Starting the window: the QApplication, the main window, the guards around it (error handler,
single instance, daily backup), the event loop."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QMainWindow

from desktop.services.workspace import Workspace
from desktop.ui.common.application import make_application
from desktop.ui.common.error_dialog import ErrorHandler
from desktop.ui.data.actions import DataActions
from desktop.ui.main_window import MainWindow
from desktop.ui.settings.agent_name import ask_agent_name_on_first_start
from desktop.ui.single_instance import InstanceServer, attach

log = logging.getLogger(__name__)
# How long a closing window waits for background work (a scrub, a report) to finish.
WORKERS_AT_EXIT_MS = 30_000


class WindowGuards:
    """What the real window runs with: the error handler, the single-instance server with click-to-call
    links, and the daily backup. `stop()` when the event loop has ended."""

    def __init__(
        self,
        window: QMainWindow,
        workspace: Workspace,
        instance: InstanceServer | None = None,
        call_uri: str | None = None,
        daily_backup: bool = False,
    ) -> None:
        self.errors = ErrorHandler(window, workspace.describe()).install()
        self.instance = instance
        self.links = attach(window, instance, call_uri)
        actions = getattr(window, "data_actions", None)
        self.actions = actions if isinstance(actions, DataActions) else DataActions(workspace, window)
        if daily_backup:
            self.actions.start_daily_backup()
        log.info("window opened")

    def stop(self) -> None:
        self.errors.uninstall()
        if self.instance is not None:
            self.instance.close()
        task = self.actions.daily_task
        if task is not None:
            task.wait(60)  # a backup is written under a temporary name: stopping early leaves no half file
        log.info("window closed")


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
    window = MainWindow(workspace)  # sized to the screen, or restored where it was left
    window.show()
    guards = WindowGuards(window, workspace, instance, call_uri, daily_backup)
    if exit_after_start:
        QTimer.singleShot(0, lambda: (print(f"{window.windowTitle()}: window shown", flush=True), app.quit()))
    else:
        ask_agent_name_on_first_start(window, workspace)  # a child of the window: lives until answered
    try:
        return int(app.exec())
    finally:
        guards.stop()
        # Work still running off the GUI thread (a scrub after start, a report) ends before the
        # interpreter does: a worker alive during Python's shutdown can crash the process at exit.
        QThreadPool.globalInstance().waitForDone(WORKERS_AT_EXIT_MS)
