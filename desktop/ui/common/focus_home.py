"""Keeps the keyboard with the lead: a text field the broker did not choose never keeps the focus.

Qt hands the focus back by itself when a dialog closes, when a busy window is enabled again or when
the widget that had it disappears; it often picks the first field in the tab order, the queue
filter, where Space types a space and 1–0 type digits. A field watched here accepts the focus only
when the broker asks for it (a click, Tab, a shortcut such as Ctrl+F, its context menu); any other
arrival sends the focus home (the lead), after the event, so Qt's own focus bookkeeping is done first.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QWidget

# The ways a broker gives a field the focus on purpose.
DELIBERATE = frozenset(
    [
        Qt.FocusReason.MouseFocusReason,
        Qt.FocusReason.TabFocusReason,
        Qt.FocusReason.BacktabFocusReason,
        Qt.FocusReason.ShortcutFocusReason,
        # Back from the field's own context menu (Paste…): the broker was already in it.
        Qt.FocusReason.PopupFocusReason,
    ]
)


class FocusHome(QObject):
    """Sends the focus to `home()` whenever a watched field gets it other than on purpose."""

    def __init__(self, home: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._home = home
        self._watched: list[QWidget] = []

    def watch(self, field: QWidget) -> None:
        self._watched.append(field)
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusIn
            and isinstance(event, QFocusEvent)
            and event.reason() not in DELIBERATE
        ):
            QTimer.singleShot(0, self._send_home_if_still_there)
        return super().eventFilter(watched, event)

    def _send_home_if_still_there(self) -> None:
        if any(field.hasFocus() for field in self._watched):
            self._home()
