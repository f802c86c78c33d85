"""Imports into a team's PostgreSQL database: rows go in by COPY with ids from the table's sequence,
so two agents importing at once both succeed, and leads added one by one later never collide."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from desktop.storage.models import Lead, Phone

pytestmark = pytest.mark.postgresql


def write_list(path: Path, first: int, count: int) -> Path:
    lines = ["First Name,Last Name,Phone,State"]
    lines += [f"Ann{n},Lee{n},+1212555{n:04d},NY" for n in range(first, first + count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def backend() -> str:
    return "postgresql"


def test_two_agents_importing_at_once_both_land_and_ids_stay_free(
    db_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    files = [write_list(tmp_path / f"list{n}.csv", n * 3000, 3000) for n in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def agent(path: Path) -> None:
        workspace = open_workspace(db_url, clock=clock)
        try:
            start.wait()
            workspace.imports.run(path)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)
        finally:
            workspace.close()

    threads = [threading.Thread(target=agent, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    workspace = open_workspace(db_url, clock=clock)
    try:
        with workspace.uow() as uow:
            assert uow.session.scalar(select(func.count(Lead.id))) == 6000
            assert uow.session.scalar(select(func.count(func.distinct(Phone.e164)))) == 6000
            highest = uow.session.scalar(select(func.max(Lead.id)))
            later = Lead(first_name="Later", last_name="One", identity_key="later|")
            uow.session.add(later)
            uow.session.flush()  # an id from the sequence, past every imported one
            assert later.id > (highest or 0)
            uow.commit()
    finally:
        workspace.close()


def test_a_big_import_leaves_the_planner_statistics_of_what_it_filled(
    db_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    """Until the tables are analysed, PostgreSQL plans "next lead" as if the list were empty (a sort
    of the whole list per lead, seconds at a million leads): a big import analyses them itself."""

    def analysed() -> dict[str, int]:
        with workspace.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT relname, analyze_count FROM pg_stat_user_tables WHERE relname IN ('leads', 'phones')"
            )
            return {str(name): int(count) for name, count in rows}

    workspace = open_workspace(db_url, clock=clock)
    try:
        before = analysed()
        workspace.imports.run(write_list(tmp_path / "small.csv", 0, 50))  # the server's autovacuum's
        assert analysed() == before
        workspace.imports.run(write_list(tmp_path / "big.csv", 50, 1_500))
        after = analysed()
        assert all(after[table] == before.get(table, 0) + 1 for table in ("leads", "phones")), after
    finally:
        workspace.close()
