"""Call records are append-only: a merge never overwrites a completed call (an older copy, a forged
third file, a copy claiming someone else's origin); a file whose calls disagree with its own history is
refused; a correction is a new record; `record` is one transaction, so a kill never leaves half a call."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from desktop.services.calling import GateRefused
from desktop.services.clock import ManualClock
from desktop.services.outcome_undo import capture_lead_state
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Lead, Phone
from tests.conftest import at_moment
from tests.hardening.conftest import CALL_TIME, PYTHON, REPO, SAMPLE, query, run_cli

NOW = datetime(2026, 12, 1, 18, tzinfo=UTC)  # 13:00 in New York: the sample's lead 1 may be called
MEETING_AT = "2026-12-03T15:00:00+00:00"
HALF_RECORDED = "SELECT count(*) FROM attempts WHERE allowed = 1 AND outcome IS NULL"


def make_agent_db(path: Path, agent: str) -> Workspace:
    workspace = open_workspace(str(path), clock=ManualClock(NOW))
    workspace.save_settings(Settings(agent_name=agent))
    workspace.imports.run(SAMPLE, list_name="Sample", region="US")
    return workspace


@pytest.fixture
def sam_and_sue(tmp_path: Path) -> Iterator[tuple[Path, Path, Path, int]]:
    """Sam's database (a call to lead 1 that became a meeting, with a note), an older copy of it taken
    while that call was in progress, and Sue's database: (sam.db, sam-old.db, sue.db, Sam's call id)."""
    sam_db, old, sue_db = tmp_path / "sam.db", tmp_path / "sam-old.db", tmp_path / "sue.db"
    sam = make_agent_db(sam_db, "Sam")
    call = sam.calling.start_call(1, dial=False).attempt_id
    with sqlite3.connect(sam_db) as live, sqlite3.connect(old) as copy:
        live.backup(copy)  # Sam's backup from before the outcome
    live.close()
    copy.close()
    sam.calling.record_outcome(
        1,
        "meeting",
        attempt_id=call,
        note="bring the contract",
        meeting_at=datetime.fromisoformat(MEETING_AT),
    )
    sam.close()
    make_agent_db(sue_db, "Sue").close()
    yield sam_db, old, sue_db, call


def merged_call(sue_db: Path, origin_id: int) -> tuple[str | None, str, str | None]:
    rows = query(
        sue_db,
        "SELECT outcome, note, ended_at FROM attempts WHERE origin_id = ? AND origin_db IS NOT NULL",
        (origin_id,),
    )
    assert len(rows) == 1, rows
    return rows[0]


def merge(env: dict[str, str], into: Path, source: Path) -> dict[str, object]:
    done = run_cli(env, into, "merge", str(source), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refused_merge(env: dict[str, str], into: Path, source: Path) -> str:
    """A merge refused because a call in the file is not what its history recorded: one line, exit 2."""
    done = run_cli(env, into, "merge", str(source), "--json")
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "not what its history recorded, so nothing is merged" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    return done.stderr


def meetings_in_report(env: dict[str, str], db: Path) -> int:
    done = run_cli(env, db, "report", "--from", "2026-11-01", "--to", "2026-12-31")
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["meetings"])


def forge(
    source: Path, target: Path, database_id: str | None, outcome: str, note: str, origin: str | None
) -> None:
    """A copy of `source` whose calls are rewritten (as anyone can rewrite their own file), then given
    back Dialdesk's schema exactly, so only the merge's rules stand between it and our records."""
    shutil.copyfile(source, target)
    connection = sqlite3.connect(target)
    append_only = connection.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'attempts_append_only'"
    ).fetchone()
    connection.execute("DROP TRIGGER attempts_append_only")
    if origin is not None:  # rows that claim to come from `origin` (the way chained merges carry them)
        connection.execute(
            "UPDATE attempts SET origin_db = ?, origin_id = id WHERE origin_db IS NULL", (origin,)
        )
    connection.execute("UPDATE attempts SET outcome = ?, note = ? WHERE allowed = 1", (outcome, note))
    connection.execute(append_only[0])
    if database_id is not None:
        connection.execute(
            "UPDATE settings SET value = ? WHERE key = 'database_id'", (json.dumps(database_id),)
        )
    connection.commit()
    connection.close()


def database_id(db: Path) -> str:
    return str(json.loads(query(db, "SELECT value FROM settings WHERE key = 'database_id'")[0][0]))


def test_merging_an_older_copy_keeps_the_outcome_note_and_meeting(sam_and_sue, cli_env) -> None:  # type: ignore[no-untyped-def]
    sam_db, old, sue_db, call = sam_and_sue
    merge(cli_env, sue_db, sam_db)
    assert merged_call(sue_db, call)[:2] == ("meeting", "bring the contract")
    assert meetings_in_report(cli_env, sue_db) == 1
    report = merge(cli_env, sue_db, old)
    assert report["conflicts_kept"] == 0  # an older copy is not a conflict: there is nothing in it to keep
    outcome, note, ended = merged_call(sue_db, call)
    assert (outcome, note) == ("meeting", "bring the contract") and ended is not None
    assert meetings_in_report(cli_env, sue_db) == 1


def test_a_call_merged_in_progress_is_completed_by_its_own_database(sam_and_sue, cli_env) -> None:  # type: ignore[no-untyped-def]
    sam_db, old, sue_db, call = sam_and_sue
    merge(cli_env, sue_db, old)
    assert merged_call(sue_db, call)[0] is None
    report = merge(cli_env, sue_db, sam_db)
    assert report["attempts_updated"] == 1
    assert merged_call(sue_db, call)[:2] == ("meeting", "bring the contract")


@pytest.mark.parametrize("claims", ["its own id", "Sam's id"])
def test_a_forged_third_file_cannot_rewrite_calls(sam_and_sue, cli_env, tmp_path: Path, claims: str) -> None:  # type: ignore[no-untyped-def]
    """A third file rewrites Sam's merged call: its calls disagree with the history it carries, so the
    whole merge is refused (it used to be merged with the other version kept as a conflict)."""
    sam_db, _old, sue_db, call = sam_and_sue
    merge(cli_env, sue_db, sam_db)
    mallory = tmp_path / "mallory.db"
    forge(
        sam_db,
        mallory,
        "mallory-db" if claims == "its own id" else None,
        "not_interested",
        "forged by mallory",
        database_id(sam_db) if claims == "its own id" else None,
    )
    before = query(sue_db, "SELECT id, outcome, note, ended_at, duration_s FROM attempts ORDER BY id")
    audit_before = query(sue_db, "SELECT count(*) FROM audit_events")
    refused_merge(cli_env, sue_db, mallory)
    assert query(sue_db, "SELECT id, outcome, note, ended_at, duration_s FROM attempts ORDER BY id") == before
    assert query(sue_db, "SELECT count(*) FROM audit_events") == audit_before
    assert merged_call(sue_db, call)[:2] == ("meeting", "bring the contract")
    assert meetings_in_report(cli_env, sue_db) == 1
    refused_merge(cli_env, sue_db, mallory)  # again: refused again, nothing written
    assert query(sue_db, "SELECT id, outcome, note, ended_at, duration_s FROM attempts ORDER BY id") == before


def test_a_file_that_is_not_the_calls_origin_cannot_complete_it(sam_and_sue, cli_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sam_db, old, sue_db, call = sam_and_sue
    merge(cli_env, sue_db, old)  # Sam's call, still in progress
    mallory = tmp_path / "mallory.db"
    forge(sam_db, mallory, "mallory-db", "do_not_call", "forged by mallory", database_id(sam_db))
    refused_merge(cli_env, sue_db, mallory)
    assert merged_call(sue_db, call)[0] is None
    merge(cli_env, sue_db, sam_db)  # Sam's own file still completes it
    assert merged_call(sue_db, call)[:2] == ("meeting", "bring the contract")


@pytest.mark.parametrize(
    ("rewrite", "where"),
    [
        ("outcome = 'meeting', note = 'forged: allowed', duration_s = 600", "allowed = 0"),
        ("started_at = '2026-11-20 15:00:00.000000'", "allowed = 1 AND outcome IS NULL"),
    ],
    ids=["a refused decision takes an outcome", "a call in progress moves in time"],
)
def test_a_copy_from_the_calls_own_database_cannot_forge_a_decision(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli_env, rewrite: str, where: str
) -> None:
    """A copy of Sam's own database (same database id: anyone can make one) rewrites a call that has
    no outcome yet: a refused decision given an outcome, or a call's time moved. The copy's calls
    disagree with its own history, so the merge is refused and ours stays as it was."""
    sam_db, sue_db, copy = tmp_path / "sam.db", tmp_path / "sue.db", tmp_path / "sam-copy.db"
    clock = ManualClock(NOW)
    sam = open_workspace(str(sam_db), clock=clock)
    sam.save_settings(Settings(agent_name="Sam"))
    sam.imports.run(SAMPLE, list_name="Sample", region="US")
    sam.calling.start_call(1, dial=False)  # a call in progress
    clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # 03:00 in New York: refused
    with pytest.raises(GateRefused):
        sam.calling.start_call(1, dial=False)
    sam.close()
    make_agent_db(sue_db, "Sue").close()
    merge(cli_env, sue_db, sam_db)
    before = query(
        sue_db, "SELECT id, allowed, outcome, note, started_at, duration_s FROM attempts ORDER BY id"
    )
    shutil.copyfile(sam_db, copy)
    with sqlite3.connect(copy) as connection:
        assert connection.execute(f"UPDATE attempts SET {rewrite} WHERE {where}").rowcount == 1
    connection.close()
    refused_merge(cli_env, sue_db, copy)
    after = query(
        sue_db, "SELECT id, allowed, outcome, note, started_at, duration_s FROM attempts ORDER BY id"
    )
    assert after == before


def test_a_completed_call_cannot_be_changed_or_deleted_by_any_statement(sam_and_sue) -> None:  # type: ignore[no-untyped-def]
    sam_db, _old, _sue, call = sam_and_sue
    connection = sqlite3.connect(sam_db)
    try:
        for statement in (
            "UPDATE attempts SET outcome = 'no_answer' WHERE id = ?",
            "UPDATE attempts SET note = 'rewritten' WHERE id = ?",
            "UPDATE attempts SET ended_at = NULL WHERE id = ?",
            "UPDATE attempts SET started_at = '2026-01-01 00:00:00.000000' WHERE id = ?",
            "UPDATE attempts SET lead_id = 2 WHERE id = ?",
            "DELETE FROM attempts WHERE id = ?",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="completed call is never"):
                connection.execute(statement, (call,))
    finally:
        connection.close()
    assert query(sam_db, "SELECT outcome, note FROM attempts WHERE id = ?", (call,)) == [
        ("meeting", "bring the contract")
    ]


def test_a_correction_is_a_new_record_that_refers_to_the_old_one_after_a_merge(sam_and_sue, cli_env) -> None:  # type: ignore[no-untyped-def]
    """Sam undoes his meeting (Ctrl+Z: a correction that refers to the call) after Sue merged it: the
    next merge brings the correction, referring to Sue's copy of the call, which stays as it was."""
    sam_db, _old, sue_db, call = sam_and_sue
    merge(cli_env, sue_db, sam_db)
    sam = open_workspace(str(sam_db), clock=ManualClock(NOW))
    try:
        with sam.uow() as uow:
            lead = uow.leads.get(1)
            assert lead is not None
            before = capture_lead_state(uow, lead)
        sam.outcome_undo.undo(call, before)
    finally:
        sam.close()
    merge(cli_env, sue_db, sam_db)
    old_here = query(
        sue_db, "SELECT id, outcome FROM attempts WHERE origin_id = ? AND origin_db IS NOT NULL", (call,)
    )
    assert old_here[0][1] == "meeting"
    corrections = query(sue_db, "SELECT corrects_id, outcome FROM attempts WHERE corrects_id IS NOT NULL")
    assert corrections == [(old_here[0][0], "undone")]
    # And a correction inserted with plain SQL, without its history, is refused by the next merge.
    with sqlite3.connect(sam_db) as connection:
        connection.execute(
            "INSERT INTO attempts (lead_id, phone_id, number, agent_id, backend, allowed, reasons,"
            " started_at, ended_at, duration_s, outcome, note, corrects_id)"
            " SELECT lead_id, phone_id, number, agent_id, backend, allowed, reasons, started_at, ended_at,"
            " duration_s, 'callback', 'meant: call back', id FROM attempts WHERE id = ?",
            (call,),
        )
    connection.close()
    refused_merge(cli_env, sue_db, sam_db)
    assert (
        query(sue_db, "SELECT corrects_id, outcome FROM attempts WHERE corrects_id IS NOT NULL")
        == corrections
    )


def test_a_lead_with_no_name_and_no_valid_number_is_merged_once(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    sam = make_agent_db(tmp_path / "sam.db", "Sam")
    with sam.uow() as uow:
        for raw in ("12", "ext. 4", ""):  # nameless, numberless leads a list may hold
            lead = Lead(first_name="", last_name="", company="", email="", created_at=NOW)
            lead.phones = [Phone(raw=raw, e164=None, valid=False)] if raw else []
            uow.session.add(lead)
        uow.commit()
    sam.close()
    sue_db = tmp_path / "sue.db"
    make_agent_db(sue_db, "Sue").close()
    first = merge(cli_env, sue_db, tmp_path / "sam.db")
    count = query(sue_db, "SELECT count(*) FROM leads")[0][0]
    for _round in range(2):
        again = merge(cli_env, sue_db, tmp_path / "sam.db")
        assert again["leads_added"] == 0
        assert query(sue_db, "SELECT count(*) FROM leads")[0][0] == count
    assert first["leads_added"] == 3


def test_every_commit_of_record_leaves_no_half_recorded_call(tmp_path: Path) -> None:
    workspace = make_agent_db(tmp_path / "rec.db", "Sam")
    seen: list[int] = []

    def after_commit(_session: Session) -> None:
        # What another process (or the disk after a kill) sees at this commit point.
        seen.append(query(tmp_path / "rec.db", HALF_RECORDED)[0][0])

    event.listen(Session, "after_commit", after_commit)
    try:
        for lead in (1, 3, 4):
            workspace.calling.record_outcome(lead, "no_answer", note="one transaction")
            # The decision, the call and its outcome are one commit: none shows a call without outcome
            # (two transactions would show one at the first commit).
            assert seen and all(count == 0 for count in seen)
            seen.clear()
            assert query(tmp_path / "rec.db", HALF_RECORDED)[0][0] == 0
    finally:
        event.remove(Session, "after_commit", after_commit)
        workspace.close()


def test_record_killed_at_random_moments_leaves_whole_calls_or_none(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "rec.db"
    workspace = make_agent_db(db, "Sam")
    workspace.save_settings(Settings(agent_name="Sam", attempt_target=100))
    workspace.close()
    rng = random.Random(15)
    # At a fixed moment inside lead 1's calling hours, whatever the time of the run (faketime execs).
    command = [PYTHON, "-m", "desktop", "--db", str(db), "record", "1", "no_answer", "--note", "kill test"]
    command, cli_env = at_moment(CALL_TIME, command, cli_env)
    started = time.monotonic()
    subprocess.run(command, env=cli_env, cwd=REPO, capture_output=True, check=True)
    whole = time.monotonic() - started  # how long one run takes here: kills are spread over it
    for _round in range(12):
        process = subprocess.Popen(
            command, env=cli_env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(whole * 0.3, whole * 1.05))
        process.kill()
        process.wait()
        assert query(db, HALF_RECORDED)[0][0] == 0
        assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
    notes = query(db, "SELECT note, outcome FROM attempts WHERE allowed = 1")
    assert all(note == "kill test" and outcome == "no_answer" for note, outcome in notes)
