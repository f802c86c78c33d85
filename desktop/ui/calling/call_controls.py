"""Mute, hold and the dial pad of a connected softphone call.

The dial bar's buttons ask; this sends the request to the SIP dialer and, when it cannot be done
(the call ended meanwhile, baresip refused), puts the button back and says why in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QWidget

from desktop.telephony.baresip import SipDialer
from desktop.telephony.dialers import DialError
from desktop.ui.calling.dial_pad import DialPadDialog

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


class CallControls(QObject):
    """Carries out the in-call buttons of the dial bar on the connected call, if there is one."""

    def __init__(self, window: MainWindow, connected_dialer: Callable[[], SipDialer | None]) -> None:
        super().__init__(window)
        self._window = window
        self.connected_dialer = connected_dialer
        self.dial_pad: DialPadDialog | None = None
        self._focus_before_pad: QWidget | None = None
        bar = window.dial_bar
        bar.muteToggled.connect(self.on_dial_bar_mute_toggled)
        bar.holdToggled.connect(self.on_dial_bar_hold_toggled)
        bar.dialPadRequested.connect(self.on_dial_bar_dial_pad_requested)

    def close_pad(self) -> None:
        if self.dial_pad is not None:
            self.dial_pad.close()

    def _try(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except DialError as error:
            self._window.statusBar().showMessage(str(error), 8000)
            return False
        return True

    @Slot(bool)
    def on_dial_bar_mute_toggled(self, muted: bool) -> None:
        dialer = self.connected_dialer()
        bar = self._window.dial_bar
        if dialer is None or not self._try(lambda: dialer.set_muted(muted)):
            bar.set_toggle(bar.mute_button, not muted)

    @Slot(bool)
    def on_dial_bar_hold_toggled(self, hold: bool) -> None:
        dialer = self.connected_dialer()
        bar = self._window.dial_bar
        if dialer is None or not self._try(dialer.hold if hold else dialer.resume):
            bar.set_toggle(bar.hold_button, not hold)

    @Slot()
    def on_dial_bar_dial_pad_requested(self) -> None:
        if self.connected_dialer() is None:
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
        dialer = self.connected_dialer()
        if dialer is not None:
            self._try(lambda: dialer.send_dtmf(digits))

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
