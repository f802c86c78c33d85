"""`dialdesk audit verify` against an attacker with plain `sqlite3` on the file (triggers dropped first).

Each tampering (alter an outcome's event, delete an event, insert one, reorder two) is done with
the sqlite3 shell, as someone with the file and no Dialdesk would; verify must name the event and
exit 1. An untouched history of 100,000 events verifies.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.domain.event_chain import GENESIS, event_hash
from desktop.services.calling import CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.history_chain import own_chain, verify_full
from desktop.services.history_records import records_problem
from desktop.services.workspace import Workspace
from tests.cli.test_scripts_cli import dialdesk
from tests.services.test_calling import calling, dialer, lead_id, registry  # noqa: F401

DROP_TRIGGERS = "DROP TRIGGER events_append_only; DROP TRIGGER events_kept;"


def sqlite_shell(db: Path, sql: str) -> None:
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("the sqlite3 shell is not installed (apt-get install sqlite3)")
    subprocess.run([shell, str(db), sql], check=True, capture_output=True, text=True)


@pytest.fixture
def history(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
    db_path: Path,
) -> dict[str, int]:
    """A database with an import, three calls with outcomes and do-not-call changes; seqs by name."""
    for last_name, outcome in (("Lopez", "not_interested"), ("O'Neil", "no_answer"), ("Lopez", "meeting")):
        lead = lead_id(workspace, last_name)
        call = calling.start_call(lead)
        clock.advance(minutes=3)
        extra = {"meeting_at": clock() + timedelta(days=2)} if outcome == "meeting" else {}
        calling.record_outcome(lead, outcome, attempt_id=call.attempt_id, **extra)  # type: ignore[arg-type]
        clock.advance(hours=5)
    workspace.dnc.add("212-555-0199")
    workspace.dnc.remove("212-555-0199")
    workspace.close()
    rows = sqlite3.connect(db_path).execute("SELECT seq, kind, payload FROM events ORDER BY seq").fetchall()
    outcome = next(seq for seq, kind, payload in rows if kind == "outcome" and "not_interested" in payload)
    return {"outcome": outcome, "last": rows[-1][0], "count": len(rows)}


def test_untouched_history_is_intact(history: dict[str, int], db_path: Path) -> None:
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 0, result.stderr
    head = sqlite3.connect(db_path).execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert result.stdout.strip() == f"intact: {history['count']} events, head {head}"


def test_altered_outcome_is_named(history: dict[str, int], db_path: Path) -> None:
    seq = history["outcome"]
    sqlite_shell(
        db_path,
        DROP_TRIGGERS
        + f"UPDATE events SET payload = replace(payload, 'not_interested', 'meeting') WHERE seq = {seq};",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    assert f"event seq {seq} " in result.stderr and "altered" in result.stderr


def test_altered_actor_or_time_is_named(history: dict[str, int], db_path: Path) -> None:
    seq = history["outcome"]
    sqlite_shell(
        db_path,
        DROP_TRIGGERS
        + f"UPDATE events SET occurred_at = '2026-01-01T00:00:00.000000+00:00' WHERE seq = {seq};",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and f"event seq {seq} " in result.stderr


def test_deleted_event_is_named(history: dict[str, int], db_path: Path) -> None:
    seq = history["outcome"]
    sqlite_shell(db_path, DROP_TRIGGERS + f"DELETE FROM events WHERE seq = {seq};")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    assert f"event seq {seq + 1} " in result.stderr and f"event {seq} before it" in result.stderr
    assert "missing" in result.stderr


def test_deleted_last_events_are_named_once_verified(history: dict[str, int], db_path: Path) -> None:
    assert dialdesk(db_path, "audit", "verify").returncode == 0  # the checkpoint now stands at the head
    last = history["last"]
    sqlite_shell(db_path, DROP_TRIGGERS + f"DELETE FROM events WHERE seq >= {last - 1};")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and "missing" in result.stderr and str(last) in result.stderr


def _forge(db: Path, seq: int, kind: str, payload: dict[str, object]) -> tuple[str, str, str]:
    """What an attacker who read this code computes: a well-formed event at `seq` after seq - 1."""
    connection = sqlite3.connect(db)
    chain, prev = connection.execute("SELECT chain, hash FROM events WHERE seq = ?", (seq - 1,)).fetchone()
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    at = "2026-12-01T15:00:00.000000+00:00"
    return chain, body, event_hash(prev or GENESIS, chain, seq, kind, at, "Alex", body)


def test_inserted_event_is_named(history: dict[str, int], db_path: Path) -> None:
    seq = history["outcome"]
    chain, body, digest = _forge(db_path, seq, "consent_add", {"lead": 1, "kind": "written"})
    prev = sqlite3.connect(db_path).execute("SELECT hash FROM events WHERE seq = ?", (seq - 1,)).fetchone()[0]
    # Make room at `seq` (shift the later events up by one) and put a well-hashed forgery there.
    sqlite_shell(
        db_path,
        DROP_TRIGGERS
        + f"UPDATE events SET seq = seq + 1000000 WHERE seq >= {seq};"
        + "UPDATE events SET seq = seq - 999999 WHERE seq >= 1000000;"
        + "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash) VALUES"
        + f" ('{chain}', {seq}, 'consent_add', '2026-12-01T15:00:00.000000+00:00', 'Alex', '{body}',"
        + f" '{prev}', '{digest}');",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    # The forgery itself hashes well and links to seq - 1; the event after it does not link to it.
    assert f"event seq {seq} " in result.stderr or f"event seq {seq + 1} " in result.stderr
    assert "inserted" in result.stderr or "reordered" in result.stderr


def test_event_appended_with_a_made_up_hash_is_named(history: dict[str, int], db_path: Path) -> None:
    last = history["last"]
    chain, body, _digest = _forge(db_path, last + 1, "dnc_remove", {"number": "+12125550134"})
    prev = sqlite3.connect(db_path).execute("SELECT hash FROM events WHERE seq = ?", (last,)).fetchone()[0]
    sqlite_shell(
        db_path,
        "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash) VALUES"
        f" ('{chain}', {last + 1}, 'dnc_remove', '2026-12-01T15:00:00.000000+00:00', 'Alex', '{body}',"
        f" '{prev}', '{'ab' * 32}');",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and f"event seq {last + 1} " in result.stderr and "altered" in result.stderr


@pytest.mark.parametrize("swap", ["seq", "row"])
def test_reordered_events_are_named(history: dict[str, int], db_path: Path, swap: str) -> None:
    a = history["outcome"]
    b = a + 1
    if swap == "seq":  # the two events trade places in the chain
        sql = f"UPDATE events SET seq = 1000000 + CASE seq WHEN {a} THEN {b} ELSE {a} END"
        sql += f" WHERE seq IN ({a}, {b});"
        sql += "UPDATE events SET seq = seq - 1000000 WHERE seq > 1000000;"
    else:  # the two rows trade places in the file, each keeping its seq and hash
        ids = dict(sqlite3.connect(db_path).execute("SELECT seq, id FROM events WHERE seq IN (?, ?)", (a, b)))
        sql = (
            f"UPDATE events SET id = -1 WHERE id = {ids[a]};"
            f"UPDATE events SET id = {ids[a]} WHERE id = {ids[b]};"
            f"UPDATE events SET id = {ids[b]} WHERE id = -1;"
        )
    sqlite_shell(db_path, DROP_TRIGGERS + sql)
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    assert f"event seq {a} " in result.stderr or f"event seq {b} " in result.stderr


def build_history(db: Path, count: int) -> str:
    """`count` well-formed events appended straight into the file with executemany: the head hash."""
    connection = sqlite3.connect(db)
    chain = json.loads(
        connection.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()[0]
    )
    prev, rows = GENESIS, []
    for seq in range(1, count + 1):
        at = f"2026-11-{1 + seq % 28:02d}T15:00:00.000000+00:00"
        body = json.dumps({"call": seq, "outcome": "no_answer"}, sort_keys=True, separators=(",", ":"))
        digest = event_hash(prev, chain, seq, "outcome", at, "Alex", body)
        rows.append((chain, seq, "outcome", at, "Alex", body, prev, digest))
        prev = digest
    connection.executemany(
        "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()
    return prev


def test_hundred_thousand_events_verify(workspace: Workspace, db_path: Path) -> None:
    workspace.close()
    head = build_history(db_path, 100_000)
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"intact: 100,000 events, head {head}"
    # One altered event deep inside is still found.
    sqlite_shell(db_path, DROP_TRIGGERS + "UPDATE events SET actor = 'Mallory' WHERE seq = 77777;")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and "event seq 77777 " in result.stderr


def test_outcome_altered_in_the_call_record_itself_is_named(history: dict[str, int], db_path: Path) -> None:
    """The attacker leaves the history alone and changes the call: the two no longer agree."""
    call = (
        sqlite3.connect(db_path)
        .execute("SELECT id FROM attempts WHERE outcome = 'not_interested'")
        .fetchone()[0]
    )
    sqlite_shell(
        db_path,
        f"DROP TRIGGER attempts_append_only;UPDATE attempts SET outcome = 'meeting' WHERE id = {call};",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    assert (
        f"call #{call}: its outcome is meeting" in result.stderr
        and f"seq {history['outcome']}" in result.stderr
    )


def test_a_dropped_guard_trigger_is_named_even_with_the_events_untouched(
    history: dict[str, int], db_path: Path
) -> None:
    sqlite_shell(db_path, "DROP TRIGGER attempts_kept;")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and "attempts_kept" in result.stderr


@pytest.fixture
def calls(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
    db_path: Path,
) -> dict[str, int]:
    """Call ids by state: a completed call (with a dialer note), an unfinished one, a blocked one."""
    lopez = lead_id(workspace, "Lopez")
    completed = calling.start_call(lopez).attempt_id
    calling._note_attempt(completed, "asked for the manager")
    clock.advance(minutes=3)
    calling.record_outcome(lopez, "no_answer", attempt_id=completed, note="try mornings")
    clock.advance(hours=1)
    unfinished = calling.start_call(lead_id(workspace, "O'Neil")).attempt_id
    clock.advance(hours=1)
    read = sqlite3.connect(db_path)
    number = read.execute("SELECT number FROM attempts WHERE id = ?", (completed,)).fetchone()[0]
    read.close()
    workspace.dnc.add(number)
    with pytest.raises(GateRefused) as refused:
        calling.start_call(lopez)
    workspace.close()
    return {"completed": completed, "unfinished": unfinished, "blocked": refused.value.attempt_id}


UNFREEZE = "DROP TRIGGER attempts_append_only; DROP TRIGGER attempts_kept;"
CALL_TAMPERING = {
    "blocked call made allowed with an outcome": (
        "blocked",
        "UPDATE attempts SET allowed = 1, reasons = '[]', number = '+12125550111', outcome = 'meeting',"
        " duration_s = 300, note = 'agreed' WHERE id = {id};",
    ),
    "unfinished call given an outcome": (
        "unfinished",
        "UPDATE attempts SET outcome = 'meeting', duration_s = 300, note = 'agreed' WHERE id = {id};",
    ),
    "unfinished call's number": (
        "unfinished",
        "UPDATE attempts SET number = '+12125550111' WHERE id = {id};",
    ),
    "unfinished call's start": (
        "unfinished",
        "UPDATE attempts SET started_at = '2026-11-01 09:00:00.000000' WHERE id = {id};",
    ),
    "blocked call made allowed only": ("blocked", "UPDATE attempts SET allowed = 1 WHERE id = {id};"),
    "completed call's note": ("completed", UNFREEZE + "UPDATE attempts SET note = 'x' WHERE id = {id};"),
    "completed call's duration": (
        "completed",
        UNFREEZE + "UPDATE attempts SET duration_s = 999 WHERE id = {id};",
    ),
    "completed call's number": (
        "completed",
        UNFREEZE + "UPDATE attempts SET number = '+12125550111' WHERE id = {id};",
    ),
    "call deleted": ("unfinished", "DELETE FROM attempts WHERE id = {id};"),
    # Values Dialdesk never writes: named as altered, never a crash (exit 70).
    "start that is no time": ("unfinished", "UPDATE attempts SET started_at = 'garbage' WHERE id = {id};"),
    "start as a julian day": ("unfinished", "UPDATE attempts SET started_at = 2461000.5 WHERE id = {id};"),
    "end as a blob": ("completed", UNFREEZE + "UPDATE attempts SET ended_at = X'00ff' WHERE id = {id};"),
    "duration that is no number": (
        "completed",
        UNFREEZE + "UPDATE attempts SET duration_s = 'long' WHERE id = {id};",
    ),
    "blocked call's start that is no time": (
        "blocked",
        UNFREEZE + "UPDATE attempts SET started_at = '2026-13-45 99:99' WHERE id = {id};",
    ),
}


def test_calls_of_every_state_agree_with_their_events(calls: dict[str, int], db_path: Path) -> None:
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("tampering", CALL_TAMPERING.values(), ids=list(CALL_TAMPERING))
def test_call_record_changed_without_its_events_is_named(
    calls: dict[str, int], db_path: Path, tampering: tuple[str, str]
) -> None:
    state, sql = tampering
    sqlite_shell(db_path, sql.format(id=calls[state]))
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    assert f"call #{calls[state]}:" in result.stderr


def test_call_added_without_a_gate_decision_is_named(calls: dict[str, int], db_path: Path) -> None:
    columns = "lead_id, phone_id, number, agent_id, backend, allowed, reasons, started_at, note"
    sqlite_shell(
        db_path,
        f"INSERT INTO attempts (id, {columns}) SELECT 500, {columns} FROM attempts"
        f" WHERE id = {calls['unfinished']};",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and "call #500:" in result.stderr


GUARD_TABLES = {
    "events_append_only": "UPDATE ON events",
    "events_kept": "DELETE ON events",
    "attempts_append_only": "UPDATE ON attempts",
    "attempts_kept": "DELETE ON attempts",
    "script_versions_unchanged": "UPDATE ON script_versions",
    "script_versions_kept": "DELETE ON script_versions",
    "script_approvals_unchanged": "UPDATE ON script_approvals",
    "script_approvals_kept": "DELETE ON script_approvals",
}


@pytest.mark.parametrize("guard", list(GUARD_TABLES))
@pytest.mark.parametrize("how", ["dropped", "rewritten to do nothing"])
def test_a_guard_trigger_dropped_or_rewritten_is_named(
    history: dict[str, int], db_path: Path, guard: str, how: str
) -> None:
    """Same name, harmless body: the records it guards could be changed while it looks in place."""
    sql = f"DROP TRIGGER {guard};"
    if how != "dropped":
        sql += f"CREATE TRIGGER {guard} BEFORE {GUARD_TABLES[guard]} WHEN 0 BEGIN SELECT 1; END;"
    sqlite_shell(db_path, sql)
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1
    assert guard in result.stderr and ("missing" if how == "dropped" else "rewritten") in result.stderr


def test_an_approval_or_version_inserted_with_plain_sql_is_named(
    history: dict[str, int], db_path: Path
) -> None:
    """Firm mode lets approved versions on calls: an approval the history never recorded is forged."""
    approve = ("scripts", "approve", "advice-first-401k", "--version", "1", "--by", "Jane Principal")
    assert dialdesk(db_path, *approve).returncode == 0  # version 1 and its approval, both recorded
    assert dialdesk(db_path, "audit", "verify").returncode == 0
    sqlite_shell(
        db_path,
        "INSERT INTO script_approvals (version_id, approved_by, approved_at, note)"
        " SELECT id, 'Principal P', '2026-12-01 10:00:00.000000', '' FROM script_versions LIMIT 1;",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and "script approval #" in result.stderr
    sqlite_shell(db_path, "DROP TRIGGER script_approvals_kept; DELETE FROM script_approvals;")
    sqlite_shell(
        db_path,
        "INSERT INTO script_versions (script_name, version, content, content_sha256, saved_at, saved_by)"
        " VALUES ('advice-first-401k', 9, 'x', 'ab', '2026-12-01 10:00:00.000000', 'Someone');",
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1 and "script version #" in result.stderr


@pytest.fixture
def plain_call(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
    db_path: Path,
) -> int:
    """A completed call with a note, and no note or undo events: what SQLite clears by itself
    (desktop/services/history_records_sql.py) without the full rules."""
    lopez = lead_id(workspace, "Lopez")
    call = calling.start_call(lopez).attempt_id
    clock.advance(minutes=3, microseconds=250_000)
    calling.record_outcome(lopez, "no_answer", attempt_id=call, note="try mornings")
    workspace.close()
    return call


# Small changes the fast test must not clear: whitespace the service would have stripped, one
# microsecond, the last bit of a float, a letter's case, a type the events never hold.
SUBTLE_TAMPERING = {
    "note with a trailing space": "note = note || ' '",
    "note with a leading line break": "note = char(10) || note",
    "note with a bidi override": "note = note || char(8238)",
    "note emptied": "note = ''",
    "duration off by its last bit": "duration_s = duration_s + 2.842170943040401e-14",
    "duration removed": "duration_s = NULL",
    "outcome's case": "outcome = upper(outcome)",
    "outcome removed": "outcome = NULL",
    "number with a space": "number = number || ' '",
    "start one microsecond later": "started_at = substr(started_at, 1, 25) || '1'",
    "decision inverted": "allowed = 0",
}


@pytest.mark.parametrize("change", SUBTLE_TAMPERING.values(), ids=list(SUBTLE_TAMPERING))
def test_a_subtle_change_to_a_plain_call_is_named(plain_call: int, db_path: Path, change: str) -> None:
    connection = sqlite3.connect(db_path)
    assert verify_full(connection).intact
    before = connection.execute("SELECT * FROM attempts WHERE id = ?", (plain_call,)).fetchone()
    connection.executescript(UNFREEZE + f"UPDATE attempts SET {change} WHERE id = {plain_call};")
    assert connection.execute("SELECT * FROM attempts WHERE id = ?", (plain_call,)).fetchone() != before
    problem = verify_full(connection).problem
    assert problem is not None and problem.startswith(f"call #{plain_call}:"), problem


def test_a_start_written_another_way_for_the_same_moment_still_agrees(plain_call: int, db_path: Path) -> None:
    """Not every difference of text is a change: the fast test leaves it to the full rules, which agree."""
    connection = sqlite3.connect(db_path)
    connection.executescript(
        UNFREEZE + "UPDATE attempts SET started_at = replace(started_at, ' ', 'T') || '+00:00'"
        f" WHERE id = {plain_call};"
    )
    assert records_problem(connection, own_chain(connection)) is None  # the triggers dropped aside


@pytest.mark.parametrize("value", ["X'00ff'", "X''"])
def test_an_event_chain_that_is_not_text_is_named_not_looped_on(
    history: dict[str, int], db_path: Path, value: str
) -> None:
    """SQLite sorts a blob or a number apart from text: stepping through the chains by their text form
    never moved on (verify grew its memory until killed). Named at once instead."""
    sqlite_shell(db_path, DROP_TRIGGERS + f"UPDATE events SET chain = {value} WHERE seq = 3;")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stderr
    assert "an event's chain is not text" in result.stderr
