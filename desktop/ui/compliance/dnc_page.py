"""The do-not-call page (Tools → Do-not-call lists…, Ctrl+D): the firm's internal list
(`dnc_internal.InternalListTab`) and the registry copies the dial gate checks
(`registry_import.RegistriesTab`). Every change tells the workspace that lists changed (cached
refusals are decided again) and emits `listsChanged`; a registry import also `registryImported`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.services.workspace import Workspace
from desktop.ui.common.workers import Task
from desktop.ui.compliance.dnc_internal import InternalListTab
from desktop.ui.compliance.registry_import import RegistriesTab

TAB_INTERNAL = 0
TAB_REGISTRIES = 1


class DncPage(QDialog):
    """Edits the internal list and imports registry copies; emits `listsChanged` after any change."""

    listsChanged = Signal()
    registryImported = Signal(object)  # RegistryImportReport

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._close_when_done = False
        self.setWindowTitle(self.tr("Do-not-call lists"))
        self.setMinimumSize(760, 560)
        layout = QVBoxLayout(self)
        self.internal = InternalListTab(workspace)
        self.internal.changed.connect(self.listsChanged)
        self.registries = RegistriesTab(workspace)
        self.registries.changed.connect(self.listsChanged)
        self.registries.imported.connect(self.registryImported)
        self.registries.idle.connect(self.on_registries_idle)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.internal, self.tr("Internal list"))
        self.tabs.addTab(self.registries, self.tr("Registries"))
        layout.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        layout.addLayout(row)

    @property
    def task(self) -> Task | None:
        """The registry import running, if any."""
        return self.registries.task

    def refresh(self) -> None:
        self.internal.refresh_internal()
        self.registries.refresh_registries()

    @Slot()
    def on_registries_idle(self) -> None:
        if self._close_when_done:
            super().reject()

    def reject(self) -> None:
        if self.task is not None:
            # Closing mid-import cancels it; the page goes once the rollback has finished.
            self._close_when_done = True
            self.registries.on_cancel_button_clicked()
            return
        super().reject()
