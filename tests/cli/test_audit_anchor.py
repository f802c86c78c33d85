"""`dialdesk audit anchor` and `audit verify --anchor`: a head written down exposes a rewritten chain."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.event_chain import GENESIS, event_hash
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from tests.cli.test_scripts_cli import dialdesk


def rewrite_whole_chain(db: Path, seq: int, old: str, new: str) -> None:
    """What an attacker who read the code does: change one event and re-hash every event after it,
    checkpoints included, so that plain verification passes again."""
    connection = sqlite3.connect(db)
    triggers = connection.execute("SELECT sql FROM sqlite_master WHERE name LIKE 'events_%'").fetchall()
    connection.executescript("DROP TRIGGER events_append_only; DROP TRIGGER events_kept;")
    rows = connection.execute(
        "SELECT id, chain, seq, kind, occurred_at, actor, payload FROM events ORDER BY seq"
    ).fetchall()
    prev = GENESIS
    for row_id, chain, number, kind, at, actor, payload in rows:
        if number == seq:
            payload = payload.replace(old, new)
        digest = event_hash(prev, chain, number, kind, at, actor, payload)
        connection.execute(
            "UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (payload, prev, digest, row_id),
        )
        connection.execute(
            "UPDATE event_checkpoints SET hash = ? WHERE chain = ? AND seq = ?", (digest, chain, number)
        )
        prev = digest
    for (sql,) in triggers:  # put back, as they were: the file looks untouched
        connection.execute(sql)
    connection.commit()
    connection.close()


def test_anchor_prints_the_days_head_and_catches_a_rewritten_chain(
    workspace: Workspace, clock: ManualClock, db_path: Path
) -> None:
    workspace.dnc.add("212-555-0199")
    workspace.dnc.add("212-555-0188")
    clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    workspace.dnc.remove("212-555-0188")  # the next day: not part of the 1 December head
    workspace.close()

    result = dialdesk(db_path, "audit", "anchor", "--date", "2026-12-01")
    assert result.returncode == 0, result.stderr
    day, _, chain, _, seq, _, anchor = result.stdout.split()
    stored = sqlite3.connect(db_path).execute("SELECT chain, hash FROM events WHERE seq = 2").fetchone()
    assert (day, seq, (chain, anchor)) == ("2026-12-01", "2", stored)

    assert dialdesk(db_path, "audit", "verify", "--anchor", anchor).returncode == 0
    rewrite_whole_chain(db_path, 1, "0199", "0177")
    assert dialdesk(db_path, "audit", "verify").returncode == 0, "a full rewrite fools a plain verify"
    refused = dialdesk(db_path, "audit", "verify", "--anchor", anchor)
    assert refused.returncode == 1
    assert anchor in refused.stderr and "rewritten" in refused.stderr


def test_anchor_and_verify_refuse_bad_input_in_one_line(workspace: Workspace, db_path: Path) -> None:
    workspace.close()
    for args in (("audit", "verify", "--anchor", "abc"), ("audit", "anchor", "--date", "2026-13-01")):
        result = dialdesk(db_path, *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
