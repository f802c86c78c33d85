"""The Softphone page of Settings: SIP account, caller ID, ring time, audio devices, voicemail message.

Says up front when baresip is missing (with the package to install) or when no keyring can hold
the password; Manual and Hand-off keep working either way. The password field is never filled from
storage: empty keeps the stored password, anything typed replaces it.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.sip_settings import MAX_EXTENSION_PAUSE_S, MAX_RING_TIME_S, MIN_RING_TIME_S, SipSettings
from desktop.ui.common import style

INSTALL_COMMAND = "sudo apt-get install baresip-core"


def note_label(text: str, tone: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    colours = {"bad": (style.DANGER_SOFT, style.DANGER), "warn": (style.WARNING_SOFT, style.WARNING_INK)}
    background, ink = colours[tone]
    label.setStyleSheet(f"background: {background}; color: {ink}; border-radius: 6px; padding: 6px 8px;")
    label.setVisible(bool(text))
    return label


class SipSettingsBox(QWidget):
    """Edits a copy of SipSettings; `edited()` and `password()` give what was typed."""

    def __init__(
        self,
        settings: SipSettings,
        has_password: bool,
        baresip_problem: str | None,
        keyring_problem: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        install = ""
        if baresip_problem is not None:
            install = self.tr(
                "baresip, the program behind the built-in softphone, is not installed. Install it with "
                "<b>{command}</b>. Manual and Hand-off dialling keep working without it."
            ).format(command=INSTALL_COMMAND)
        self.install_note = note_label(install, "bad")
        layout.addWidget(self.install_note)

        form = QFormLayout()
        form.setSpacing(8)
        self.address_edit = self._line(settings.address, self.tr("e.g. 1001@sip.example.com"))
        form.addRow(self.tr("SIP address"), self.address_edit)
        self.registrar_edit = self._line(
            settings.registrar, self.tr("e.g. sip.example.com (empty: do not register)")
        )
        form.addRow(self.tr("Registrar"), self.registrar_edit)
        self.proxy_edit = self._line(
            settings.outbound_proxy, self.tr("optional, e.g. proxy.example.com:5060")
        )
        form.addRow(self.tr("Outbound proxy"), self.proxy_edit)
        self.auth_user_edit = self._line(settings.auth_user, self.tr("if it differs from the address's user"))
        form.addRow(self.tr("User name"), self.auth_user_edit)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(
            self.tr("stored in the keyring; type to replace it") if has_password else self.tr("SIP password")
        )
        form.addRow(self.tr("Password"), self.password_edit)
        keyring = ""
        if keyring_problem is not None:
            keyring = self.tr(
                "The password cannot be stored safely: {problem}. It is kept only until Dialdesk closes "
                "and is never written to the database."
            ).format(problem=keyring_problem)
        self.keyring_note = note_label(keyring, "warn")
        form.addRow("", self.keyring_note)

        self.caller_name_edit = self._line(
            settings.caller_id_name, self.tr("your firm, as callees should see it")
        )
        self.caller_name_edit.setToolTip(
            self.tr("Telemarketing rules require sending the seller's name and a number that answers")
        )
        form.addRow(self.tr("Caller ID name"), self.caller_name_edit)
        # The caller ID number is on the General page (setting `caller_id`): every call records it.

        self.ring_spin = QSpinBox()
        self.ring_spin.setRange(int(MIN_RING_TIME_S), MAX_RING_TIME_S)
        self.ring_spin.setValue(max(int(MIN_RING_TIME_S), settings.ring_time_s))
        self.ring_spin.setSuffix(self.tr(" s"))
        self.ring_spin.setToolTip(self.tr("Hang up after this long without an answer (at least 15 s)"))
        form.addRow(self.tr("Ring time"), self.ring_spin)
        self.pause_spin = QDoubleSpinBox()
        self.pause_spin.setRange(0.0, MAX_EXTENSION_PAUSE_S)
        self.pause_spin.setSingleStep(0.5)
        self.pause_spin.setDecimals(1)
        self.pause_spin.setValue(settings.extension_pause_s)
        self.pause_spin.setSuffix(self.tr(" s"))
        self.pause_spin.setToolTip(
            self.tr("Wait this long after the answer before sending the lead's extension")
        )
        form.addRow(self.tr("Extension pause"), self.pause_spin)
        self.audio_source_edit = self._line(settings.audio_source, "alsa,default")
        form.addRow(self.tr("Microphone"), self.audio_source_edit)
        self.audio_player_edit = self._line(settings.audio_player, "alsa,default")
        form.addRow(self.tr("Speaker"), self.audio_player_edit)

        file_row = QHBoxLayout()
        self.voicemail_file_edit = self._line(settings.voicemail_file, self.tr("a WAV file (optional)"))
        file_row.addWidget(self.voicemail_file_edit, 1)
        self.browse_button = QPushButton(self.tr("Choose…"))
        self.browse_button.clicked.connect(self.on_browse_button_clicked)
        file_row.addWidget(self.browse_button)
        form.addRow(self.tr("Voicemail file"), file_row)
        self.voicemail_text_edit = QPlainTextEdit(settings.voicemail_text)
        self.voicemail_text_edit.setPlaceholderText(
            self.tr("or a text to speak, e.g. Hi {first_name}, this is {agent_name} with {firm} …")
        )
        self.voicemail_text_edit.setFixedHeight(64)
        form.addRow(self.tr("Voicemail text"), self.voicemail_text_edit)
        layout.addLayout(form)
        layout.addStretch(1)

    @staticmethod
    def _line(text: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setPlaceholderText(placeholder)
        return edit

    def edited(
        self, power_countdown_s: int | None = None, caller_id_number: str | None = None
    ) -> SipSettings:
        chosen = self._settings
        return SipSettings(
            address=self.address_edit.text().strip(),
            registrar=self.registrar_edit.text().strip(),
            outbound_proxy=self.proxy_edit.text().strip(),
            auth_user=self.auth_user_edit.text().strip(),
            caller_id_name=self.caller_name_edit.text().strip(),
            caller_id_number=chosen.caller_id_number if caller_id_number is None else caller_id_number,
            ring_time_s=self.ring_spin.value(),
            extension_pause_s=self.pause_spin.value(),
            audio_source=self.audio_source_edit.text().strip(),
            audio_player=self.audio_player_edit.text().strip(),
            voicemail_file=self.voicemail_file_edit.text().strip(),
            voicemail_text=self.voicemail_text_edit.toPlainText().strip(),
            power_countdown_s=chosen.power_countdown_s if power_countdown_s is None else power_countdown_s,
        )

    def password(self) -> str | None:
        """The new password typed, or None to keep the stored one."""
        return self.password_edit.text() or None

    @Slot()
    def on_browse_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Voicemail message"), "", self.tr("WAV audio (*.wav)")
        )
        if path:
            self.voicemail_file_edit.setText(path)
