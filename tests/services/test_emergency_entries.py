"""Declared emergencies: a malformed one is refused when added, and one found stored refuses calls.

Louisiana forbids sales calls during a declared state of emergency. An entry the gate cannot read
(damaged by hand, by another program, or in a restored file) must never be skipped: the calls it
could cover are refused (its state's, or every call when its state cannot be read either), and
`dialdesk check` and the dial path say why. Real workspace, real gate, real CLI.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.services.calling import GateRefused
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EMERGENCIES_KEY, EmergencyService
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Setting
from tests.cli.test_cli import run
from tests.services.test_calling import RecordingDialer
from tests.services.test_gate_locating import _calling, _import

TUESDAY_NOON_NEW_ORLEANS = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
GOOD = {"state": "LA", "start": "2026-08-29", "end": "2026-09-05", "areas": "Orleans"}


@pytest.fixture
def desk(tmp_path: Path) -> Workspace:
    workspace = open_workspace(str(tmp_path / "desk.db"), clock=ManualClock(TUESDAY_NOON_NEW_ORLEANS))
    # Business leads: the registries do not apply, only the clock and the emergencies do.
    _import(
        workspace,
        tmp_path,
        ["Lou Lane,Lane Co,504-555-0180,LA,business", "Tex Tull,Tull Co,512-555-0181,TX,business"],
        "Name,Company,Phone,State,Type",
    )
    yield workspace  # type: ignore[misc]
    workspace.close()


def _store_raw(workspace: Workspace, text: str) -> None:
    with workspace.uow() as uow:
        row = uow.session.get(Setting, EMERGENCIES_KEY)
        if row is None:
            uow.session.add(Setting(key=EMERGENCIES_KEY, value=text))
        else:
            row.value = text
        uow.commit()


def _allowed(workspace: Workspace, number: str) -> bool:
    return workspace.calling.check(number=number).decision.allowed


def test_calls_are_allowed_before_anything_is_stored(desk: Workspace) -> None:
    assert _allowed(desk, "504-555-0180") and _allowed(desk, "512-555-0181")


@pytest.mark.parametrize(
    "row",
    [
        {"state": "LA", "start": "2026-11-30"},  # no last day
        {"state": "LA", "start": "2026-11-30", "end": "2026-12-32"},  # no such day
        {"state": "LA", "start": "30/11/2026", "end": "2026-12-03"},  # not ISO
        {"state": "LA", "start": "2026-12-05", "end": "2026-11-30"},  # ends before it starts
        {"state": "LA", "start": None, "end": "2026-12-03"},
    ],
)
def test_an_entry_with_unreadable_dates_refuses_its_states_calls(
    desk: Workspace, row: dict[str, Any]
) -> None:
    _store_raw(desk, json.dumps([GOOD, row]))
    decision = desk.calling.check(number="504-555-0180").decision
    assert not decision.allowed and "cannot be read" in decision.summary()
    assert _allowed(desk, "512-555-0181")  # Texas is not the entry's state
    calling = _calling(desk, desk.clock, RecordingDialer())  # type: ignore[arg-type]
    with pytest.raises(GateRefused):
        calling.start_call(None, number="504-555-0180")


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([GOOD, {"state": "Louisiana", "start": "2026-11-30", "end": "2026-12-03"}]),
        json.dumps([GOOD, {"start": "2026-11-30", "end": "2026-12-03"}]),
        json.dumps([GOOD, "LA 2026-11-30 2026-12-03"]),
        json.dumps({"state": "LA", "start": "2026-11-30", "end": "2026-12-03"}),  # not a list
        '[{"state": "LA", "start": "2026-11-30", ',  # cut short: not JSON
    ],
)
def test_an_entry_without_a_readable_state_refuses_every_call(desk: Workspace, text: str) -> None:
    _store_raw(desk, text)
    for number in ("504-555-0180", "512-555-0181"):
        decision = desk.calling.check(number=number).decision
        assert not decision.allowed and "cannot be read" in decision.summary()


def test_a_malformed_entry_is_refused_when_added(desk: Workspace) -> None:
    service = EmergencyService(desk.uow)
    for state, start, end in (
        ("L", date(2026, 11, 30), date(2026, 12, 3)),
        ("Louisiana", date(2026, 11, 30), date(2026, 12, 3)),
        ("4A", date(2026, 11, 30), date(2026, 12, 3)),
        ("LA", date(2026, 12, 3), date(2026, 11, 30)),
    ):
        with pytest.raises(ValueError):
            service.add(state, start, end)
    assert service.list() == ()
    _store_raw(desk, '{"broken": ')
    with pytest.raises(ValueError, match="cannot be read"):
        service.add("LA", date(2026, 11, 30), date(2026, 12, 3))


def test_adding_keeps_an_unreadable_entry_as_it_is(desk: Workspace) -> None:
    broken = {"state": "LA", "start": "2026-11-30", "end": "soon"}
    _store_raw(desk, json.dumps([broken]))
    EmergencyService(desk.uow).add("TX", date(2026, 8, 1), date(2026, 8, 2))
    with desk.uow() as uow:
        stored = uow.settings.get(EMERGENCIES_KEY)
    assert stored[0] == broken and stored[1]["state"] == "TX"
    assert not _allowed(desk, "504-555-0180")


def test_the_command_line_refuses_and_lists_malformed_entries(db_path: Path, tmp_path: Path) -> None:
    for args in (
        ("LA", "2026-11-31", "2026-12-02"),
        ("LA", "yesterday", "2026-12-02"),
        ("Louisiana", "2026-11-30", "2026-12-02"),
        ("LA", "2026-12-05", "2026-12-01"),
    ):
        refused = run(db_path, "emergency", "add", *args)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert "Traceback" not in refused.stderr
    workspace = open_workspace(str(db_path), clock=ManualClock(TUESDAY_NOON_NEW_ORLEANS))
    try:
        _store_raw(workspace, json.dumps([{"state": "LA", "start": "2026-11-30"}]))
    finally:
        workspace.close()
    listing = run(db_path, "emergency", "list")
    assert listing.returncode == 0 and "UNREADABLE" in listing.stdout and "LA" in listing.stdout
    listed = json.loads(run(db_path, "emergency", "list", "--json").stdout)
    assert listed[0]["unreadable"]
    checked = run(db_path, "check", "504-555-0180", "--kind", "business", "--at", "2026-12-01T18:00:00Z")
    assert checked.returncode == 1 and "cannot be read" in checked.stdout
