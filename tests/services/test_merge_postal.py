"""A merge carries where the callee lives by ZIP: a matched lead without one takes the colleague's.

The gate applies the ZIP's state rules (a New York number with a Baltimore ZIP is called under
Maryland's 8:00-20:00 too), so a merge that dropped the ZIP would allow calls the ZIP forbids.
Real workspaces (SQLite files, migrations), real imports and a real merge.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.services.clock import ManualClock
from desktop.services.merge import merge_service_for
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Lead

TUESDAY_20_30_NY = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # Tue 1 Dec, 20:30 in New York and Baltimore
HEADER = "First Name,Last Name,Company,Phone,Type,State,Zip\n"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    clock = ManualClock(TUESDAY_20_30_NY)
    spaces = []
    for name in ("Sue", "Bob"):
        workspace = open_workspace(str(tmp_path / f"{name.lower()}.db"), clock=clock)
        workspace.save_settings(Settings(agent_name=name))
        spaces.append(workspace)
    yield spaces[0], spaces[1]
    for workspace in spaces:
        workspace.close()


def _import(workspace: Workspace, folder: Path, name: str, rows: str) -> None:
    path = folder / name
    path.write_text(HEADER + rows, encoding="utf-8")
    workspace.imports.run(path)


def _lead(workspace: Workspace, last_name: str) -> Lead:
    with workspace.uow() as uow:
        lead = uow.session.scalars(select(Lead).where(Lead.last_name == last_name)).one()
        uow.session.expunge(lead)
    return lead


def _path(workspace: Workspace) -> Path:
    return Path(workspace.url.removeprefix("sqlite:///"))


def test_a_matched_lead_takes_the_colleagues_zip_and_its_state_rules(
    pair: tuple[Workspace, Workspace], tmp_path: Path
) -> None:
    sue, bob = pair
    # A business lead: the registries do not apply, only the clock does.
    _import(sue, tmp_path, "sue.csv", "Cy,Moss,Moss Ltd,212-555-0103,business,,\n")
    _import(bob, tmp_path, "bob.csv", "Cy,Moss,Moss Ltd,212-555-0103,business,,21201\n")
    mine = _lead(sue, "Moss").id
    assert sue.calling.check(lead_id=mine).decision.allowed  # New York alone: 8:00-21:00

    report = merge_service_for(sue).merge(_path(bob))

    assert report.leads_matched == 1 and report.leads_added == 0 and report.leads_filled == 1
    merged = _lead(sue, "Moss")
    assert (merged.postal_code, merged.postal_state, merged.postal_zone) == (
        "21201",
        "MD",
        "America/New_York",
    )
    assert merged.hours_key is not None and "MD" in merged.hours_key.partition("|")[2]
    decision = sue.calling.check(lead_id=mine).decision
    assert not decision.allowed and "Maryland" in decision.summary()


def test_a_zip_of_ours_is_kept_and_never_mixed_with_theirs(
    pair: tuple[Workspace, Workspace], tmp_path: Path
) -> None:
    sue, bob = pair
    _import(sue, tmp_path, "sue.csv", "Di,Rowe,Rowe Co,212-555-0104,business,,10001\n")
    _import(bob, tmp_path, "bob.csv", "Di,Rowe,Rowe Co,212-555-0104,business,,21201\n")
    merge_service_for(sue).merge(_path(bob))
    kept = _lead(sue, "Rowe")
    assert (kept.postal_code, kept.postal_state) == ("10001", "NY")


def test_a_new_lead_arrives_with_its_zip(pair: tuple[Workspace, Workspace], tmp_path: Path) -> None:
    sue, bob = pair
    _import(sue, tmp_path, "sue.csv", "Al,Ames,Ames Inc,212-555-0199,business,,\n")
    _import(bob, tmp_path, "bob.csv", "Eve,Hart,Hart LLC,212-555-0105,business,,21201\n")
    report = merge_service_for(sue).merge(_path(bob))
    assert report.leads_added == 1
    arrived = _lead(sue, "Hart")
    assert (arrived.postal_code, arrived.postal_state) == ("21201", "MD")
    assert not sue.calling.check(lead_id=arrived.id).decision.allowed
