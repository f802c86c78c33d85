"""Help → Open log folder (and the error dialog's "Open log folder"): the folder's path in a small
dialog with a Copy button, because opening a folder needs a file manager the machine may not have.

The file manager is still asked first; the dialog says whether it answered.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.logging_setup import log_folder


class LogFolderDialog(QDialog):
    """Shows where the log is, with a Copy button; not modal, so the window stays usable."""

    def __init__(self, folder: Path, opened: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log folder — Dialdesk"))
        self.folder = folder
        layout = QVBoxLayout(self)
        self.state_label = QLabel(
            self.tr("Opened in your file manager. The log is in this folder:")
            if opened
            else self.tr("No file manager opened it. The log is in this folder:")
        )
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)
        self.path_edit = QLineEdit(str(folder))
        self.path_edit.setReadOnly(True)
        self.path_edit.setMinimumWidth(420)
        layout.addWidget(self.path_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy path"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.copied_label = QLabel()
        self.copied_label.setObjectName("Muted")
        layout.addWidget(self.copied_label)

    @Slot()
    def on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(str(self.folder))
        self.copied_label.setText(self.tr("Copied."))


def open_log_folder() -> bool:
    """Ask the desktop's file manager to open the log folder; True when one answered."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))


def show_log_folder(parent: QWidget | None) -> LogFolderDialog:
    """Try the file manager, then show the path with a Copy button whatever it did."""
    opened = open_log_folder()
    dialog = LogFolderDialog(log_folder(), opened, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    return dialog
