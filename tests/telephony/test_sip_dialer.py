"""The SIP backend against a real SIP peer: baresip dials sipp on 127.0.0.1.

Each test runs one sipp scenario from tests/telephony/scenarios and checks what the dialer
reported and what really happened on the wire (sipp's message log, RTP packets at our socket).
"""

from __future__ import annotations

import os
import queue
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.speech import prepare_for_phone
from desktop.telephony.baresip import (
    BaresipNotInstalled,
    BaresipOptions,
    CallEvent,
    RegistrationFailed,
    SipDialer,
    registration_status,
)
from desktop.telephony.baresip_setup import render_config
from desktop.telephony.call_states import CallState
from desktop.telephony.dialers import DialError
from desktop.telephony.sip_account import parse_sip_account
from tests.telephony.sipp_peer import DIAL_NUMBER, SIP_PASSWORD, SippPeer, tone_wav, wait_for

Peer = Callable[[str], SippPeer]
MakeDialer = Callable[..., SipDialer]


def kinds_until_end(events: queue.Queue[CallEvent], timeout: float = 15) -> list[CallEvent]:
    seen: list[CallEvent] = []
    while True:
        event = events.get(timeout=timeout)
        seen.append(event)
        if event.kind == "ended":
            return seen


def names(events: list[CallEvent]) -> list[str]:
    return [event.kind for event in events]


def test_sip_voicemail_drop_audio_reaches_the_callee(
    sipp: Peer, dialer_for: MakeDialer, tmp_path: Path
) -> None:
    peer = sipp("answer.xml")
    dialer = dialer_for(peer.registering_account)
    events = dialer.subscribe()
    message = prepare_for_phone(tone_wav(tmp_path / "message.wav", 2.0), tmp_path / "cache")
    dialer.add_listener(lambda e: dialer.drop_voicemail(message) if e.kind == "connected" else None)

    dialer.dial(DIAL_NUMBER)
    seen = kinds_until_end(events)

    assert names(seen) == [
        "backend_started",
        "registered",
        "dialling",
        "ringing",
        "connected",
        "voicemail_started",
        "voicemail_finished",
        "ended",
    ]
    final = seen[-1].call
    assert final is not None
    assert (final.result, final.sip_code, final.reason) == ("answered", 200, "end of file")
    assert final.duration_s == pytest.approx(2.0, abs=0.5)
    assert final.ringing_at is not None and final.connected_at is not None
    # 2 s of audio at 50 packets a second, give or take the silence before the switch.
    assert wait_for(lambda: peer.rtp.audio_packets >= 90, 2), peer.rtp.by_type
    # We hung up when the message ended (sipp writes its log a moment later).
    assert wait_for(lambda: any(line.startswith("BYE ") for line in peer.requests()), 3), peer.requests()
    assert peer.requests()[:2] == [f"REGISTER sip:127.0.0.1:{peer.port} SIP/2.0", "SIP/2.0 200 OK"]
    assert all(SIP_PASSWORD not in (e.detail + str(e.call)) for e in seen)


def test_sip_busy(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("busy.xml")
    dialer = dialer_for(peer.account)
    dialer.dial(DIAL_NUMBER)
    final = dialer.wait_until_ended(10)
    assert final is not None
    assert (final.state, final.result, final.sip_code) == (CallState.BUSY, "busy", 486)
    assert final.suggested_outcome == "busy"


def test_sip_unknown_number_suggests_wrong_number(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("not_found.xml")
    dialer = dialer_for(peer.account)
    dialer.dial(DIAL_NUMBER)
    final = dialer.wait_until_ended(10)
    assert final is not None
    assert (final.result, final.sip_code, final.suggested_outcome) == ("rejected", 404, "wrong_number")


def test_sip_no_answer_after_the_ring_time(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("no_answer.xml")
    # The product never rings less than 15 s; the test peer allows a short ring to keep the suite fast.
    dialer = dialer_for(peer.account, ring_timeout_s=1.5)
    events = dialer.subscribe()
    dialer.dial(DIAL_NUMBER)
    seen = kinds_until_end(events)
    final = seen[-1].call
    assert final is not None and names(seen)[-2:] == ["ringing", "ended"]
    assert (final.state, final.result, final.suggested_outcome) == (
        CallState.NO_ANSWER,
        "no_answer",
        "no_answer",
    )
    assert final.ended_at is not None and final.ringing_at is not None
    assert (final.ended_at - final.dialled_at).total_seconds() == pytest.approx(1.5, abs=0.6)
    assert wait_for(lambda: any(r.startswith("CANCEL ") for r in peer.requests()), 2)


def test_sip_product_ring_time_has_a_minimum() -> None:
    account = parse_sip_account("sip:alice@127.0.0.1:5060;regint=0")
    with pytest.raises(ValueError, match="at least 15 seconds"):
        SipDialer(account, ring_timeout_s=5)


def test_sip_digest_auth_on_invite(sipp: Peer, dialer_for: MakeDialer, tmp_path: Path) -> None:
    peer = sipp("auth_invite.xml")
    dialer = dialer_for(peer.account)
    message = prepare_for_phone(tone_wav(tmp_path / "short.wav", 0.5), tmp_path / "cache")
    dialer.add_listener(lambda e: dialer.drop_voicemail(message) if e.kind == "connected" else None)
    dialer.dial(DIAL_NUMBER)
    final = dialer.wait_until_ended(10)
    assert final is not None and final.result == "answered"
    assert wait_for(lambda: len([r for r in peer.requests() if r.startswith("INVITE ")]) == 2, 3)
    assert "SIP/2.0 401 Unauthorized" in peer.requests()
    # sipp checked the digest (a wrong one is answered 403, never 180/200).
    assert "SIP/2.0 403 Forbidden" not in peer.requests()

    wrong = sipp("auth_invite.xml")
    impostor = dialer_for(wrong.account.replace(SIP_PASSWORD, "wrong-password"))
    impostor.dial(DIAL_NUMBER)
    refused = impostor.wait_until_ended(10)
    assert refused is not None and (refused.result, refused.sip_code) == ("rejected", 403)


def test_sip_callee_hangs_up_first(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("callee_hangs_up.xml")
    dialer = dialer_for(peer.account)
    dialer.dial(DIAL_NUMBER)
    final = dialer.wait_until_ended(10)
    assert final is not None
    assert (final.state, final.result, final.hung_up_locally) == (CallState.ENDED, "answered", False)
    assert final.duration_s == pytest.approx(1.5, abs=0.5)
    assert wait_for(lambda: any(r.startswith("BYE ") for r in peer.requests()), 3)
    assert peer.rtp.audio_packets > 30  # our (silent) audio flowed while the call was up


def test_sip_extension_dtmf_mute_hold_hang_up(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("answer.xml")
    dialer = dialer_for(peer.account, extension_pause_s=0.3)
    events = dialer.subscribe()
    dialer.dial(DIAL_NUMBER, extension="204")
    assert wait_for(lambda: dialer.call is not None and dialer.call.state is CallState.CONNECTED, 5)
    with pytest.raises(DialError, match="already in progress"):
        dialer.dial(DIAL_NUMBER)
    # RFC 4733 events: 2, 0, 4 after the pause, then '#' (event 11) on demand.
    assert wait_for(lambda: peer.rtp.dtmf_events[:3] == [2, 0, 4], 5), peer.rtp.dtmf_events
    dialer.send_dtmf("#")
    assert wait_for(lambda: peer.rtp.dtmf_events == [2, 0, 4, 11], 3), peer.rtp.dtmf_events
    with pytest.raises(DialError, match="touch tones"):
        dialer.send_dtmf("12x")
    dialer.set_muted(True)
    assert dialer.muted
    dialer.set_muted(True)  # already muted: baresip's toggle is not sent again
    dialer.set_muted(False)
    dialer.hold()
    assert dialer.on_hold
    dialer.resume()
    dialer.hang_up()
    seen = kinds_until_end(events)
    assert [k for k in names(seen) if k not in ("backend_started", "dialling", "ringing")] == [
        "connected",
        "extension_sent",
        "dtmf_sent",
        "muted",
        "unmuted",
        "on_hold",
        "resumed",
        "ended",
    ]
    final = seen[-1].call
    assert final is not None and final.result == "answered" and final.hung_up_locally
    with pytest.raises(DialError, match="no connected call"):
        dialer.send_dtmf("1")


def test_sip_registrar_refuses_registration(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("register_forbidden.xml")
    dialer = dialer_for(peer.registering_account)
    events = dialer.subscribe()
    with pytest.raises(RegistrationFailed, match="403 Forbidden"):
        dialer.dial(DIAL_NUMBER)
    assert not dialer.running
    assert wait_for(lambda: "SIP/2.0 403 Forbidden" in peer.requests(), 3)
    assert not any(r.startswith("INVITE ") for r in peer.requests())
    seen = [events.get(timeout=2) for _ in range(2)]
    assert names(seen) == ["backend_started", "registration_failed"]


def test_sip_killed_baresip_is_reported_and_restarts(
    sipp: Peer, dialer_for: MakeDialer, tmp_path: Path
) -> None:
    peer = sipp("answer.xml")
    dialer = dialer_for(peer.account)
    events = dialer.subscribe()
    dialer.dial(DIAL_NUMBER)
    assert wait_for(lambda: dialer.call is not None and dialer.call.state is CallState.CONNECTED, 5)
    first_pid = dialer.pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)

    seen = kinds_until_end(events, timeout=5)
    final = seen[-1].call
    assert final is not None and (final.state, final.result) == (CallState.FAILED, "failed")
    assert "killed by signal 9" in final.reason
    down = events.get(timeout=2)
    assert down.kind == "backend_down" and "signal 9" in down.detail
    assert not dialer.running
    with pytest.raises(DialError, match="no connected call"):
        dialer.hold()

    # The next call starts a fresh baresip by itself.
    message = prepare_for_phone(tone_wav(tmp_path / "short.wav", 0.5), tmp_path / "cache")
    dialer.add_listener(lambda e: dialer.drop_voicemail(message) if e.kind == "connected" else None)
    dialer.dial(DIAL_NUMBER)
    assert dialer.pid not in (None, first_pid)
    again = dialer.wait_until_ended(10)
    assert again is not None and again.result == "answered"


def test_sip_leaves_no_files_and_no_password_behind(sipp: Peer, dialer_for: MakeDialer) -> None:
    peer = sipp("answer.xml")
    dialer = dialer_for(peer.account)
    dialer.start()
    process = dialer._process  # noqa: SLF001 - the folder is an implementation detail worth checking
    assert process is not None
    # baresip read its configuration at start; the folder (never holding the password) is gone.
    assert process.config_dir is None
    assert SIP_PASSWORD not in process.output_tail(60)
    pid = dialer.pid
    dialer.close()
    assert pid is not None and not Path(f"/proc/{pid}").exists()
    with pytest.raises(DialError, match="closed"):
        dialer.dial(DIAL_NUMBER)


def test_sip_config_files_are_private_and_hold_no_password(sipp: Peer, tmp_path: Path) -> None:
    account = parse_sip_account(sipp("answer.xml").account)
    config = render_config(BaresipOptions(), account, 40000, tmp_path)
    assert "ctrl_tcp_listen\t\t127.0.0.1:40000" in config and SIP_PASSWORD not in config


def test_sip_missing_baresip_names_the_package(quiet_audio: BaresipOptions) -> None:
    options = BaresipOptions(**{**quiet_audio.__dict__, "executable": "baresip-not-installed-here"})
    dialer = SipDialer(parse_sip_account("sip:alice@127.0.0.1:5060;regint=0"), options)
    try:
        with pytest.raises(BaresipNotInstalled, match=r"sudo apt-get install baresip-core"):
            dialer.dial(DIAL_NUMBER)
    finally:
        dialer.close()


def test_sip_config_for_a_remote_provider_does_not_pin_loopback(tmp_path: Path) -> None:
    account = parse_sip_account("sip:1001@sip.example.com;auth_pass=x")
    config = render_config(BaresipOptions(), account, 40000, tmp_path)
    assert "ctrl_tcp_listen\t\t127.0.0.1:40000" in config
    assert "sip_listen" not in config and "net_interface" not in config
    assert "module\t\t\talsa.so" in config


def test_sip_registration_status_parsing() -> None:
    ok = "\n--- User Agents (1) ---\n> sip:alice@127.0.0.1:5099   \x1b[32mOK \x1b[;m  Expires 3755s\n\n"
    failed = "\n--- User Agents (1) ---\n> sip:alice@127.0.0.1:5099   \x1b[31mERR\x1b[;m  Expires 0s\n"
    pending = "> sip:alice@127.0.0.1:5099   \x1b[33mzzz\x1b[;m\n"
    assert registration_status(ok) == "ok"
    assert registration_status(failed) == "failed"
    assert registration_status(pending) == "pending"
    assert registration_status("\n--- User Agents (1) ---\n> sip:alice@127.0.0.1:5099\n") == "none"
