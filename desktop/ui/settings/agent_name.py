"""First start: ask the broker's name before the first call, so reports never split one person in two.

Calls are recorded under Settings → Your name (before it is set, under the computer's user name:
services/agents.py). A name set only after some calls would leave those calls under another name;
asking once, when the window first opens on a database with no name set, prevents that. The
dialog is window-modal but does not block the event loop; "Later" keeps the computer's user name.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.services.agents import default_agent_name
from desktop.services.workspace import Workspace


class AgentNameDialog(QDialog):
    """Asks "Your name" once; saves it in the settings when confirmed (Enter)."""

    saved = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.setWindowTitle(self.tr("Your name"))
        layout = QVBoxLayout(self)
        explanation = QLabel(
            self.tr(
                "Reports list your calls under your name. Type it as your supervisor knows you; "
                "you can change it later in Settings (a supervisor can merge two names in reports)."
            )
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.name_edit = QLineEdit(default_agent_name())
        self.name_edit.selectAll()
        layout.addWidget(self.name_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.later_button = self.buttons.addButton(self.tr("Later"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self.on_name_changed)
        layout.addWidget(self.buttons)

    @Slot(str)
    def on_name_changed(self, text: str) -> None:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setEnabled(bool(text.strip()))

    @Slot()
    def on_ok_clicked(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            return
        settings = self._workspace.current_settings()
        self._workspace.save_settings(replace(settings, agent_name=name))
        self.saved.emit(name)
        self.accept()


def ask_agent_name_on_first_start(window: QWidget, workspace: Workspace) -> AgentNameDialog | None:
    """Open the name dialog over `window` when no name is set yet; None when one is."""
    if workspace.current_settings().agent_name.strip():
        return None
    dialog = AgentNameDialog(workspace, window)
    dialog.open()
    dialog.name_edit.setFocus()
    return dialog
