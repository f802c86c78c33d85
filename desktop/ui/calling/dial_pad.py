"""The dial pad: touch tones for phone menus ("press 2 for sales") during a softphone call.

A small window of its own, so the digit keys typed while it is active are tones, not outcome keys
of the main window. Each press emits `digitsEntered`; the softphone controller sends them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")


class DialPadDialog(QDialog):
    """Twelve keys; clicking one or typing it sends that tone into the call."""

    digitsEntered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Dial pad"))
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.sent_label = QLabel(self.tr("Type or click the digits the menu asks for."))
        self.sent_label.setObjectName("Muted")
        self.sent_label.setWordWrap(True)
        layout.addWidget(self.sent_label)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        for index, key in enumerate(KEYS):
            button = QPushButton(key)
            button.setMinimumSize(56, 44)
            button.setStyleSheet("font-size: 18px; font-weight: 600;")
            button.setProperty("digit", key)
            button.setAutoDefault(False)
            button.clicked.connect(self.on_key_button_clicked)
            grid.addWidget(button, index // 3, index % 3)
            self.buttons[key] = button
        layout.addLayout(grid)
        self.sent = ""

    def press(self, digit: str) -> None:
        self.sent += digit
        self.sent_label.setText(self.tr("Sent: {digits}").format(digits=self.sent))
        self.digitsEntered.emit(digit)

    @Slot()
    def on_key_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.press(str(button.property("digit")))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text and text in KEYS:
            self.press(text)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)
