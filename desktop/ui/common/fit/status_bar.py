"""The window's status bar, whose messages are never cut off unread: a message too long for the room
left by the permanent labels ends in "…" and its full text is the tooltip of the message area.

`showMessage`, `currentMessage` and `clearMessage` keep QStatusBar's meaning (a timeout in ms clears
the message), so callers and tests use the status bar as before.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QStatusBar, QWidget

from desktop.ui.common.fit.elided_label import ElidedLabel


class MessageStatusBar(QStatusBar):
    """A status bar with an eliding message area on the left and the permanent labels on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_label = ElidedLabel()
        self.message_label.setObjectName("StatusMessage")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.addWidget(self.message_label, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()
        self.message_label.setText(text)
        if timeout:
            self._timer.start(timeout)

    def currentMessage(self) -> str:  # noqa: N802 - Qt's name
        # A status tip (a menu item under the mouse) is painted by Qt itself and comes first.
        return super().currentMessage() or self.message_label.text()

    @Slot()
    def clearMessage(self) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()
        self.message_label.setText("")
        super().clearMessage()
