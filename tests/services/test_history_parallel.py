"""The calls compared with their events on a second connection beside the chain walk (history_parallel)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.services.clock import ManualClock
from desktop.services.history_chain import HistoryService, own_chain
from desktop.services.history_parallel import RecordsCheck, database_file
from desktop.services.history_records import records_problem
from desktop.storage.engine import file_url, make_engine
from desktop.storage.uow import UnitOfWorkFactory
from tests.cli.test_audit_verify import DROP_TRIGGERS, history, sqlite_shell  # noqa: F401
from tests.services.test_calling import calling, dialer, registry  # noqa: F401


def _change_a_call(db_path: Path) -> int:
    call = int(sqlite3.connect(db_path).execute("SELECT min(id) FROM attempts").fetchone()[0])
    sqlite_shell(
        db_path,
        f"DROP TRIGGER attempts_append_only; UPDATE attempts SET number = '+12125550000' WHERE id = {call};",
    )
    return call


def _verify(db_path: Path, clock: ManualClock) -> str:
    engine = make_engine(file_url(db_path))
    try:
        return HistoryService(UnitOfWorkFactory(engine), clock, writable=False).verify(full=True).text()
    finally:
        engine.dispose()


def test_the_second_connection_finds_what_the_first_would(history: dict[str, int], db_path: Path) -> None:  # noqa: F811
    call = _change_a_call(db_path)
    connection = sqlite3.connect(db_path)
    expected = records_problem(connection, own_chain(connection))
    assert expected is not None and f"call #{call}:" in expected
    path = database_file(connection)
    assert path is not None and path.resolve() == db_path.resolve()
    assert RecordsCheck(path, own_chain(connection)).result(sqlite3.connect(":memory:")) == expected


def test_a_changed_call_is_named_by_the_full_verification(
    history: dict[str, int],  # noqa: F811
    db_path: Path,
    clock: ManualClock,
) -> None:
    call = _change_a_call(db_path)
    assert f"broken: call #{call}:" in _verify(db_path, clock)


def test_an_altered_event_is_named_before_a_changed_call(
    history: dict[str, int],  # noqa: F811
    db_path: Path,
    clock: ManualClock,
) -> None:
    """The walk's problem comes first, as without the second connection: the comparison is dropped."""
    _change_a_call(db_path)
    sqlite_shell(
        db_path, DROP_TRIGGERS + f"UPDATE events SET actor = 'Mallory' WHERE seq = {history['outcome']};"
    )
    assert f"broken: event seq {history['outcome']} " in _verify(db_path, clock)


def test_a_file_that_cannot_be_opened_twice_is_compared_on_the_first_connection(
    history: dict[str, int],  # noqa: F811
    db_path: Path,
    tmp_path: Path,
) -> None:
    """A read-only folder without room for the `-shm`, say: the comparison is not skipped."""
    call = _change_a_call(db_path)
    connection = sqlite3.connect(db_path)
    check = RecordsCheck(tmp_path / "missing" / "no such file.db", own_chain(connection))
    problem = check.result(connection)
    assert problem is not None and f"call #{call}:" in problem
    check.cancel()  # after the end: nothing to stop


def test_a_database_in_memory_has_no_file_to_open_twice() -> None:
    assert database_file(sqlite3.connect(":memory:")) is None
