# ruff: noqa: F811
"""A merge takes only calls their history proves (review finding, issues 19/20).

Calls added or altered with plain sqlite3 in a colleague's (or an offline) file — their own calls, or
calls marked as merged from a third database (origin_db set) — refuse the merge, named; on the
receiving database `audit verify` compares merged calls with their origin's events too. A call of
ours coming back with another agent is refused as a forgery, never added as a second copy. A file
with no history at all (made before it existed) is merged and the report says its calls are unproven.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_audit_verify import history  # noqa: F401
from tests.cli.test_scripts_cli import dialdesk
from tests.services.test_calling import calling, dialer, registry  # noqa: F401

FORGED = "+12125550177"
_CALL = (
    "INSERT INTO attempts (number, agent_id, backend, allowed, reasons, started_at, ended_at, duration_s,"
    " outcome, note, origin_db, origin_id) SELECT ?, id, 'manual', 1, '[]', ?, ?, 600.0, 'meeting',"
    " 'forged', ?, ? FROM agents WHERE name = ?"
)


def _forge_call(path: Path, agent: str, origin_db: str | None, origin_id: int | None, start: str) -> None:
    """An allowed call with a meeting to FORGED, inserted with plain sqlite3 (no gate, no event)."""
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT OR IGNORE INTO agents (name, created_at) VALUES (?, ?)", (agent, start))
        connection.execute(_CALL, (FORGED, start, start.replace(":00:", ":10:"), origin_db, origin_id, agent))
    connection.close()


def _count(path: Path, where: str = "1", *args: object) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(f"SELECT count(*) FROM attempts WHERE {where}", args).fetchone()[0])
    finally:
        connection.close()


def _database_id(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()[0])
    finally:
        connection.close()


def _colleague(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name.lower()}.db"
    assert dialdesk(path, "settings", "set", "agent_name", name).returncode in (0, 2)
    assert dialdesk(path, "dnc", "add", "+12125550178").returncode == 0
    return path


def _refused_naming(merged: object, what: str) -> None:
    stderr = str(getattr(merged, "stderr", ""))
    assert getattr(merged, "returncode", None) == 2, getattr(merged, "stdout", "")
    assert what in stderr and "Traceback" not in stderr and stderr.strip().count("\n") == 0, stderr


def test_a_forged_call_carried_from_a_third_database_refuses_the_merge(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """The reviewer's case: allowed, meeting, attributed to Ann, to a DNC number, origin_db set."""
    assert dialdesk(db_path, "dnc", "add", FORGED).returncode == 0
    bob = _colleague(tmp_path, "Bob")
    _forge_call(bob, "Ann", "f00dfeedf00dfeedf00dfeedf00dfeed", 7, "2026-12-01 15:00:00.000000")
    before = _count(db_path)

    merged = dialdesk(db_path, "merge", str(bob), "--json")

    _refused_naming(merged, "call 7 of database f00dfeedf00dfeedf00dfeedf00dfeed")
    assert _count(db_path) == before and _count(db_path, "number = ?", FORGED) == 0


def test_a_forged_call_of_their_own_refuses_the_merge(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    bob = _colleague(tmp_path, "Bob")
    _forge_call(bob, "Bob", None, None, "2026-12-01 15:00:00.000000")

    merged = dialdesk(db_path, "merge", str(bob))

    _refused_naming(merged, "no gate_decision event recorded it")
    assert _count(db_path, "number = ?", FORGED) == 0


def test_calls_carried_from_a_third_database_are_proven_by_its_chains_there_and_here(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """Ann → Bob → Carl: Ann's calls reach Carl through Bob, proven by Ann's chain that came along;
    a merged call forged afterwards in Carl's database is named by `audit verify`."""
    ann_calls = _count(db_path)
    bob, carl = _colleague(tmp_path, "Bob"), _colleague(tmp_path, "Carl")
    assert dialdesk(bob, "merge", str(db_path)).returncode == 0
    assert dialdesk(carl, "merge", str(bob)).returncode == 0
    assert _count(carl, "origin_db IS NOT NULL") == ann_calls
    assert dialdesk(carl, "audit", "verify").returncode == 0

    _forge_call(carl, "Ann", _database_id(db_path).strip('"'), 99, "2026-12-01 15:00:00.000000")
    verify = dialdesk(carl, "audit", "verify")

    assert verify.returncode == 1 and "call 99 of database" in verify.stdout + verify.stderr


def test_own_call_coming_back_with_another_agent_is_refused_not_duplicated(
    history: dict[str, int],  # noqa: F811
    db_path: Path,
    tmp_path: Path,
) -> None:
    """Bob merges Ann's file, changes the agent of one of her calls in his copy (the guard trigger put
    back as it was), and it is merged back: refused as a forgery (it disagrees with Ann's events),
    never a second copy of Ann's own call."""
    assert dialdesk(db_path, "settings", "set", "agent_name", "Ann").returncode in (0, 2)
    bob = _colleague(tmp_path, "Bob")
    assert dialdesk(bob, "merge", str(db_path)).returncode == 0
    before = _count(db_path)
    connection = sqlite3.connect(bob)
    connection.execute(
        "INSERT OR IGNORE INTO agents (name, created_at) VALUES ('Bob', '2026-12-01 10:00:00.000000')"
    )
    trigger = connection.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'attempts_append_only'"
    ).fetchone()[0]
    connection.executescript(
        "DROP TRIGGER attempts_append_only;"
        "UPDATE attempts SET agent_id = (SELECT id FROM agents WHERE name = 'Bob')"
        " WHERE id = (SELECT min(id) FROM attempts WHERE origin_db IS NOT NULL);" + trigger + ";"
    )
    connection.commit()
    connection.close()

    merged = dialdesk(db_path, "merge", str(bob), "--json")

    _refused_naming(merged, "its agent differs from its gate_decision event")
    assert _count(db_path) == before, merged.stdout


def test_a_file_without_any_history_is_merged_and_the_report_says_its_calls_are_unproven(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """A file from before the history (no events at all): its calls are merged, said in the report and
    in the merge event, and verify stays intact; a call of that origin forged later is still named."""
    old = _colleague(tmp_path, "Old")
    with sqlite3.connect(old) as connection:
        [trigger] = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'events_kept'").fetchone()
        connection.executescript(f"DROP TRIGGER events_kept; DELETE FROM events; {trigger};")
    connection.close()
    _forge_call(old, "Old", None, None, "2026-11-01 15:00:00.000000")

    merged = dialdesk(db_path, "merge", str(old), "--json")

    assert merged.returncode == 0, merged.stderr
    old_id = _database_id(old).strip('"')
    assert json.loads(merged.stdout)["without_history"] == [old_id]
    assert _count(db_path, "origin_db = ?", old_id) == 1
    verified = dialdesk(db_path, "audit", "verify")
    assert verified.returncode == 0
    # Intact, but never vouching for what nothing recorded: it says those calls are not covered.
    assert f"NOT COVERED: 1 call merged from a database that had no history ({old_id})" in verified.stdout
    # A call of that origin that starts after the merge was never in the old file: it needs its events.
    _forge_call(db_path, "Old", old_id, 2, "2099-01-01 15:00:00.000000")
    assert dialdesk(db_path, "audit", "verify").returncode == 1


def test_their_own_call_with_its_agent_changed_is_refused_when_merged_again(
    history: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """Bob merged Ann's file; Ann's own call then changes agent with plain SQL (trigger put back):
    merging it again is refused (it differs from its gate_decision event), not a second copy."""
    bob = _colleague(tmp_path, "Bob")
    assert dialdesk(bob, "merge", str(db_path)).returncode == 0
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT OR IGNORE INTO agents (name, created_at) VALUES ('Carl', '2026-12-01 10:00:00.000000')"
        )
        [trigger] = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'attempts_append_only'"
        ).fetchone()
        connection.executescript(
            "DROP TRIGGER attempts_append_only;"
            "UPDATE attempts SET agent_id = (SELECT id FROM agents WHERE name = 'Carl')"
            " WHERE id = (SELECT min(id) FROM attempts);" + trigger + ";"
        )
    connection.close()
    before = _count(bob)

    merged = dialdesk(bob, "merge", str(db_path))

    _refused_naming(merged, "its agent differs from its gate_decision event")
    assert _count(bob) == before
