"""The power-dial strip in the dial bar: the toggle, the countdown with Pause and Skip, the dials per
hour. It only shows and emits; `power_dial.PowerDialer` runs the countdown."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.ui.common import style


class PowerDialBar(QWidget):
    """Toggle, countdown with Pause and Skip, and the session's dials per hour."""

    toggled = Signal(bool)
    pauseClicked = Signal()
    skipClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.toggle_button = QPushButton(self.tr("Power dial"))
        self.toggle_button.setCheckable(True)
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.toggle_button.setToolTip(
            self.tr(
                "After each outcome, call the next lead by itself after a short countdown. One call at "
                "a time; every dial goes through the dial gate as an automated dial."
            )
        )
        self.toggle_button.setStyleSheet(
            "QPushButton { padding: 4px 12px; }"
            f"QPushButton:checked {{ background: {style.ACCENT}; color: white;"
            f" border: 1px solid {style.ACCENT}; border-radius: 4px; }}"
        )
        self.toggle_button.toggled.connect(self.on_toggle_button_toggled)
        layout.addWidget(self.toggle_button)
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("PowerCountdown")
        self.countdown_label.setStyleSheet(f"color: {style.ACCENT}; font-weight: 600;")
        layout.addWidget(self.countdown_label)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pause_button.clicked.connect(self.on_pause_button_clicked)
        layout.addWidget(self.pause_button)
        self.skip_button = QPushButton(self.tr("Skip"))
        self.skip_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.skip_button.setToolTip(self.tr("Leave this lead for now and count down to the next one"))
        self.skip_button.clicked.connect(self.on_skip_button_clicked)
        layout.addWidget(self.skip_button)
        self.rate_label = QLabel()
        self.rate_label.setObjectName("Muted")
        layout.addWidget(self.rate_label)
        self.show_controls(pause=False, skip=False)

    def show_controls(self, pause: bool, skip: bool) -> None:
        self.pause_button.setVisible(pause)
        self.skip_button.setVisible(skip)

    def set_paused(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))

    @Slot(bool)
    def on_toggle_button_toggled(self, checked: bool) -> None:
        self.toggled.emit(checked)

    @Slot()
    def on_pause_button_clicked(self) -> None:
        self.pauseClicked.emit()

    @Slot()
    def on_skip_button_clicked(self) -> None:
        self.skipClicked.emit()
