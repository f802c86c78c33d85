"""The database file: private, WAL, FULL sync, foreign keys, and migrated on open with data kept."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from desktop.services.workspace import open_workspace, resolve_database
from desktop.storage.engine import DatabaseError, database_url, make_engine
from desktop.storage.migrate import current_revision, head_revision, upgrade


def test_new_database_is_private_and_uses_the_pragmas(db_path: Path) -> None:
    workspace = open_workspace(str(db_path))
    try:
        assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
        with workspace.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert current_revision(workspace.engine) == head_revision()
        tables = set(inspect(workspace.engine).get_table_names())
        assert {"leads", "phones", "attempts", "callbacks", "dnc_entries", "settings", "agents"} <= tables
    finally:
        workspace.close()


def test_database_choice_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIALDESK_DB", str(tmp_path / "env.db"))
    assert resolve_database(None).endswith("env.db")
    assert resolve_database(str(tmp_path / "flag.db")).endswith("flag.db")
    assert resolve_database("sqlite:///x.db") == "sqlite:///x.db"
    monkeypatch.delenv("DIALDESK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_database(None).endswith("dialdesk/dialdesk.db")


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="cannot use the database URL"):
        open_workspace("nosuchdialect+driver://host/db")
    with pytest.raises(DatabaseError):
        database_url("  ")


def test_upgrade_keeps_data_written_by_the_first_revision(tmp_path: Path) -> None:
    """An old database with data in it upgrades to the latest revision with the data intact."""
    engine = make_engine(database_url(str(tmp_path / "old.db")))
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO leads (id, first_name, last_name, company, title, email, kind, kind_given,"
                " warmth, state, source, list_name, status, notes, identity_key, attempt_count,"
                " contact_count, due_reason, created_at, updated_at) VALUES (1, 'Maria', 'Lopez',"
                " 'Lopez Dental', '', '', 'business', 1, 'cold', 'NY', '', 'old', 'active', 'n',"
                " 'marialopez|', 3, 0, 'retry', :t, :t)"
            ),
            {"t": datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)},
        )
        connection.execute(
            text(
                "INSERT INTO phones (lead_id, position, label, raw, e164, number_type, time_zones, valid)"
                " VALUES (1, 0, 'Phone', '(212) 555-0134', '+12125550134', 'fixed_line_or_mobile',"
                " 'America/New_York', 1)"
            )
        )
    engine.dispose()
    workspace = open_workspace(str(tmp_path / "old.db"))
    try:
        assert current_revision(workspace.engine) == head_revision()
        card = workspace.leads.card(1)
        assert (card.display_name, card.attempts, card.phones[0].e164) == ("Maria Lopez", 3, "+12125550134")
    finally:
        workspace.close()


def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match="cannot create the database file"):
        open_workspace(str(blocker / "sub" / "db.sqlite"))


def test_migrations_build_exactly_the_models(db_path: Path) -> None:
    """A model change without its Alembic revision fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from desktop.storage.models import Base

    workspace = open_workspace(str(db_path))
    try:
        with workspace.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        workspace.close()


def test_latest_revision_constant_is_alembics_head() -> None:
    from desktop.storage.migrate import LATEST_REVISION

    assert LATEST_REVISION == head_revision(), "set LATEST_REVISION to the new migration's revision"


def test_current_database_opens_without_loading_alembic(db_path: Path) -> None:
    """A database at the latest revision is recognised without Alembic: it costs every start."""
    import subprocess
    import sys

    make_engine_and_upgrade = (
        "import sys\n"
        "from desktop.storage.engine import make_engine\n"
        "from desktop.storage.migrate import upgrade, stored_revision, LATEST_REVISION\n"
        f"engine = make_engine('sqlite:///' + {str(db_path)!r})\n"
        "upgrade(engine)\n"
        "assert stored_revision(engine) == LATEST_REVISION\n"
        "print('alembic' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", make_engine_and_upgrade], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "True"  # a new database: Alembic builds it
    second = subprocess.run([sys.executable, "-c", make_engine_and_upgrade], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "False"
