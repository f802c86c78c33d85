"""Power dialling: after each outcome the next callable lead is dialled by itself after a countdown.

One line per agent, never predictive: the next call starts only when the agent has finished the
last one (an outcome was recorded) and the countdown ran out with Pause and Skip in reach. Every
dial goes through the gate marked `automated=True`; when a rule forbids automated dials (Florida,
Oklahoma without written consent) the refusal is shown and the lead waits for the agent to dial it
by hand. Works with any backend: the softphone, Hand-off and Manual.

`PowerDialBar` (power_bar.py) is the strip of controls in the dial bar; `PowerDialer` runs the countdown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Slot

from desktop.services.calling import GateRefused, OutcomeRecorded
from desktop.ui.calling.host import CallingHost
from desktop.ui.calling.power_bar import PowerDialBar
from desktop.ui.calling.session import IDLE, ON_CALL

TICK_MS = 100
# Below a minute of dialling a rate "per hour" says nothing; count the first minute as a whole one.
# A rate per hour is shown only after this much calling: two dials in a minute are not "120 an hour".
RATE_AFTER_S = 600.0


class PowerDialer(QObject):
    """Counts down after each outcome and dials the queue's next due lead as an automated dial.

    The lead dialled is always the one the queue offers now (a callback waits for its time), never
    simply the lead on screen: the countdown first brings that lead on screen.
    """

    def __init__(
        self,
        window: CallingHost,
        bar: PowerDialBar,
        clock: Callable[[], datetime],
        countdown_s: Callable[[], float],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self.bar = bar
        self._clock = clock
        self._countdown_s = countdown_s
        self.enabled = False
        self.paused = False
        self.held = False
        self.remaining_ms = 0
        self.dials = 0
        self._first_at: datetime | None = None
        # Leads the agent skipped while power dialling is on: not offered again until it is turned off.
        self._skipped: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.on_timer_timeout)
        bar.toggled.connect(self.on_bar_toggled)
        bar.pauseClicked.connect(self.on_bar_pause_clicked)
        bar.skipClicked.connect(self.on_bar_skip_clicked)
        session = window.session
        session.callStarted.connect(self.on_session_call_started)
        session.callRefused.connect(self.on_session_call_refused)
        session.outcomeRecorded.connect(self.on_session_outcome_recorded)
        self.update_rate()

    # -- the countdown ---------------------------------------------------------------------------

    @property
    def counting(self) -> bool:
        return self.timer.isActive() or (self.paused and self.remaining_ms > 0)

    def _bring_queue_lead(self) -> bool:
        """Show the queue's next callable, due lead; False (and say so) when none is due now."""
        window = self._window
        lead_id = window.next_due_lead_id(exclude=tuple(self._skipped))
        if lead_id is None:
            self.stop_countdown(self.tr("Power dial: no lead is due now"))
            return False
        card = window.current_card
        if card is None or card.id != lead_id:
            window.show_lead(lead_id)
        card = window.current_card
        return card is not None and card.id == lead_id

    def start_countdown(self) -> None:
        if not self.enabled:
            return
        if self._window.session.state != IDLE or not self._bring_queue_lead():
            return
        self.held = False
        self.paused = False
        self.bar.set_paused(False)
        self.remaining_ms = int(self._countdown_s() * 1000)
        self.timer.start()
        self._show_countdown()

    def stop_countdown(self, text: str = "") -> None:
        self.timer.stop()
        self.remaining_ms = 0
        self.paused = False
        self.bar.set_paused(False)
        self.bar.countdown_label.setText(text)
        self.bar.show_controls(pause=False, skip=self.enabled and self.held)

    def _show_countdown(self) -> None:
        card = self._window.current_card
        if card is None:
            self.stop_countdown(self.tr("Power dial: no lead to call"))
            return
        seconds = max(0, -(-self.remaining_ms // 1000))
        if self.paused:
            text = self.tr("Paused before calling {name}").format(name=card.display_name)
        else:
            text = self.tr("Calling {name} in {n} s").format(name=card.display_name, n=seconds)
        self.bar.countdown_label.setText(text)
        self.bar.show_controls(pause=True, skip=True)

    @Slot()
    def on_timer_timeout(self) -> None:
        self.remaining_ms -= TICK_MS
        if self.remaining_ms > 0:
            self._show_countdown()
            return
        self.timer.stop()
        self.remaining_ms = 0
        self.dial_now()

    def dial_now(self) -> None:
        """The countdown ran out: dial the lead on screen, marked as an automated dial."""
        window = self._window
        card = window.current_card
        # Only a lead with nothing open: a call waiting for its outcome is the agent's to finish.
        if card is None or window.session.state != IDLE or window.outcome_dialog is not None:
            self.stop_countdown()
            return
        if window.next_due_lead_id(exclude=tuple(self._skipped)) != card.id:
            # The agent opened another lead during the countdown, or this one is no longer due.
            self.start_countdown()
            return
        self.bar.countdown_label.setText(self.tr("Calling {name}…").format(name=card.display_name))
        window.session.automated_next = True
        try:
            window.on_call_requested()
        finally:
            window.session.automated_next = False
        if window.session.state != ON_CALL and not self.held:
            # Not refused by the gate, but not dialled either (the backend failed): wait for the agent.
            self.held = True
            self.stop_countdown(self.tr("Power dial held: the call did not start. Skip, or call by hand."))

    # -- the agent's controls --------------------------------------------------------------------

    @Slot(bool)
    def on_bar_toggled(self, checked: bool) -> None:
        self.enabled = checked
        self.held = False
        self._skipped.clear()
        if not checked:
            self.stop_countdown()
            return
        if self._first_at is None:
            self._first_at = self._clock()
        if self._window.session.state == IDLE:
            self.start_countdown()
        else:
            self.bar.countdown_label.setText(
                self.tr("Power dial on: the next lead is called after the outcome")
            )
        self.update_rate()

    @Slot()
    def on_bar_pause_clicked(self) -> None:
        if not self.counting:
            return
        self.paused = not self.paused
        self.bar.set_paused(self.paused)
        if self.paused:
            self.timer.stop()
        else:
            self.timer.start()
        self._show_countdown()

    @Slot()
    def on_bar_skip_clicked(self) -> None:
        window = self._window
        if window.session.state == ON_CALL:
            return
        self.timer.stop()
        self.held = False
        if window.current_card is not None:
            self._skipped.add(window.current_card.id)
        if window.next_due_lead_id(exclude=tuple(self._skipped)) is None:
            self.stop_countdown(self.tr("Power dial: no other lead to call now"))
            return
        self.start_countdown()

    # -- the calling loop ------------------------------------------------------------------------

    @Slot(object)
    def on_session_call_started(self, _call: object) -> None:
        self.timer.stop()
        self.remaining_ms = 0
        self.paused = False
        self.held = False
        self.dials += 1
        if self._first_at is None:
            self._first_at = self._clock()
        if self.enabled:
            self.bar.countdown_label.setText(self.tr("On a call: the next lead is called after the outcome"))
        else:
            self.bar.countdown_label.clear()
        self.bar.show_controls(pause=False, skip=False)
        self.update_rate()

    @Slot(object)
    def on_session_call_refused(self, refused: GateRefused) -> None:
        if not self.enabled or not self._window.session.last_dial_automated:
            return
        self.held = True
        reasons = "; ".join(reason.detail for reason in refused.decision.reasons)
        self.stop_countdown(
            self.tr("Not dialled automatically ({reasons}). Press Space to call by hand, or Skip.").format(
                reasons=reasons
            )
        )
        self.bar.countdown_label.setWordWrap(True)

    @Slot(object)
    def on_session_outcome_recorded(self, _result: OutcomeRecorded) -> None:
        if self.enabled:
            # The window shows the next lead right after this signal: count down once it is on screen.
            QTimer.singleShot(0, self.start_countdown)

    def update_rate(self) -> None:
        """ "Dials: 5", and after ten minutes of calling (by the clock service) "Dials: 5 · 24 an hour"."""
        if self._first_at is None:
            self.bar.rate_label.setText(self.tr("Dials: 0"))
            return
        elapsed = (self._clock() - self._first_at).total_seconds()
        if elapsed < RATE_AFTER_S:
            self.bar.rate_label.setText(self.tr("Dials: {n}").format(n=self.dials))
            self.bar.rate_label.setToolTip(self.tr("The dials per hour show after ten minutes of calling"))
            return
        per_hour = self.dials * 3600.0 / elapsed
        self.bar.rate_label.setText(
            self.tr("Dials: {n} · {rate} an hour").format(n=self.dials, rate=f"{per_hour:.0f}")
        )
        self.bar.rate_label.setToolTip(self.tr("Dials since the first one of this session, per hour"))
