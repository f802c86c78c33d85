"""Outcome rules the user changes: stored over the shipped defaults, in force at once, the law kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.outcome_rules import OutcomeRulesError
from desktop.services.workspace import Workspace, open_workspace


def test_changed_retry_delay_moves_the_next_try(
    workspace: Workspace, sample_csv: Path, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    maria = next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "Lopez")
    workspace.save_outcome_rules({"no_answer": {"retry_hours": 48}})
    result = workspace.calling.record_outcome(maria, "no_answer")
    assert result.next_due_at is not None and result.next_due_at >= clock() + timedelta(hours=48)


def test_rules_survive_a_restart_and_reset(workspace: Workspace, db_path: Path, clock: ManualClock) -> None:
    workspace.save_outcome_rules({"gatekeeper": {"counts_as_contact": True, "terminal": True}})
    again = open_workspace(str(db_path), clock=clock)
    try:
        rule = again.calling.outcome_rules.get("gatekeeper")
        assert rule.counts_as_contact and rule.terminal
        again.save_outcome_rules({})
        assert not again.calling.outcome_rules.get("gatekeeper").terminal
    finally:
        again.close()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"do_not_call": {"terminal": False}}, "the law requires it"),
        ({"busy": {"retry_hours": 0}}, "15 minutes"),
        ({"busy": {"key": "5"}}, "cannot be changed"),
    ],
)
def test_what_cannot_be_saved(workspace: Workspace, overrides: dict, message: str) -> None:
    with pytest.raises(OutcomeRulesError, match=message):
        workspace.save_outcome_rules(overrides)
    assert workspace.outcome_rules_service.overrides() == {}


def test_rules_saved_before_the_lead_service_is_first_used_are_in_force_there(
    workspace: Workspace, db_path: Path, clock: ManualClock
) -> None:
    # The workspace makes its lead service on first use: rules saved (or reloaded) before then
    # must reach it as they reach the calling service.
    fresh = open_workspace(str(db_path), clock=clock)
    try:
        assert "leads" not in vars(fresh)
        fresh.save_outcome_rules({"no_answer": {"retry_hours": 48}})
        assert fresh.leads.outcome_rules is fresh.calling.outcome_rules
        assert fresh.leads.outcome_rules.get("no_answer").retry_after == timedelta(hours=48)
    finally:
        fresh.close()
