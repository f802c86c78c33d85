"""Call states of the SIP backend and the rules that read SIP signalling: pure, no threads, no baresip.

`CallTracker` follows one outgoing call through baresip's events (handed in with the time they
arrived) and keeps a `CallSnapshot`; `suggest_outcome()` turns what the signalling said into an
outcome suggestion for the agent (never recorded by itself: the agent confirms it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from desktop.telephony.ctrl_protocol import CtrlEvent

DEFAULT_RING_TIMEOUT_S = 20.0
# Shorter rings hang up on people reaching for the phone; regulators and carriers expect ~15 s.
MIN_RING_TIMEOUT_S = 15.0

BUSY_CODES = frozenset({486, 600})
WRONG_NUMBER_CODES = frozenset({404, 484, 604})
# 408 Request Timeout and 480 Temporarily Unavailable are what carriers send when nobody picks up.
NO_ANSWER_CODES = frozenset({408, 480})
# Our own credentials were refused: the call never reached the callee, so it is not a rejection.
AUTH_CODES = frozenset({401, 407})

FINAL_RESULTS = ("answered", "busy", "no_answer", "rejected", "failed")


class CallState(StrEnum):
    """Where a call is; the last four are terminal."""

    DIALLING = "dialling"
    RINGING = "ringing"
    CONNECTED = "connected"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    ENDED = "ended"


TERMINAL_STATES = frozenset({CallState.BUSY, CallState.NO_ANSWER, CallState.FAILED, CallState.ENDED})


def validate_ring_timeout(seconds: float) -> float:
    """The ring time a user may choose: at least MIN_RING_TIMEOUT_S seconds."""
    if seconds < MIN_RING_TIMEOUT_S:
        raise ValueError(
            f"the ring time must be at least {MIN_RING_TIMEOUT_S:g} seconds (got {seconds:g}) so people "
            "have time to answer"
        )
    return float(seconds)


_SIP_CODE = re.compile(r"^\s*([1-6]\d\d)\b")


def sip_code_from_reason(reason: str) -> int | None:
    """The SIP status code at the start of baresip's close reason ("486 Busy Here" → 486), if any."""
    match = _SIP_CODE.match(reason)
    return int(match.group(1)) if match else None


def suggest_outcome(
    sip_code: int | None, *, answered: bool = False, ring_timed_out: bool = False
) -> str | None:
    """The outcome the signalling suggests: busy, no_answer, wrong_number, or None (the agent decides)."""
    if answered:
        return None
    if ring_timed_out:
        return "no_answer"
    if sip_code in BUSY_CODES:
        return "busy"
    if sip_code in WRONG_NUMBER_CODES:
        return "wrong_number"
    if sip_code in NO_ANSWER_CODES:
        return "no_answer"
    return None


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """Everything known about one call at one moment; immutable, safe to hand to another thread."""

    uri: str
    state: CallState
    dialled_at: datetime
    ringing_at: datetime | None = None
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    sip_code: int | None = None
    reason: str = ""
    ring_timed_out: bool = False
    hung_up_locally: bool = False
    voicemail_started: bool = False
    voicemail_finished: bool = False
    backend_lost: bool = False
    call_id: str = ""

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def answered(self) -> bool:
        return self.connected_at is not None

    @property
    def duration_s(self) -> float | None:
        """Talk time: from answer to end (or None before the call was answered and ended)."""
        if self.connected_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.connected_at).total_seconds())

    @property
    def result(self) -> str | None:
        """answered, busy, no_answer, rejected or failed once the call is over; None before."""
        if not self.terminal:
            return None
        if self.backend_lost:
            return "failed"
        if self.answered:
            return "answered"
        if self.state is CallState.BUSY:
            return "busy"
        if self.state is CallState.NO_ANSWER or self.state is CallState.ENDED:
            # ENDED without an answer: the agent gave up while it rang.
            return "no_answer"
        code = self.sip_code
        if code is not None and (400 <= code < 500 or code >= 600) and code not in AUTH_CODES:
            return "rejected"
        return "failed"

    @property
    def suggested_outcome(self) -> str | None:
        if not self.terminal or self.backend_lost:
            return None
        return suggest_outcome(self.sip_code, answered=self.answered, ring_timed_out=self.ring_timed_out)


class CallTracker:
    """Follows one outgoing call: feed it baresip's events, it says which call events they make.

    Each `on_*` method returns the names of what happened ("ringing", "connected", "ended" …),
    possibly none; `snapshot` is the state after it. Events of other calls are ignored.
    """

    def __init__(self, uri: str, at: datetime) -> None:
        self.snapshot = CallSnapshot(uri=uri, state=CallState.DIALLING, dialled_at=at)

    def _update(self, **changes: object) -> None:
        self.snapshot = replace(self.snapshot, **changes)  # type: ignore[arg-type]

    def _ours(self, event: CtrlEvent) -> bool:
        if event.direction == "incoming":
            return False
        if not event.call_id:
            # CALL_LOCAL_SDP comes before baresip names the call; it tells us nothing we need.
            return False
        if not self.snapshot.call_id:
            self._update(call_id=event.call_id)
            return True
        return event.call_id == self.snapshot.call_id

    def on_event(self, event: CtrlEvent, at: datetime) -> list[str]:
        if self.snapshot.terminal or not event.type.startswith(("CALL_", "AUDIO_")):
            return []
        if not self._ours(event):
            return []
        kind = event.type
        state = self.snapshot.state
        if kind in ("CALL_RINGING", "CALL_PROGRESS") and state is CallState.DIALLING:
            self._update(state=CallState.RINGING, ringing_at=at)
            return ["ringing"]
        if kind == "CALL_ESTABLISHED" and state in (CallState.DIALLING, CallState.RINGING):
            self._update(state=CallState.CONNECTED, connected_at=at, sip_code=200)
            return ["connected"]
        if kind == "AUDIO_ERROR" and "end of file" in event.param and self.snapshot.voicemail_started:
            self._update(voicemail_finished=True)
            return ["voicemail_finished"]
        if kind == "CALL_CLOSED":
            self._close(event.param, at)
            return ["ended"]
        return []

    def _close(self, reason: str, at: datetime) -> None:
        snap = self.snapshot
        if snap.answered:
            self._update(state=CallState.ENDED, ended_at=at, reason=reason)
            return
        code = sip_code_from_reason(reason)
        if snap.ring_timed_out:
            state = CallState.NO_ANSWER
        elif code in BUSY_CODES:
            state = CallState.BUSY
        elif code in NO_ANSWER_CODES:
            state = CallState.NO_ANSWER
        elif snap.hung_up_locally:
            state = CallState.ENDED
        else:
            state = CallState.FAILED
        self._update(state=state, ended_at=at, reason=reason, sip_code=code)

    def on_ring_timeout(self) -> bool:
        """The ring time ran out: True when the call should be hung up (it is still unanswered)."""
        if self.snapshot.state in (CallState.DIALLING, CallState.RINGING):
            self._update(ring_timed_out=True, hung_up_locally=True)
            return True
        return False

    def on_local_hangup(self) -> None:
        if not self.snapshot.terminal:
            self._update(hung_up_locally=True)

    def on_voicemail_started(self) -> list[str]:
        if self.snapshot.state is CallState.CONNECTED and not self.snapshot.voicemail_started:
            self._update(voicemail_started=True)
            return ["voicemail_started"]
        return []

    def fail(self, reason: str, at: datetime) -> bool:
        """The call could not be placed (baresip refused the dial): True when that ended it."""
        if self.snapshot.terminal:
            return False
        self._update(state=CallState.FAILED, ended_at=at, reason=reason)
        return True

    def on_backend_down(self, reason: str, at: datetime) -> list[str]:
        """baresip went away: an unfinished call is lost (answered or not, it failed)."""
        if self.snapshot.terminal:
            return []
        self._update(state=CallState.FAILED, ended_at=at, reason=reason, backend_lost=True)
        return ["ended"]
