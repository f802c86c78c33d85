"""Running long work (imports, reports) off the GUI thread: one small QThreadPool + QRunnable helper.

The work is a plain function `work(progress, cancelled)`; it reports `progress(done, total)` from the
worker thread and checks `cancelled()` between steps. Results, errors and progress come back to the
GUI thread as queued signals, so slots connected to them may touch widgets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
Work = Callable[[Progress, Cancelled], Any]

# Progress from a million-row import would flood the event loop; a screen needs ~20 updates a second.
_PROGRESS_INTERVAL_S = 0.05


class TaskSignals(QObject):
    """The signals of one task; a QRunnable is not a QObject, so it carries these instead."""

    progress = Signal(object, object)  # (done, total): Python ints, may pass 2**31 (bytes of a big file)
    result = Signal(object)
    error = Signal(object)
    finished = Signal()


class _Runnable(QRunnable):
    """Carries a Task into the thread pool (QRunnable cannot also be the QObject with the signals)."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self._task._execute()


class Task:
    """One piece of work on the global thread pool, with throttled progress and a cancel flag.

    Connect to `signals` before `start()`. Exactly one of `result` or `error` is emitted, then
    `finished`.
    """

    def __init__(self, work: Work) -> None:
        self._work = work
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self._done = threading.Event()
        self.signals = TaskSignals()

    def start(self, pool: QThreadPool | None = None) -> Task:
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the work has finished (for shutdown and tests); True when it has."""
        return self._done.wait(timeout_s)

    def _report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= _PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.signals.progress.emit(done, total)

    def _execute(self) -> None:
        try:
            value = self._work(self._report, self._cancel.is_set)
        except Exception as error:  # every failure must reach the GUI (with its __traceback__)
            self._done.set()
            self.signals.error.emit(error)
        else:
            self._done.set()
            self.signals.result.emit(value)
        self.signals.finished.emit()


def run_task(
    work: Work,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> Task:
    """Start `work` on the thread pool and connect the given handlers; returns the task (for cancel)."""
    task = Task(work)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    if on_result is not None:
        task.signals.result.connect(on_result)
    if on_error is not None:
        task.signals.error.connect(on_error)
    if on_finished is not None:
        task.signals.finished.connect(on_finished)
    return task.start()
