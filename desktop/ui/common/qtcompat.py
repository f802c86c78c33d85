"""A guard against a defect of the Qt bindings, detected at run time and applied only where present.

PySide6 6.12.0 on Python 3.10/3.11 hands back `None`, `True` and `False` without taking a reference
to them: every call of a `void` Qt method (`timer.stop()`, `label.setText()`) and every
`signal.emit()` lowers their reference count by one. After some thousands of calls the interpreter
aborts ("Fatal Python error: none_dealloc"), losing nothing committed but closing the window under
the agent. Python 3.12 made these objects immortal, which is what the bindings assume; on an older
Python with the defect, `guard()` makes them immortal the same way. PySide6 6.11.x does not have
the defect; pinning the bindings (`!=6.12.0`) is the real fix, this keeps users safe meanwhile.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

from PySide6.QtCore import QObject, QTimer, Signal

# Far above any count a program reaches, far below the largest Py_ssize_t: the object is never freed.
_IMMORTAL = 1 << 40


class _Probe(QObject):
    """A throwaway sender used to test the bindings."""

    poked = Signal()


@cache
def bindings_drop_references() -> bool:
    """True when void calls or emits lower the reference count of None or True."""
    if sys.version_info >= (3, 12):
        return False  # None, True and False are immortal: their counts do not move.
    timer = QTimer()
    probe = _Probe()
    votes = 0
    # Another thread may touch None between two reads; three trials and a majority settle it.
    for _ in range(3):
        none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range(3):
            timer.stop()
            probe.poked.emit()
        votes += sys.getrefcount(None) - none_before <= -3 or sys.getrefcount(True) - true_before <= -3
    return votes >= 2


def _make_immortal(obj: object) -> bool:
    count = ctypes.c_ssize_t.from_address(id(obj))
    # Only where the layout is the usual one (the count is the object's first field).
    if count.value != sys.getrefcount(obj) - 1:
        return False
    count.value += _IMMORTAL
    return True


@cache
def guard() -> bool:
    """Protect None, True and False when the bindings need it; True when the guard was applied."""
    if not bindings_drop_references():
        return False
    return all([_make_immortal(None), _make_immortal(True), _make_immortal(False)])
