"""From baresip's events to call states, results and outcome suggestions: pure, no baresip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.telephony.call_states import (
    MIN_RING_TIMEOUT_S,
    CallState,
    CallTracker,
    sip_code_from_reason,
    suggest_outcome,
    validate_ring_timeout,
)
from desktop.telephony.ctrl_protocol import CtrlEvent

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
URI = "sip:+12125550134@127.0.0.1:5099"


def event(kind: str, param: str = "", call_id: str = "c1", direction: str = "outgoing") -> CtrlEvent:
    return CtrlEvent(kind, "call", param, call_id, URI, "sip:alice@127.0.0.1", direction, {})


def run(*steps: tuple[str, str] | str) -> tuple[CallTracker, list[str]]:
    tracker = CallTracker(URI, T0)
    kinds: list[str] = []
    for second, step in enumerate(steps, start=1):
        kind, param = step if isinstance(step, tuple) else (step, "")
        kinds += tracker.on_event(event(kind, param), T0 + timedelta(seconds=second))
    return tracker, kinds


def test_answered_call_then_ended() -> None:
    tracker, kinds = run(
        "CALL_LOCAL_SDP",
        "CALL_RINGING",
        "CALL_REMOTE_SDP",
        "CALL_ESTABLISHED",
        ("CALL_CLOSED", "Connection reset by peer"),
    )
    snap = tracker.snapshot
    assert kinds == ["ringing", "connected", "ended"]
    assert snap.state is CallState.ENDED and snap.result == "answered"
    assert snap.connected_at == T0 + timedelta(seconds=4)
    assert snap.duration_s == 1.0 and snap.sip_code == 200
    assert snap.suggested_outcome is None


@pytest.mark.parametrize(
    ("reason", "state", "result", "suggestion"),
    [
        ("486 Busy Here", CallState.BUSY, "busy", "busy"),
        ("600 Busy Everywhere", CallState.BUSY, "busy", "busy"),
        ("404 Not Found", CallState.FAILED, "rejected", "wrong_number"),
        ("484 Address Incomplete", CallState.FAILED, "rejected", "wrong_number"),
        ("604 Does Not Exist Anywhere", CallState.FAILED, "rejected", "wrong_number"),
        ("603 Decline", CallState.FAILED, "rejected", None),
        ("480 Temporarily Unavailable", CallState.NO_ANSWER, "no_answer", "no_answer"),
        ("503 Service Unavailable", CallState.FAILED, "failed", None),
        ("401 Unauthorized", CallState.FAILED, "failed", None),
        ("Connection refused", CallState.FAILED, "failed", None),
    ],
)
def test_closed_before_answer(reason: str, state: CallState, result: str, suggestion: str | None) -> None:
    tracker, kinds = run("CALL_LOCAL_SDP", ("CALL_CLOSED", reason))
    snap = tracker.snapshot
    assert kinds == ["ended"]
    assert (snap.state, snap.result, snap.suggested_outcome) == (state, result, suggestion)
    assert snap.reason == reason and snap.duration_s is None


def test_ring_timeout_makes_no_answer() -> None:
    tracker, _ = run("CALL_RINGING")
    assert tracker.on_ring_timeout() is True
    tracker.on_event(event("CALL_CLOSED", "Connection reset by user"), T0 + timedelta(seconds=20))
    snap = tracker.snapshot
    assert (snap.state, snap.result, snap.suggested_outcome) == (
        CallState.NO_ANSWER,
        "no_answer",
        "no_answer",
    )
    # 487 after our CANCEL is not a rejection either.
    tracker, _ = run("CALL_RINGING")
    tracker.on_ring_timeout()
    tracker.on_event(event("CALL_CLOSED", "487 Request Terminated"), T0)
    assert tracker.snapshot.result == "no_answer"


def test_ring_timeout_after_answer_does_nothing() -> None:
    tracker, _ = run("CALL_RINGING", "CALL_ESTABLISHED")
    assert tracker.on_ring_timeout() is False
    assert not tracker.snapshot.ring_timed_out


def test_agent_gives_up_while_ringing() -> None:
    tracker, _ = run("CALL_RINGING")
    tracker.on_local_hangup()
    tracker.on_event(event("CALL_CLOSED", "Connection reset by user"), T0)
    assert (tracker.snapshot.state, tracker.snapshot.result) == (CallState.ENDED, "no_answer")
    assert tracker.snapshot.suggested_outcome is None


def test_voicemail_drop_events() -> None:
    tracker, kinds = run("CALL_RINGING", "CALL_ESTABLISHED")
    # An end-of-file before a message was started is someone else's file: ignored.
    assert tracker.on_event(event("AUDIO_ERROR", "0,end of file"), T0) == []
    assert tracker.on_voicemail_started() == ["voicemail_started"]
    assert tracker.on_voicemail_started() == []
    assert tracker.on_event(event("AUDIO_ERROR", "0,end of file"), T0) == ["voicemail_finished"]
    assert tracker.on_event(event("CALL_CLOSED", "end of file"), T0 + timedelta(seconds=9)) == ["ended"]
    snap = tracker.snapshot
    assert snap.voicemail_started and snap.voicemail_finished and snap.result == "answered"


def test_voicemail_needs_a_connected_call() -> None:
    tracker, _ = run("CALL_RINGING")
    assert tracker.on_voicemail_started() == []


def test_other_calls_and_incoming_calls_are_ignored() -> None:
    tracker = CallTracker(URI, T0)
    assert tracker.on_event(event("CALL_RINGING", call_id="c1"), T0) == ["ringing"]
    assert tracker.on_event(event("CALL_CLOSED", "486 Busy Here", call_id="other"), T0) == []
    assert tracker.on_event(event("CALL_INCOMING", call_id="in1", direction="incoming"), T0) == []
    assert tracker.on_event(event("CALL_CLOSED", call_id="in1", direction="incoming"), T0) == []
    assert tracker.snapshot.state is CallState.RINGING
    # Nothing changes a finished call.
    tracker.on_event(event("CALL_CLOSED", "486 Busy Here"), T0)
    assert tracker.on_event(event("CALL_ESTABLISHED"), T0) == []
    assert tracker.snapshot.state is CallState.BUSY


def test_backend_down_fails_the_call_even_when_answered() -> None:
    tracker, _ = run("CALL_RINGING", "CALL_ESTABLISHED")
    assert tracker.on_backend_down("baresip stopped (killed by signal 9)", T0 + timedelta(seconds=5)) == [
        "ended"
    ]
    snap = tracker.snapshot
    assert (snap.state, snap.result, snap.backend_lost) == (CallState.FAILED, "failed", True)
    assert snap.suggested_outcome is None and "signal 9" in snap.reason
    assert tracker.on_backend_down("again", T0) == []


def test_dial_refused() -> None:
    tracker = CallTracker(URI, T0)
    assert tracker.fail("baresip refused 'dial': Invalid argument", T0) is True
    assert tracker.snapshot.result == "failed"
    assert tracker.fail("twice", T0) is False


@pytest.mark.parametrize(
    ("code", "answered", "timed_out", "expected"),
    [
        (486, False, False, "busy"),
        (600, False, False, "busy"),
        (404, False, False, "wrong_number"),
        (484, False, False, "wrong_number"),
        (604, False, False, "wrong_number"),
        (None, False, True, "no_answer"),
        (487, False, True, "no_answer"),
        (408, False, False, "no_answer"),
        (603, False, False, None),
        (500, False, False, None),
        (200, True, False, None),
        (None, False, False, None),
    ],
)
def test_suggest_outcome(code: int | None, answered: bool, timed_out: bool, expected: str | None) -> None:
    assert suggest_outcome(code, answered=answered, ring_timed_out=timed_out) == expected


def test_sip_code_from_reason() -> None:
    assert sip_code_from_reason("486 Busy Here") == 486
    assert sip_code_from_reason("  404 Not Found") == 404
    assert sip_code_from_reason("end of file") is None
    assert sip_code_from_reason("4860 nonsense") is None
    assert sip_code_from_reason("") is None


def test_ring_timeout_minimum() -> None:
    assert MIN_RING_TIMEOUT_S == 15
    assert validate_ring_timeout(15) == 15.0
    assert validate_ring_timeout(45) == 45.0
    with pytest.raises(ValueError, match="at least 15 seconds"):
        validate_ring_timeout(14.9)
