"""The Qt side of the softphone: `PhoneService`'s event callbacks turned into a Qt signal.

The phone service is Qt-free and calls its listeners on the dialer's notifier thread. `PhoneSignals`
is a QObject living on the GUI thread; its listener only emits a signal, and Qt queues a signal
emitted on another thread to receivers on the GUI thread, so slots connected to `callEvent` may
touch widgets.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from desktop.services.phone import CallEvent, PhoneService


class PhoneSignals(QObject):
    """Relays one phone service's events to the GUI thread as `callEvent(CallEvent)`."""

    callEvent = Signal(object)  # CallEvent, delivered queued on the GUI thread

    def __init__(self, phone: PhoneService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._phone: PhoneService | None = phone
        phone.add_listener(self._relay)

    def detach(self) -> None:
        """Stop relaying (the window closes; no event may reach a deleted object)."""
        with self._lock:
            phone, self._phone = self._phone, None
        if phone is not None:
            phone.remove_listener(self._relay)

    def _relay(self, event: CallEvent) -> None:
        # Runs on the dialer's notifier thread: only emit (Qt queues it to the GUI thread).
        with self._lock:
            if self._phone is None:
                return
            self.callEvent.emit(event)
