"""A SIP account as the user types it, checked and turned into baresip's account line.

The password lives only in this object (never in its repr), in the 0600 account file baresip
reads, and nowhere else: `redacted()` is what may be shown or logged.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote

TRANSPORTS = ("udp", "tcp", "tls")
# User part of a SIP URI: unreserved characters, escapes and the user-part punctuation of RFC 3261.
_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)$")
_PARAM_NAME = re.compile(r"^[a-z_]+$")
# Characters that would break baresip's account line or the file it reads (one account per line,
# `;` separates parameters).
_UNSAFE_VALUE = re.compile(r"[\x00-\x1f\x7f;<>\"]")


class SipAccountError(ValueError):
    """The account text cannot be used; the message says what to fix (and never shows the password)."""


@dataclass(frozen=True)
class SipAccount:
    """One SIP account: who we are, where the registrar is, and how to authenticate."""

    user: str
    host: str
    port: int | None = None
    transport: str | None = None
    password: str = field(default="", repr=False)
    auth_user: str | None = None
    # None: baresip's default interval (register); 0: do not register (a trunk or a test peer).
    regint: int | None = None
    extra_params: tuple[tuple[str, str], ...] = ()
    # Sent as the From display name: the caller ID name telemarketing rules require (no quotes, no '<').
    display_name: str = ""
    # The caller ID number (E.164) calls of a registering account show: see `dialling_account`.
    caller_id_user: str | None = None

    @property
    def registers(self) -> bool:
        return self.regint != 0

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}" if self.port else self.host

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.hostport}"

    @property
    def is_loopback(self) -> bool:
        """The peer is on this machine (tests, a local PBX): baresip then binds 127.0.0.1 only."""
        host = self.host.strip("[]")
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def dialling_account(self) -> SipAccount | None:
        """The second, non-registering account calls go out through when a registering account has a
        caller ID number; None when calls go out through this account itself.

        baresip 1.0 puts the account's address of record in From and cannot add a header of our own
        (`uaaddheader` came with 2.0): the registered account keeps its own user in REGISTER (and gets
        the incoming calls), while this twin, with the caller ID as its user, authenticating as the
        registered user and never registering, sends the INVITEs; baresip's `uafind` chooses it."""
        if not self.registers or not self.caller_id_user or self.caller_id_user == self.user:
            return None
        login = self.auth_user or self.user
        return replace(self, user=self.caller_id_user, auth_user=login, regint=0, caller_id_user=None)

    def dial_uri(self, number: str) -> str:
        """The SIP URI for a number through this account's domain: sip:+14155550101@host:port."""
        uri = f"sip:{quote(number, safe='+*#')}@{self.hostport}"
        return f"{uri};transport={self.transport}" if self.transport else uri

    def accounts_line(self) -> str:
        """The account line for baresip's `uanew` command.

        It holds the password: it goes over the private control connection only, never to a file.
        """
        return self._line(self.password)

    def redacted(self) -> str:
        """The account for messages and logs: everything but the password."""
        return self._line("***" if self.password else "")

    def _line(self, secret: str) -> str:
        uri = self.aor + (f";transport={self.transport}" if self.transport else "")
        params = []
        if self.auth_user:
            params.append(f"auth_user={self.auth_user}")
        if secret:
            params.append(f"auth_pass={secret}")
        if self.regint is not None:
            params.append(f"regint={self.regint}")
        params.extend(f"{name}={value}" for name, value in self.extra_params)
        name = f'"{self.display_name}" ' if self.display_name else ""
        return name + "<" + uri + ">" + "".join(";" + p for p in params)

    def scrub(self, text: str) -> str:
        """`text` with the password blanked out (baresip's own output could echo it)."""
        return text.replace(self.password, "***") if self.password else text


def parse_sip_account(text: str) -> SipAccount:
    """Read `sip:user@host:port;auth_pass=SECRET;regint=0` (angle brackets around the URI optional)."""
    raw = text.strip()
    if not raw:
        raise SipAccountError("the SIP account is empty; expected sip:user@host:port;auth_pass=…")
    if "\n" in raw or "\r" in raw:
        raise SipAccountError("the SIP account must be a single line")
    if raw.startswith("<"):
        close = raw.find(">")
        if close < 0:
            raise SipAccountError("the SIP account has '<' without '>'")
        uri_part, rest = raw[1:close], raw[close + 1 :]
        uri_bits = uri_part.split(";")
        uri, uri_params = uri_bits[0], uri_bits[1:]
        params = [p for p in rest.split(";") if p]
        params = uri_params + params
    else:
        bits = raw.split(";")
        uri, params = bits[0], [p for p in bits[1:] if p]
    if not uri.lower().startswith("sip:"):
        if uri.lower().startswith("sips:"):
            raise SipAccountError("sips: accounts are not supported yet; use sip: with transport=tls")
        uri = "sip:" + uri
    address = uri[4:]
    user, at, hostport = address.rpartition("@")
    if not at or not user:
        raise SipAccountError("the SIP account needs a user name: sip:user@host")
    if ":" in user:
        raise SipAccountError("put the password in auth_pass=…, not in the URI (user:password@host)")
    if not _USER.match(user):
        raise SipAccountError(f"the SIP user name {user!r} has characters a SIP URI cannot carry")
    host, port = _split_hostport(hostport)
    values: dict[str, str] = {}
    for param in params:
        name, eq, value = param.partition("=")
        name = name.strip().lower()
        if not _PARAM_NAME.match(name):
            raise SipAccountError(f"unknown SIP account parameter {name!r}")
        if name != "auth_pass" and _UNSAFE_VALUE.search(value):
            raise SipAccountError(f"the SIP account parameter {name} has a character baresip cannot read")
        if name in values:
            raise SipAccountError(f"the SIP account parameter {name} is given twice")
        values[name] = value if eq else ""
    password = values.pop("auth_pass", "")
    if _UNSAFE_VALUE.search(password):
        # Said without echoing the password: it may be on the screen of someone looking over.
        raise SipAccountError("the SIP password contains ';', quotes, '<', '>' or a control character")
    transport = values.pop("transport", None)
    if transport is not None:
        transport = transport.lower()
        if transport not in TRANSPORTS:
            raise SipAccountError(f"transport must be one of {', '.join(TRANSPORTS)}")
    regint: int | None = None
    if "regint" in values:
        try:
            regint = int(values.pop("regint"))
        except ValueError:
            raise SipAccountError("regint must be a number of seconds (0: do not register)") from None
        if regint < 0:
            raise SipAccountError("regint must not be negative")
    auth_user = values.pop("auth_user", None) or None
    return SipAccount(
        user=user,
        host=host,
        port=port,
        transport=transport,
        password=password,
        auth_user=auth_user,
        regint=regint,
        extra_params=tuple(values.items()),
    )


def _split_hostport(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        end = hostport.find("]")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        port_text = rest[1:] if rest.startswith(":") else ""
        if rest and not rest.startswith(":"):
            raise SipAccountError(f"cannot read the SIP host {hostport!r}")
    else:
        host, _, port_text = hostport.partition(":")
    if not host or not _HOST.match(host):
        raise SipAccountError(f"cannot read the SIP host {hostport!r}")
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SipAccountError(f"the SIP port {port_text!r} must be a number from 1 to 65535")
    return host, int(port_text)
