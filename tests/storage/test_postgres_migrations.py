"""The schema on a real PostgreSQL server: every revision from an empty database, the URL as users
write it (a percent-encoded socket folder), the models equal to what the migrations build, and the
append-only guard of the call record in PL/pgSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from desktop.services.workspace import open_workspace
from desktop.storage.engine import make_engine
from desktop.storage.migrate import LATEST_REVISION, alembic_config, current_revision, upgrade
from tests.postgres_support import PostgresServer

pytestmark = pytest.mark.postgresql


@pytest.fixture
def empty_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database(template="template0") as url:
        yield url


def revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_a_percent_encoded_socket_url_reaches_alembic_unchanged(empty_url: str) -> None:
    assert "%2F" in empty_url  # the fixture writes the socket folder as users do
    engine = make_engine(empty_url)
    try:
        config = alembic_config(engine)
        assert config.get_main_option("sqlalchemy.url") == engine.url.render_as_string(hide_password=False)
        upgrade(engine)
        assert current_revision(engine) == LATEST_REVISION
    finally:
        engine.dispose()


def test_every_revision_upgrades_in_turn_and_keeps_the_data(empty_url: str) -> None:
    engine = make_engine(empty_url)
    steps = revisions()
    assert steps[0] == "0001" and steps[-1] == LATEST_REVISION
    try:
        upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO leads (id, first_name, last_name, company, title, email, kind, kind_given,"
                    " warmth, state, source, list_name, status, notes, identity_key, attempt_count,"
                    " contact_count, due_reason, created_at, updated_at) VALUES (1, 'Maria', 'Lopez',"
                    " 'Lopez Dental', '', '', 'business', true, 'cold', 'NY', '', 'old', 'active', 'n',"
                    " 'marialopez|', 3, 0, 'retry', :t, :t)"
                ),
                {"t": datetime(2026, 1, 1)},
            )
            connection.execute(
                text(
                    "INSERT INTO phones (lead_id, position, label, raw, e164, number_type, time_zones, valid)"
                    " VALUES (1, 0, 'Phone', '(212) 555-0134', '+12125550134', 'fixed_line_or_mobile',"
                    " 'America/New_York', true)"
                )
            )
        for revision in steps[1:]:
            upgrade(engine, revision)
            assert current_revision(engine) == revision
    finally:
        engine.dispose()
    workspace = open_workspace(empty_url)
    try:
        card = workspace.leads.card(1)
        assert (card.display_name, card.attempts, card.phones[0].e164) == ("Maria Lopez", 3, "+12125550134")
    finally:
        workspace.close()


def test_the_team_revision_goes_down_and_up_again(empty_url: str) -> None:
    from alembic import command

    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        command.downgrade(alembic_config(engine), "0010")
        with engine.connect() as connection:
            columns = set(
                connection.exec_driver_sql(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'leads'"
                ).scalars()
            )
            functions = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_proc WHERE proname = 'dialdesk_attempts_kept'"
            ).scalar()
        assert "claimed_by" not in columns and functions == 0
        upgrade(engine)
        assert current_revision(engine) == LATEST_REVISION
    finally:
        engine.dispose()


def test_the_migrations_build_the_models_long_text_aside(db_url: str) -> None:
    """A model change without its revision fails here too; on PostgreSQL every VARCHAR is TEXT
    (revision 0015), the one difference allowed."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import String

    from desktop.storage.models import Base

    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()

    def widened(difference: object) -> bool:
        if not (isinstance(difference, list) and difference and difference[0][0] == "modify_type"):
            return False
        _kind, _schema, _table, _column, _info, found, wanted = difference[0]
        return isinstance(wanted, String) and type(found).__name__ == "TEXT"

    assert [d for d in differences if not widened(d)] == []


@pytest.mark.parametrize("change", ["UPDATE attempts SET note = 'rewritten'", "DELETE FROM attempts"])
def test_a_completed_call_is_never_changed_nor_deleted(db_url: str, change: str) -> None:
    workspace = open_workspace(db_url)
    try:
        with workspace.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO attempts (number, backend, allowed, reasons, started_at, outcome, note)"
                    " VALUES ('+12125550134', 'manual', true, '[]', :t, 'no_answer', 'as it was')"
                ),
                {"t": datetime(2026, 12, 1, 14, tzinfo=UTC).replace(tzinfo=None)},
            )
        with pytest.raises(IntegrityError, match="a completed call is never"):
            with workspace.engine.begin() as connection:
                connection.execute(text(change))
        with workspace.engine.connect() as connection:
            assert connection.execute(text("SELECT note FROM attempts")).scalars().all() == ["as it was"]
    finally:
        workspace.close()


@pytest.fixture
def backend() -> str:
    return "postgresql"
