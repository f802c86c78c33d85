# ruff: noqa: E501
"""The SQL fast test of `audit verify` (history_records_sql.py) clears only calls the full rules clear.

A million calls are compared with their events by SQLite; only the calls it cannot clear (the
suspects) are read by the full rules in Python (history_records.py, history_ledgers.py). Each change
below is made to a call with plain SQL; the verdict of the fast path must be the verdict of the full
rules run on every call (the fast test bypassed): a change the fast test wrongly cleared would show as
a difference. Harmful changes are named; changes of spelling only (the same JSON, the same moment,
an equivalent type) are not, so the fast test's strictness costs no false alarm.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.services import history_parallel
from desktop.services.clock import ManualClock
from desktop.services.history_chain import HistoryService, own_chain
from desktop.services.history_ledgers import lists_problem
from desktop.services.history_parallel import calls_problem
from desktop.storage.engine import file_url, make_engine
from desktop.storage.uow import UnitOfWorkFactory
from tests.cli.test_audit_verify import UNFREEZE, calls, plain_call  # noqa: F401
from tests.services.test_calling import calling, dialer, lead_id, registry  # noqa: F401


def _every_call(connection: sqlite3.Connection, chain: str) -> tuple[list[int], int | None]:
    """What `suspects` returns when it clears nothing: every own call, then the calls named by a
    gate_decision event that no call has, and the lowest call any gate_decision event names."""
    own = [int(row[0]) for row in connection.execute("SELECT id FROM attempts WHERE origin_db IS NULL")]
    named = sorted(
        {
            int(row[0])
            for row in connection.execute(
                "SELECT json_extract(payload, '$.call') FROM events WHERE chain = ? AND kind = 'gate_decision'",
                (chain,),
            )
            if isinstance(row[0], int)
        }
    )
    return own + [call for call in named if call not in set(own)], (named[0] if named else None)


def _verdicts(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str | None, str | None]:
    """(fast path, full rules on every call) for this database's calls and ledgers."""
    connection = sqlite3.connect(db_path)
    chain = own_chain(connection)
    fast = calls_problem(connection, chain) or lists_problem(connection)
    with monkeypatch.context() as patched:
        patched.setattr(history_parallel, "suspects", _every_call)
        full = calls_problem(connection, chain) or lists_problem(connection)
    connection.close()
    return fast, full


def _change(db_path: Path, sql: str) -> None:
    connection = sqlite3.connect(db_path)
    connection.executescript(UNFREEZE + sql)
    connection.close()


HARMFUL = {
    "lead moved": "UPDATE attempts SET lead_id = lead_id + 1 WHERE id = {id};",
    "backend's case": "UPDATE attempts SET backend = upper(backend) WHERE id = {id};",
    "phone moved": "UPDATE attempts SET phone_id = coalesce(phone_id, 0) + 1 WHERE id = {id};",
    "caller ID given": "UPDATE attempts SET caller_id = '+12125550000' WHERE id = {id};",
    "gate record given a field": "UPDATE attempts SET reasons = json_set(reasons, '$.extra', 1) WHERE id = {id};",
    # SQLite keeps both keys, Python reads the last one: the record read is not the one recorded
    "gate record with a repeated key": (
        "UPDATE attempts SET reasons = substr(reasons, 1, length(reasons) - 1)"
        ' || \', "reasons": [{{"code": "x"}}]}}\' WHERE id = {id};'
    ),
    "gate record made a list": "UPDATE attempts SET reasons = '[]' WHERE id = {id};",
    "gate record made bytes": "UPDATE attempts SET reasons = CAST(reasons AS BLOB) WHERE id = {id};",
    "number made bytes": "UPDATE attempts SET number = CAST(number AS BLOB) WHERE id = {id};",
    "outcome made bytes": "UPDATE attempts SET outcome = CAST(outcome AS BLOB) WHERE id = {id};",
    "end one microsecond later": "UPDATE attempts SET ended_at = substr(ended_at, 1, 25) || '1' WHERE id = {id};",
    "end removed": "UPDATE attempts SET ended_at = NULL WHERE id = {id};",
    "agent renamed": "UPDATE agents SET name = upper(name) WHERE id = (SELECT agent_id FROM attempts WHERE id = {id});",
    "agent's name given a space": (
        "UPDATE agents SET name = name || ' ' WHERE id = (SELECT agent_id FROM attempts WHERE id = {id});"
    ),
    "note with a trailing tab": "UPDATE attempts SET note = note || char(9) WHERE id = {id};",
}

SPELLING_ONLY = {
    "gate record with spaces around": "UPDATE attempts SET reasons = ' ' || reasons || ' ' WHERE id = {id};",
    "gate record minified": "UPDATE attempts SET reasons = json(reasons) WHERE id = {id};",
    "end written with a T and its zone": (
        "UPDATE attempts SET ended_at = replace(ended_at, ' ', 'T') || '+00:00' WHERE id = {id};"
    ),
    "decision stored as 2 (true)": "UPDATE attempts SET allowed = 2 WHERE id = {id};",
    "empty caller ID for none": "UPDATE attempts SET caller_id = '' WHERE id = {id} AND caller_id IS NULL;",
}


@pytest.mark.parametrize("sql", HARMFUL.values(), ids=list(HARMFUL))
def test_a_harmful_change_is_named_by_the_fast_path_as_by_the_full_rules(
    plain_call: int,  # noqa: F811
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sql: str,
) -> None:
    assert _verdicts(db_path, monkeypatch) == (None, None)
    _change(db_path, sql.format(id=plain_call))
    fast, full = _verdicts(db_path, monkeypatch)
    assert full is not None and f"call #{plain_call}:" in full
    assert fast == full


@pytest.mark.parametrize("sql", SPELLING_ONLY.values(), ids=list(SPELLING_ONLY))
def test_a_change_of_spelling_only_is_not_named(
    plain_call: int,  # noqa: F811
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sql: str,
) -> None:
    _change(db_path, sql.format(id=plain_call))
    assert _verdicts(db_path, monkeypatch) == (None, None)


CALLS_WITHOUT_OUTCOME = {
    "blocked call given a duration": ("blocked", "UPDATE attempts SET duration_s = 0 WHERE id = {id};"),
    "blocked call given an end": ("blocked", "UPDATE attempts SET ended_at = started_at WHERE id = {id};"),
    "unfinished call given an end": (
        "unfinished",
        "UPDATE attempts SET ended_at = started_at WHERE id = {id};",
    ),
    "unfinished call's lead": ("unfinished", "UPDATE attempts SET lead_id = NULL WHERE id = {id};"),
    "completed call's note event's text": ("completed", "UPDATE attempts SET note = 'x' WHERE id = {id};"),
}


@pytest.mark.parametrize("state_sql", CALLS_WITHOUT_OUTCOME.values(), ids=list(CALLS_WITHOUT_OUTCOME))
def test_calls_of_every_state_are_judged_by_the_fast_path_as_by_the_full_rules(
    calls: dict[str, int],  # noqa: F811
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state_sql: tuple[str, str],
) -> None:
    state, sql = state_sql
    assert _verdicts(db_path, monkeypatch) == (None, None)
    _change(db_path, sql.format(id=calls[state]))
    fast, full = _verdicts(db_path, monkeypatch)
    assert full is not None and f"call #{calls[state]}:" in full
    assert fast == full


# Outcome payloads: which does the do-not-call reading leave out unread (history_ledgers._DNC_EVENTS)?
# Only one that, read as JSON by Python, adds no number; the rest are read as before.
DNC_PAYLOADS = [
    '{"call":1,"dnc_added":[],"note":""}',
    '{"call":1,"dnc_added":["+12125550134"],"note":""}',
    '{"dnc_added":[],"dnc_added":["+12125550134"]}',
    '{"dnc_added":[],"dnc\\u005fadded":["+12125550134"]}',
    '{"x":{"dnc_added":[]},"dnc_added":["+12125550134"]}',
    '{"note":"\\"dnc_added\\":[]","dnc_added":["+12125550134"]}',
    '{"note":"x\\"dnc_added","dnc_added":["+12125550134"]}',
    '{"dnc_added" : ["+12125550134"], "note": "\\"dnc_added\\":[]"}',
    '{"x\\"dnc_added":[],"dnc_added":["+12125550134"]}',
    '{"dnc_added":[],"x":"dnc_added"}',
    "not json at all",
]


def _left_out(tmp_path: Path, payloads: list[str]) -> list[str]:
    from desktop.services.history_ledgers import _DNC_EVENTS

    connection = sqlite3.connect(tmp_path / "events.db")
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, chain, seq, kind, occurred_at, payload)")
    connection.execute("CREATE UNIQUE INDEX events_chain ON events (chain, seq)")
    connection.executemany(
        "INSERT INTO events (chain, seq, kind, occurred_at, payload) VALUES ('c', ?, 'outcome', '', ?)",
        list(enumerate(payloads, start=1)),
    )
    read = {str(row[2]) for row in connection.execute(_DNC_EVENTS)}
    connection.close()
    return [payload for payload in payloads if payload not in read]


def _numbers_added(payload: str) -> list[object]:
    from desktop.services.history_ledgers import _payload

    numbers = _payload(payload).get("dnc_added") or []
    return numbers if isinstance(numbers, list) else []


def test_an_outcome_left_out_of_the_do_not_call_reading_adds_no_number(tmp_path: Path) -> None:
    left_out = _left_out(tmp_path, DNC_PAYLOADS)
    assert DNC_PAYLOADS[0] in left_out  # the common case is left out: the point of the filter
    assert [payload for payload in left_out if _numbers_added(payload)] == []


@given(
    st.lists(
        st.text(alphabet='"dnc_ade:[]{},\\u005f x+1', min_size=0, max_size=40).map(
            lambda text: '{"dnc_added":[]' + text
        ),
        min_size=1,
        max_size=20,
    )
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_payload_left_out_adds_a_number(tmp_path: Path, payloads: list[str]) -> None:
    for old in tmp_path.glob("events.db*"):
        old.unlink()
    assert [payload for payload in _left_out(tmp_path, payloads) if _numbers_added(payload)] == []


def _full_verification(db_path: Path, clock: ManualClock) -> str:
    """What `audit verify` says: the calls compared on the second connection, the lists on the first."""
    engine = make_engine(file_url(db_path))
    try:
        return HistoryService(UnitOfWorkFactory(engine), clock, writable=False).verify(full=True).text()
    finally:
        engine.dispose()


def test_a_changed_call_is_named_before_a_deleted_do_not_call_number(
    calls: dict[str, int],  # noqa: F811
    db_path: Path,
    clock: ManualClock,
) -> None:
    """The lists are read while the calls are compared, but named after them, as before."""
    connection = sqlite3.connect(db_path)
    connection.executescript("DELETE FROM dnc_entries WHERE source = 'internal';")  # no trigger guards it
    connection.close()
    assert "broken: do-not-call number" in _full_verification(db_path, clock)
    _change(db_path, f"UPDATE attempts SET note = 'x' WHERE id = {calls['completed']};")
    assert f"broken: call #{calls['completed']}:" in _full_verification(db_path, clock)
