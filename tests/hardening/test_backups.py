"""Backups: SQLite's online backup API into a private folder, 7 daily + 4 weekly kept, validated
restores that keep the current database first and migrate the restored one, and `dialdesk db …`."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.cli import main
from desktop.services.backup import BackupError, BackupService, backups_to_keep
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.migrate import current_revision, head_revision
from desktop.storage.models import Agent, Attempt, ChainEvent
from tests.hardening.conftest import REPO, SAMPLE, integrity, query, run_cli

START = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Workspace, ManualClock]:
    clock = ManualClock(START)
    workspace = open_workspace(str(tmp_path / "work.db"), clock=clock)
    workspace.imports.run(SAMPLE, list_name="Sample", region="US")
    workspace.calling.record_outcome(1, "no_answer")
    yield workspace, clock
    workspace.close()


def service_for(workspace: Workspace, clock: ManualClock, tmp_path: Path) -> BackupService:
    return BackupService(workspace.url, tmp_path / "backups", clock)


# -- rotation ----------------------------------------------------------------------------------------


def test_rotation_keeps_seven_days_then_four_weeks() -> None:
    stamps = [START - timedelta(days=day) for day in range(60)]
    kept = sorted(backups_to_keep(stamps), reverse=True)
    assert kept[:7] == stamps[:7]
    weekly = kept[7:]
    assert len(weekly) == 4
    weeks = [moment.isocalendar()[:2] for moment in weekly]
    assert len(set(weeks)) == 4 and all(moment < stamps[6] for moment in weekly)
    # Of the backups before the daily ones, the newest of each week is the one kept.
    for moment in weekly:
        same_week = [s for s in stamps[7:] if s.isocalendar()[:2] == moment.isocalendar()[:2]]
        assert moment == max(same_week)
    assert kept[-1] - stamps[-1] > timedelta(days=20)  # older ones go


def test_rotation_keeps_the_newest_of_a_day() -> None:
    morning, evening = START.replace(hour=8), START.replace(hour=20)
    assert backups_to_keep([morning, evening]) == {evening}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=150 * 24 * 60), max_size=80))
def test_rotation_properties(minutes: list[int]) -> None:
    stamps = [START - timedelta(minutes=value) for value in minutes]
    kept = backups_to_keep(stamps)
    assert kept <= set(stamps)
    assert len(kept) <= 11
    if stamps:
        assert max(stamps) in kept
        # Every day of the last seven days that has a backup keeps one.
        days = sorted({s.date() for s in stamps}, reverse=True)[:7]
        assert {s.date() for s in kept} >= set(days)
    assert backups_to_keep(kept) == kept  # rotating again deletes nothing more


# -- the service -------------------------------------------------------------------------------------


def test_backup_is_a_private_consistent_self_contained_copy(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    # A colleague's write in progress is not in the copy; everything committed is.
    writer = sqlite3.connect(workspace.describe(), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE leads SET notes = 'uncommitted' WHERE id = 2")
    backup = service.back_up_now()
    writer.execute("ROLLBACK")
    writer.close()
    assert mode(service.folder) == 0o700 and mode(backup.path) == 0o600
    assert backup.path.name.startswith("work-") and backup.path.suffix == ".db"
    assert not Path(str(backup.path) + "-wal").exists()
    assert query(backup.path, "PRAGMA journal_mode") == [("delete",)]
    assert integrity(backup.path) == "ok"
    assert query(backup.path, "SELECT count(*) FROM leads") == [(workspace.leads.count(),)]
    assert query(backup.path, "SELECT count(*) FROM attempts WHERE outcome = 'no_answer'") == [(1,)]
    assert query(backup.path, "SELECT notes FROM leads WHERE id = 2") != [("uncommitted",)]
    assert service.automatic_backups()[0].path == backup.path


def test_daily_backup_is_due_after_a_day_and_rotation_bounds_the_folder(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    assert service.daily_backup_due()
    assert service.take_daily_backup() is not None
    assert not service.daily_backup_due()
    clock.advance(hours=23)
    assert service.take_daily_backup() is None
    for _day in range(40):
        clock.advance(hours=25)
        assert service.take_daily_backup() is not None
    backups = service.automatic_backups()
    assert len(backups) == 11
    assert len(list(service.folder.iterdir())) == 11


def test_backup_to_refuses_to_overwrite(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    target = tmp_path / "mine.db"
    facts = service.backup_to(target)
    assert facts.leads == workspace.leads.count() and mode(target) == 0o600
    with pytest.raises(BackupError, match="already exists"):
        service.backup_to(target)


def test_restore_brings_back_the_backup_and_keeps_the_current_database(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    backup = tmp_path / "monday.db"
    service.backup_to(backup)
    later = workspace.calling.record_outcome(4, "busy")
    result = service.restore(backup)
    # The open workspace (a window) sees the restored content.
    workspace.reload()
    assert workspace.leads.card(4).attempts == 0
    assert result.kept_copy is not None and mode(result.kept_copy) == 0o600
    assert query(result.kept_copy, "SELECT count(*) FROM attempts WHERE id = ?", (later.attempt_id,)) == [
        (1,)
    ]
    assert integrity(Path(workspace.describe())) == "ok"
    assert query(Path(workspace.describe()), "PRAGMA journal_mode") == [("wal",)]
    # and it goes on working
    assert workspace.calling.record_outcome(4, "busy").attempts == 1


def test_restore_refuses_what_is_not_a_sound_dialdesk_database(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    before = workspace.leads.count()

    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(20_000))
    with pytest.raises(BackupError, match="not a SQLite database"):
        service.restore(noise)

    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (text)")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match="not a Dialdesk database"):
        service.restore(other)

    newer = tmp_path / "newer.db"
    service.backup_to(newer)
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match="schema revision 9999"):
        service.restore(newer)

    damaged = tmp_path / "damaged.db"
    service.backup_to(damaged)
    size = damaged.stat().st_size
    with damaged.open("r+b") as handle:  # keep the header, ruin the pages after it
        handle.seek(4096)
        handle.write(os.urandom(size - 4096))
    with pytest.raises(BackupError, match=r"damaged\.db"):
        service.restore(damaged)

    assert workspace.leads.count() == before
    assert not any(path.name.startswith(".") for path in tmp_path.iterdir())  # no work copies left


def test_restoring_an_old_schema_migrates_it(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    old = REPO / "tests" / "storage" / "fixtures" / "schema-0001.db"
    result = service.restore(old)
    assert result.upgraded_from == "0001" and result.restored.revision == head_revision()
    workspace.reload()
    assert current_revision(workspace.engine) == head_revision()
    assert workspace.leads.card(1).display_name == "Maria Lopez"
    assert query(Path(workspace.describe()), "SELECT count(*) FROM leads WHERE hours_key IS NULL") == [(0,)]


def test_restore_replaces_a_damaged_database(tmp_path: Path, filled) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    good = tmp_path / "good.db"
    service_for(workspace, clock, tmp_path).backup_to(good)
    broken = tmp_path / "broken.db"
    broken.write_bytes(os.urandom(30_000))
    service = BackupService(f"sqlite:///{broken}", tmp_path / "backups", clock)
    assert not service.check().ok
    result = service.restore(good)
    assert (
        result.kept_copy is not None
        and result.kept_copy.read_bytes() == Path(str(result.kept_copy)).read_bytes()
    )
    assert result.kept_copy.stat().st_size == 30_000
    assert service.check().ok and integrity(broken) == "ok"


# -- the command line --------------------------------------------------------------------------------


def test_db_commands_in_process(filled, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    workspace, _clock = filled
    db = workspace.describe()
    copy = tmp_path / "copy.db"
    assert main(["--db", db, "db", "check"]) == 0
    assert capsys.readouterr().out.startswith(f"OK: {db} passed the integrity check")
    assert main(["--db", db, "db", "backup", str(copy)]) == 0
    assert mode(copy) == 0o600
    assert main(["--db", db, "db", "backup", str(copy)]) == 2
    assert "already exists" in capsys.readouterr().err
    # stdin is not a terminal here: a restore without --yes is refused and changes nothing.
    assert main(["--db", db, "db", "restore", str(copy)]) == 2
    error = capsys.readouterr().err
    assert "--yes" in error and error.count("\n") == 1
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    assert main(["--db", str(junk), "db", "check"]) == 1
    out = capsys.readouterr().out
    assert "problem" in out and "dialdesk db restore" in out


def test_db_restore_as_the_user_runs_it(cli_env, filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace, clock = filled
    db = Path(workspace.describe())
    backup = tmp_path / "saved.db"
    service_for(workspace, clock, tmp_path).backup_to(backup)
    workspace.calling.record_outcome(4, "busy")
    workspace.close()
    refused = run_cli(cli_env, db, "db", "restore", str(backup))  # stdin is a pipe, not a terminal
    assert refused.returncode == 2 and "--yes" in refused.stderr and refused.stderr.count("\n") == 1
    assert query(db, "SELECT attempt_count FROM leads WHERE id = 4") == [(1,)]
    done = run_cli(cli_env, db, "db", "restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    assert "Kept the database as it was in" in done.stdout
    assert query(db, "SELECT attempt_count FROM leads WHERE id = 4") == [(0,)]
    kept = list((tmp_path / "data" / "dialdesk" / "backups").glob("work-*-before-restore-*.db"))
    assert len(kept) == 1 and mode(kept[0]) == 0o600 and mode(kept[0].parent) == 0o700
    assert query(kept[0], "SELECT attempt_count FROM leads WHERE id = 4") == [(1,)]
    assert integrity(db) == "ok"


def test_after_a_restore_an_agent_claims_under_the_restored_databases_own_agent(  # type: ignore[no-untyped-def]
    filled, tmp_path: Path
) -> None:
    """Agents' ids are remembered by the claims; a restore replaces the agents table, so an agent made
    after the backup is made again (the id remembered belongs to no one, or to another agent)."""
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    backup = tmp_path / "monday.db"
    service.backup_to(backup)
    assert workspace.claims.take(4, "Newbie") is not None  # Newbie's row, after the backup
    workspace.claims.release(4, "Newbie")
    service.restore(backup)
    workspace.reload()
    assert workspace.claims.take(5, "Newbie") is not None
    assert workspace.claims.holder(5) is not None and workspace.claims.holder(5)[0] == "Newbie"  # type: ignore[index]


def test_after_a_restore_the_history_names_the_restored_databases_agent(  # type: ignore[no-untyped-def]
    filled, tmp_path: Path
) -> None:
    """Events name the agent of a call; names are remembered by id. A restore replaces the agents
    table, so an id remembered from before it may now be another agent's: the history must name the
    agent the restored database has under that id, never the one remembered."""
    workspace, clock = filled
    service = service_for(workspace, clock, tmp_path)
    backup = tmp_path / "monday.db"
    service.backup_to(backup)
    workspace.act_as("Newbie")  # a new agent, made after the backup: a new id
    workspace.calling.record_outcome(4, "busy")
    service.restore(backup)
    workspace.reload()
    workspace.act_as("Other")  # made in the restored database: may take the id Newbie had
    recorded = workspace.calling.record_outcome(4, "busy")
    with workspace.uow() as uow:
        agent_id = uow.session.scalar(select(Attempt.agent_id).where(Attempt.id == recorded.attempt_id))
        named = uow.session.scalar(select(Agent.name).where(Agent.id == agent_id))
        actors = set(uow.session.scalars(select(ChainEvent.actor)))
    assert named == "Other"
    assert "Newbie" not in actors and "Other" in actors


def test_after_restoring_another_database_the_next_outcome_joins_its_history(  # type: ignore[no-untyped-def]
    filled, tmp_path: Path
) -> None:
    """A backup of another database (its own id, so its own chain) restored under the open window:
    the next outcome's events go to the restored database's chain, and its history verifies intact
    (they went to the replaced database's chain, and verify said a call record had been added)."""
    workspace, clock = filled
    other = open_workspace(str(tmp_path / "other.db"), clock=clock)
    try:
        other.imports.run(SAMPLE, list_name="Sample", region="US")
        other.calling.record_outcome(1, "no_answer")
    finally:
        other.close()
    service_for(workspace, clock, tmp_path).restore(tmp_path / "other.db")
    workspace.reload()
    workspace.calling.record_outcome(4, "busy")
    result = workspace.history.verify()
    assert result.intact, result.problem
