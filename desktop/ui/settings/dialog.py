"""The Settings dialog: dialling backend, attempt target, default region, agent and firm names, the
firm's address and callback number, the caller ID, firm mode, the power-dial countdown, and (on its
Softphone page) the built-in softphone's SIP account.

Saved through the workspace's settings services; a rejected value keeps the dialog open with the
service's message shown in red (a caller ID or callback number that cannot be called back is marked on
its field). The SIP password goes to the OS keyring, never to the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QRegularExpression, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.settings import BACKENDS, Settings, dialable_problem
from desktop.services.sip_settings import SipSettingsError, SipSettingsService, softphone_problem
from desktop.ui.common import style
from desktop.ui.settings.sip_box import SipSettingsBox


class SettingsDialog(QDialog):
    """Edits a copy of `Settings`; `save` (the workspace's) is called on OK and may refuse."""

    def __init__(
        self,
        settings: Settings,
        save: Callable[[Settings], None],
        parent: QWidget | None = None,
        sip_settings: SipSettingsService | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._save = save
        self._sip = sip_settings
        self.saved: Settings | None = None
        # After Save: False when a new SIP password could only be kept for this session (no keyring).
        self.password_in_keyring = True
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
            "sip": self.tr("Built-in softphone (SIP): call from this computer through baresip"),
        }
        for code in BACKENDS:
            self.backend_combo.addItem(labels.get(code, code), code)
        self.backend_combo.setCurrentIndex(max(0, self.backend_combo.findData(settings.backend)))
        self.backend_combo.currentIndexChanged.connect(self.on_backend_combo_changed)
        form.addRow(self.tr("Dialling"), self.backend_combo)

        self.sip_domain_edit = QLineEdit(settings.sip_domain)
        self.sip_domain_edit.setPlaceholderText(self.tr("e.g. pbx.example.com (optional)"))
        form.addRow(self.tr("Hand-off SIP domain"), self.sip_domain_edit)

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

        self.firm_address_edit = QLineEdit(settings.firm_address)
        self.firm_address_edit.setPlaceholderText(self.tr("The firm's address, as the opening says it"))
        form.addRow(self.tr("Firm address"), self.firm_address_edit)
        self.callback_edit = QLineEdit(settings.callback_number)
        self.callback_edit.setPlaceholderText(self.tr("A number callees can call back, e.g. +1 212 555 0100"))
        form.addRow(self.tr("Callback number"), self.callback_edit)
        self.caller_id_edit = QLineEdit(settings.caller_id)
        self.caller_id_edit.setPlaceholderText(self.tr("The number callees see, e.g. +1 212 555 0100"))
        self.caller_id_edit.setToolTip(
            self.tr(
                "Shown to the callee (the built-in softphone sends it) and recorded with every call; "
                "it must be a number that can be called back during business hours"
            )
        )
        form.addRow(self.tr("Caller ID"), self.caller_id_edit)
        self.firm_mode_check = QCheckBox(
            self.tr("Firm mode: only approved script versions; SIP calls must send a caller ID")
        )
        self.firm_mode_check.setChecked(settings.firm_mode)
        form.addRow(self.tr("Compliance"), self.firm_mode_check)

        sip = sip_settings.load() if sip_settings is not None else None
        self.countdown_spin = QSpinBox()
        self.countdown_spin.setRange(1, 60)
        self.countdown_spin.setValue(sip.power_countdown_s if sip is not None else 3)
        self.countdown_spin.setSuffix(self.tr(" s"))
        self.countdown_spin.setToolTip(self.tr("Power dial: how long to wait before calling the next lead"))
        self.countdown_spin.setEnabled(sip is not None)
        form.addRow(self.tr("Power-dial countdown"), self.countdown_spin)

        self.sip_box: SipSettingsBox | None = None
        if sip_settings is not None and sip is not None:
            general = QWidget()
            general.setLayout(form)
            self.sip_box = SipSettingsBox(
                sip,
                has_password=sip_settings.secrets.has(sip.secret_key),
                baresip_problem=softphone_problem(),
                keyring_problem=sip_settings.secrets.problem(),
            )
            self.tabs = QTabWidget()
            self.tabs.addTab(general, self.tr("General"))
            self.tabs.addTab(self.sip_box, self.tr("Softphone"))
            layout.addWidget(self.tabs)
        else:
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
            firm_address=self.firm_address_edit.text().strip(),
            callback_number=self.callback_edit.text().strip(),
            caller_id=self.caller_id_edit.text().strip(),
            firm_mode=self.firm_mode_check.isChecked(),
        )

    @Slot()
    def on_backend_combo_changed(self) -> None:
        backend = self.backend_combo.currentData()
        self.sip_domain_edit.setEnabled(backend == "handoff_sip")
        if self.sip_box is not None and backend == "sip":
            self.tabs.setCurrentWidget(self.sip_box)

    def accept(self) -> None:
        settings = self.edited()
        sip = (
            self.sip_box.edited(self.countdown_spin.value(), settings.caller_id)
            if self.sip_box is not None
            else None
        )
        self._mark_fields(settings)
        # Check both before saving either, so a refusal leaves nothing half-saved.
        problems = settings.validate()
        if sip is not None:
            problems += sip.validate(complete=settings.backend == "sip")
        if problems:
            self._refuse("; ".join(problems))
            return
        try:
            self._save(settings)
            if sip is not None and self._sip is not None and self.sip_box is not None:
                self.password_in_keyring = self._sip.save(
                    sip, self.sip_box.password(), complete=settings.backend == "sip"
                )
        except (ValueError, SipSettingsError) as error:
            self._refuse(str(error))
            return
        self.saved = settings
        super().accept()

    def _mark_fields(self, settings: Settings) -> None:
        """A number that cannot be called back is marked on its own field, with the reason as its tip."""
        for edit, value in (
            (self.caller_id_edit, settings.caller_id),
            (self.callback_edit, settings.callback_number),
        ):
            problem = dialable_problem(value, settings.default_region) if value else None
            edit.setProperty("invalid", problem is not None)
            edit.setStyleSheet(f"border: 2px solid {style.DANGER};" if problem is not None else "")
            edit.setToolTip(problem or "")

    def _refuse(self, problem: str) -> None:
        self.error_label.setText(self.tr("Not saved: {problem}").format(problem=problem))
        self.error_label.show()
