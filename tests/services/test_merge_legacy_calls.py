# ruff: noqa: F811
"""Calls merged from a file without history are exempt from verify's comparison by what the merge
recorded (issue 19): per origin and agent, the ids there of the calls it added, never by their times.

A colleague whose clock ran ahead of ours (their calls dated after our merge) verifies intact with the
NOT COVERED note; a call inserted later with plain sqlite3 — any time, a later id, an id in a gap of the
recorded ones, a recorded id under another agent, or a copy of a recorded call — is named. A `merge`
event written before the record existed keeps the older rule (calls started before the merge).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.history_carried import WITHOUT_HISTORY_CALLS
from desktop.services.merge import MergeReport, merge_service_for
from desktop.services.workspace import open_workspace
from desktop.storage.engine import database_url
from tests.cli.test_audit_verify import history  # noqa: F401
from tests.cli.test_cli import run
from tests.cli.test_scripts_cli import dialdesk
from tests.services.test_calling import calling, dialer, registry  # noqa: F401
from tests.services.test_merge_forged_calls import _colleague, _count, _database_id, _forge_call

MERGED_AT = "2026-12-01 14:00:00"  # our clock at the merge
AHEAD = "2026-12-01 16:00:00.000000"  # their call, by a clock two hours ahead of ours


def _legacy(tmp_path: Path, starts: list[str], gap: int | None = None) -> tuple[Path, str]:
    """A colleague's file with no history (every event gone, as before schema 0013): Old's calls at
    `starts` (ids 1, 2, …), call `gap` then removed so the merged ids have a hole; and its id."""
    old = _colleague(tmp_path, "Old")
    for start in starts:
        _forge_call(old, "Old", None, None, start)
    with sqlite3.connect(old) as connection:
        kept = [
            str(row[0])
            for row in connection.execute(
                "SELECT sql FROM sqlite_master WHERE name IN ('events_kept', 'attempts_kept')"
            )
        ]
        removed = f"DELETE FROM attempts WHERE id = {int(gap)};" if gap is not None else ""
        connection.executescript(
            "DROP TRIGGER events_kept; DROP TRIGGER attempts_kept; DELETE FROM events;"
            + removed
            + "".join(f"{sql};" for sql in kept)
        )
    connection.close()
    return old, _database_id(old).strip('"')


def _verify(db: Path) -> tuple[int, str]:
    result = dialdesk(db, "audit", "verify")
    return result.returncode, result.stdout + result.stderr


def test_a_colleague_clock_ahead_of_ours_merges_legacy_calls_that_verify_not_covered(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """Their calls are dated after our merge moment (their clock ran ahead): still exactly the calls the
    merge added unproven, so intact with the note — never "broken" (the old time rule said broken)."""
    old, old_id = _legacy(tmp_path, ["2026-11-01 15:00:00.000000", AHEAD])

    merged = run(db_path, "merge", str(old), "--json", faketime=MERGED_AT)

    assert merged.returncode == 0, merged.stderr
    code, out = _verify(db_path)
    assert code == 0, out
    assert f"NOT COVERED: 2 calls merged from a database that had no history ({old_id})" in out
    # What the exemption rests on: the merge recorded exactly which calls it added unproven.
    report = json.loads(merged.stdout)
    assert report["without_history"] == [old_id]
    assert report[WITHOUT_HISTORY_CALLS] == {old_id: {"Old": [[1, 2]]}}
    event = sqlite3.connect(db_path).execute(
        "SELECT payload FROM events WHERE kind = 'merge' ORDER BY seq DESC LIMIT 1"
    )
    assert json.loads(event.fetchone()[0])[WITHOUT_HISTORY_CALLS] == {old_id: {"Old": [[1, 2]]}}


def test_legacy_calls_merged_on_through_a_colleague_stay_exempt_by_the_same_record(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """Old → Bob → us: Bob's `merge` event travels with his chain and names the calls by their identity
    there (origin, id, agent), which they keep here, so they are exempt here too; none is added twice."""
    old, old_id = _legacy(tmp_path, ["2026-11-01 15:00:00.000000", AHEAD])
    bob = _colleague(tmp_path, "Bob")
    assert run(bob, "merge", str(old), faketime=MERGED_AT).returncode == 0

    merged = run(db_path, "merge", str(bob), "--json", faketime=MERGED_AT)

    assert merged.returncode == 0, merged.stderr
    assert json.loads(merged.stdout)["without_history"] == []
    assert _count(db_path, "origin_db = ?", old_id) == 2
    code, out = _verify(db_path)
    assert code == 0, out
    assert f"NOT COVERED: 2 calls merged from a database that had no history ({old_id})" in out


FORGERIES = {
    # (origin id, agent, start): a call of that origin inserted with plain sqlite3 after the merge
    "a later id, back-dated": (4, "Old", "2020-01-01 15:00:00.000000"),
    "a later id, dated in the future": (4, "Old", "2099-01-01 15:00:00.000000"),
    "an id in the gap": (2, "Old", "2026-11-01 15:30:00.000000"),
    "a recorded id, another agent": (1, "Mallory", "2026-11-01 15:00:00.000000"),
    # The unique index on a call's identity dropped first (plain sqlite3 can): a second row of call 1
    "a copy of a recorded call": (1, "Old", "2026-11-01 15:00:00.000000"),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_a_call_of_that_origin_inserted_after_the_merge_is_named(
    history: dict[str, int], db_path: Path, tmp_path: Path, name: str
) -> None:
    old, old_id = _legacy(
        tmp_path, ["2026-11-01 15:00:00.000000", "2026-11-01 15:30:00.000000", AHEAD], gap=2
    )
    merged = run(db_path, "merge", str(old), "--json", faketime=MERGED_AT)
    assert merged.returncode == 0, merged.stderr
    assert json.loads(merged.stdout)[WITHOUT_HISTORY_CALLS] == {old_id: {"Old": [[1, 1], [3, 3]]}}
    assert _verify(db_path)[0] == 0
    origin_id, agent, start = FORGERIES[name]
    if name == "a copy of a recorded call":
        with sqlite3.connect(db_path) as connection:
            connection.execute("DROP INDEX ix_attempts_origin")
        connection.close()

    _forge_call(db_path, agent, old_id, origin_id, start)

    code, out = _verify(db_path)
    assert code == 1, out
    assert f"call {origin_id} of database {old_id}, agent {agent})" in out, out
    assert "Traceback" not in out


def test_an_older_merge_event_without_the_record_keeps_the_time_rule(
    history: dict[str, int], db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database merged before the merge recorded its calls (its `merge` event has only
    `without_history`) verifies as it did: calls of that origin started before the merge are not
    compared, a call of that origin started after it is."""
    old, old_id = _legacy(tmp_path, ["2026-11-01 15:00:00.000000"])
    written = MergeReport.to_json
    monkeypatch.setattr(
        MergeReport,
        "to_json",
        lambda report: {key: value for key, value in written(report).items() if key != WITHOUT_HISTORY_CALLS},
    )
    workspace = open_workspace(
        database_url(str(db_path)), clock=ManualClock(datetime(2026, 12, 1, 14, tzinfo=UTC))
    )
    try:
        assert merge_service_for(workspace).merge(old).without_history == [old_id]
    finally:
        workspace.close()
    payload = (
        sqlite3.connect(db_path).execute("SELECT payload FROM events WHERE kind = 'merge'").fetchone()[0]
    )
    assert WITHOUT_HISTORY_CALLS not in json.loads(payload)
    code, out = _verify(db_path)
    assert code == 0, out
    assert f"NOT COVERED: 1 call merged from a database that had no history ({old_id})" in out

    _forge_call(db_path, "Old", old_id, 2, "2099-01-01 15:00:00.000000")

    code, out = _verify(db_path)
    assert code == 1 and f"call 2 of database {old_id}" in out, out
    assert _count(db_path, "origin_db = ?", old_id) == 2
