"""A database that is busy, read-only, damaged or on a full disk: one clear line from the command line
(exit 2, no traceback), a message that says what to do, and nothing saved before is lost."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import desktop.storage.engine as engine_module
from desktop.cli import main
from desktop.services.backup import database_problem
from desktop.services.clock import ManualClock
from desktop.services.workspace import DatabaseError, open_workspace
from tests.hardening.conftest import SAMPLE, integrity, query, remount, run_cli, tmpfs
from tests.hardening.test_crash_safety import write_big_list

BUSY = "the database is busy (another Dialdesk window or program is writing)"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data.db"
    workspace = open_workspace(str(path), clock=ManualClock(datetime(2026, 12, 1, 18, tzinfo=UTC)))
    workspace.imports.run(SAMPLE, list_name="Sample", region="US")
    workspace.calling.record_outcome(1, "no_answer")
    workspace.close()
    return path


@pytest.fixture
def extra_pragmas(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Pragmas every new connection of this process also runs (a short busy timeout, a page limit)."""
    pragmas: list[str] = []
    original = engine_module._sqlite_pragmas

    def with_extra(connection: sqlite3.Connection, record: Any) -> None:
        original(connection, record)
        for pragma in pragmas:
            connection.execute(pragma)

    monkeypatch.setattr(engine_module, "_sqlite_pragmas", with_extra)
    yield pragmas


def one_line(text: str) -> str:
    assert text.count("\n") == 1 and "Traceback" not in text, text
    assert text.startswith("dialdesk: ")
    return text


def counts(db: Path) -> tuple[int, int]:
    return query(db, "SELECT count(*) FROM leads")[0][0], query(db, "SELECT count(*) FROM attempts")[0][0]


def test_a_database_busy_with_another_writer(db: Path, extra_pragmas: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    extra_pragmas.append("PRAGMA busy_timeout=300")
    before = counts(db)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE leads SET notes = 'theirs' WHERE id = 2")
    try:
        assert main(["--db", str(db), "dnc", "add", "+12125550100"]) == 2
        error = one_line(capsys.readouterr().err)
        assert BUSY in error and str(db) in error
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert counts(db) == before and integrity(db) == "ok"
    assert main(["--db", str(db), "dnc", "add", "+12125550100"]) == 0  # once free, it works


def test_a_damaged_database_names_the_file_and_the_restore(db: Path, tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(40_000))
    done = run_cli(cli_env, noise, "queue")
    assert done.returncode == 2
    error = one_line(done.stderr)
    assert str(noise) in error and "dialdesk db restore" in error and "damaged" in error
    with pytest.raises(DatabaseError, match="dialdesk db restore"):
        open_workspace(str(noise))


def test_damaged_pages_inside_a_database(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    damaged = tmp_path / "damaged.db"
    shutil.copyfile(db, damaged)
    size = damaged.stat().st_size
    with damaged.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(size // 2))
    code = main(["--db", str(damaged), "leads", "export", "--out", str(tmp_path / "out.json")])
    assert code == 2
    error = one_line(capsys.readouterr().err)
    assert str(damaged) in error and "dialdesk db restore" in error
    assert main(["--db", str(damaged), "db", "check"]) == 1


def test_a_read_only_database(db: Path, extra_pragmas: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    extra_pragmas.append("PRAGMA query_only=ON")  # SQLite answers writes as on a read-only file
    before = counts(db)
    assert main(["--db", str(db), "dnc", "add", "+12125550100"]) == 2
    error = one_line(capsys.readouterr().err)
    assert "read-only" in error and str(db) in error
    assert counts(db) == before


def test_a_database_on_a_read_only_disk(db: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    with tmpfs("8m") as folder:
        target = folder / "data.db"
        shutil.copyfile(db, target)
        os.chmod(target, 0o600)
        before = counts(target)
        remount(folder, "ro")
        try:
            done = run_cli(cli_env, target, "dnc", "add", "+12125550100")
        finally:
            remount(folder, "rw")
        assert done.returncode == 2
        error = one_line(done.stderr)
        assert "read-only" in error and str(target) in error
        assert counts(target) == before and integrity(target) == "ok"


def test_a_full_disk_by_page_limit(db: Path, tmp_path: Path, extra_pragmas: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.csv"
    write_big_list(big, 4000)
    pages = query(db, "PRAGMA page_count")[0][0]
    extra_pragmas.append(f"PRAGMA max_page_count={pages + 20}")  # SQLITE_FULL after 20 more pages
    before = counts(db)
    assert main(["--db", str(db), "leads", "import", str(big)]) == 2
    error = one_line(capsys.readouterr().err)
    assert "full" in error and str(db) in error and "nothing was saved" in error
    assert counts(db) == before and integrity(db) == "ok"


def test_a_really_full_disk(db: Path, tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.csv"
    write_big_list(big, 6000)
    with tmpfs("3m") as folder:
        target = folder / "data.db"
        shutil.copyfile(db, target)
        before = counts(target)
        filler = folder / "filler"
        descriptor = os.open(filler, os.O_CREAT | os.O_WRONLY)
        try:
            free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
            os.write(descriptor, bytes(max(free - 200_000, 0)))  # leave room to open, not to import
        finally:
            os.close(descriptor)
        done = run_cli(cli_env, target, "leads", "import", str(big))
        assert done.returncode == 2
        error = one_line(done.stderr)
        assert "full" in error and str(target) in error
        filler.unlink()
        assert counts(target) == before and integrity(target) == "ok"
        again = run_cli(cli_env, target, "dnc", "add", "+12125550100")
        assert again.returncode == 0, again.stderr


def test_every_kind_of_failure_has_its_message() -> None:
    cases = {
        sqlite3.OperationalError("database is locked"): BUSY,
        sqlite3.OperationalError("attempt to write a readonly database"): "read-only",
        sqlite3.OperationalError("database or disk is full"): "is full",
        sqlite3.DatabaseError("file is not a database"): "dialdesk db restore",
        sqlite3.DatabaseError("database disk image is malformed"): "damaged",
        sqlite3.OperationalError("disk I/O error"): "the disk reported an error",
    }
    for error, expected in cases.items():
        message = database_problem(error, "/data/dialdesk.db")
        assert message is not None and expected in message and "/data/dialdesk.db" in message
        assert "\n" not in message
    assert database_problem(ValueError("no"), "x") is None
    assert database_problem(sqlite3.IntegrityError("UNIQUE constraint failed"), "x") is None
