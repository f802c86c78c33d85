"""A team database on a server (PostgreSQL): TLS required or not, and its failures said in one line.

What a person types is a URL without a password (the password lives in the OS keyring:
`desktop/services/team_login.py` adds it to the URL the engine connects with, never to one that is
shown or logged). `--require-tls` (or `sslmode=require`, `verify-ca`, `verify-full` in the URL) makes
libpq refuse a server that does not offer TLS; `server_problem` turns libpq's answer — the server
cannot be reached, refuses TLS, refuses the password — into one line that says what to do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

# sslmode values under which libpq never talks to a server in clear text.
TLS_MODES = ("require", "verify-ca", "verify-full")
# Seconds libpq waits for a server before saying it cannot be reached (a laptop off the network
# should hear so at once, not after the operating system's two-minute TCP timeout).
CONNECT_TIMEOUT = 10


def is_server(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def with_tls_required(url: str) -> str:
    """`url` with `sslmode=require` unless it already asks for TLS (or checks the certificate)."""
    parsed = make_url(url)
    if not is_server(parsed):
        raise ValueError("--require-tls is for a team database on a server (postgresql+psycopg://…)")
    if parsed.query.get("sslmode") in TLS_MODES:
        return url
    return parsed.update_query_dict({"sslmode": "require"}).render_as_string(hide_password=False)


def requires_tls(url: str | URL) -> bool:
    return make_url(url).query.get("sslmode") in TLS_MODES


def where(url: str | URL) -> str:
    """The server and database a URL names, for messages: `user@host:port/db`, never a password."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "local socket")
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"{user}{host}{port}/{parsed.database or ''}"


def connect_args(url: str | URL) -> dict[str, object]:
    """Driver options for a server URL: a short connect timeout unless the URL sets one."""
    if "connect_timeout" in make_url(url).query:
        return {}
    return {"connect_timeout": CONNECT_TIMEOUT}


def ping_on_checkout(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    """Before a pooled psycopg connection is used: an empty query, one round trip outside any
    transaction. A connection the server dropped (restarted, failed over) fails it; the pool then
    discards that connection and checks out a new one (DisconnectionError), so an agent's next action
    reconnects instead of failing."""
    import psycopg
    from psycopg import pq

    try:
        result = dbapi_connection.pgconn.exec_(b"")
        alive = result.status == pq.ExecStatus.EMPTY_QUERY
    except psycopg.Error:
        alive = False
    if not alive or dbapi_connection.pgconn.status != pq.ConnStatus.OK:
        raise DisconnectionError("the server closed the connection")


def _libpq_text(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split())


UNREACHABLE = (
    "connection refused",
    "no such file or directory",
    "could not translate host name",
    "timeout expired",
    "network is unreachable",
    "no route to host",
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    "the database system is starting up",
    "the database system is shutting down",
    "consuming input failed",
    "connection is closed",
)


def is_unreachable(error: BaseException) -> bool:
    """True when `error` says the server could not be reached (as opposed to refusing us)."""
    text = _libpq_text(error).lower()
    return any(sign in text for sign in UNREACHABLE)


def server_problem(error: BaseException, url: str | URL) -> str | None:
    """One line for a failure to reach or log in to the server at `url`; None for anything else."""
    try:
        if not is_server(url):
            return None
    except Exception:  # noqa: BLE001 - not a URL: not a server failure either
        return None
    text = _libpq_text(error)
    lower = text.lower()
    place = where(url)
    if "does not support ssl" in lower or "ssl was required" in lower:
        return (
            f"the team server {place} does not offer TLS, and this connection requires it "
            "(--require-tls or sslmode in the URL): not connected; ask for TLS on the server"
        )
    if "certificate" in lower and ("verify" in lower or "root" in lower):
        return f"the team server {place}: its TLS certificate could not be verified ({_detail(text)})"
    if "no encryption" in lower and "pg_hba" in lower:
        return (
            f"the team server {place} accepts only TLS connections: connect with --require-tls "
            "(or sslmode=require in the URL)"
        )
    if "password authentication failed" in lower or "no password supplied" in lower:
        return (
            f"the team server {place} refused the login: no password or a wrong one is in the keyring; "
            "run `dialdesk team login URL` to store it"
        )
    if is_unreachable(error):
        return (
            f"the team server {place} cannot be reached ({_detail(text)}); work offline on a local copy "
            "(`dialdesk team checkout`), then `dialdesk merge` it back"
        )
    return None


def _detail(text: str) -> str:
    """libpq's reason without its preamble (`connection failed: connection to server at … failed:`)."""
    reason = text.rsplit(" failed: ", 1)[-1]
    for hint in (" Is the server running", "(Background on this error"):
        reason = reason.split(hint, 1)[0]
    return reason.strip().rstrip(".") or "no answer"
