"""The window's data-safety commands: File → Back up now…, Restore from backup…, Check database,
Help → Open log folder, and the daily backup taken in the background when the window opens.

All of them call `desktop.services.backup.BackupService` (the same code as `dialdesk db …`) on a
worker thread and report back in a message box; the window stays usable meanwhile.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.services.backup import BackupError, BackupFile, BackupService, CheckReport, RestoreResult
from desktop.services.workspace import Workspace
from desktop.ui.common.log_folder_dialog import LogFolderDialog, show_log_folder
from desktop.ui.common.workers import Task, run_task

log = logging.getLogger(__name__)
BACKUP_FILTER = "Dialdesk databases (*.db);;All files (*)"


class DataActions(QObject):
    """Backups, restores and checks for the window; `restored` tells it to show the new content."""

    restored = Signal(object)  # RestoreResult
    backupSaved = Signal(object)  # BackupFile or DatabaseFacts
    checked = Signal(object)  # CheckReport
    dailyBackupFinished = Signal(object)  # BackupFile | None, or the error

    def __init__(self, workspace: Workspace, window: QWidget, folder: Path | None = None) -> None:
        super().__init__(window)
        self.workspace = workspace
        self.window = window
        self.service = BackupService(workspace.url, folder, workspace.clock)
        self.task: Task | None = None
        self.daily_task: Task | None = None
        self.message_box: QMessageBox | None = None
        self.confirm_box: QMessageBox | None = None
        self._restore_path: Path | None = None
        self.log_folder_dialog: LogFolderDialog | None = None  # Help → Open log folder, the last one

    # -- the daily backup ------------------------------------------------------------------------

    def start_daily_backup(self) -> Task | None:
        """Take the daily backup off the GUI thread when the newest is a day old (or there is none)."""
        try:
            _ = self.service.database
        except BackupError:
            return None  # not a SQLite file: a database server keeps its own backups
        service = self.service
        self.daily_task = run_task(
            lambda _progress, _cancelled: service.take_daily_backup(),
            on_result=self.on_daily_backup_result,
            on_error=self.on_daily_backup_error,
        )
        return self.daily_task

    @Slot(object)
    def on_daily_backup_result(self, backup: BackupFile | None) -> None:
        if backup is not None:
            log.info("daily backup written: %s", backup.path.name)
            self._status(self.tr("Daily backup saved: {name}").format(name=backup.path.name))
        self.dailyBackupFinished.emit(backup)

    @Slot(object)
    def on_daily_backup_error(self, error: BaseException) -> None:
        # Never a modal dialog at start: the status bar says it, the log has the details.
        log.warning("daily backup failed: %s", error, exc_info=error)
        self._status(self.tr("The daily backup failed: {error}").format(error=error), 0)
        self.dailyBackupFinished.emit(error)

    # -- Back up now… ----------------------------------------------------------------------------

    def ask_save_path(self, suggested: Path) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self.window, self.tr("Back up the database"), str(suggested), self.tr(BACKUP_FILTER)
        )
        return path

    @Slot()
    def on_backup_triggered(self) -> None:
        if self._busy():
            return
        try:
            suggested = self.service.folder / self.service.automatic_name()
        except (BackupError, OSError) as error:
            self._tell(QMessageBox.Icon.Warning, self.tr("Back up"), str(error))
            return
        path = self.ask_save_path(suggested)
        if path:
            self.back_up_to(Path(path))

    def back_up_to(self, path: Path) -> Task:
        service = self.service
        self.task = run_task(
            lambda _progress, _cancelled: service.backup_to(path),
            on_result=self.on_backup_result,
            on_error=self.on_task_error,
        )
        return self.task

    @Slot(object)
    def on_backup_result(self, facts: Any) -> None:
        self.task = None
        self._tell(
            QMessageBox.Icon.Information,
            self.tr("Back up"),
            self.tr("The database was backed up to {path} ({facts}).").format(
                path=facts.path, facts=facts.describe()
            ),
        )
        self.backupSaved.emit(facts)

    # -- Restore from backup… --------------------------------------------------------------------

    def ask_open_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self.window, self.tr("Restore from a backup"), str(self.service.folder), self.tr(BACKUP_FILTER)
        )
        return path

    @Slot()
    def on_restore_triggered(self) -> None:
        if self._busy() or self._call_in_progress():
            return
        path = self.ask_open_path()
        if path:
            self.inspect(Path(path))

    def inspect(self, path: Path) -> Task:
        """Check the chosen file first; the confirmation shows what it holds."""
        service = self.service
        self._restore_path = path
        self.task = run_task(
            lambda _progress, _cancelled: service.inspect(path),
            on_result=self.on_inspect_result,
            on_error=self.on_task_error,
        )
        return self.task

    @Slot(object)
    def on_inspect_result(self, facts: Any) -> None:
        self.task = None
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Restore from backup"))
        box.setText(
            self.tr(
                "Replace the database {database} with the backup {backup} ({facts})?\n\n"
                "A copy of the database as it is now is kept in {folder} first."
            ).format(
                database=self.service.database,
                backup=facts.path,
                facts=facts.describe(),
                folder=self.service.folder,
            )
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self.on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    @Slot(int)
    def on_confirm_box_finished(self, result: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        path = self._restore_path
        if box is not None:
            box.deleteLater()
        if result != QMessageBox.StandardButton.Yes.value or path is None:
            return
        if self._call_in_progress():
            return
        self.restore(path)

    def restore(self, path: Path) -> Task:
        service = self.service
        self.task = run_task(
            lambda _progress, _cancelled: service.restore(path),
            on_result=self.on_restore_result,
            on_error=self.on_task_error,
        )
        return self.task

    @Slot(object)
    def on_restore_result(self, result: RestoreResult) -> None:
        self.task = None
        log.info("database restored from a backup (schema %s)", result.upgraded_from)
        self.workspace.reload()
        start = getattr(self.window, "start", None)
        if callable(start):
            start()
        kept = (
            self.tr(" The database as it was is kept in {path}.").format(path=result.kept_copy)
            if result.kept_copy is not None
            else ""
        )
        self._tell(
            QMessageBox.Icon.Information,
            self.tr("Restore from backup"),
            self.tr("Restored: the database now holds {facts}.").format(facts=result.restored.describe())
            + kept,
        )
        self.restored.emit(result)

    # -- Check database --------------------------------------------------------------------------

    @Slot()
    def on_check_triggered(self) -> None:
        if self._busy():
            return
        service = self.service
        self.task = run_task(
            lambda _progress, _cancelled: service.check(),
            on_result=self.on_check_result,
            on_error=self.on_task_error,
        )

    @Slot(object)
    def on_check_result(self, report: CheckReport) -> None:
        self.task = None
        icon = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning
        self._tell(icon, self.tr("Check database"), report.text(self.service.folder))
        self.checked.emit(report)

    # -- Help → Open log folder ------------------------------------------------------------------

    @Slot()
    def on_log_folder_triggered(self) -> None:
        self.log_folder_dialog = show_log_folder(self.window)

    # -- shared ----------------------------------------------------------------------------------

    @Slot(object)
    def on_task_error(self, error: BaseException) -> None:
        self.task = None
        if not isinstance(error, BackupError):
            from desktop.services.backup import database_problem

            problem = database_problem(error, self.workspace.describe())
            if problem is None:
                raise error  # an error of ours: the window's error handler reports it
            error = BackupError(problem)
        log.info("backup action refused: %s", error)
        self._tell(QMessageBox.Icon.Warning, self.tr("Dialdesk"), str(error))

    def _busy(self) -> bool:
        if self.task is not None and not self.task.done:
            self._status(self.tr("Wait for the backup, restore or check in progress to finish."))
            return True
        return False

    def _call_in_progress(self) -> bool:
        session = getattr(self.window, "session", None)
        if session is not None and session.live:
            self._tell(
                QMessageBox.Icon.Information,
                self.tr("Restore from backup"),
                self.tr("A call is in progress: hang up and record its outcome before restoring a backup."),
            )
            return True
        return False

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        self.message_box = box
        box.open()

    def _status(self, text: str, timeout_ms: int = 10000) -> None:
        status_bar = getattr(self.window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(text, timeout_ms)
