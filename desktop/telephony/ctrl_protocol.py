"""baresip's `ctrl_tcp` wire format: JSON carried in netstrings (`LENGTH:PAYLOAD,`).

Pure code with no sockets and no threads so it can be tested byte by byte: `NetstringDecoder`
reassembles messages from reads of any size, `encode_command` builds a command, `parse_message`
turns one payload into a `CtrlResponse` (the answer to a command, matched by token) or a
`CtrlEvent` (something that happened: a call rang, closed, a registration failed …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# baresip's own messages are a few kilobytes at most (the help text is the longest); a bigger
# length prefix means the stream is out of step, and waiting for it would hang the reader.
MAX_MESSAGE_BYTES = 1 << 20


class ProtocolError(Exception):
    """The byte stream from baresip is not a netstring/JSON stream; the connection is unusable."""


class NetstringDecoder:
    """Turns a stream of reads into whole netstring payloads, whatever the read boundaries."""

    def __init__(self, max_length: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._max_length = max_length

    def feed(self, data: bytes) -> list[bytes]:
        """Add one read; return every payload it completes (none, one or several), in order."""
        self._buffer.extend(data)
        payloads: list[bytes] = []
        while True:
            colon = self._buffer.find(b":")
            if colon < 0:
                # A length prefix is a handful of digits: anything else can never become a message.
                waiting = bytes(self._buffer)
                if waiting and (not waiting.isdigit() or len(waiting) > len(str(self._max_length))):
                    raise ProtocolError(f"no netstring length prefix in {waiting[:20]!r}")
                return payloads
            prefix = bytes(self._buffer[:colon])
            if not prefix.isdigit() or (len(prefix) > 1 and prefix.startswith(b"0")):
                raise ProtocolError(f"bad netstring length {prefix[:20]!r}")
            length = int(prefix)
            if length > self._max_length:
                raise ProtocolError(f"netstring of {length} bytes is longer than {self._max_length}")
            end = colon + 1 + length
            if len(self._buffer) < end + 1:
                return payloads
            if self._buffer[end] != ord(","):
                raise ProtocolError("netstring does not end with ','")
            payloads.append(bytes(self._buffer[colon + 1 : end]))
            del self._buffer[: end + 1]

    @property
    def pending(self) -> int:
        """Bytes received that do not yet make a whole message."""
        return len(self._buffer)


def encode_netstring(payload: bytes) -> bytes:
    return str(len(payload)).encode("ascii") + b":" + payload + b","


def encode_command(command: str, params: str | None = None, token: str | None = None) -> bytes:
    """One ctrl_tcp command, ready to send: `{"command": "dial", "params": "sip:…", "token": "t1"}`."""
    message: dict[str, str] = {"command": command}
    if params is not None:
        message["params"] = params
    if token is not None:
        message["token"] = token
    return encode_netstring(json.dumps(message, ensure_ascii=False).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class CtrlResponse:
    """baresip's answer to one command; `data` is the menu's text output (often empty)."""

    ok: bool
    data: str
    token: str | None


@dataclass(frozen=True, slots=True)
class CtrlEvent:
    """One event from baresip (`type` such as CALL_RINGING); `call_id` is empty for UA-wide events."""

    type: str
    event_class: str
    param: str
    call_id: str
    peer_uri: str
    account_aor: str
    direction: str
    raw: dict[str, Any]


CtrlMessage = CtrlResponse | CtrlEvent


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def parse_message(payload: bytes) -> CtrlMessage:
    """Read one netstring payload; raises ProtocolError for anything that is not one of the two kinds."""
    try:
        message = json.loads(payload.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as error:
        raise ProtocolError(f"not JSON: {error}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a ctrl_tcp message must be a JSON object")
    if message.get("event") is True:
        return CtrlEvent(
            type=_text(message.get("type")),
            event_class=_text(message.get("class")),
            param=_text(message.get("param")),
            call_id=_text(message.get("id")),
            peer_uri=_text(message.get("peeruri")),
            account_aor=_text(message.get("accountaor")),
            direction=_text(message.get("direction")),
            raw=message,
        )
    if message.get("response") is True:
        token = message.get("token")
        return CtrlResponse(
            ok=message.get("ok") is True,
            data=_text(message.get("data")),
            token=token if isinstance(token, str) else None,
        )
    raise ProtocolError("a ctrl_tcp message is neither an event nor a response")
