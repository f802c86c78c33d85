"""Ctrl+Z in the window: undo the last outcome recorded in this session (the logic is in services).

The window hands every recorded outcome to `remember`; Ctrl+Z undoes the newest one not yet undone
through `OutcomeUndo` (a correction record, the lead as it was). Outside a text field only: there,
Ctrl+Z undoes typing (the field claims the key first).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from desktop.services.calling import OutcomeRecorded
from desktop.services.outcome_undo import OutcomeUndo, OutcomeUndone, UndoError


class UndoLastOutcome(QObject):
    """The outcomes recorded in this session, newest last, and the Ctrl+Z shortcut that undoes them."""

    undone = Signal(object, object)  # (OutcomeRecorded, OutcomeUndone)
    refused = Signal(str)

    def __init__(self, window: QWidget, service: OutcomeUndo) -> None:
        super().__init__(window)
        self._service = service
        self.recorded: list[OutcomeRecorded] = []
        self.shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), window)
        self.shortcut.setAutoRepeat(False)
        self.shortcut.activated.connect(self.on_undo_triggered)
        self.blocked: Callable[[], bool] = lambda: (
            False
        )  # the window says when an undo must wait (a call in progress)

    def remember(self, result: OutcomeRecorded) -> None:
        self.recorded.append(result)

    @Slot()
    def on_undo_triggered(self) -> None:
        if self.blocked():
            self.refused.emit(self.tr("Hang up first: the outcome is undone between calls."))
            return
        if not self.recorded:
            self.refused.emit(self.tr("Nothing to undo in this session."))
            return
        result = self.recorded[-1]
        if result.before is None:
            self.recorded.pop()
            return
        try:
            undone: OutcomeUndone = self._service.undo(
                result.attempt_id, result.before, result.added_to_dnc, result.meeting_id
            )
        except UndoError as error:
            self.recorded.pop()
            self.refused.emit(self.tr("Not undone: {error}").format(error=error))
            return
        self.recorded.pop()
        self.undone.emit(result, undone)
