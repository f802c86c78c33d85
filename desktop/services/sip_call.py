"""One call placed from the command line (`dialdesk call`) with the built-in SIP backend.

The command reads its account and audio options from arguments, not from the saved settings, so it
has its own small service: `sip_call_dialer()` checks the options and builds the dialer, and
`SipCall.place()` sends the call through the gate (`CallingService.start_call`, marked
`prerecorded` when a message is to be played) and, when the gate allowed it, plays the message as
soon as the callee answers — the decision and the play in one call, so the command never touches the
dialer itself. Events come as a queue for the command to print.
"""

from __future__ import annotations

import os
import queue
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.services.calling import CallingError, CallStarted
from desktop.speech import silence_wav
from desktop.telephony.baresip import BaresipNotInstalled, BaresipOptions, CallEvent, SipDialer, find_baresip
from desktop.telephony.call_states import (
    DEFAULT_RING_TIMEOUT_S,
    MIN_RING_TIMEOUT_S,
    CallSnapshot,
    validate_ring_timeout,
)
from desktop.telephony.dialers import DialError
from desktop.telephony.sip_account import SipAccountError, parse_sip_account

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

__all__ = [
    "DEFAULT_RING_TIMEOUT_S",
    "MIN_RING_TIMEOUT_S",
    "CallEvent",
    "CallSnapshot",
    "SipCall",
    "SipCallOptionError",
    "SipCallUnavailable",
    "check_installed",
    "sip_call_dialer",
]


class SipCallOptionError(ValueError):
    """An option of the command is wrong (the user's input: exit 2)."""


class SipCallUnavailable(Exception):
    """The call cannot be placed for a reason outside the input (no baresip: exit 3)."""


def check_installed() -> None:
    """SipCallUnavailable when baresip is not installed."""
    try:
        find_baresip()
    except BaresipNotInstalled as error:
        raise SipCallUnavailable(str(error)) from None


def sip_call_dialer(
    account_text: str,
    ring_timeout: float,
    extension_pause: float,
    audio_source: str | None,
    audio_player: str | None,
    voicemail: Path | None,
    account_env: str,
) -> SipDialer:
    """The dialer for one command-line call; SipCallOptionError names the option that is wrong."""
    try:
        ring_timeout = validate_ring_timeout(ring_timeout)
    except ValueError as error:
        raise SipCallOptionError(f"--ring-timeout: {error}") from None
    if extension_pause < 0:
        raise SipCallOptionError("--extension-pause must not be negative")
    if not account_text:
        raise SipCallOptionError(
            f"the SIP backend needs an account: --sip-account 'sip:user@host;auth_pass=…' or ${account_env}"
        )
    try:
        account = parse_sip_account(account_text)
    except SipAccountError as error:
        raise SipCallOptionError(f"--sip-account: {error}") from None
    source, player = audio_source, audio_player
    if voicemail is not None:
        # Nobody talks on a voicemail drop: silence until the answer, and the callee is not played.
        source = source or f"aufile,{silence_wav(ring_timeout + 60)}"
        player = player or ("aufile,/dev/null" if os.name == "posix" else None)
    defaults = BaresipOptions()
    options = BaresipOptions(
        audio_source=source or defaults.audio_source, audio_player=player or defaults.audio_player
    )
    return SipDialer(account, options, ring_timeout_s=ring_timeout, extension_pause_s=extension_pause)


class SipCall:
    """One gated call on `dialer`: place it, follow its events, hang up, close."""

    def __init__(self, workspace: Workspace, dialer: SipDialer, voicemail: Path | None = None) -> None:
        self._workspace = workspace
        self._dialer = dialer
        self._voicemail = voicemail
        self.events: queue.Queue[CallEvent] = dialer.subscribe()
        self.failures: list[str] = []

    def place(self, lead_id: int | None, number: str | None) -> CallStarted:
        """Dial through the gate (GateRefused / CallingError as `start_call`); an allowed call with a
        message plays it when the callee answers."""
        voicemail = self._voicemail
        if voicemail is not None:
            self._dialer.add_listener(lambda event: self._drop_on_answer(event, voicemail))
        self._workspace.use_dialer(self._dialer)
        return self._workspace.calling.start_call(lead_id, number=number, prerecorded=voicemail is not None)

    def _drop_on_answer(self, event: CallEvent, voicemail: Path) -> None:
        # Only a call the gate allowed (as prerecorded, in place()) can connect on this dialer.
        if event.kind != "connected":
            return
        try:
            self._dialer.drop_voicemail(voicemail)
        except DialError as error:
            self.failures.append(str(error))
            self._dialer.hang_up()

    @staticmethod
    def not_placed(error: CallingError) -> bool:
        """True when `error` says the backend could not place the call (rather than a bug of ours)."""
        return isinstance(error.__cause__, DialError)

    @property
    def call(self) -> CallSnapshot | None:
        return self._dialer.call

    def hang_up(self) -> None:
        self._dialer.hang_up()

    def close(self) -> None:
        """Stop baresip (ends a call for sure) and give the workspace its own dialer back."""
        self._workspace.use_dialer(None)
        self._dialer.close()
