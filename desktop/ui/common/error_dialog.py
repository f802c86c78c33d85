"""When something goes wrong in the window: a dialog that says so plainly, and a report to copy.

`ErrorHandler` is installed as `sys.excepthook` and `threading.excepthook` while the window runs
(an exception in a Qt slot reaches `sys.excepthook` through PySide), and Qt's own warnings go to the
log. A database that is busy, read-only, full or damaged gets its one-line explanation; anything
else gets "Something went wrong" with a report (traceback and versions, numbers, e-mails and quoted
values masked: no personal data) that the user can copy. Everything is logged. The dialog is not
modal and nothing here closes the window: a call in progress goes on and its outcome can be recorded.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QtMsgType, Signal, Slot, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.logging_setup import current_log_file, redacted_traceback, versions
from desktop.services.backup import database_problem
from desktop.ui.common.log_folder_dialog import show_log_folder

log = logging.getLogger(__name__)
# One dialog collects a burst of errors (a timer failing every second) instead of a pile of dialogs.
MAX_REPORTS = 20


def error_report(error: BaseException) -> str:
    """The copyable report: versions, time, the masked traceback. No names, numbers or file contents."""
    log_file = current_log_file()
    lines = [
        f"Dialdesk error report, {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z",
        versions(),
        f"Log: {log_file}" if log_file is not None else "Log: not written",
        "",
        redacted_traceback(error).rstrip("\n"),
    ]
    return "\n".join(lines)


class ErrorDialog(QDialog):
    """Says what went wrong; for an unexpected error, shows the report with Copy and Open log folder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Dialdesk: something went wrong"))
        self.setModal(False)
        # Shown beside the window, not in front of the keyboard: 1–0, Space and Esc keep working a call.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setMinimumWidth(560)
        self.reports: list[str] = []
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.report_edit = QPlainTextEdit()
        self.report_edit.setReadOnly(True)
        self.report_edit.setMinimumHeight(220)
        layout.addWidget(self.report_edit)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(self.tr("&Copy report"))
        self.copy_button.clicked.connect(self.on_copy_button_clicked)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.log_button = QPushButton(self.tr("Open &log folder"))
        self.log_button.clicked.connect(self.on_log_button_clicked)
        buttons.addButton(self.log_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.close)
        layout.addWidget(buttons)

    def show_problem(self, message: str) -> None:
        """A known problem (the database is busy, full …): its explanation, no report."""
        self.setWindowTitle(self.tr("Dialdesk: could not save"))
        self.summary_label.setText(
            self.tr("{message}\n\nWhat was saved before is safe. The window stays open.").format(
                message=message[:1].upper() + message[1:]
            )
        )
        self.report_edit.hide()
        self.copy_button.hide()
        self._present()

    def show_unexpected(self, error: BaseException) -> None:
        """An error of ours: apologise, keep working, and offer the report (errors in a burst add up)."""
        self.setWindowTitle(self.tr("Dialdesk: something went wrong"))
        self.reports = (
            [*self.reports[-(MAX_REPORTS - 1) :], error_report(error)]
            if self.isVisible()
            else [error_report(error)]
        )
        count = len(self.reports)
        text = self.tr(
            "Something went wrong inside Dialdesk ({kind}). What was saved is safe and the window stays "
            "open; you can go on working. The report below holds no names or numbers: copy it into "
            "your message to support."
        ).format(kind=type(error).__name__)
        if count > 1:
            text += " " + self.tr("({count} errors so far.)").format(count=count)
        self.summary_label.setText(text)
        self.report_edit.setPlainText("\n\n".join(self.reports))
        self.report_edit.show()
        self.copy_button.show()
        self._present()

    def report_text(self) -> str:
        return self.report_edit.toPlainText()

    def _present(self) -> None:
        self.show()
        self.raise_()

    @Slot()
    def on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())

    @Slot()
    def on_log_button_clicked(self) -> None:
        show_log_folder(self)


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


class ErrorHandler(QObject):
    """Catches what nobody else did, logs it, and shows the ErrorDialog on the GUI thread."""

    errorRaised = Signal(object)

    def __init__(self, parent: QWidget, database: str) -> None:
        super().__init__(parent)
        self.window = parent
        self.database = database
        self.dialog: ErrorDialog | None = None
        self._previous_hook: ExceptHook | None = None
        self._previous_thread_hook: Any = None
        self._previous_qt_handler: Any = None
        # Queued when raised on another thread: the dialog is built on the GUI thread only.
        self.errorRaised.connect(self.on_error_raised)

    def install(self) -> ErrorHandler:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        self._previous_qt_handler = qInstallMessageHandler(qt_message_handler)
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook and self._previous_hook is not None:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self.thread_excepthook and self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook
        qInstallMessageHandler(self._previous_qt_handler)

    def excepthook(
        self, kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            (self._previous_hook or sys.__excepthook__)(kind, error, traceback)
            return
        if error.__traceback__ is None and traceback is not None:
            error = error.with_traceback(traceback)
        self.report(error)

    def thread_excepthook(self, arguments: threading.ExceptHookArgs) -> None:
        if arguments.exc_value is not None:
            self.report(arguments.exc_value)

    def _problem(self, error: BaseException) -> str | None:
        """The one line for a database problem, or for a team server gone away (or refusing us)."""
        from desktop.services.team_login import server_problem

        return database_problem(error, self.database) or server_problem(error, self.database)

    def report(self, error: BaseException) -> None:
        """Log `error` and show it (from any thread)."""
        problem = self._problem(error)
        if problem is not None:
            log.warning("database problem in the window: %s", problem, exc_info=error)
        else:
            log.error("unexpected error in the window", exc_info=error)
        self.errorRaised.emit(error)

    @Slot(object)
    def on_error_raised(self, error: BaseException) -> None:
        if self.dialog is None:
            self.dialog = ErrorDialog(self.window)
        problem = self._problem(error)
        if problem is not None:
            self.dialog.show_problem(problem)
        else:
            self.dialog.show_unexpected(error)


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(kind: QtMsgType, _context: Any, message: str) -> None:
    """Qt's own warnings go to the log (they used to go to a terminal nobody watches)."""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def startup_failed(
    error: BaseException, db: str | None, user_errors: tuple[type[BaseException], ...]
) -> None:
    """The window could not open (a damaged database …): a desktop user started from a menu sees no
    terminal, so the one line printed on stderr is also shown in a message box."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.services.failures import describe_failure

    if QApplication.instance() is None:
        return  # no window system was reached: stderr is all there is
    if isinstance(error, user_errors):
        message = str(error)
    else:
        found = describe_failure(error, db)
        if found is None:
            return
        message = found[1]
    box = QMessageBox(QMessageBox.Icon.Critical, "Dialdesk", message[:1].upper() + message[1:])
    box.setWindowTitle(QApplication.translate("ErrorDialog", "Dialdesk could not start"))
    box.exec()
