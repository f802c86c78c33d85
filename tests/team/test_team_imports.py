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
