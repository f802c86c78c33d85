"""What the SIP backend reports and the small readers of baresip's text it relies on.

`CallEvent` is what listeners of `SipDialer` receive. The helpers read baresip's human-oriented
output (`reginfo`, log lines) and check what is about to be sent (touch tones, message files).
"""

from __future__ import annotations

import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop.telephony.baresip_setup import BaresipError
from desktop.telephony.call_states import CallSnapshot
from desktop.telephony.dialers import DialError

DTMF_DIGITS = frozenset("0123456789*#ABCD")
DEFAULT_EXTENSION_PAUSE_S = 2.0
# A comma in an extension is a further pause, as on desk phones ("204,,1" waits before the 1).
COMMA_PAUSE_S = 1.0
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class RegistrationFailed(BaresipError):
    """The registrar refused the account or never answered; no call can be placed with it."""


@dataclass(frozen=True, slots=True)
class CallEvent:
    """Something that happened: `kind` names it, `call` is the call as it stands after it.

    Kinds: backend_started, registered, registration_failed, backend_down, dialling, ringing,
    connected, extension_sent, dtmf_sent, voicemail_started, voicemail_finished, muted, unmuted,
    on_hold, resumed, ended.
    """

    kind: str
    at: datetime
    call: CallSnapshot | None = None
    detail: str = ""


Listener = Callable[[CallEvent], None]


def registration_status(reginfo: str) -> str:
    """Read baresip's `reginfo` text: "ok", "failed", "pending", or "none" (an account that does not
    register)."""
    text = _ANSI.sub("", reginfo)
    if re.search(r"\bERR\b", text):
        return "failed"
    if re.search(r"\bzzz\b", text):
        return "pending"
    if re.search(r"\bOK\b", text):
        return "ok"
    return "none"


def now_utc() -> datetime:
    return datetime.now(UTC)


def check_phone_wav(path: Path) -> None:
    """DialError unless `path` is the 8 kHz mono 16-bit WAV baresip plays into a PCMU/PCMA call."""
    try:
        with wave.open(str(path), "rb") as wav:
            shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
    except (OSError, EOFError, wave.Error) as error:
        raise DialError(f"cannot read the voicemail message {path}: {error}") from None
    if shape != (8000, 1, 2):
        raise DialError(
            f"the voicemail message {path} is {shape[0]} Hz, {shape[1]} channel(s), {8 * shape[2]}-bit; "
            "prepare it first (desktop.speech.prepare_for_phone) to 8000 Hz mono 16-bit"
        )


def check_digits(digits: str) -> None:
    bad = sorted(set(digits.upper()) - DTMF_DIGITS)
    if not digits or bad:
        raise DialError(f"touch tones are 0-9, *, #, A-D; cannot send {''.join(bad) or 'nothing'}")


def registrar_reason(output: str) -> str:
    """The registrar's answer ("403 Forbidden") as baresip printed it, when it did."""
    for line in reversed(output.splitlines()):
        match = re.search(r"\b([3-6]\d\d [A-Za-z][\w ]*)", line)
        if match and "reg" in line.lower():
            return match.group(1).strip()
    return ""
