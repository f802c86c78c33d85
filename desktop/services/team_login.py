"""Team logins: a person's database password in the OS keyring, never in a URL, a file or a log.

`dialdesk team login URL` asks for the password (or reads it from stdin), checks it against the
server, and stores it in the keyring under the login's place, `postgresql://user@host:port/db`
(the same `SecretStore` that keeps the SIP password, under its own service name). Opening a
`postgresql://` URL without a password then takes it from there (`connection_url`): the URL the
person typed, shown in messages and logs, stays without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def login_key(url: str | URL) -> str:
    """The keyring entry of a login: server, port, database and user (never the password)."""
    return "postgresql://" + where(url)


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
    password = (store or secret_store()).get(login_key(parsed))
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
