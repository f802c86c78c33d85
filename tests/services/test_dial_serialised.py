"""Concurrent dials on one database file cannot both pass a per-number cap.

Maryland allows 3 calls in 24 hours to a number. Two agents (threads here, each with its own
workspace, engine and sessions; processes in the second test) dial the same number at the same
moment after two calls: the gate's count and the call record must be one step, so exactly one of
them dials. The count is slowed by a barrier, so without the lock both would count 2 and both dial.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desktop.services.calling import CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.gate_reads import UowGateRecords
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Attempt
from tests.services.test_calling import RecordingDialer
from tests.services.test_gate_locating import _calling, _fresh_lists, _import

TUESDAY_NOON_NY = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
MARYLAND_NUMBER = "+14105550123"


def _prepare(path: Path, folder: Path) -> int:
    """A workspace with fresh lists, a Maryland lead, and two calls to its number already made."""
    clock = ManualClock(TUESDAY_NOON_NY)
    workspace = open_workspace(str(path), clock=clock)
    try:
        _fresh_lists(workspace, folder)
        leads = _import(workspace, folder, ["Mia Moss,,410-555-0123,MD"], "Name,Company,Phone,State")
        calling = _calling(workspace, clock, RecordingDialer())
        calling.start_call(leads["Moss"])
        calling.start_call(None, number="410-555-0123")
        return leads["Moss"]
    finally:
        workspace.close()


def _allowed_calls(path: Path) -> int:
    workspace = open_workspace(str(path), clock=ManualClock(TUESDAY_NOON_NY))
    try:
        with workspace.uow() as uow:
            query = select(func.count(Attempt.id)).where(
                Attempt.number == MARYLAND_NUMBER, Attempt.allowed.is_(True)
            )
            return int(uow.session.scalar(query) or 0)
    finally:
        workspace.close()


def _slow_count(barrier: Any, monkeypatch: pytest.MonkeyPatch | None = None) -> None:
    """After counting, wait (a little) for the other agent to count too: the race made certain."""
    original = UowGateRecords.allowed_calls_since

    def counted_then_wait(
        self: UowGateRecords, number: str, since: datetime, lead_id: int | None = None
    ) -> int:
        found = original(self, number, since, lead_id)
        try:
            # Short: with the fix the other agent waits for our write lock, and our lock is held
            # through this wait; on a loaded machine a long wait here would run the other agent's
            # busy timeout (5 s) out before our call is recorded.
            barrier.wait(timeout=0.5)
        except threading.BrokenBarrierError:
            pass  # the other agent waits for our lock: it counts after we record (the fix)
        return found

    if monkeypatch is not None:
        monkeypatch.setattr(UowGateRecords, "allowed_calls_since", counted_then_wait)
    else:
        UowGateRecords.allowed_calls_since = counted_then_wait  # type: ignore[method-assign]


def _dial_once(path: Path, lead_id: int | None) -> str:
    workspace: Workspace = open_workspace(str(path), clock=ManualClock(TUESDAY_NOON_NY))
    try:
        calling: CallingService = _calling(workspace, workspace.clock, RecordingDialer())  # type: ignore[arg-type]
        try:
            calling.start_call(lead_id) if lead_id is not None else calling.start_call(
                None, number="410-555-0123"
            )
        except GateRefused as refused:
            return "refused: " + refused.decision.summary()
        return "dialled"
    finally:
        workspace.close()


def test_two_threads_cannot_both_place_the_third_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "desk.db"
    lead = _prepare(path, tmp_path)
    barrier = threading.Barrier(2)
    _slow_count(barrier, monkeypatch)
    results: list[str] = []

    def dial(lead_id: int | None) -> None:
        try:
            results.append(_dial_once(path, lead_id))
        except Exception as error:  # shown in the assertion rather than lost in the thread
            results.append(f"error: {error!r}")

    agents = [
        threading.Thread(target=dial, args=(lead,)),
        threading.Thread(target=dial, args=(None,)),  # a bare-number dial
    ]
    for agent in agents:
        agent.start()
    for agent in agents:
        agent.join(timeout=60)
    assert len(results) == 2 and sorted(results)[0] == "dialled", results
    assert results.count("dialled") == 1, results
    assert "at most 3 calls" in next(r for r in results if r != "dialled")
    assert _allowed_calls(path) == 3


def _agent_process(path: str, lead_id: int | None, barrier: Any, answers: Any) -> None:
    _slow_count(barrier)
    answers.put(_dial_once(Path(path), lead_id))


def test_two_processes_cannot_both_place_the_third_call(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    lead = _prepare(path, tmp_path)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    answers = context.Queue()
    agents = [
        context.Process(target=_agent_process, args=(str(path), lead, barrier, answers)),
        context.Process(target=_agent_process, args=(str(path), None, barrier, answers)),
    ]
    for agent in agents:
        agent.start()
    results = [answers.get(timeout=120) for _ in agents]
    for agent in agents:
        agent.join(timeout=60)
    assert results.count("dialled") == 1, results
    assert _allowed_calls(path) == 3


def test_one_after_the_other_the_third_call_passes_and_the_fourth_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    lead = _prepare(path, tmp_path)
    assert _dial_once(path, lead) == "dialled"
    assert _dial_once(path, None).startswith("refused: ")
