# ruff: noqa: E501, F811
"""Review finding: the keyring key of a team login (`login_key` = user@host[:port]/db from the URL's
parts) ignores the libpq options in the query string that change where and as whom psycopg connects.
A URL that names the trusted server but carries `?hostaddr=`, `?port=`, `?user=`, `?dbname=` or
`?service=` gets the trusted login's stored password, sent to another address, port or role.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from desktop.services.team_login import connection_url, store_login

TRUSTED = "postgresql+psycopg://ann@db.example.com/team"


class DictStore:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def set(self, key: str, value: str) -> bool:
        self.values[key] = value
        return True

    def problem(self) -> None:
        return None


@pytest.mark.parametrize(
    "elsewhere",
    [
        TRUSTED + "?hostaddr=203.0.113.9",  # another machine entirely
        TRUSTED + "?port=6000",  # another server on the same host
        TRUSTED + "?user=mallory",  # another role
        TRUSTED + "?dbname=other",
        TRUSTED + "?service=elsewhere",  # pg_service.conf may point anywhere
        "postgresql+psycopg://ann@/a/b?host=/srv/x",  # vs ann@/srv/x/a (db "b") below: same key text
    ],
)
def test_a_url_that_connects_elsewhere_does_not_get_the_stored_password(elsewhere: str) -> None:
    store = DictStore()
    store_login(TRUSTED, "s3cret", store)  # type: ignore[arg-type]
    store_login("postgresql+psycopg://ann@/b?host=/srv/x/a", "other-secret", store)  # type: ignore[arg-type]
    got = connection_url(elsewhere, store)  # type: ignore[arg-type]
    password = make_url(got).password if not isinstance(got, str) else None
    assert password is None, f"{elsewhere} was given the password {password!r}"
