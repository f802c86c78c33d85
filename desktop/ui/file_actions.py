"""The File-menu flows of the window: importing a call list, the sample list, and Settings.

They share nothing with the calling loop except their results, so they live here and tell the
window by signals: `imported` after any import, `settingsSaved` after Settings, `busyChanged` while
the sample list is being imported in the background.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.services.imports import ImportReport
from desktop.services.workspace import Workspace
from desktop.ui.common.workers import Task, run_task
from desktop.ui.data.import_dialog import ImportDialog, choose_call_list
from desktop.ui.settings.dialog import SettingsDialog


class FileActions(QObject):
    """Opens the import and settings dialogs over `window` and runs the sample import off the GUI thread."""

    imported = Signal(object)  # ImportReport
    settingsSaved = Signal()
    busyChanged = Signal(bool)

    def __init__(self, workspace: Workspace, window: QWidget) -> None:
        super().__init__(window)
        self._workspace = workspace
        self._window = window
        self.import_dialog: ImportDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.sample_task: Task | None = None

    # -- importing a file ------------------------------------------------------------------------

    @Slot()
    def on_import_triggered(self) -> None:
        path = choose_call_list(self._window)
        if path:
            self.open_import_dialog(path)

    def open_import_dialog(self, path: str) -> ImportDialog:
        region = self._workspace.current_settings().default_region
        dialog = ImportDialog(self._workspace.imports, region, path, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self.imported)
        dialog.finished.connect(self.on_import_dialog_finished)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def on_import_dialog_finished(self) -> None:
        self.import_dialog = None

    # -- the sample list -------------------------------------------------------------------------

    @Slot()
    def on_sample_triggered(self) -> None:
        if self.sample_task is not None:
            return
        imports = self._workspace.imports
        self.busyChanged.emit(True)
        self.sample_task = run_task(
            lambda _progress, _cancelled: imports.import_sample(),
            on_result=self.on_sample_result,
            on_error=self.on_sample_error,
        )

    @Slot(object)
    def on_sample_result(self, report: ImportReport) -> None:
        self.sample_task = None
        self.busyChanged.emit(False)
        self.imported.emit(report)

    @Slot(object)
    def on_sample_error(self, error: BaseException) -> None:
        self.sample_task = None
        self.busyChanged.emit(False)
        message = self.tr("The sample list could not be imported: {error}").format(error=error)
        QMessageBox.warning(self._window, self.tr("Sample list"), message)

    # -- settings --------------------------------------------------------------------------------

    @Slot()
    def on_settings_triggered(self) -> None:
        self.open_settings_dialog()

    def open_settings_dialog(self) -> SettingsDialog:
        dialog = SettingsDialog(
            self._workspace.current_settings(),
            self._workspace.save_settings,
            self._window,
            sip_settings=self._workspace.sip_settings,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.settingsSaved)
        dialog.finished.connect(self.on_settings_dialog_finished)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def on_settings_dialog_finished(self) -> None:
        self.settings_dialog = None

    # -- closing ---------------------------------------------------------------------------------

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Cancel background work and wait for its rollback; it must not outlive the database."""
        running = [self.sample_task, self.import_dialog.task if self.import_dialog is not None else None]
        for task in running:
            if task is not None:
                task.cancel()
                task.wait(timeout_s)
