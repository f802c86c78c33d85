"""The Settings dialog: dialling backend, attempt target, default region, agent and firm names.

Saved through the workspace's settings service; a rejected value keeps the dialog open with the
service's message shown in red.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QRegularExpression, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.settings import BACKENDS, Settings
from desktop.ui import style


class SettingsDialog(QDialog):
    """Edits a copy of `Settings`; `save` (the workspace's) is called on OK and may refuse."""

    def __init__(
        self, settings: Settings, save: Callable[[Settings], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._save = save
        self.saved: Settings | None = None
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setSpacing(10)

        self.backend_combo = QComboBox()
        labels = {
            "manual": self.tr("Manual: dial on your desk phone, Dialdesk times the call"),
            "handoff_tel": self.tr("Hand-off tel: open the system's phone app"),
            "handoff_sip": self.tr("Hand-off sip: open the system's softphone"),
        }
        for code in BACKENDS:
            self.backend_combo.addItem(labels.get(code, code), code)
        self.backend_combo.setCurrentIndex(max(0, self.backend_combo.findData(settings.backend)))
        self.backend_combo.currentIndexChanged.connect(self.on_backend_combo_changed)
        form.addRow(self.tr("Dialling"), self.backend_combo)

        self.sip_domain_edit = QLineEdit(settings.sip_domain)
        self.sip_domain_edit.setPlaceholderText(self.tr("e.g. pbx.example.com (optional)"))
        form.addRow(self.tr("SIP domain"), self.sip_domain_edit)

        self.target_spin = QSpinBox()
        self.target_spin.setRange(1, 100)
        self.target_spin.setValue(settings.attempt_target)
        self.target_spin.setSuffix(self.tr(" attempts"))
        self.target_spin.setToolTip(
            self.tr("How many times to try a lead before the sequence ends (18 is typical)")
        )
        form.addRow(self.tr("Attempt target"), self.target_spin)

        self.region_edit = QLineEdit(settings.default_region)
        self.region_edit.setMaxLength(2)
        self.region_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,2}"), self))
        self.region_edit.setToolTip(
            self.tr("Country for numbers written without +country code, e.g. US, GB, DE")
        )
        self.region_edit.setMaximumWidth(80)
        form.addRow(self.tr("Default region"), self.region_edit)

        self.agent_edit = QLineEdit(settings.agent_name)
        self.agent_edit.setPlaceholderText(self.tr("Your name, as you say it on the phone"))
        form.addRow(self.tr("Your name"), self.agent_edit)

        self.firm_edit = QLineEdit(settings.firm_name)
        self.firm_edit.setPlaceholderText(self.tr("The firm you call for"))
        form.addRow(self.tr("Firm"), self.firm_edit)
        layout.addLayout(form)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {style.DANGER};")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.on_backend_combo_changed()

    def edited(self) -> Settings:
        return replace(
            self._settings,
            backend=str(self.backend_combo.currentData()),
            sip_domain=self.sip_domain_edit.text().strip(),
            attempt_target=self.target_spin.value(),
            default_region=self.region_edit.text().strip().upper(),
            agent_name=self.agent_edit.text().strip(),
            firm_name=self.firm_edit.text().strip(),
        )

    @Slot()
    def on_backend_combo_changed(self) -> None:
        self.sip_domain_edit.setEnabled(self.backend_combo.currentData() == "handoff_sip")

    def accept(self) -> None:
        settings = self.edited()
        try:
            self._save(settings)
        except ValueError as error:
            self.error_label.setText(self.tr("Not saved: {problem}").format(problem=error))
            self.error_label.show()
            return
        self.saved = settings
        super().accept()
