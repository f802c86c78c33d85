"""Team logins: a person's database password in the OS keyring, never in a URL, a file or a log.

`dialdesk team login URL` asks for the password (or reads it from stdin), checks it against the
server, and stores it in the keyring under the login's place, `postgresql://user@host:port/db`
(the same `SecretStore` that keeps the SIP password, under its own service name). Opening a
`postgresql://` URL without a password then takes it from there (`connection_url`): the URL the
person typed, shown in messages and logs, stays without it.

The place is where libpq really connects: the URL's libpq options (`?host=`, `?hostaddr=`, `?port=`,
`?user=`, `?dbname=`) override its parts, so they are folded into the key, each part quoted (a
socket folder's `/` cannot shift into the database name). A URL with an option that could send the
password elsewhere and cannot be folded in (`?service=`, or one this code does not know) gets no
stored password, and `team login` refuses to store one for it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from desktop.storage.server import is_server, server_problem, where, with_tls_required

# The window and the command line reach the server helpers through services.
__all__ = [
    "LoginError",
    "connection_url",
    "is_server",
    "login_key",
    "server_problem",
    "store_login",
    "with_tls_required",
]

if TYPE_CHECKING:
    from desktop.services.sip_settings import SecretStore

KEYRING_SERVICE = "dialdesk-team"


class LoginError(ValueError):
    """A login that cannot be stored or used; the message is for the user."""


# libpq options that change where or as whom the connection goes: folded into the keyring key.
_TARGET_OPTIONS = ("host", "hostaddr", "port", "user", "dbname")
# libpq options that only change how the same server is talked to (TLS, timeouts, names).
_HARMLESS_OPTIONS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "sslnegotiation",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "channel_binding",
        "require_auth",
        "requirepeer",
        "gssencmode",
        "connect_timeout",
        "client_encoding",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "target_session_attrs",
        "options",
    }
)


def _part(text: str) -> str:
    # Quoted so no part can run into the next one: `/a` + `b` and `/` + `a/b` differ.
    return quote(text, safe="-._~")


def login_key(url: str | URL) -> str:
    """The keyring entry of a login: the user, server, port and database libpq really connects to
    (the URL's libpq options over its parts; never the password). LoginError when the URL has an
    option that may connect elsewhere and cannot be part of the key (`?service=`, unknown ones)."""
    parsed = make_url(url)
    query = parsed.query
    foreign = sorted(name for name in query if name not in _TARGET_OPTIONS and name not in _HARMLESS_OPTIONS)
    if foreign:
        raise LoginError(
            f"a stored password is not used with ?{foreign[0]}= in the URL (it may connect elsewhere): "
            "name the server with USER@HOST:PORT/DB"
        )
    if os.environ.get("PGSERVICE"):
        raise LoginError("a stored password is not used while PGSERVICE is set (it may connect elsewhere)")
    target: dict[str, str] = {}
    for name, given in (
        ("user", parsed.username),
        ("host", parsed.host),
        ("port", str(parsed.port) if parsed.port else None),
        ("dbname", parsed.database),
        ("hostaddr", None),
    ):
        value = query.get(name, given)
        if isinstance(value, tuple):
            raise LoginError(f"?{name}= is given more than once in the URL: give it once")
        # What the URL leaves out, libpq takes from its environment (PGHOST, PGPORT, …).
        target[name] = value or os.environ.get(f"PG{name.upper()}", "")
    host = target["host"]
    # No host: libpq's default socket (the words cannot be a quoted host: that has no space).
    host = "local socket" if not host else f"[{host}]" if ":" in host else _part(host)
    port = f":{_part(target['port'])}" if target["port"] else ""
    key = f"postgresql://{_part(target['user'])}@{host}{port}/{_part(target['dbname'])}"
    return key + (f"?hostaddr={_part(target['hostaddr'])}" if target["hostaddr"] else "")


def secret_store() -> SecretStore:
    # Imported here: opening a local database never loads the keyring code.
    from desktop.services.sip_settings import SecretStore

    return SecretStore(KEYRING_SERVICE)


def connection_url(url: str, store: SecretStore | None = None) -> str | URL:
    """What the engine connects with: a server URL without a password gets the keyring's (if any)."""
    if not is_server(url):
        return url
    parsed = make_url(url)
    if parsed.password or not parsed.username:
        return url
    try:
        key = login_key(parsed)
    except LoginError:
        return url  # an option that may connect elsewhere: no stored password goes with it
    password = (store or secret_store()).get(key)
    return parsed.set(password=password) if password else url


def refuse_password_in_url(url: str) -> None:
    if make_url(url).password:
        raise LoginError(
            "put no password in the URL (it would stay in your shell history and logs): "
            "`dialdesk team login URL` asks for it and keeps it in the keyring"
        )


def store_login(url: str, password: str, store: SecretStore | None = None) -> str:
    """Keep `password` for the login of `url` in the keyring; its key. LoginError when no keyring can."""
    refuse_password_in_url(url)
    parsed = make_url(url)
    if not is_server(parsed) or not parsed.username:
        raise LoginError("a login is for a team database: postgresql+psycopg://USER@HOST/DB")
    if not password:
        raise LoginError("the password is empty")
    store = store or secret_store()
    key = login_key(parsed)
    if not store.set(key, password):
        raise LoginError(f"the password was not stored: {store.problem() or 'the keyring refused it'}")
    return key


def check_login(url: str, password: str) -> None:
    """Connect once to the server with `password`; LoginError (one line) when it refuses or is away."""
    from sqlalchemy.exc import DBAPIError

    from desktop.storage.engine import make_engine
    from desktop.storage.server import server_problem

    engine = make_engine(make_url(url).set(password=password))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as error:
        first = (str(error.orig or error).strip().splitlines() or ["no answer"])[0]
        if "password authentication failed" in first:
            raise LoginError(f"the team server {where(url)} refused that password: nothing stored") from None
        raise LoginError(server_problem(error, url) or f"the team server refused: {first}") from None
    finally:
        engine.dispose()


def forget_login(url: str, store: SecretStore | None = None) -> None:
    (store or secret_store()).set(login_key(url), "")
