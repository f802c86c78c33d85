"""`dialdesk audit anchor` and `audit verify --anchor`: a head written down exposes a rewritten chain."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.domain.event_chain import GENESIS, event_hash
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from tests.conftest import REPO, at_moment

# "Now" for every command here, whatever the machine's date (the suite also runs with its clock
# moved by ±400 days): the day after the events of the tests.
NOW = "2026-12-03 12:00:00"


def dialdesk(db: Path, *args: str, now: str = NOW) -> subprocess.CompletedProcess[str]:
    """`dialdesk --db DB ARGS` with its clock pinned at `now` (libfaketime)."""
    env = {key: value for key, value in os.environ.items() if key != "DIALDESK_DB"}
    command, env = at_moment(now, [sys.executable, "-m", "desktop", "--db", str(db), *args], env)
    return subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env=env, timeout=300, check=False
    )


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
    # The rewriter keeps the table in step with the rewritten history (verify compares the two).
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE dnc_entries SET number = '+12125550177' WHERE number = '+12125550199'")
    connection.close()
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


@pytest.mark.parametrize(
    ("now", "day", "refused"),
    [
        ("2026-12-03 12:00:00", "2026-12-04", True),  # tomorrow
        ("2026-12-03 23:58:00", "2026-12-04", True),  # tomorrow, minutes before it begins (UTC)
        ("2026-12-03 12:00:00", "2090-01-01", True),
        ("2026-12-03 00:00:00", "2026-12-03", False),  # today: its head so far
        ("2026-12-03 12:00:00", "2026-12-01", False),
    ],
)
def test_anchor_refuses_a_day_still_to_come(
    workspace: Workspace, db_path: Path, now: str, day: str, refused: bool
) -> None:
    """The head of a day still to come is not known: no line that would pass for it is printed."""
    workspace.dnc.add("212-555-0199")
    workspace.close()
    result = dialdesk(db_path, "audit", "anchor", "--date", day, now=now)
    if refused:
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr.strip().splitlines() == [
            f"dialdesk: --date {day} is in the future (today is {now[:10]}, UTC)"
        ]
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{day} chain ")
