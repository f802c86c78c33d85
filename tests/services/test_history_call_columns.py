# ruff: noqa: E501, F811
"""Review finding: `audit verify` compares only number/allowed/start/outcome/duration/note of a call.

A call row altered with plain sqlite3 in any other column the gate decided or recorded (agent,
reasons, caller ID, script version, end time, backend, lead, phone; or the duration of a call without
an outcome) verifies "intact" on both the SQL fast path and the full rules.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.services.history_chain import verify_full
from tests.cli.test_audit_verify import UNFREEZE, calls, history, plain_call  # noqa: F401
from tests.cli.test_scripts_cli import dialdesk
from tests.services.test_calling import calling, dialer, lead_id, registry  # noqa: F401


def tamper(connection: sqlite3.Connection, sql: str) -> None:
    """Drop the guard triggers, change the row, put the very same triggers back (verify sees none gone)."""
    triggers = [
        row[0]
        for row in connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('attempts_append_only', 'attempts_kept')"
        )
    ]
    assert len(triggers) == 2
    connection.executescript(UNFREEZE + sql + ";".join(triggers) + ";")
    connection.commit()


PLAIN = {
    "agent changed": "agent_id = (SELECT max(id) FROM agents) + 100",
    "agent cleared": "agent_id = NULL",
    "reasons rewritten": 'reasons = \'[{"code": "x", "detail": "forged"}]\'',
    "caller id changed": "caller_id = '+12125550000'",
    "script version changed": "script_version_id = 999",
    "ended_at moved": "ended_at = '2020-01-01 00:00:00.000000'",
    "backend changed": "backend = 'sip'",
    "lead changed": "lead_id = NULL",
    "phone changed": "phone_id = NULL",
}


@pytest.mark.parametrize("change", PLAIN.values(), ids=list(PLAIN))
def test_other_columns_of_a_completed_call_are_named(plain_call: int, db_path: Path, change: str) -> None:  # noqa: F811
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA foreign_keys = OFF")
    assert verify_full(connection).intact
    before = connection.execute("SELECT * FROM attempts WHERE id = ?", (plain_call,)).fetchone()
    tamper(connection, f"UPDATE attempts SET {change} WHERE id = {plain_call};")
    assert connection.execute("SELECT * FROM attempts WHERE id = ?", (plain_call,)).fetchone() != before
    connection.close()
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout
    assert f"call #{plain_call}:" in result.stderr


def test_blocked_call_given_talk_time_is_named(calls: dict[str, int], db_path: Path) -> None:  # noqa: F811
    """A blocked call (no outcome, no call_end) given 10 minutes of talk time and an end."""
    connection = sqlite3.connect(db_path)
    tamper(
        connection,
        f"UPDATE attempts SET duration_s = 600, ended_at = started_at WHERE id = {calls['blocked']};",
    )
    connection.close()
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout
    assert f"call #{calls['blocked']}:" in result.stderr


@pytest.mark.parametrize("forged_id", [0, -7])
def test_call_inserted_below_the_first_id_and_before_the_history_is_named(
    calls: dict[str, int],  # noqa: F811
    db_path: Path,
    forged_id: int,
) -> None:
    """A forged completed, allowed call with id 0 (or negative), dated a day before the first event:
    verify takes it for a call made before the history existed (upgraded to 0013) and says intact."""
    columns = "lead_id, phone_id, number, agent_id, backend, reasons"
    sqlite3.connect(db_path).executescript(
        f"INSERT INTO attempts (id, {columns}, allowed, started_at, ended_at, duration_s, outcome, note)"
        f" SELECT {forged_id}, {columns}, 1, datetime((SELECT min(occurred_at) FROM events), '-1 day'),"
        " datetime((SELECT min(occurred_at) FROM events), '-1 day', '+10 minutes'), 600.0, 'meeting', 'forged'"
        f" FROM attempts WHERE id = {calls['completed']};"
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout
    assert f"call #{forged_id}:" in result.stderr
