"""The script window's version line: which numbered version is in force, who approved it, and a button
for a principal to approve it (name, note; the date is the workspace clock's)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.script_versions import ScriptVersionError, ScriptVersionService, VersionInfo
from desktop.ui.common import style


class ApproveDialog(QDialog):
    """Asks the principal's name and a note; the service refuses a blank name (shown in red)."""

    def __init__(
        self, service: ScriptVersionService, info: VersionInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.info = info
        self.approved: VersionInfo | None = None
        self.setWindowTitle(self.tr("Approve version {n}").format(n=info.version))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("Approving version {n} of “{name}” (SHA-256 {sha}…) as a principal.").format(
                    n=info.version, name=info.script_name, sha=info.content_sha256[:12]
                )
            )
        )
        form = QFormLayout()
        self.by_edit = QLineEdit()
        self.by_edit.setPlaceholderText(self.tr("The principal's full name"))
        form.addRow(self.tr("Approved by"), self.by_edit)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(self.tr("What was reviewed, any condition"))
        self.note_edit.setMaximumHeight(90)
        form.addRow(self.tr("Note"), self.note_edit)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {style.DANGER};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Approve"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            self.approved = self.service.approve(
                self.info.script_name, self.info.version, self.by_edit.text(), self.note_edit.toPlainText()
            )
        except ScriptVersionError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        super().accept()


class VersionLine(QWidget):
    """ "Version 3 · approved by Jane Principal on 2026-12-01" and an Approve… button."""

    approved = Signal(str)  # a message for the status line

    def __init__(self, service: ScriptVersionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.info: VersionInfo | None = None
        self.dialog: ApproveDialog | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.approve_button = QPushButton(self.tr("Approve this version…"))
        self.approve_button.setToolTip(self.tr("Record a principal's approval of the saved version"))
        self.approve_button.clicked.connect(self.on_approve_clicked)
        row.addWidget(self.approve_button)

    def show_script(self, name: str | None) -> None:
        """The version in force of `name` (None: a draft, no version yet)."""
        self.info = None
        if name is not None:
            try:
                self.info = self.service.current(name)
            except ScriptVersionError as error:
                self.label.setText(str(error))
        self.approve_button.setEnabled(self.info is not None)
        if self.info is None:
            if name is None:
                self.label.setText(self.tr("Not saved: no version yet."))
            return
        info = self.info
        if info.approvals:
            last = info.approvals[-1]
            self.label.setText(
                self.tr("Version {n} · approved by {by} on {when} UTC").format(
                    n=info.version, by=last.approved_by, when=f"{last.approved_at:%Y-%m-%d %H:%M}"
                )
            )
            self.label.setStyleSheet("")
        else:
            self.label.setText(self.tr("Version {n} · not approved by a principal").format(n=info.version))
            self.label.setStyleSheet(f"color: {style.DANGER};")

    @Slot()
    def on_approve_clicked(self) -> None:
        if self.info is None:
            return
        self.dialog = ApproveDialog(self.service, self.info, self)
        self.dialog.accepted.connect(self.on_dialog_accepted)
        self.dialog.open()

    @Slot()
    def on_dialog_accepted(self) -> None:
        if self.dialog is None or self.dialog.approved is None:
            return
        info = self.dialog.approved
        self.show_script(info.script_name)
        self.approved.emit(
            self.tr("Version {n} approved by {by}.").format(n=info.version, by=info.approvals[-1].approved_by)
        )
