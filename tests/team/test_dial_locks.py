"""Dial decisions on a team's PostgreSQL server: one lead's or number's decisions wait for each other
(a per-number cap is never passed by two agents at once), and agents calling different people decide
at the same time instead of one after another (storage/locks.py `hold_dial_locks`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.gate_reads import UowGateRecords
from desktop.services.workspace import open_workspace
from tests.postgres_support import PostgresServer
from tests.services.test_dial_serialised import (
    TUESDAY_NOON_NY,
    _allowed_calls,
    _dial_once,
    _prepare,
    _slow_count,
)
from tests.services.test_gate_locating import _fresh_lists, _import

pytestmark = pytest.mark.postgresql

AGENT = "Tester"  # the agent name tests/services/test_gate_locating.py `_calling` records calls as


@pytest.fixture
def team_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


def _at_once(url: str, leads: list[int | None]) -> list[str]:
    """Each lead (None: the Maryland number typed in) dialled by its own agent, all at the same time."""
    results: list[str] = []

    def dial(lead_id: int | None) -> None:
        try:
            results.append(_dial_once(url, lead_id))  # type: ignore[arg-type]
        except Exception as error:  # shown in the assertion rather than lost in the thread
            results.append(f"error: {error!r}")

    agents = [threading.Thread(target=dial, args=(lead,)) for lead in leads]
    for agent in agents:
        agent.start()
    for agent in agents:
        agent.join(timeout=120)
    return results


@pytest.mark.parametrize("second", ["another lead with the number", "the number typed in"])
def test_two_agents_cannot_both_place_the_third_call_to_a_number(
    team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    moss = _prepare(team_url, tmp_path)  # type: ignore[arg-type]
    workspace = open_workspace(team_url, clock=ManualClock(TUESDAY_NOON_NY))
    try:
        roe = _import(workspace, tmp_path, ["Ray Roe,Roe Works,410-555-0123,MD"], "Name,Company,Phone,State")
    finally:
        workspace.close()
    assert roe["Roe"] != moss
    _slow_count(threading.Barrier(2), monkeypatch)
    results = _at_once(team_url, [moss, roe["Roe"] if second.startswith("another") else None])
    assert results.count("dialled") == 1, results
    assert "at most 3 calls" in next(result for result in results if result != "dialled")
    assert _allowed_calls(team_url) == 3  # type: ignore[arg-type]


def test_agents_calling_different_people_decide_at_the_same_time(
    team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(team_url, clock=ManualClock(TUESDAY_NOON_NY))
    try:
        leads = _import(
            workspace,
            tmp_path,
            ["Ann Ash,Ash Co,212-555-0101,NY", "Bo Birch,Birch Co,212-555-0102,NY"],
            "Name,Company,Phone,State",
        )
        _fresh_lists(workspace, tmp_path)
        # The agent the dials record exists already: two first dials of a new agent at once are
        # another race (the agent's row), not the one this test is about.
        workspace.claims.agent_id(AGENT)
    finally:
        workspace.close()
    both_inside = threading.Barrier(2)
    met: list[bool] = []
    original = UowGateRecords.allowed_calls_since

    def counted_then_meet(
        self: UowGateRecords, number: str, since: datetime, lead_id: int | None = None
    ) -> int:
        found = original(self, number, since, lead_id)
        try:
            # Both decisions are inside their locks here at once, or one waits for the other's lock
            # and this wait runs out (the decisions were serialised).
            both_inside.wait(timeout=30)
            met.append(True)
        except threading.BrokenBarrierError:
            met.append(False)
        return found

    monkeypatch.setattr(UowGateRecords, "allowed_calls_since", counted_then_meet)
    results = _at_once(team_url, [leads["Ash"], leads["Birch"]])
    assert results == ["dialled", "dialled"], results
    assert met and all(met), met
