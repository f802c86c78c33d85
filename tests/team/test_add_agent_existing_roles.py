"""`team add-agent NAME` on a role that exists already: the admin running it, a superuser or any role
with an administrator attribute is refused (exit 2, one line) and left exactly as it was (no group,
no new password); a role Dialdesk did not add needs --existing-role; a Dialdesk login is moved."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.cli.test_cli import run
from tests.postgres_support import PostgresServer

pytestmark = pytest.mark.postgresql


@pytest.fixture
def backend() -> str:
    return "postgresql"


def _state(db_url: str, role: str) -> tuple[list[str], str | None]:
    """The Dialdesk groups `role` is directly a member of, and its stored password (verifier)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            groups = connection.execute(
                text(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r ORDER BY 1"
                ),
                {"r": role},
            ).scalars()
            names = [str(name) for name in groups if str(name).startswith("dialdesk_")]
            password = connection.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": role}
            ).scalar()
    finally:
        engine.dispose()
    return names, password


def _refused(result: object, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    for word in words:
        assert word in stderr, stderr


@pytest.mark.parametrize("flags", [("--no-password",), (), ("--existing-role",), ("--supervisor",)])
def test_the_admin_running_it_is_not_made_an_agent(db_url: str, flags: tuple[str, ...]) -> None:
    assert run(db_url, "team", "init", db_url).returncode == 0  # type: ignore[arg-type]
    before = _state(db_url, "postgres")
    _refused(run(db_url, "team", "add-agent", "postgres", *flags))  # type: ignore[arg-type]
    assert _state(db_url, "postgres") == before == ([], before[1])


@pytest.mark.parametrize(
    ("role", "attribute"),
    [
        ("other_admin", "SUPERUSER"),
        ("role_maker", "CREATEROLE"),
        ("db_maker", "CREATEDB"),
        ("replicator", "REPLICATION"),
        ("rls_skipper", "BYPASSRLS"),
    ],
)
def test_a_role_with_an_administrator_attribute_is_refused_even_with_existing_role(
    db_url: str, postgres_server: PostgresServer, role: str, attribute: str
) -> None:
    postgres_server.admin(
        f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN {attribute} PASSWORD 'old-one'"
    )
    try:
        assert run(db_url, "team", "init", db_url).returncode == 0  # type: ignore[arg-type]
        before = _state(db_url, role)
        for flags in ((), ("--no-password",), ("--existing-role",), ("--existing-role", "--supervisor")):
            _refused(run(db_url, "team", "add-agent", role, *flags), attribute)  # type: ignore[arg-type]
            assert _state(db_url, role) == before == ([], before[1])
    finally:
        postgres_server.admin(f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_a_role_dialdesk_did_not_add_needs_existing_role(
    db_url: str, postgres_server: PostgresServer
) -> None:
    postgres_server.admin("DROP ROLE IF EXISTS report_reader", "CREATE ROLE report_reader LOGIN PASSWORD 'x'")
    try:
        assert run(db_url, "team", "init", db_url).returncode == 0  # type: ignore[arg-type]
        before = _state(db_url, "report_reader")
        _refused(run(db_url, "team", "add-agent", "report_reader"), "--existing-role")  # type: ignore[arg-type]
        assert _state(db_url, "report_reader") == before
        adopted = run(db_url, "team", "add-agent", "report_reader", "--existing-role")  # type: ignore[arg-type]
        assert adopted.returncode == 0, adopted.stderr
        assert "report_reader is now an agent:" in adopted.stdout
        groups, password = _state(db_url, "report_reader")
        assert groups == ["dialdesk_agent"] and password != before[1]
    finally:
        postgres_server.admin("DROP OWNED BY report_reader", "DROP ROLE report_reader")


def test_a_dialdesk_login_is_moved_and_said_in_plain_words(db_url: str) -> None:
    assert run(db_url, "team", "init", db_url).returncode == 0  # type: ignore[arg-type]
    added = run(db_url, "team", "add-agent", "moved_ann", "--no-password")  # type: ignore[arg-type]
    assert added.returncode == 0 and "moved_ann added as agent:" in added.stdout, added
    promoted = run(db_url, "team", "add-agent", "moved_ann", "--supervisor", "--no-password")  # type: ignore[arg-type]
    assert promoted.returncode == 0 and "moved_ann is now a supervisor:" in promoted.stdout, promoted
    assert _state(db_url, "moved_ann")[0] == ["dialdesk_supervisor"]
    back = run(db_url, "team", "add-agent", "moved_ann", "--no-password")  # type: ignore[arg-type]
    assert back.returncode == 0 and "moved_ann is now an agent:" in back.stdout, back
    assert _state(db_url, "moved_ann")[0] == ["dialdesk_agent"]
