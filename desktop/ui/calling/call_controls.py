"""Mute, hold and the dial pad of a connected softphone call.

The dial bar's buttons ask; this forwards the request to the phone service and, when it cannot be
done (the call ended meanwhile, baresip refused), puts the button back and says why in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from desktop.services.phone import PhoneError, PhoneService
from desktop.ui.calling.dial_bar import DialBar
from desktop.ui.calling.dial_pad import DialPadDialog


class CallControls(QObject):
    """Carries out the in-call buttons of the dial bar on the connected call, if there is one."""

    def __init__(self, window: QMainWindow, bar: DialBar, phone: PhoneService) -> None:
        super().__init__(window)
        self._window = window
        self._bar = bar
        self._phone = phone
        self.dial_pad: DialPadDialog | None = None
        self._focus_before_pad: QWidget | None = None
        bar.muteToggled.connect(self.on_dial_bar_mute_toggled)
        bar.holdToggled.connect(self.on_dial_bar_hold_toggled)
        bar.dialPadRequested.connect(self.on_dial_bar_dial_pad_requested)

    def close_pad(self) -> None:
        if self.dial_pad is not None:
            self.dial_pad.close()

    def _try(self, action: Callable[[], None]) -> bool:
        if not self._phone.connected:
            return False
        try:
            action()
        except PhoneError as error:
            self._window.statusBar().showMessage(str(error), 8000)
            return False
        return True

    @Slot(bool)
    def on_dial_bar_mute_toggled(self, muted: bool) -> None:
        if not self._try(lambda: self._phone.set_muted(muted)):
            self._bar.set_toggle(self._bar.mute_button, not muted)

    @Slot(bool)
    def on_dial_bar_hold_toggled(self, hold: bool) -> None:
        if not self._try(lambda: self._phone.set_on_hold(hold)):
            self._bar.set_toggle(self._bar.hold_button, not hold)

    @Slot()
    def on_dial_bar_dial_pad_requested(self) -> None:
        if not self._phone.connected:
            return
        if self.dial_pad is None:
            self._focus_before_pad = QApplication.focusWidget()
            self.dial_pad = DialPadDialog(self._window)
            self.dial_pad.digitsEntered.connect(self.on_dial_pad_digits_entered)
            self.dial_pad.finished.connect(self.on_dial_pad_finished)
        self.dial_pad.show()
        self.dial_pad.raise_()
        self.dial_pad.activateWindow()

    @Slot(str)
    def on_dial_pad_digits_entered(self, digits: str) -> None:
        self._try(lambda: self._phone.send_dtmf(digits))

    @Slot()
    def on_dial_pad_finished(self) -> None:
        if self.dial_pad is not None:
            self.dial_pad.deleteLater()
        self.dial_pad = None
        # The calling keys (Esc, 1–0) work in the main window: give it the keyboard back, where it was.
        self._window.activateWindow()
        focus, self._focus_before_pad = self._focus_before_pad, None
        if focus is not None and focus.window() is self._window:
            focus.setFocus()
