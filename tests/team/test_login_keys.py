"""The keyring key of a team login is where libpq really connects: the URL's libpq options (`?host=`,
`?hostaddr=`, `?port=`, `?user=`, `?dbname=`) override its parts and are folded into the key, each
part quoted, so a URL that connects to another machine, port, role or database never gets a stored
password; `?service=` (or an option not known) gets none and cannot be stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from desktop.services.team_login import LoginError, connection_url, login_key, store_login
from tests.team.test_logins_tls import dialdesk

TRUSTED = "postgresql+psycopg://ann@db.example.com/team"
SOCKET_LOGIN = "postgresql+psycopg://ann@/b?host=/srv/x/a"


class DictStore:
    """A keyring in a dict: what was stored under which key (the real one is tested in test_logins_tls)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def set(self, key: str, value: str) -> bool:
        self.values[key] = value
        return True

    def problem(self) -> None:
        return None


def _stored() -> DictStore:
    store = DictStore()
    store_login(TRUSTED, "s3cret", store)  # type: ignore[arg-type]
    store_login(SOCKET_LOGIN, "other-secret", store)  # type: ignore[arg-type]
    return store


def _password(url: str, store: DictStore) -> str | None:
    got = connection_url(url, store)  # type: ignore[arg-type]
    return None if isinstance(got, str) else make_url(got).password


@pytest.mark.parametrize(
    "elsewhere",
    [
        TRUSTED + "?hostaddr=203.0.113.9",  # another machine entirely
        TRUSTED + "?port=6000",  # another server on the same host
        TRUSTED + "?user=mallory",  # another role
        TRUSTED + "?dbname=other",
        TRUSTED + "?host=evil.example.net",
        TRUSTED + "?service=elsewhere",  # pg_service.conf may point anywhere
        TRUSTED + "?passfile=/tmp/x",  # an option the key cannot fold in
        TRUSTED + "?sslmode=require&port=6000",
        "postgresql+psycopg://ann@db.example.com:6000/team",
        "postgresql+psycopg://ann@/a/b?host=/srv/x",  # vs ann@/b?host=/srv/x/a: same text unquoted
        "postgresql+psycopg://ann@/a%2Fb?host=/srv/x",
        "postgresql+psycopg://ann@/b?host=/srv/x/a&port=6000",
        "postgresql+psycopg://ann@/b?host=/srv/x/a&host=/srv/y",  # given twice: refused
    ],
)
def test_a_url_that_connects_elsewhere_does_not_get_the_stored_password(elsewhere: str) -> None:
    password = _password(elsewhere, _stored())
    assert password is None, f"{elsewhere} was given the password {password!r}"


@pytest.mark.parametrize(
    ("same", "password"),
    [
        (TRUSTED, "s3cret"),
        (TRUSTED + "?sslmode=require&connect_timeout=3", "s3cret"),  # TLS and timeouts: the same server
        (TRUSTED + "?user=ann&dbname=team&host=db.example.com", "s3cret"),  # the same target spelled out
        ("postgresql+psycopg://ann@/team?host=db.example.com", "s3cret"),
        (SOCKET_LOGIN, "other-secret"),
        ("postgresql+psycopg://ann@/b?host=%2Fsrv%2Fx%2Fa&sslmode=disable", "other-secret"),
    ],
)
def test_the_same_target_spelled_otherwise_gets_its_password(same: str, password: str) -> None:
    assert _password(same, _stored()) == password


def test_keys_stay_readable_and_distinct() -> None:
    assert login_key("postgresql+psycopg://ann@127.0.0.1:5432/team") == "postgresql://ann@127.0.0.1:5432/team"
    assert login_key(TRUSTED + "?hostaddr=203.0.113.9").endswith("?hostaddr=203.0.113.9")
    assert login_key("postgresql+psycopg://ann@/a/b?host=/srv/x") != login_key(SOCKET_LOGIN)


@pytest.mark.parametrize("option", ["service=elsewhere", "passfile=/tmp/x", "port=1&port=2"])
def test_a_login_that_cannot_be_keyed_is_refused_with_a_reason(option: str) -> None:
    store = DictStore()
    with pytest.raises(LoginError, match=r"\?(service|passfile|port)="):
        store_login(f"{TRUSTED}?{option}", "s3cret", store)  # type: ignore[arg-type]
    assert store.values == {}


def test_team_login_refuses_such_a_url_before_asking_for_the_password(tmp_path: Path) -> None:
    result = dialdesk(
        tmp_path, "team", "login", TRUSTED + "?service=elsewhere", "--password-stdin", stdin="pw\n"
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "?service=" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "keyring.json").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PGHOST", "evil.example.net"), ("PGHOSTADDR", "203.0.113.9"), ("PGPORT", "6000"), ("PGSERVICE", "x")],
)
def test_what_libpq_takes_from_the_environment_counts_too(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A URL without a host (or port) connects where PGHOST (PGPORT, …) says: not the stored login's."""
    for name in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(name, raising=False)
    store = DictStore()
    store_login("postgresql+psycopg://ann@/team", "socket-secret", store)  # type: ignore[arg-type]
    assert _password("postgresql+psycopg://ann@/team", store) == "socket-secret"
    monkeypatch.setenv(variable, value)
    assert _password("postgresql+psycopg://ann@/team", store) is None
