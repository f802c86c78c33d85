"""Asks before an outcome is recorded with no call in progress (a stray key must not log a call).

An outcome key with no call placed logs a manual call (the agent dialled on another phone); a key
pressed by mistake would otherwise record a 0-second call and move on, and 9 would put the number
on the firm's do-not-call list. The question is window-modal and not blocking: Enter confirms,
Esc cancels, and the window records the outcome only when the agent said yes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.domain.outcomes import OutcomeRule
from desktop.ui.common.labels import outcome_label


def needs_confirmation(rule: OutcomeRule, call_placed: bool, from_key: bool) -> bool:
    """No call placed: a key always asks; a click asks only when it would add to the do-not-call list.

    An outcome that needs a time (callback, meeting) opens its own dialog, which already asks.
    """
    if call_placed or rule.needs_time:
        return False
    return from_key or rule.adds_to_dnc


class StrayOutcomeGuard(QObject):
    """Shows the question for one outcome at a time and runs `on_confirmed(code)` after a yes."""

    def __init__(self, window: QWidget, on_confirmed: Callable[[str], None]) -> None:
        super().__init__(window)
        self._window = window
        self._on_confirmed = on_confirmed
        self.box: QMessageBox | None = None
        self._code: str | None = None

    def ask(self, rule: OutcomeRule, lead_name: str) -> None:
        if self.box is not None:
            return
        text = self.tr(
            "No call is in progress. Record “{outcome}” for {name} as a call made elsewhere?"
        ).format(outcome=outcome_label(rule), name=lead_name)
        if rule.adds_to_dnc:
            text += " " + self.tr("Their numbers go on the firm's do-not-call list.")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Record an outcome without a call?"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._window,
        )
        # Enter confirms, Esc cancels.
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self.on_box_finished)
        self.box = box
        self._code = rule.code
        box.open()

    @Slot(int)
    def on_box_finished(self, result: int) -> None:
        box, self.box = self.box, None
        code, self._code = self._code, None
        if box is not None:
            box.deleteLater()
        if result == QMessageBox.StandardButton.Yes.value and code is not None:
            self._on_confirmed(code)
