"""`dialdesk call`: place one call with the built-in SIP backend (baresip), through the dial gate.

The call goes through `workspace.calling.start_call()` like every other dial: the gate decides and
records first, and only an allowed call reaches the SIP dialer. The command then follows the call
and prints its events and its end (as JSON lines with --json):

    {"event": "allowed", "attempt_id": 12, "number": "+12125550134"}
    {"event": "ringing", "at": "…"}
    {"final": "answered", "duration_s": 6.1, "sip_code": 200, …}

Exit codes: 0 the call was placed (whatever its result); 1 the gate blocked it; 2 bad input;
3 it could not be placed (no baresip, registration refused, network or backend error).
The SIP password (in --sip-account or $DIALDESK_SIP_ACCOUNT) is never printed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import queue
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    CliError,
    Subparsers,
    print_json,
    record_id,
    say_blocked,
)

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

EXIT_NOT_PLACED = 3
ACCOUNT_ENV = "DIALDESK_SIP_ACCOUNT"
# Events worth a line; backend_started and the like are diagnostics, not call progress.
SHOWN_EVENTS = (
    "registered",
    "registration_failed",
    "dialling",
    "ringing",
    "connected",
    "extension_sent",
    "voicemail_started",
    "voicemail_finished",
    "backend_down",
)
HUMAN = {
    "registered": "Registered",
    "registration_failed": "Registration refused",
    "dialling": "Dialling",
    "ringing": "Ringing",
    "connected": "Connected",
    "extension_sent": "Extension sent",
    "voicemail_started": "Playing the voicemail message",
    "voicemail_finished": "Voicemail message finished",
    "backend_down": "The SIP backend stopped",
}


def register(commands: Subparsers) -> None:
    from desktop.services.ring_time import DEFAULT_RING_TIMEOUT_S, MIN_RING_TIMEOUT_S

    call = commands.add_parser(
        "call",
        help="place a call with the built-in SIP backend (baresip), through the dial gate",
        description=(
            "Place one call through the dial gate with baresip and follow it until it ends. "
            "Exit 0: placed (whatever the result); 1: blocked by the gate; 2: bad input; "
            "3: could not be placed."
        ),
    )
    target = call.add_mutually_exclusive_group(required=True)
    target.add_argument("number", nargs="?", metavar="NUMBER", help="the number to call (E.164 or national)")
    target.add_argument("--lead", type=record_id, metavar="ID", help="call this lead's first dialable number")
    call.add_argument("--backend", choices=("sip",), default="sip", help="dialling backend (only sip here)")
    message = call.add_mutually_exclusive_group()
    message.add_argument("--voicemail", metavar="FILE.wav", help="play this message when the call connects")
    message.add_argument("--voicemail-text", metavar="TEXT", help="speak this text when the call connects")
    call.add_argument(
        "--ring-timeout",
        type=float,
        default=DEFAULT_RING_TIMEOUT_S,
        metavar="S",
        help=f"give up after S seconds of ringing (default {DEFAULT_RING_TIMEOUT_S:g}, "
        f"at least {MIN_RING_TIMEOUT_S:g})",
    )
    call.add_argument(
        "--sip-account",
        metavar="ACCOUNT",
        help="'sip:user@host:port;auth_pass=…;regint=0' (default: $DIALDESK_SIP_ACCOUNT, which keeps "
        "the password out of the process list)",
    )
    call.add_argument(
        "--extension-pause",
        type=float,
        default=2.0,
        metavar="S",
        help="seconds to wait after the answer before sending the lead's extension (default 2)",
    )
    call.add_argument("--audio-source", metavar="MODULE,DEVICE", help="baresip audio source (default alsa)")
    call.add_argument("--audio-player", metavar="MODULE,DEVICE", help="baresip audio player (default alsa)")
    call.add_argument(
        "--max-duration", type=float, metavar="S", help="hang up an answered call after S seconds"
    )
    call.add_argument("--json", action="store_true", help="print JSON lines")
    call.set_defaults(handler=place_call)


def _say(args: argparse.Namespace, data: dict[str, Any], text: str, error: bool = False) -> None:
    if args.json:
        print_json(data)
    else:
        print(text, file=sys.stderr if error else sys.stdout)
    sys.stdout.flush()


def _not_placed(args: argparse.Namespace, message: str, attempt_id: int | None = None) -> int:
    data: dict[str, Any] = {"placed": False, "error": message}
    if attempt_id is not None:
        data["attempt_id"] = attempt_id
    if args.json:
        print_json(data)
    print(f"dialdesk: the call could not be placed: {message}", file=sys.stderr)
    return EXIT_NOT_PLACED


def _voicemail_file(args: argparse.Namespace) -> Path | None:
    """The phone-ready message to play, prepared before dialling (rendering takes seconds)."""
    from desktop.speech import AudioError, SpeechError, prepare_for_phone, render_wav
    from desktop.speech.phone_audio import default_cache_dir

    try:
        if args.voicemail:
            source = Path(args.voicemail)
            if not source.is_file():
                raise CliError(f"--voicemail: no such file {source}")
            return prepare_for_phone(source)
        if args.voicemail_text is not None:
            key = hashlib.sha256(args.voicemail_text.encode("utf-8")).hexdigest()[:24]
            spoken = default_cache_dir() / f"tts-{key}.wav"
            if not spoken.exists():
                render_wav(args.voicemail_text, spoken)
            return prepare_for_phone(spoken)
    except AudioError as error:
        raise CliError(str(error)) from None
    except SpeechError as error:
        raise _CannotPlace(str(error)) from None
    return None


class _CannotPlace(Exception):
    """Something outside the user's input stops the call (exit 3)."""


def _sip_call(workspace: Workspace, args: argparse.Namespace, voicemail: Path | None) -> Any:
    from desktop.services.sip_call import SipCall, SipCallOptionError, sip_call_dialer

    try:
        dialer = sip_call_dialer(
            args.sip_account or os.environ.get(ACCOUNT_ENV, ""),
            args.ring_timeout,
            args.extension_pause,
            args.audio_source,
            args.audio_player,
            voicemail,
            ACCOUNT_ENV,
        )
    except SipCallOptionError as error:
        raise CliError(str(error)) from None
    return SipCall(workspace, dialer, voicemail)


def place_call(workspace: Workspace, args: argparse.Namespace) -> int:
    from desktop.services.calling import CallingError, GateRefused
    from desktop.services.sip_call import SipCallUnavailable, check_installed

    try:
        check_installed()
    except SipCallUnavailable as error:
        return _not_placed(args, str(error))
    try:
        voicemail = _voicemail_file(args)
    except _CannotPlace as error:
        return _not_placed(args, str(error))
    call = _sip_call(workspace, args, voicemail)
    events = call.events
    try:
        try:
            started = call.place(args.lead, args.number)
        except GateRefused as refused:
            return _blocked(args, refused)
        except CallingError as error:
            if call.not_placed(error):
                _print_backlog(args, events)
                return _not_placed(args, str(error))
            raise
        # The gate decided before anything was dialled, so its line comes first.
        _say(
            args,
            {"event": "allowed", "attempt_id": started.attempt_id, "number": started.number},
            f"Call #{started.attempt_id} to {started.number} allowed by the gate",
        )
        snapshot = _follow(args, call, events)
        workspace.calling.hang_up(started.attempt_id)
        _final(args, snapshot, started.attempt_id, call.failures)
        return EXIT_OK
    finally:
        call.close()


def _blocked(args: argparse.Namespace, refused: Any) -> int:
    decision = refused.decision
    reasons = [{"code": r.code, "detail": r.detail} for r in decision.reasons]
    if args.json:
        print_json(
            {
                "allowed": False,
                "number": decision.number,
                "reasons": reasons,
                "attempt_id": refused.attempt_id,
            }
        )
    say_blocked(decision.number, decision.reasons)
    return EXIT_BLOCKED


def _show(args: argparse.Namespace, event: Any) -> None:
    if event.kind not in SHOWN_EVENTS:
        return
    data: dict[str, Any] = {"event": event.kind, "at": event.at.isoformat()}
    text = HUMAN[event.kind]
    if event.kind == "dialling":
        data["uri"] = event.detail
        text += f" {event.detail}"
    elif event.kind in ("registration_failed", "backend_down", "extension_sent"):
        data["detail"] = event.detail
        text += f": {event.detail}"
    _say(args, data, text)


def _print_backlog(args: argparse.Namespace, events: queue.Queue[Any]) -> None:
    time.sleep(0.05)  # the notifier thread delivers asynchronously
    while True:
        try:
            _show(args, events.get_nowait())
        except queue.Empty:
            return


def _follow(args: argparse.Namespace, call: Any, events: queue.Queue[Any]) -> Any:
    """Print events until the call ends; Ctrl-C (or --max-duration) hangs up and waits for the end."""
    hung_up_at: float | None = None
    connected_at: float | None = None
    while True:
        try:
            try:
                event = events.get(timeout=0.2)
            except queue.Empty:
                event = None
            now = time.monotonic()
            if event is not None:
                _show(args, event)
                if event.kind == "connected":
                    connected_at = now
                if event.kind == "ended":
                    return event.call
            if args.max_duration and connected_at and now - connected_at > args.max_duration:
                hung_up_at = hung_up_at or _hang_up(call)
            if hung_up_at is not None and now - hung_up_at > 10:
                # baresip never confirmed the end: stopping it ends the call for sure.
                call.close()
                return call.call
        except KeyboardInterrupt:
            hung_up_at = hung_up_at or _hang_up(call)


def _hang_up(call: Any) -> float:
    call.hang_up()
    return time.monotonic()


def _final(args: argparse.Namespace, snapshot: Any, attempt_id: int, failures: list[str]) -> None:
    duration = snapshot.duration_s if snapshot is not None else None
    data: dict[str, Any] = {
        "final": snapshot.result if snapshot is not None else "failed",
        "duration_s": round(duration, 1) if duration is not None else 0.0,
        "sip_code": snapshot.sip_code if snapshot is not None else None,
        "reason": snapshot.reason if snapshot is not None else "",
        "suggested_outcome": snapshot.suggested_outcome if snapshot is not None else None,
        "voicemail_played": bool(snapshot is not None and snapshot.voicemail_finished),
        "attempt_id": attempt_id,
    }
    if failures:
        data["error"] = "; ".join(failures)
    text = f"Call ended: {data['final']}"
    if duration is not None:
        text += f" after {duration:.1f} s"
    if data["reason"]:
        text += f" ({data['reason']})"
    if data["suggested_outcome"]:
        text += f"; suggested outcome: {data['suggested_outcome']}"
    _say(args, data, text)
