"""The Qt side of the SIP backend: `SipDialer`'s event callbacks turned into Qt signals.

`SipDialer` is Qt-free and calls its listeners on its own notifier thread. `SipSignals` is a
QObject living on the GUI thread; its listener only emits a signal, and Qt queues a signal emitted
on another thread to receivers on the GUI thread, so slots connected to `callEvent` may touch widgets.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from desktop.telephony.baresip import CallEvent, SipDialer


class SipSignals(QObject):
    """Relays one SipDialer's events to the GUI thread as `callEvent(CallEvent)`."""

    callEvent = Signal(object)  # CallEvent, delivered queued on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._dialer: SipDialer | None = None

    @property
    def dialer(self) -> SipDialer | None:
        return self._dialer

    def attach(self, dialer: SipDialer) -> None:
        """Listen to `dialer` (and stop listening to the previous one)."""
        self.detach()
        with self._lock:
            self._dialer = dialer
        dialer.add_listener(self._relay)

    def detach(self) -> None:
        with self._lock:
            dialer, self._dialer = self._dialer, None
        if dialer is not None:
            dialer.remove_listener(self._relay)

    def _relay(self, event: CallEvent) -> None:
        # Runs on the dialer's notifier thread: only emit (Qt queues it to the GUI thread).
        with self._lock:
            if self._dialer is None:
                return
            self.callEvent.emit(event)
