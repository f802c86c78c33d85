"""The dial bar at the bottom of the window: number picker, Call / Hang up, call timer, the gate's
refusals, and the ten outcome buttons labelled with their keys.

With the built-in softphone it also shows the call's live state (dialling, ringing, connected …),
highlights the outcome the signalling suggests, and offers mute, hold, a dial pad and the voicemail
drop; the power-dial strip sits beside them.

The bar only shows state and emits requests; the main window (and the softphone controller) ask
the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.outcomes import OutcomeRule
from desktop.services.leads import PhoneView
from desktop.ui.calling.power_bar import PowerDialBar
from desktop.ui.calling.session import ENDED, IDLE, ON_CALL
from desktop.ui.common import style
from desktop.ui.common.labels import format_timer, outcome_label

OUTCOME_COLUMNS = 5


class DialBar(QWidget):
    """Call controls and outcome buttons; emits what the agent asked for."""

    callRequested = Signal()
    hangUpRequested = Signal()
    outcomeChosen = Signal(str)
    numberChanged = Signal()
    muteToggled = Signal(bool)
    holdToggled = Signal(bool)
    dialPadRequested = Signal()
    voicemailRequested = Signal()

    def __init__(self, rules: Iterable[OutcomeRule], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rules: tuple[OutcomeRule, ...] = tuple(rules)
        self.state = IDLE
        self.suggested: str | None = None
        self.outcome_buttons: dict[str, QPushButton] = {}
        self._build()
        self.set_state(IDLE)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(8)

        controls = QHBoxLayout()
        controls.setSpacing(10)
        number_label = QLabel(self.tr("Number"))
        number_label.setObjectName("Muted")
        controls.addWidget(number_label)
        self.number_combo = QComboBox()
        self.number_combo.setMinimumWidth(200)
        self.number_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        number_label.setBuddy(self.number_combo)
        self.number_combo.activated.connect(self.on_number_combo_activated)
        controls.addWidget(self.number_combo)
        self.call_button = QPushButton(self.tr("Call  (Space)"))
        self.call_button.setObjectName("CallButton")
        self.call_button.setToolTip(
            self.tr("Check the number with the dial gate and call it (Space or Enter)")
        )
        self.call_button.clicked.connect(self.on_call_button_clicked)
        controls.addWidget(self.call_button)
        self.hang_up_button = QPushButton(self.tr("Hang up  (Esc)"))
        self.hang_up_button.setObjectName("HangUpButton")
        # A clicked button that then disables itself would pass the focus on, maybe to a text field
        # where 1–0 type digits: Call and Hang up never take the focus (Space and Esc do their work).
        for button in (self.call_button, self.hang_up_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hang_up_button.clicked.connect(self.on_hang_up_button_clicked)
        controls.addWidget(self.hang_up_button)
        self.timer_label = QLabel(format_timer(0))
        self.timer_label.setObjectName("Timer")
        self.timer_label.setMinimumWidth(90)
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        controls.addWidget(self.timer_label)
        self.state_label = QLabel()
        self.state_label.setObjectName("CallState")
        self.state_label.setWordWrap(True)
        self.state_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        controls.addWidget(self.state_label, 1)
        outer.addLayout(controls)
        outer.addLayout(self._build_tools())

        self.banner = QLabel()
        self.banner.setObjectName("Banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        outer.addWidget(self.banner)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        for position, rule in enumerate(self.rules):
            button = QPushButton(f"{rule.key}   {outcome_label(rule)}")
            button.setStyleSheet(style.outcome_button_style(rule.code))
            button.setMinimumHeight(38)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            tip = self.tr("Record “{label}” and go to the next lead (key {key})").format(
                label=outcome_label(rule), key=rule.key
            )
            if rule.needs_time:
                tip += self.tr("; asks for a time first")
            button.setToolTip(tip)
            button.setProperty("outcome", rule.code)
            button.clicked.connect(self.on_outcome_button_clicked)
            grid.addWidget(button, position // OUTCOME_COLUMNS, position % OUTCOME_COLUMNS)
            self.outcome_buttons[rule.code] = button
        outer.addLayout(grid)

    def _build_tools(self) -> QHBoxLayout:
        """The softphone's in-call buttons (shown with the SIP backend) and the power-dial strip."""
        tools = QHBoxLayout()
        tools.setSpacing(8)
        self.softphone_box = QWidget()
        row = QHBoxLayout(self.softphone_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.mute_button = self._tool_button(self.tr("Mute"), self.tr("Mute your microphone"), True)
        self.mute_button.toggled.connect(self.on_mute_button_toggled)
        self.hold_button = self._tool_button(self.tr("Hold"), self.tr("Put the call on hold"), True)
        self.hold_button.toggled.connect(self.on_hold_button_toggled)
        self.dial_pad_button = self._tool_button(
            self.tr("Dial pad…"), self.tr("Send touch tones to a phone menu"), False
        )
        self.dial_pad_button.clicked.connect(self.on_dial_pad_button_clicked)
        self.voicemail_button = self._tool_button(
            self.tr("Drop voicemail"),
            self.tr(
                "Play the prepared message into the call, hang up when it ends and record “Voicemail” "
                "(the dial gate decides first)"
            ),
            False,
        )
        self.voicemail_button.clicked.connect(self.on_voicemail_button_clicked)
        for button in (self.mute_button, self.hold_button, self.dial_pad_button, self.voicemail_button):
            row.addWidget(button)
        tools.addWidget(self.softphone_box)
        tools.addStretch(1)
        self.power_bar = PowerDialBar()
        tools.addWidget(self.power_bar)
        self.set_softphone_visible(False)
        return tools

    def _tool_button(self, text: str, tip: str, checkable: bool) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setCheckable(checkable)
        # Keys belong to the calling loop: these buttons never take the focus from it.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    # -- state -----------------------------------------------------------------------------------

    def set_phones(self, phones: Sequence[PhoneView], selected_id: int | None = None) -> None:
        """Offer the lead's numbers; unusable ones stay selectable so the gate can say why."""
        self.number_combo.clear()
        chosen = 0
        first_good: int | None = None
        for index, phone in enumerate(phones):
            text = f"{phone.label or self.tr('Phone')}: {phone.display}"
            if phone.extension:
                text += self.tr(" ext. {ext}").format(ext=phone.extension)
            if not phone.valid:
                text += self.tr("  (invalid)")
            elif phone.on_internal_dnc:
                text += self.tr("  (do not call)")
            elif first_good is None:
                first_good = index
            self.number_combo.addItem(text, phone.id)
            if phone.id == selected_id:
                chosen = index
        if selected_id is None and first_good is not None:
            chosen = first_good
        if phones:
            self.number_combo.setCurrentIndex(chosen)
        self.number_combo.setEnabled(bool(phones))

    def selected_phone_id(self) -> int | None:
        value = self.number_combo.currentData()
        return int(value) if value is not None else None

    def set_state(self, state: str, text: str = "") -> None:
        """IDLE: ready to call; ON_CALL: timer running; ENDED: waiting for an outcome."""
        self.state = state
        self.call_button.setEnabled(state != ON_CALL and self.isEnabled())
        self.hang_up_button.setEnabled(state == ON_CALL)
        self.number_combo.setEnabled(state != ON_CALL and self.number_combo.count() > 0)
        if state == IDLE:
            self.set_elapsed(0)
        self.timer_label.setProperty("live", state == ON_CALL)
        self.timer_label.style().unpolish(self.timer_label)
        self.timer_label.style().polish(self.timer_label)
        self.state_label.setStyleSheet("")
        self.state_label.setText(text)
        if state != ENDED:
            self.set_suggestion(None)
        if state != ON_CALL:
            self.set_call_controls(False)

    def set_elapsed(self, seconds: float) -> None:
        self.timer_label.setText(format_timer(seconds))

    def set_live_state(self, text: str, tone: str = "") -> None:
        """The softphone's word on the call: tone "live" (green), "bad" (red) or "" (grey)."""
        colour = {"live": style.POSITIVE, "bad": style.DANGER}.get(tone, style.MUTED)
        weight = "600" if tone else "normal"
        self.state_label.setStyleSheet(f"color: {colour}; font-weight: {weight};")
        self.state_label.setText(text)

    def set_suggestion(self, code: str | None) -> None:
        """Highlight the outcome the signalling suggests (None: no highlight); Enter records it."""
        if self.suggested is not None and self.suggested in self.outcome_buttons:
            self.outcome_buttons[self.suggested].setStyleSheet(style.outcome_button_style(self.suggested))
            self.outcome_buttons[self.suggested].setProperty("suggested", False)
        self.suggested = code if code in self.outcome_buttons else None
        if self.suggested is not None:
            button = self.outcome_buttons[self.suggested]
            button.setProperty("suggested", True)
            button.setStyleSheet(
                style.outcome_button_style(self.suggested)
                + f"QPushButton {{ border: 3px solid {style.ACCENT}; font-weight: 700; }}"
            )

    def set_softphone_visible(self, visible: bool) -> None:
        self.softphone_box.setVisible(visible)
        if not visible:
            self.set_call_controls(False)

    def set_call_controls(self, connected: bool, voicemail: bool | None = None) -> None:
        """Enable the in-call buttons while a softphone call is connected."""
        for button in (self.mute_button, self.hold_button, self.dial_pad_button):
            button.setEnabled(connected)
        self.voicemail_button.setEnabled(connected if voicemail is None else voicemail)
        if not connected:
            self.set_toggle(self.mute_button, False)
            self.set_toggle(self.hold_button, False)

    @staticmethod
    def set_toggle(button: QPushButton, checked: bool) -> None:
        """Show a toggle's state without asking for the change again."""
        blocked = button.blockSignals(True)
        button.setChecked(checked)
        button.blockSignals(blocked)

    def set_outcomes_enabled(self, enabled: bool) -> None:
        for button in self.outcome_buttons.values():
            button.setEnabled(enabled)

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def clear_banner(self) -> None:
        self.banner.clear()
        self.banner.hide()

    @property
    def banner_text(self) -> str:
        return "" if self.banner.isHidden() else self.banner.text()

    # -- handlers --------------------------------------------------------------------------------

    @Slot()
    def on_number_combo_activated(self) -> None:
        self.numberChanged.emit()

    @Slot()
    def on_call_button_clicked(self) -> None:
        self.callRequested.emit()

    @Slot()
    def on_hang_up_button_clicked(self) -> None:
        self.hangUpRequested.emit()

    @Slot(bool)
    def on_mute_button_toggled(self, checked: bool) -> None:
        self.muteToggled.emit(checked)

    @Slot(bool)
    def on_hold_button_toggled(self, checked: bool) -> None:
        self.holdToggled.emit(checked)

    @Slot()
    def on_dial_pad_button_clicked(self) -> None:
        self.dialPadRequested.emit()

    @Slot()
    def on_voicemail_button_clicked(self) -> None:
        self.voicemailRequested.emit()

    @Slot()
    def on_outcome_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.outcomeChosen.emit(str(button.property("outcome")))
