"""The single-key shortcuts of the calling loop (1–0, Space/Enter, Esc), kept out of text fields.

QLineEdit and QPlainTextEdit claim printable keys for themselves but not Enter; a window-wide
event filter claims Enter, Space and the digits for any text field that has focus, so typing
"call at 2" in the notes never records "Busy" and Enter in the filter box never dials.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop.domain.outcomes import OutcomeRule

# Keys that are shortcuts in the window but text in a text field (Escape stays a shortcut everywhere).
TYPING_KEYS = frozenset(
    [
        *(int(Qt.Key.Key_0) + n for n in range(10)),
        int(Qt.Key.Key_Space),
        int(Qt.Key.Key_Return),
        int(Qt.Key.Key_Enter),
    ]
)
CALL_KEYS = ("Space", "Return", "Enter", "Num+Enter")
HANG_UP_KEY = "Escape"


def is_text_input(widget: QWidget | None) -> bool:
    """True when keys typed now are text for this widget (so they must not become shortcuts)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractSpinBox):
        return True
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return False


class CallingKeys(QObject):
    """Turns key presses anywhere in `window` (except text fields) into calling-loop requests."""

    outcomePressed = Signal(str)
    callPressed = Signal()
    hangUpPressed = Signal()

    def __init__(self, window: QWidget, rules: Iterable[OutcomeRule]) -> None:
        super().__init__(window)
        self.shortcuts: list[QShortcut] = []
        for rule in rules:
            # Window context: the keys work whatever has focus in the window, but not in dialogs.
            for sequence in (rule.key, f"Num+{rule.key}"):
                self._add(window, sequence).activated.connect(
                    lambda code=rule.code: self.outcomePressed.emit(code)
                )
        for sequence in CALL_KEYS:
            self._add(window, sequence).activated.connect(self.callPressed)
        self._add(window, HANG_UP_KEY).activated.connect(self.hangUpPressed)
        window.installEventFilter(self)

    def _add(self, window: QWidget, sequence: str) -> QShortcut:
        shortcut = QShortcut(QKeySequence(sequence), window)
        shortcut.setAutoRepeat(False)
        self.shortcuts.append(shortcut)
        return shortcut

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A ShortcutOverride no child accepted travels up to the window; accepting it here hands the
        # key to the focused text field instead of the shortcut.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in TYPING_KEYS
            and is_text_input(QApplication.focusWidget())
        ):
            event.accept()
            return True
        return super().eventFilter(watched, event)
