"""Qt calls from Python must not wear out None/True (PySide6 6.12.0 on Python 3.11 would abort)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal

import desktop.ui  # noqa: F401 - importing the GUI package applies the guard
from desktop.ui.common.qtcompat import bindings_drop_references, guard


class Sender(QObject):
    """A sender with the signal shapes the window uses."""

    bare = Signal()
    flag = Signal(bool)


def test_thousands_of_void_calls_and_emits_do_not_abort():
    sender = Sender()
    received: list[bool] = []
    sender.flag.connect(received.append)
    timer = QTimer()
    # Each line below once cost None or True one reference; 50,000 of them exhaust both.
    for _ in range(50_000):
        timer.stop()
        sender.bare.emit()
        sender.flag.emit(True)
    assert len(received) == 50_000
    assert sys.getrefcount(None) > 0 and sys.getrefcount(True) > 0


def test_guard_is_applied_exactly_when_needed():
    if sys.version_info >= (3, 12):
        assert not bindings_drop_references()
        assert not guard()
    elif bindings_drop_references():
        assert guard()
        assert sys.getrefcount(None) > 1 << 39
