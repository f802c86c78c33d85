"""Database files from elsewhere (a backup to restore, a colleague's file to merge) are data, never
code: a schema that is not exactly Dialdesk's for its revision is refused by `db restore`, `merge`
and flagged by `db check`, before anything is replaced; the file handed in is never written (no
checkpoint, no `-shm` beside it); odd file names are themselves; `--db` never chmods what is not a
database; Ctrl+C stops a merge with the database unchanged; private copies do not outlive a kill."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.settings import Settings
from desktop.services.workspace import open_workspace
from tests.hardening.conftest import PYTHON, REPO, SAMPLE, query, remount, run_cli, tmpfs
from tests.hardening.test_records import NOW

# Each is what someone may have done to a file: Dialdesk's schema plus or minus one object.
MUTATIONS = {
    "extra column": ["ALTER TABLE leads ADD COLUMN spy TEXT DEFAULT ''"],
    "extra trigger eating do-not-call entries": [
        "CREATE TRIGGER eat_dnc AFTER INSERT ON dnc_entries"
        " BEGIN DELETE FROM dnc_entries WHERE id = NEW.id; END"
    ],
    "a trigger of ours rewritten": [
        "DROP TRIGGER attempts_append_only",
        "CREATE TRIGGER attempts_append_only BEFORE UPDATE ON attempts WHEN 0 BEGIN SELECT 1; END",
    ],
    "a trigger of ours missing": ["DROP TRIGGER attempts_kept"],
    "a view that never ends": [
        "CREATE VIEW forever AS"
        " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n"
    ],
    "an index missing": ["DROP INDEX ix_attempts_origin"],
    "an extra index": ["CREATE INDEX spy ON leads (notes)"],
    "an extra table": ["CREATE TABLE spy (x)"],
    "today's tables claiming revision 0001": ["UPDATE alembic_version SET version_num = '0001'"],
}
LEAKS = ("Traceback", "SELECT", "INSERT", "sqlalche.me", "http")


def make_db(path: Path, agent: str) -> Path:
    workspace = open_workspace(str(path), clock=ManualClock(NOW))
    workspace.save_settings(Settings(agent_name=agent))
    workspace.imports.run(SAMPLE, list_name="Sample", region="US")
    workspace.close()
    return path


def fingerprint(path: Path) -> dict[str, object]:
    """The file's bytes and those of anything beside it with its name (-wal, -shm, -journal)."""
    return {
        sibling.name: hashlib.sha256(sibling.read_bytes()).hexdigest()
        for sibling in sorted(path.parent.iterdir())
        if sibling.name.startswith(path.name)
    }


def content(db: Path) -> list[object]:
    return [
        query(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name"),
        query(db, "SELECT count(*) FROM leads"),
        query(db, "SELECT count(*) FROM attempts"),
        query(db, "SELECT count(*) FROM dnc_entries"),
    ]


def mutate(db: Path, statements: list[str]) -> None:
    connection = sqlite3.connect(db)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, as it would be sent
    connection.close()


def one_clean_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert not any(leak in lines[0] for leak in LEAKS), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("good") / "good.db", "Sam")


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_schema_that_is_not_exactly_dialdesks_is_refused_everywhere(
    good_db: Path, tmp_path: Path, cli_env: dict[str, str], mutation: str
) -> None:
    hostile = tmp_path / "hostile.db"
    shutil.copyfile(good_db, hostile)
    mutate(hostile, MUTATIONS[mutation])
    target = make_db(tmp_path / "mine.db", "Sue")
    before, sent = content(target), fingerprint(hostile)

    restore = run_cli(cli_env, target, "db", "restore", str(hostile), "--yes", timeout=60)
    assert restore.returncode == 2, restore.stderr
    assert str(hostile) in one_clean_line(restore)
    merge = run_cli(cli_env, target, "merge", str(hostile), timeout=60)
    assert merge.returncode == 2, merge.stderr
    assert "schema" in one_clean_line(merge)
    assert content(target) == before  # nothing replaced, nothing of theirs installed
    assert fingerprint(hostile) == sent  # their file untouched, nothing created beside it

    check = run_cli(cli_env, hostile, "db", "check", timeout=60)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "problem" in check.stdout
    assert not list((tmp_path / "data" / "dialdesk" / "scratch").iterdir())


def test_db_check_and_restore_accept_every_revision_exactly_as_it_was(
    good_db: Path, tmp_path: Path, cli_env
) -> None:  # type: ignore[no-untyped-def]
    fixtures = sorted((REPO / "tests" / "storage" / "fixtures").glob("schema-*.db"))
    assert len(fixtures) >= 2
    target = make_db(tmp_path / "mine.db", "Sue")
    for fixture in fixtures:
        backup = tmp_path / fixture.name
        shutil.copyfile(fixture, backup)
        done = run_cli(cli_env, target, "db", "restore", str(backup), "--yes")
        assert done.returncode == 0, done.stderr
        check = run_cli(cli_env, target, "db", "check")
        assert check.returncode == 0, check.stdout
    assert run_cli(cli_env, good_db, "db", "check").returncode == 0


def test_the_source_file_is_read_as_a_copy_wal_included(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "writing").mkdir()
    writing = make_db(tmp_path / "writing" / "sam.db", "Sam")
    live = sqlite3.connect(writing)
    live.execute("PRAGMA wal_autocheckpoint=0")
    # A row the history does not cover (a do-not-call entry written this way would be named by the
    # history check as inserted outside Dialdesk, and the merge refused).
    live.execute("INSERT INTO settings (key, value) VALUES ('wal_marker', '\"only in the WAL\"')")
    live.commit()
    sent = tmp_path / "sent"
    sent.mkdir()
    for suffix in ("", "-wal"):  # what a colleague's folder holds after a crash: the file and its WAL
        shutil.copyfile(str(writing) + suffix, str(sent / "sam.db") + suffix)
    live.close()
    source = sent / "sam.db"
    assert Path(str(source) + "-wal").stat().st_size > 0
    before = fingerprint(source)
    target = make_db(tmp_path / "mine.db", "Sue")
    merged = run_cli(cli_env, target, "merge", str(source))
    assert merged.returncode == 0, merged.stderr
    restored = run_cli(cli_env, target, "db", "restore", str(source), "--yes")
    assert restored.returncode == 0, restored.stderr
    # What was only in the WAL came along with the file.
    assert query(target, "SELECT count(*) FROM settings WHERE key = 'wal_marker'") == [(1,)]
    assert fingerprint(source) == before  # no checkpoint, no -shm beside it
    assert sorted(path.name for path in sent.iterdir()) == ["sam.db", "sam.db-wal"]


@pytest.mark.parametrize("name", ["sam%41.db", "Sam #2.db", "what?.db", "a&b=c.db"])
def test_file_names_are_taken_literally(tmp_path: Path, cli_env, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "files"
    folder.mkdir()
    make_db(folder / name, "Sam")
    decoy = make_db(folder / "samA.db", "Decoy")  # what `sam%41.db` decoded would be
    listing = sorted(path.name for path in folder.iterdir())
    target = make_db(tmp_path / "mine.db", "Sue")
    done = run_cli(cli_env, target, "merge", str(folder / name), "--json")
    assert done.returncode == 0, done.stderr
    assert '"agent": "Sam"' in done.stdout
    assert sorted(path.name for path in folder.iterdir()) == listing  # no stray file such as `Sam `
    restored = run_cli(cli_env, target, "db", "restore", str(folder / name), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert sorted(path.name for path in folder.iterdir()) == listing
    # As the database itself (`--db`): that very file is used, and no other is made.
    main_db = tmp_path / "main" / name
    main_db.parent.mkdir()
    listed = run_cli(cli_env, main_db, "leads", "import", str(SAMPLE))
    assert listed.returncode == 0, listed.stderr
    assert [path.name for path in main_db.parent.iterdir() if not path.name.endswith(("-wal", "-shm"))] == [
        name
    ]
    assert (
        query(decoy, "SELECT count(*) FROM leads")[0][0] == query(main_db, "SELECT count(*) FROM leads")[0][0]
    )


def test_db_never_changes_the_mode_of_what_is_not_a_database(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    notes.chmod(0o644)
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    fifo.chmod(0o644)
    for thing in (notes, folder, fifo):
        mode = stat.S_IMODE(thing.stat().st_mode)
        done = run_cli(cli_env, thing, "queue", timeout=60)
        assert done.returncode == 2, done.stderr
        assert str(thing) in one_clean_line(done)
        assert stat.S_IMODE(thing.stat().st_mode) == mode, thing
    assert notes.read_text() == "my notes\n"
    database = make_db(tmp_path / "shared.db", "Sam")
    database.chmod(0o644)
    assert run_cli(cli_env, database, "queue").returncode == 0
    assert stat.S_IMODE(database.stat().st_mode) == 0o600  # our own database is made private


def without_history(db: Path) -> None:
    """The file as a database made before the history (schema 0013) would be: no events at all."""
    connection = sqlite3.connect(db)
    guards = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
    ).fetchall()
    for name, _sql in guards:
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("DELETE FROM events")
    connection.execute("DELETE FROM event_checkpoints")
    for _name, sql in guards:
        connection.execute(sql)
    connection.commit()
    connection.close()


def many_calls(db: Path, calls: int) -> None:
    connection = sqlite3.connect(db)
    # Written fast: without the report triggers (Dialdesk drops them itself on an old SQLite, so a
    # file may lack them; the merge rebuilds the summaries).
    for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'report_%' AND type = 'trigger'"
    ):
        connection.execute(f'DROP TRIGGER "{name}"')
    # The calls' agent: a database gets its agent row with its first call, and these calls skip that.
    connection.execute(
        "INSERT OR IGNORE INTO agents (id, name, created_at) VALUES (1, 'Sam', '2026-11-01 09:00:00')"
    )
    rows = [
        (
            1,
            "+12125550134",
            1,
            "manual",
            1,
            "[]",
            f"2026-11-{1 + n % 28:02d} 15:00:00.000000",
            "no_answer",
            "",
        )
        for n in range(calls)
    ]
    connection.executemany(
        "INSERT INTO attempts"
        " (lead_id, number, agent_id, backend, allowed, reasons, started_at, outcome, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()


def test_ctrl_c_stops_a_merge_and_leaves_the_database_unchanged_and_unlocked(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    source = make_db(tmp_path / "sam.db", "Sam")
    many_calls(source, 100_000)
    without_history(source)  # a file made before the history: merged (and reported), not refused at once
    target = make_db(tmp_path / "mine.db", "Sue")
    before = content(target)
    scratch = tmp_path / "data" / "dialdesk" / "scratch"
    process = subprocess.Popen(
        [PYTHON, "-m", "desktop", "--db", str(target), "merge", str(source)],
        env=cli_env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (scratch.is_dir() and any(scratch.iterdir())):
        time.sleep(0.02)
    time.sleep(1.0)  # into the copying and reading
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert content(target) == before
    connection = sqlite3.connect(target, timeout=0)
    connection.execute("BEGIN IMMEDIATE")  # not left locked
    connection.rollback()
    connection.close()
    assert not any(scratch.iterdir())


def test_private_copies_left_by_a_killed_process_go_at_the_next_start(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    gone = subprocess.Popen(["true"])
    gone.wait()
    scratch = tmp_path / "data" / "dialdesk" / "scratch"
    stale = scratch / f"merge-{gone.pid}-0badf00d"
    stale.mkdir(parents=True)
    (stale / "candidate.db").write_bytes(b"their names and numbers")
    db = make_db(tmp_path / "mine.db", "Sue")
    assert run_cli(cli_env, db, "queue").returncode == 0
    assert not stale.exists()
    assert stat.S_IMODE(scratch.stat().st_mode) == 0o700


def test_a_backup_to_a_full_disk_names_that_disk(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    db = make_db(tmp_path / "mine.db", "Sue")
    with tmpfs("64k") as folder:
        done = run_cli(cli_env, db, "db", "backup", str(folder))
        assert done.returncode == 2
        line = one_clean_line(done)
        assert f"disk holding {folder} is full" in line and "unchanged" in line
        assert list(folder.iterdir()) == []


def test_a_read_only_database_still_shows_the_queue(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    db = make_db(tmp_path / "mine.db", "Sue")
    with tmpfs("8m") as folder:
        target = folder / "data.db"
        shutil.copyfile(db, target)
        remount(folder, "ro")
        try:
            queue = run_cli(cli_env, target, "queue", "--limit", "3")
            exported = run_cli(cli_env, target, "leads", "export")
            record = run_cli(cli_env, target, "record", "1", "no_answer")
        finally:
            remount(folder, "rw")
        assert queue.returncode == 0, queue.stderr
        assert "leads in the queue" in queue.stdout
        assert exported.returncode == 0 and "Lopez" in exported.stdout
        assert record.returncode == 2 and "read-only" in one_clean_line(record)


def test_ctrl_c_stops_a_restore_and_leaves_the_database_unchanged_and_unlocked(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli_env
) -> None:
    """SIGINT while `db restore` checks and copies a big backup: exit 130, the database as it was and
    not locked, no private copy left. A restore that finished before the signal proves nothing, so the
    test tries again with a bigger backup, and fails if no signal ever landed inside one."""
    backup = make_db(tmp_path / "backup.db", "Sam")
    target = make_db(tmp_path / "mine.db", "Sue")
    before = content(target)
    scratch = tmp_path / "data" / "dialdesk" / "scratch"
    landed = False
    for _ in range(3):
        many_calls(backup, 150_000)
        process = subprocess.Popen(
            [PYTHON, "-m", "desktop", "--db", str(target), "db", "restore", str(backup), "--yes"],
            env=cli_env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if scratch.is_dir() and any(scratch.iterdir()):
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=120)
        if process.returncode == 0:
            assert content(target) == content(backup)  # it finished first: all of it, then try again
            before = content(target)
            continue
        assert process.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        assert content(target) == before
        landed = True
        break
    assert landed, "every restore finished before Ctrl+C: the test proved nothing"
    connection = sqlite3.connect(target, timeout=0)
    connection.execute("BEGIN IMMEDIATE")  # not left locked
    connection.rollback()
    connection.close()
    assert not any(scratch.iterdir())


def test_dialdesks_own_code_objects_are_what_the_migrations_build() -> None:
    from desktop.storage.migrate import LATEST_REVISION
    from desktop.storage.schema_check import OWN_CODE_OBJECTS, reference_schemas

    built = {name for kind, name in reference_schemas()[LATEST_REVISION] if kind in ("trigger", "view")}
    assert built == set(OWN_CODE_OBJECTS)


def test_a_live_database_with_a_planted_trigger_is_refused_not_silently_used(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    """A reviewer's lost record: a trigger someone put in the live database deleted each new
    do-not-call entry, and `dnc add` said the number was on the list. Now nothing runs on it."""
    db = make_db(tmp_path / "mine.db", "Sue")
    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TRIGGER evil AFTER INSERT ON dnc_entries"
            " BEGIN DELETE FROM dnc_entries WHERE id = NEW.id; END"
        )
    connection.close()
    added = run_cli(cli_env, db, "dnc", "add", "+13055550177")
    assert added.returncode == 2, added.stdout + added.stderr
    (line,) = added.stderr.strip().splitlines()
    assert "trigger 'evil'" in line and "db check" in line
    assert run_cli(cli_env, db, "check", "+13055550177").returncode == 2
    checked = run_cli(cli_env, db, "db", "check")
    assert checked.returncode == 1 and "evil" in checked.stdout + checked.stderr
