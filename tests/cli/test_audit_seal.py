"""The seal of the records made before the history: a real database of revision 0010 (the committed
fixture), upgraded by the real migrations, sealed when first opened; then attacked with plain sqlite3.

For each of calls, internal do-not-call entries and consents: an altered, a deleted and an inserted row
(into an id gap below the highest sealed id, with an old date) make `audit verify` exit 1 naming the
class of change; a row above the sealed range is caught by the comparison with the events. An untouched
upgraded database verifies intact and says its older records are sealed; Dialdesk's own removals
(purge, do-not-call removal, consent removal) keep it intact; a forged seal payload is named.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.domain.event_chain import GENESIS, event_hash
from desktop.services.clock import ManualClock
from desktop.services.history_chain import verify_full
from desktop.services.history_seal import SEALED
from desktop.services.workspace import open_workspace
from desktop.storage.engine import database_url, make_engine
from desktop.storage.migrate import upgrade
from tests.cli.test_cli import run
from tests.cli.test_scripts_cli import dialdesk

FIXTURES = Path(__file__).parents[1] / "storage" / "fixtures"


def _trigger_sql(db: Path, name: str) -> str:
    row = sqlite3.connect(db).execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return str(row[0]) if row else ""


def attack(db: Path, sql: str, lift: tuple[str, ...] = ()) -> None:
    """`sql` run as an attacker would: the named guard triggers dropped first and made again after."""
    kept = [_trigger_sql(db, name) for name in lift]
    connection = sqlite3.connect(db)
    connection.executescript(
        "".join(f"DROP TRIGGER {name};" for name in lift) + sql + "".join(f"{text};" for text in kept if text)
    )
    connection.close()


CALL_GUARDS = ("attempts_append_only", "attempts_kept")


def _upgraded(tmp_path: Path, fixture: str = "schema-0010.db") -> Path:
    """The fixture with a gap in each table (call 3, do-not-call entry 2, consent 1), as a database that
    lost or skipped ids before its history, upgraded and opened once writable: sealed."""
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / fixture, db)
    attack(
        db,
        "DELETE FROM attempts WHERE id = 3; DELETE FROM dnc_entries WHERE id = 2;"
        " DELETE FROM consents WHERE id = 1;",
        ("attempts_kept",),
    )
    open_workspace(database_url(str(db)), clock=ManualClock(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))).close()
    return db


@pytest.fixture(scope="module")
def sealed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Upgraded and sealed once for the module (the migrations take seconds): each test copies it."""
    return _upgraded(tmp_path_factory.mktemp("sealed"))


@pytest.fixture
def sealed_db(sealed_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "sealed.db"
    shutil.copy(sealed_template, db)
    return db


def verify(db: Path) -> tuple[int, str]:
    result = dialdesk(db, "audit", "verify")
    return result.returncode, result.stdout + result.stderr


def test_an_upgraded_database_is_sealed_once_and_verifies_intact(sealed_db: Path) -> None:
    rows = sqlite3.connect(sealed_db).execute("SELECT seq, kind, payload FROM events").fetchall()
    assert [(seq, kind) for seq, kind, _ in rows] == [(1, SEALED)]
    tables = json.loads(rows[0][2])["tables"]
    assert {name: (table["count"], table["max_id"]) for name, table in tables.items()} == {
        "calls": (10, 11),
        "dnc": (2, 3),
        "consents": (1, 2),
    }
    code, out = verify(sealed_db)
    assert code == 0, out
    assert "intact" in out and "made before the history are sealed: 10 calls" in out
    open_workspace(
        database_url(str(sealed_db)), clock=ManualClock(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    ).close()
    kinds = [row[0] for row in sqlite3.connect(sealed_db).execute("SELECT kind FROM events")]
    assert kinds == [SEALED]  # written once


_CALL_INSERT = (
    "INSERT INTO attempts (id, lead_id, phone_id, number, agent_id, backend, allowed, reasons, started_at,"
    " ended_at, duration_s, outcome, note)"
)
_CONSENT_INSERT = "INSERT INTO consents (id, lead_id, kind, given_on, evidence) VALUES"

ATTACKS = {
    "call altered": (
        "UPDATE attempts SET outcome = 'meeting', note = 'forged' WHERE id = 1;",
        CALL_GUARDS,
        "a call made before the history was altered (call id 1)",
    ),
    "call deleted": (
        "DELETE FROM attempts WHERE id = 1;",
        CALL_GUARDS,
        "a call made before the history was deleted (call id 1)",
    ),
    "call inserted": (
        _CALL_INSERT + " SELECT 3, lead_id, phone_id, number, agent_id, backend, 1,"
        " reasons, '2026-01-05 15:30:00.000000', NULL, 600.0, 'meeting', 'forged'"
        " FROM attempts WHERE id = 1;",
        CALL_GUARDS,
        "a call made before the history was inserted (call id 3)",
    ),
    "dnc altered": (
        "UPDATE dnc_entries SET number = '+12125550111' WHERE id = 1;",
        (),
        "an internal do-not-call entry made before the history was altered (do-not-call entry id 1)",
    ),
    "dnc deleted": (
        "DELETE FROM dnc_entries WHERE id = 1;",
        (),
        "an internal do-not-call entry made before the history was deleted (do-not-call entry id 1)",
    ),
    "dnc inserted": (
        "INSERT INTO dnc_entries (id, number, source, reason, added_at) VALUES"
        " (2, '+13125550142', 'internal', 'asked', '2026-01-04 10:00:00.000000');",
        (),
        "an internal do-not-call entry made before the history was inserted (do-not-call entry id 2)",
    ),
    "consent altered": (
        "UPDATE consents SET given_on = '2024-01-01' WHERE id = 2;",
        (),
        "a consent made before the history was altered (consent id 2)",
    ),
    "consent deleted": (
        "DELETE FROM consents WHERE id = 2;",
        (),
        "a consent made before the history was deleted (consent id 2)",
    ),
    "consent inserted": (
        _CONSENT_INSERT + " (1, 1, 'written', '2025-11-01', 'x');",
        (),
        "a consent made before the history was inserted (consent id 1)",
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_changed_sealed_record_is_named(sealed_db: Path, name: str) -> None:
    sql, lift, expected = ATTACKS[name]
    attack(sealed_db, sql, lift)
    code, out = verify(sealed_db)
    assert code == 1, out
    assert expected in out


ABOVE = {
    "call": (
        _CALL_INSERT + " SELECT 40, lead_id, phone_id, number, agent_id, backend, 1,"
        " reasons, '2026-01-05 15:30:00.000000', NULL, 60.0, 'meeting', '' FROM attempts WHERE id = 1;",
        "call #40",
    ),
    "dnc": (
        "INSERT INTO dnc_entries (id, number, source, reason, added_at) VALUES"
        " (40, '+13125550142', 'internal', 'asked', '2026-01-04 10:00:00.000000');",
        "do-not-call number +13125550142",
    ),
    "consent": (
        _CONSENT_INSERT + " (40, 1, 'written', '2025-11-01', '');",
        "consent #40",
    ),
}


@pytest.mark.parametrize("name", sorted(ABOVE))
def test_an_old_dated_record_above_the_sealed_range_is_caught(sealed_db: Path, name: str) -> None:
    sql, expected = ABOVE[name]
    attack(sealed_db, sql)
    code, out = verify(sealed_db)
    assert code == 1, out
    assert expected in out and ("inserted" in out or "was added" in out)


def test_dialdesks_own_removals_of_sealed_records_keep_it_intact(sealed_db: Path) -> None:
    # Seven years on: the old calls are past the retention period.
    clock = ManualClock(datetime(2033, 12, 2, 14, 0, tzinfo=UTC))
    workspace = open_workspace(database_url(str(sealed_db)), clock=clock)
    workspace.dnc.remove("+12125550100")
    workspace.consent.remove(2)
    purged = workspace.retention.purge(date(2026, 6, 1))
    workspace.close()
    assert purged.calls == 10
    kinds = [row[0] for row in sqlite3.connect(sealed_db).execute("SELECT kind FROM events ORDER BY seq")]
    assert kinds.count("history_resealed") == 3
    code, out = verify(sealed_db)
    assert code == 0, out
    attack(sealed_db, "DELETE FROM dnc_entries WHERE id = 3;")  # not removed by Dialdesk
    code, out = verify(sealed_db)
    assert code == 1 and "do-not-call entry id 3" in out, out


def test_a_database_with_a_history_and_older_records_is_sealed(tmp_path: Path) -> None:
    """schema-0015 already has events (script versions, no call yet): the seal follows them."""
    db = _upgraded(tmp_path, "schema-0015.db")
    rows = sqlite3.connect(db).execute("SELECT seq, kind, payload FROM events ORDER BY seq").fetchall()
    assert [kind for _, kind, _ in rows][-1] == SEALED and len(rows) == 3
    assert json.loads(rows[-1][2])["tables"]["calls"]["max_id"] == 12
    code, out = verify(db)
    assert code == 0 and "are sealed" in out, out
    attack(db, "UPDATE attempts SET note = 'forged' WHERE id = 1;", CALL_GUARDS)
    code, out = verify(db)
    assert code == 1 and "a call made before the history was altered" in out, out


def test_older_records_without_a_seal_are_said_not_covered(tmp_path: Path) -> None:
    """Upgraded but never opened writable by this version (no seal): verify never says a bare intact."""
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema-0010.db", db)
    engine = make_engine(database_url(str(db)))
    upgrade(engine)
    engine.dispose()
    connection = sqlite3.connect(db)
    result = verify_full(connection)
    assert result.intact
    assert "NOT COVERED: 16 older records (11 calls, 3 do-not-call entries, 2 consents)" in result.text()


def _forge_seal(db: Path, payload: bytes | str) -> None:
    """Replace the seal (seq 1, the only event) with `payload`, rehashed: a chain rewritten whole."""
    connection = sqlite3.connect(db)
    connection.text_factory = bytes
    chain, occurred_at, actor = connection.execute(
        "SELECT chain, occurred_at, actor FROM events WHERE seq = 1"
    ).fetchone()
    body = payload.encode() if isinstance(payload, str) else payload
    content = b"\x1f".join((GENESIS.encode(), chain, b"1", SEALED.encode(), occurred_at, actor, body))
    digest = hashlib.sha256(content).hexdigest()
    assert isinstance(payload, bytes) or digest == event_hash(
        GENESIS, chain.decode(), 1, SEALED, occurred_at.decode(), actor.decode(), payload
    )
    connection.executescript("DROP TRIGGER events_append_only;")
    stored: object = payload if isinstance(payload, str) else sqlite3.Binary(payload)
    connection.execute("UPDATE events SET payload = ?, hash = ? WHERE seq = 1", (stored, digest))
    connection.commit()
    connection.executescript(_EVENTS_APPEND_ONLY)
    connection.close()


_EVENTS_APPEND_ONLY = (
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the history is append-only: an event is never changed'); END;"
)


def _seal_with(db: Path, change: dict[str, object]) -> str:
    payload = json.loads(
        sqlite3.connect(db).execute("SELECT payload FROM events WHERE seq = 1").fetchone()[0]
    )
    calls = payload["tables"]["calls"]
    calls.update(change)
    return json.dumps(payload)


HOSTILE = {
    "garbage": lambda db: "{not json",
    "blob": lambda db: b"\x00\xff\x00seal",
    "nested": lambda db: "[" * 100_000 + "]" * 100_000,
    "huge count": lambda db: _seal_with(db, {"count": 10**40}),
    "huge max id": lambda db: _seal_with(db, {"max_id": 2**80}),
    "negative max id": lambda db: _seal_with(db, {"max_id": -5}),
    "negative block": lambda db: _seal_with(
        db, {"blocks": {"-99999999999999999999": [1, -1, "0" * 64, 0, 0]}}
    ),
    "block count too big": lambda db: _seal_with(db, {"blocks": {"0": [10**12, 5, "0" * 64, 0, 0]}}),
    "sum out of range": lambda db: _seal_with(db, {"blocks": {"0": [1, 5, "0" * 64, 2**200, -1]}}),
    "old block shape": lambda db: _seal_with(db, {"blocks": {"0": [1, 5, "0" * 64]}}),
    "not an object": lambda db: "[1, 2, 3]",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_seal_payload_is_named_not_a_crash(sealed_db: Path, name: str) -> None:
    _forge_seal(sealed_db, HOSTILE[name](sealed_db))
    code, out = verify(sealed_db)
    assert code == 1, out
    assert "Traceback" not in out
    assert "event seq 1 (history_sealed): its payload is not a seal Dialdesk writes" in out


def _receiving(tmp_path: Path) -> Path:
    db = tmp_path / "ours.db"
    assert dialdesk(db, "settings", "set", "agent_name", "Ann").returncode in (0, 2)
    return db


def test_a_sealed_colleague_file_is_merged_its_older_calls_proven_by_the_seal(
    sealed_db: Path, tmp_path: Path
) -> None:
    """An upgraded colleague's file with no call since (only the seal in its history): merged, its calls
    reported as made before any recorded history (`without_history`), and this database verifies."""
    ours = _receiving(tmp_path)
    # On a clock set back before their calls (2026-01-08, as the -400 d pass does): the calls of a file
    # without a history are exempt by the ids the merge recorded, not by when they started.
    merged = run(ours, "merge", str(sealed_db), "--json", faketime="2025-06-01 14:00:00")
    assert merged.returncode == 0, merged.stderr
    (their_id,) = sqlite3.connect(sealed_db).execute("SELECT value FROM settings WHERE key = 'database_id'")
    assert str(their_id[0]).strip('"') in json.loads(merged.stdout)["without_history"]
    assert sqlite3.connect(ours).execute("SELECT count(*) FROM attempts").fetchone()[0] == 10
    code, out = verify(ours)
    assert code == 0, out


@pytest.mark.parametrize("name", ["call altered", "call inserted", "dnc deleted"])
def test_a_sealed_colleague_file_with_a_changed_older_record_is_refused(
    sealed_db: Path, tmp_path: Path, name: str
) -> None:
    sql, lift, expected = ATTACKS[name]
    attack(sealed_db, sql, lift)
    ours = _receiving(tmp_path)
    merged = dialdesk(ours, "merge", str(sealed_db))
    assert merged.returncode != 0
    assert "is not what its seal holds, so nothing is merged" in merged.stderr and expected in merged.stderr
    assert sqlite3.connect(ours).execute("SELECT count(*) FROM attempts").fetchone()[0] == 0


def test_a_call_forged_above_a_colleagues_sealed_range_is_refused(sealed_db: Path, tmp_path: Path) -> None:
    attack(sealed_db, ABOVE["call"][0])
    merged = dialdesk(_receiving(tmp_path), "merge", str(sealed_db))
    assert merged.returncode != 0 and "call #40" in merged.stderr, merged.stderr


def test_in_many_blocks_the_changed_call_is_named(tmp_path: Path) -> None:
    """5,000 older calls over six blocks: an alteration, a deletion and an insertion each name the call."""
    db = tmp_path / "big.db"
    shutil.copy(FIXTURES / "schema-0010.db", db)
    with sqlite3.connect(db) as connection:
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 12 UNION ALL SELECT i + 1 FROM n WHERE i < 5011)"
            " INSERT INTO attempts"
            " (id, number, backend, allowed, reasons, started_at, duration_s, outcome, note)"
            " SELECT i, '+1212555' || printf('%04d', i % 10000), 'manual', 1, '[]',"
            " '2025-06-01 10:00:00.000000', 30.5, 'no_answer', '' FROM n WHERE i <> 2600"
        )
    connection.close()
    open_workspace(database_url(str(db)), clock=ManualClock(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))).close()
    template = tmp_path / "template.db"
    shutil.copy(db, template)
    cases = {
        "UPDATE attempts SET duration_s = 31.5 WHERE id = 4321;": "was altered (call id 4321)",
        "DELETE FROM attempts WHERE id = 2500;": "was deleted (call id 2500)",
        "INSERT INTO attempts (id, number, backend, allowed, reasons, started_at, note)"
        " VALUES (2600, '+12125550000', 'manual', 0, '[]', '2025-06-01 10:00:00.000000', '');": (
            "was inserted (call id 2600)"
        ),
    }
    for sql, expected in cases.items():
        shutil.copy(template, db)
        attack(db, sql, CALL_GUARDS)
        code, out = verify(db)
        assert code == 1 and f"a call made before the history {expected}" in out, out


def test_a_forged_reseal_is_named(sealed_db: Path) -> None:
    """A `history_resealed` event appended by hand (chained correctly) whose payload Dialdesk never writes."""
    connection = sqlite3.connect(sealed_db)
    chain, head = connection.execute("SELECT chain, hash FROM events WHERE seq = 1").fetchone()
    payload = json.dumps({"table": "calls", "blocks": {"0": [1, 1, "z" * 64, 0, 0]}})
    at = "2026-12-01T15:00:00.000000+00:00"
    digest = event_hash(head, chain, 2, "history_resealed", at, "", payload)
    connection.execute(
        "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash)"
        " VALUES (?, 2, 'history_resealed', ?, '', ?, ?, ?)",
        (chain, at, payload, head, digest),
    )
    connection.commit()
    connection.close()
    code, out = verify(sealed_db)
    assert (
        code == 1 and "event seq 2 (history_resealed): its payload is not a reseal Dialdesk writes" in out
    ), out


def test_records_made_since_in_ids_a_removal_freed_keep_it_intact(sealed_db: Path) -> None:
    """SQLite gives a new row the highest id plus one: once Dialdesk removed the highest sealed do-not-call
    entry and consent, the next ones made take ids the seal covers. Their events account for them."""
    workspace = open_workspace(
        database_url(str(sealed_db)), clock=ManualClock(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    )
    workspace.dnc.remove("+13055550188")  # id 3, the highest sealed
    workspace.dnc.add("+13125550142", "asked")
    workspace.consent.remove(2)
    workspace.consent.add(1, "written", date(2026, 12, 1), "signed")
    workspace.close()
    connection = sqlite3.connect(sealed_db)
    assert connection.execute("SELECT id FROM dnc_entries WHERE number = '+13125550142'").fetchone()[0] <= 3
    assert connection.execute("SELECT max(id) FROM consents").fetchone()[0] <= 2
    connection.close()
    code, out = verify(sealed_db)
    assert code == 0, out
    attack(sealed_db, "UPDATE dnc_entries SET reason = 'forged' WHERE id = 1;")
    code, out = verify(sealed_db)
    assert code == 1 and "altered (do-not-call entry id 1)" in out, out
