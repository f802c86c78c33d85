"""One running window per database, and click-to-call links.

A second start of the window hands its request to the first one over a local socket (Qt's
QLocalServer, see `desktop.ui.single_instance`); this module holds the parts without Qt: the
per-user, per-database server name, the message format, reading `tel:`, `sip:` and `callto:` links
(what a browser or CRM runs on a click), and finding the lead that has a linked number.

A link never dials: it shows the lead (or the number), and the user presses Call, through the gate.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from desktop.storage.uow import UnitOfWorkFactory

# The command line reads links before anything else: the database and phone modules load on first use.

SCHEMES = ("tel", "callto", "sip", "sips")
MESSAGE_LIMIT = 64 * 1024
PROTOCOL_VERSION = 1
_URI = re.compile(r"^(?P<scheme>tel|callto|sips?):(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
# Options of `dialdesk` that take a value: their value is never the link.
_OPTIONS_WITH_VALUE = ("--db",)


class LinkError(ValueError):
    """The link cannot be read as a phone number; the message says why."""


def looks_like_call_uri(text: str) -> bool:
    return _URI.match(text.strip()) is not None


def split_call_uri(arguments: Sequence[str]) -> tuple[str | None, list[str]]:
    """(the link, the other arguments) when the first positional argument is a tel:/sip:/callto: link.

    argparse would take `tel:+12125550134` for a subcommand; the link is taken out before parsing.
    """
    rest = list(arguments)
    index = 0
    while index < len(rest):
        argument = rest[index]
        if argument == "--":
            index += 1
            break
        if argument in _OPTIONS_WITH_VALUE:
            index += 2
            continue
        if argument.startswith("-"):
            index += 1
            continue
        break
    if index < len(rest) and looks_like_call_uri(rest[index]):
        uri = rest.pop(index)
        return uri, rest
    return None, rest


def number_from_uri(uri: str) -> str:
    """The phone number a link names, as text for `parse_phone` (extension kept); LinkError otherwise.

    tel:+1-212-555-0134;ext=12 · tel:%2B12125550134 · callto://+12125550134 · callto:+1 212 555 0134
    sip:+12125550134@pbx.example.com;user=phone · sips:2125550134@host
    """
    match = _URI.match(uri.strip())
    if match is None:
        raise LinkError(f"not a tel:, sip: or callto: link: {uri[:80]}")
    scheme = match.group("scheme").lower()
    rest = unquote(match.group("rest")).strip()
    rest = rest.lstrip("/")
    if scheme in ("sip", "sips"):
        rest = rest.split("@", 1)[0]
        rest = rest.split(":", 1)[0]  # user:password@host: never keep a password
    parts = rest.split(";")
    number = parts[0].strip()
    extension = next(
        (
            part.split("=", 1)[1]
            for part in parts[1:]
            if part.lower().startswith(("ext=", "postd=")) and "=" in part
        ),
        "",
    )
    if "?" in number:
        number = number.split("?", 1)[0]
    if not number or not any(ch.isdigit() for ch in number):
        raise LinkError(f"the link has no phone number: {uri[:80]}")
    return f"{number} ext. {extension}" if extension.strip() else number


def server_name(database_url: str) -> str:
    """The local-socket name of the window open on `database_url`, for this user only."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", user)[:32]
    tag = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
    return f"dialdesk-{user}-{tag}"


def encode_message(call_uri: str | None, arguments: Sequence[str] = ()) -> bytes:
    """One request from a second start to the running window: a JSON line."""
    message = {"version": PROTOCOL_VERSION, "call": call_uri, "argv": list(arguments)}
    data = json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"
    if len(data) > MESSAGE_LIMIT:
        raise ValueError("the request is too long")
    return data


def decode_message(data: bytes) -> dict[str, Any] | None:
    """The request in `data`, or None when it is not one (wrong version, not JSON, too long)."""
    if len(data) > MESSAGE_LIMIT:
        return None
    try:
        message = json.loads(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(message, dict) or message.get("version") != PROTOCOL_VERSION:
        return None
    call = message.get("call")
    if call is not None and not isinstance(call, str):
        return None
    return {"call": call, "argv": [str(item) for item in message.get("argv") or []]}


@dataclass(frozen=True)
class LinkTarget:
    """What a click-to-call link points at: a lead and its phone, or only a number (or a problem)."""

    uri: str
    number: str  # what the link said, as text
    e164: str | None
    lead_id: int | None = None
    phone_id: int | None = None
    problem: str | None = None


class CallLinkService:
    """Finds the lead a `tel:`/`sip:`/`callto:` link's number belongs to (queue leads first)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, default_region: Callable[[], str]) -> None:
        self._uow_factory = uow_factory
        self._default_region = default_region

    def lookup(self, uri: str) -> LinkTarget:
        from sqlalchemy import case, select

        from desktop.domain.leads import QUEUE_STATUSES
        from desktop.domain.phones import parse_phone
        from desktop.storage.models import Lead, Phone

        try:
            number = number_from_uri(uri)
        except LinkError as error:
            return LinkTarget(uri, "", None, problem=str(error))
        parsed = parse_phone(number, self._default_region() or "US")
        if not parsed.dialable or parsed.e164 is None:
            return LinkTarget(uri, number, None, problem=parsed.problem or "not a valid phone number")
        in_queue = case((Lead.status.in_(QUEUE_STATUSES), 0), else_=1)
        query = (
            select(Phone.lead_id, Phone.id)
            .join(Lead, Lead.id == Phone.lead_id)
            .where(Phone.e164 == parsed.e164)
            .order_by(in_queue, Phone.lead_id, Phone.position)
            .limit(1)
        )
        with self._uow_factory() as uow:
            row = uow.session.execute(query).first()
        if row is None:
            return LinkTarget(uri, number, parsed.e164)
        return LinkTarget(uri, number, parsed.e164, lead_id=int(row[0]), phone_id=int(row[1]))
