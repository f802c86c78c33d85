"""The call the agent is on, between key presses: started through the gate, hung up, closed by its
outcome. Every step is a call to `CallingService`, which records it; this only remembers which
attempt is open, since when, and (for the softphone) since when it was answered.

Signals let the softphone and the power dialler follow the loop without the window's help:
`callStarted` after an allowed dial, `callRefused` after the gate said no, `outcomeRecorded` after
an outcome was committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from desktop.services.calling import CallingError, CallingService, CallStarted, GateRefused, OutcomeRecorded

IDLE = "idle"
ON_CALL = "on_call"
ENDED = "ended"


class CallSession(QObject):
    """One lead's call at a time: IDLE → ON_CALL (dialled) → ENDED (hung up) → IDLE (outcome)."""

    stateChanged = Signal(str)
    callStarted = Signal(object)  # CallStarted
    callRefused = Signal(object)  # GateRefused
    outcomeRecorded = Signal(object)  # OutcomeRecorded

    def __init__(
        self, calling: CallingService, clock: Callable[[], datetime], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._calling = calling
        self._clock = clock
        self.state = IDLE
        self.call: CallStarted | None = None
        self.duration_s = 0.0
        # The power dialler marks its next dial as automated (the gate applies stricter rules to it).
        self.automated_next = False
        self.last_dial_automated = False
        # A backend that reports the answer (the softphone) times the call from it, not from the dial.
        self.waits_for_answer = False
        self.answered_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.state == ON_CALL

    @property
    def attempt_id(self) -> int | None:
        """The allowed attempt still waiting for its outcome, if any."""
        return self.call.attempt_id if self.call is not None else None

    def _set_state(self, state: str) -> None:
        self.state = state
        self.stateChanged.emit(state)

    def reset(self) -> None:
        """Forget the open attempt (another lead is shown); it stays in the history without outcome."""
        self.call = None
        self.duration_s = 0.0
        self.waits_for_answer = False
        self.answered_at = None
        self._set_state(IDLE)

    def start(self, lead_id: int, phone_id: int | None, automated: bool = False) -> CallStarted:
        """Dial through the gate. Raises GateRefused (recorded in the history) or CallingError."""
        automated = automated or self.automated_next
        self.automated_next = False
        if self.live:
            raise CallingError("a call is already in progress: hang up first")
        self.reset()
        self.last_dial_automated = automated
        try:
            call = self._calling.start_call(lead_id, phone_id=phone_id, automated=automated)
        except GateRefused as refused:
            self.callRefused.emit(refused)
            raise
        self.call = call
        self._set_state(ON_CALL)
        self.callStarted.emit(call)
        return call

    def mark_answered(self, at: datetime) -> None:
        """The callee answered (the softphone said so): the timer runs from now."""
        if self.live:
            self.answered_at = at

    def hang_up(self) -> float:
        """End the live call; returns its length in seconds (0 when there was none)."""
        if not self.live or self.call is None:
            return self.duration_s
        self.duration_s = self._calling.hang_up(self.call.attempt_id)
        if self.waits_for_answer:
            # What the agent sees is talk time; the record keeps the time from the dial.
            answered = self.answered_at
            self.duration_s = (
                0.0 if answered is None else max(0.0, (self._clock() - answered).total_seconds())
            )
        self._set_state(ENDED)
        return self.duration_s

    def elapsed(self) -> float:
        if self.live and self.call is not None:
            if self.waits_for_answer:
                if self.answered_at is None:
                    return 0.0
                return max(0.0, (self._clock() - self.answered_at).total_seconds())
            return max(0.0, (self._clock() - self.call.started_at).total_seconds())
        return self.duration_s if self.state == ENDED else 0.0

    def record(self, lead_id: int, code: str, phone_id: int | None, **details: object) -> OutcomeRecorded:
        """Commit the outcome now. Without a call placed, the service logs a manual call through the gate.

        A live call is hung up by the same step: its end and its outcome are one transaction.
        """
        live = self.live and self.call is not None
        attempt_id = self.attempt_id
        try:
            result = self._calling.record_outcome(
                lead_id,
                code,
                attempt_id=attempt_id,
                phone_id=None if attempt_id is not None else phone_id,
                end_call=live,
                **details,  # type: ignore[arg-type]
            )
        except GateRefused:
            self.reset()
            raise
        except CallingError:
            if live:
                self.hang_up()  # not recorded: the call still ends, and its end is recorded on its own
            raise
        self.reset()
        self.outcomeRecorded.emit(result)
        return result
