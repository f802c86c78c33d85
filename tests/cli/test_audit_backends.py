"""`audit verify`, `audit anchor` and `audit bundle` on both backends: an SQLite file and a team's
PostgreSQL database (this module is in POSTGRES_MODULES: each test runs on both)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from desktop.storage.engine import make_engine
from tests.cli.test_cli import run

NOW = "2026-12-03 12:00:00"  # the day after the events: pinned, whatever the machine's date


def tamper(db_url: str, sql: str) -> None:
    """Change the events with plain SQL, past the guards (SQLite triggers; PostgreSQL's as replica)."""
    engine = make_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS events_append_only")
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS events_kept")
            connection.exec_driver_sql(sql)
    finally:
        engine.dispose()


def history(workspace: Workspace, clock: ManualClock) -> None:
    workspace.dnc.add("212-555-0199")
    workspace.dnc.add("212-555-0188")
    clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    workspace.dnc.remove("212-555-0188")
    workspace.close()


def test_verify_and_anchor_read_the_chain_and_name_an_altered_event(
    workspace: Workspace, clock: ManualClock, db_url: str
) -> None:
    history(workspace, clock)
    verified = run(db_url, "audit", "verify", faketime=NOW)  # type: ignore[arg-type]
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("intact: 3 events, head ")
    anchor = run(db_url, "audit", "anchor", "--date", "2026-12-01", faketime=NOW)  # type: ignore[arg-type]
    assert anchor.returncode == 0, anchor.stderr
    day, _, _, _, seq, _, head = anchor.stdout.split()
    assert (day, seq) == ("2026-12-01", "2") and len(head) == 64
    refused = run(db_url, "audit", "anchor", "--date", "2026-12-04", faketime=NOW)  # type: ignore[arg-type]
    assert refused.returncode == 2 and "in the future" in refused.stderr

    tamper(db_url, "UPDATE events SET payload = replace(payload, '0199', '0177') WHERE seq = 1")
    broken = run(db_url, "audit", "verify", faketime=NOW)  # type: ignore[arg-type]
    assert broken.returncode == 1, broken.stdout
    assert "event seq 1" in broken.stderr and "altered" in broken.stderr


def test_a_deleted_event_is_named(workspace: Workspace, clock: ManualClock, db_url: str) -> None:
    history(workspace, clock)
    tamper(db_url, "DELETE FROM events WHERE seq = 2")
    broken = run(db_url, "audit", "verify", faketime=NOW)  # type: ignore[arg-type]
    assert broken.returncode == 1 and "event 2 before it are missing" in broken.stderr, broken.stderr


def test_the_bundle_holds_the_history_and_its_manifest_matches(
    workspace: Workspace, clock: ManualClock, db_url: str, tmp_path: Path
) -> None:
    import hashlib

    history(workspace, clock)
    out = tmp_path / "exam.zip"
    written = run(
        db_url,  # type: ignore[arg-type]
        "audit",
        "bundle",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-02",
        "--out",
        str(out),
        faketime=NOW,
    )
    assert written.returncode == 0, written.stderr
    with zipfile.ZipFile(out) as bundle:
        rows = list(csv.DictReader(io.StringIO(bundle.read("history.csv").decode("utf-8-sig"))))
        assert [row["kind"] for row in rows] == ["dnc_add", "dnc_add", "dnc_remove"]
        manifest = list(csv.reader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig"))))
        hashes = {line[0]: line[-1] for line in manifest[1:]}
        assert hashes and all(
            hashlib.sha256(bundle.read(name)).hexdigest() == digest for name, digest in hashes.items()
        )
        assert "intact" in bundle.read("verification.txt").decode()
