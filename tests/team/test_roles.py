"""`dialdesk team init` and `team add-agent` on PostgreSQL: an agent logs in with their own role and
can call and record, but cannot delete or rewrite calls, nor change or empty the do-not-call list,
nor write the registries; a supervisor can."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.cli.test_cli import run
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list

pytestmark = pytest.mark.postgresql


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def team_url(db_url: str, postgres_server: PostgresServer) -> Iterator[str]:
    """The test's database set up by `dialdesk team init` (as the server's admin role)."""
    result = run(db_url, "team", "init", db_url)  # type: ignore[arg-type]
    assert result.returncode == 0, result.stderr
    yield db_url


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def new_login(team_url: str, *extra: str) -> str:
    name = f"agent_{uuid.uuid4().hex[:10]}"  # roles belong to the whole server: one per test
    result = run(team_url, "team", "add-agent", name, *extra)  # type: ignore[arg-type]
    assert result.returncode == 0, result.stderr
    return name


def test_an_agent_calls_but_cannot_rewrite_calls_or_the_do_not_call_list(
    team_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    admin = open_workspace(team_url, clock=clock)
    try:
        admin.imports.run(business_list(tmp_path / "team.csv", 5))
    finally:
        admin.close()
    agent_url = as_role(team_url, new_login(team_url))
    agent = open_workspace(agent_url, clock=clock)
    try:
        claim = agent.claims.claim_next("Ann")
        assert claim is not None
        agent.act_as("Ann")
        agent.calling.record_outcome(claim.lead_id, "no_answer")
        agent.dnc.add("(212) 555-0003", reason="asked")  # adding to the list: allowed
        for statement in (
            "DELETE FROM attempts",
            "DELETE FROM dnc_entries",
            "UPDATE dnc_entries SET number = '+10000000000'",
            "INSERT INTO registry_numbers (number_key) VALUES (1)",
            "DELETE FROM audit_events",
            "UPDATE scripts SET title = 'x'",
        ):
            with pytest.raises(DBAPIError, match="permission denied"):
                with agent.engine.begin() as connection:
                    connection.execute(text(statement))
        with agent.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM attempts")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM dnc_entries")).scalar() == 1
    finally:
        agent.close()
    supervisor = open_workspace(as_role(team_url, new_login(team_url, "--supervisor")), clock=clock)
    try:
        with supervisor.engine.begin() as connection:
            assert connection.execute(text("DELETE FROM dnc_entries")).rowcount == 1
    finally:
        supervisor.close()


def test_bad_names_and_non_postgres_databases_are_one_line_errors(team_url: str, db_path: Path) -> None:
    for name in ("Robert'); DROP TABLE leads;--", "pg_admin", "dialdesk_agent", ""):
        result = run(team_url, "team", "add-agent", name)  # type: ignore[arg-type]
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    on_file = run(db_path, "team", "init", str(db_path))
    assert on_file.returncode == 2 and "PostgreSQL" in on_file.stderr
    assert not db_path.exists()  # refused before anything was made
