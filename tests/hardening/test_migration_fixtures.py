"""Databases written by old schema revisions (tests/storage/fixtures/schema-NNNN.db, one per schema
change) upgrade to the latest revision with every row intact and sane values in the new columns."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from desktop.storage.migrate import current_revision, head_revision
from tests.hardening.conftest import REPO, integrity, query

FIXTURES = sorted((REPO / "tests" / "storage" / "fixtures").glob("schema-*.db"))


def _copy(fixture: Path, tmp_path: Path) -> Path:
    target = tmp_path / fixture.name
    shutil.copyfile(fixture, target)
    return target


def _counts(db: Path) -> dict[str, int]:
    tables = [row[0] for row in query(db, "SELECT name FROM sqlite_master WHERE type='table'")]
    return {table: query(db, f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}


def test_there_is_a_fixture_of_the_first_revision() -> None:
    assert [fixture.name for fixture in FIXTURES][:1] == ["schema-0001.db"]
    assert (REPO / "tests" / "storage" / "fixtures" / "schema-0001.db").stat().st_size < 100_000


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_every_fixture_upgrades_to_head_keeping_every_row(fixture: Path, tmp_path: Path) -> None:
    db = _copy(fixture, tmp_path)
    before = _counts(db)
    assert before["leads"] > 0 and before["attempts"] > 0
    workspace = open_workspace(str(db))
    try:
        assert current_revision(workspace.engine) == head_revision()
    finally:
        workspace.close()
    after = _counts(db)
    for table, count in before.items():
        if table == "settings":
            assert after[table] >= count  # a revision may add a setting (0005: database_id)
        elif table.startswith("report_"):
            continue  # report summaries are derived from the calls and rebuilt when a database opens
        elif table == "events":
            assert after[table] == count + 1, table  # and the seal of its older records (history_seal.py)
        else:
            assert after[table] == count, table
    assert integrity(db) == "ok"
    assert query(db, "PRAGMA foreign_key_check") == []


def test_first_revision_leads_phones_and_calls_survive_with_sane_new_columns(tmp_path: Path) -> None:
    db = _copy(FIXTURES[0], tmp_path)
    clock = ManualClock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    workspace = open_workspace(str(db), clock=clock)
    try:
        maria = workspace.leads.card(1)
        assert (maria.display_name, maria.company, maria.title) == ("Maria Lopez", "Lopez Dental", "Owner")
        assert (maria.attempts, maria.contacts, maria.status, maria.notes) == (
            2,
            1,
            "active",
            "Prefers mornings",
        )
        assert [(phone.e164, phone.extension) for phone in maria.phones] == [
            ("+12125550134", "204"),
            ("+12125550199", None),
        ]
        assert sorted(item.outcome or "" for item in maria.history) == ["callback", "no_answer"]
        anna = workspace.leads.card(3)
        assert (anna.display_name, anna.company, anna.status) == (
            "Анна Иванова",
            "Ромашка",
            "no_dialable_number",
        )
        assert anna.phones[0].problem == "local number without an area code"
        assert workspace.current_settings().agent_name == "Sam Carter"
        assert workspace.current_settings().attempt_target == 12

        # The upgraded database works: the gate decides and an outcome is recorded on top of the old ones.
        result = workspace.calling.record_outcome(1, "no_answer")
        assert result.attempts == 3
    finally:
        workspace.close()

    # New columns: calling-hours keys backfilled at start, no cached gate block, no merge origin.
    keys = dict(query(db, "SELECT id, hours_key FROM leads"))
    assert keys[1].startswith("America/New_York") and keys[2].startswith("America/New_York")
    assert keys[3] == "|"  # no valid number: never open
    assert query(db, "SELECT count(*) FROM leads WHERE hours_key IS NULL") == [(0,)]
    assert query(db, "SELECT count(*) FROM attempts WHERE origin_db IS NOT NULL") == [(0,)]
    database_id = json.loads(query(db, "SELECT value FROM settings WHERE key = 'database_id'")[0][0])
    assert uuid.UUID(database_id)
    # Old rows keep their values exactly.
    assert query(db, "SELECT due_at, note FROM callbacks") == [
        ("2026-01-08 15:00:00.000000", "call Thursday")
    ]
    assert query(db, "SELECT number, source FROM dnc_entries") == [("+12125550100", "internal")]
    assert query(db, "SELECT kind, given_on FROM consents") == [("inquiry", "2025-12-20")]
    assert query(db, "SELECT count(*) FROM attempts WHERE allowed = 0") == [(1,)]


def test_revision_0006_gets_its_report_summaries_when_it_opens(tmp_path: Path) -> None:
    """0007 adds the report summaries empty; opening the upgraded database fills them from its calls."""
    db = _copy(REPO / "tests" / "storage" / "fixtures" / "schema-0006.db", tmp_path)
    workspace = open_workspace(str(db))
    try:
        assert current_revision(workspace.engine) == head_revision()
    finally:
        workspace.close()
    assert query(db, "SELECT sum(calls) FROM report_hours") == query(db, "SELECT count(*) FROM attempts")
    # Maria: no answer, callback, meeting (600 s + 120 s of talk).
    assert query(db, "SELECT calls, connects, meetings, talk_s FROM report_lead_stats WHERE lead_id = 1") == [
        (3, 2, 1, 720.0)
    ]
    assert {row[0] for row in query(db, "SELECT reason FROM report_blocked")} == {
        "calling_hours",
        "dnc_internal",
        "invalid_number",
        "registry_stale",
    }


def test_migrations_readme_asks_for_one_fixture_per_schema_change() -> None:
    text = (REPO / "migrations" / "README.md").read_text(encoding="utf-8")
    assert "one fixture per schema change" in text.lower()
    assert "make_fixtures.py" in text
