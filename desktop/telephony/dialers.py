"""The `Dialer` protocol and the first two backends: Manual and Hand-off (tel:/sip: links).

Nothing here decides whether a number may be called: `services.calling` asks the gate first and is
the only caller of `dial()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from urllib.parse import quote


class DialError(Exception):
    """The backend could not place the call; the message is meant for the user."""


class Dialer(Protocol):
    """Places and ends calls to numbers the gate has already allowed."""

    name: str

    def dial(self, e164: str, extension: str | None = None) -> None: ...

    def hang_up(self) -> None: ...


class ManualDialer:
    """The agent dials on a desk phone; the app only times the call."""

    name = "manual"

    def dial(self, e164: str, extension: str | None = None) -> None:
        return None

    def hang_up(self) -> None:
        return None


UrlOpener = Callable[[str], bool]


def call_uri(scheme: str, e164: str, extension: str | None = None, sip_domain: str = "") -> str:
    """The URI a phone app or softphone opens: tel:+14155550101;ext=204 or sip:+1415…@domain."""
    if scheme == "tel":
        uri = f"tel:{e164}"
        return f"{uri};ext={quote(extension)}" if extension else uri
    if scheme == "sip":
        user = quote(e164, safe="+")
        return f"sip:{user}@{sip_domain}" if sip_domain else f"sip:{user}"
    raise ValueError(f"unknown call URI scheme {scheme!r}")


class HandoffDialer:
    """Hands the number to the desktop's URL handler (a phone app, Teams, Zoom Phone, a softphone)."""

    def __init__(self, open_url: UrlOpener, scheme: str = "tel", sip_domain: str = "") -> None:
        self._open_url = open_url
        self.scheme = scheme
        self.sip_domain = sip_domain
        self.name = f"handoff_{scheme}"
        self.last_uri: str | None = None

    def dial(self, e164: str, extension: str | None = None) -> None:
        uri = call_uri(self.scheme, e164, extension, self.sip_domain)
        self.last_uri = uri
        if not self._open_url(uri):
            raise DialError(
                f"no application on this computer opens {self.scheme}: links; install a phone app or "
                "softphone, or choose the Manual backend in Settings"
            )

    def hang_up(self) -> None:
        # The other application owns the call; the agent hangs up there.
        return None
