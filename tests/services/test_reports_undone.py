"""An undone outcome leaves every report: neither the undone call nor its correction record is a
dial, a connect or an outcome, whether the report reads the summaries the triggers keep, the
summaries rebuilt, or the calls; in the JSON, the CSV tables and `dialdesk report`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from desktop.services.clock import ManualClock
from desktop.services.outcome_undo import capture_lead_state
from desktop.services.reports import report_service_for
from desktop.services.reports_tables import call_rows
from desktop.services.workspace import Workspace
from desktop.storage import rollups
from desktop.storage.models import Agent, Attempt
from tests.cli.test_report_cli import PERIOD, run
from tests.services.test_report_summaries import FILTERS, assert_same, both_ways, summary_rows
from tests.services.test_reports_seed import LEADS, at, seed_known_answers

# Calls made and then undone (lead, agent, started, outcome, seconds): a meeting before acme's first
# contact (it would make acme's first try a contact) and a fifth no-answer for dunn (it would change
# the attempts reached); the corrections are made inside the report's days too.
UNDONE_CALLS = [
    ("acme", "Ann", at(2, 13), "meeting", 200.0, at(2, 13, 5)),
    ("dunn", "Bob", at(3, 15), "no_answer", 70.0, at(3, 15, 1)),
]


def _undo_calls(workspace: Workspace, ids: dict[str, int], clock: ManualClock) -> list[int]:
    made, now = [], clock()
    for lead_key, agent, started, outcome, seconds, undone_at in UNDONE_CALLS:
        with workspace.uow() as uow:
            lead = uow.leads.get(ids[lead_key])
            assert lead is not None
            before = capture_lead_state(uow, lead)
            agent_id = uow.session.query(Agent.id).filter(Agent.name == agent).scalar()
            call = uow.attempts.add(
                Attempt(
                    lead_id=lead.id,
                    number=LEADS[lead_key][6],
                    agent_id=agent_id,
                    allowed=True,
                    reasons="[]",
                    started_at=started,
                    duration_s=seconds,
                    outcome=outcome,
                )
            )
            uow.commit()
            made.append(call.id)
        clock.set(undone_at)
        workspace.outcome_undo.undo(call.id, before)
    clock.set(now)  # the reports are asked at the same moment as before
    return made


def _report(workspace: Workspace) -> dict[str, Any]:
    return report_service_for(workspace).build(FILTERS["every call"]).to_json()


def test_undone_calls_and_their_corrections_are_in_no_report(
    workspace: Workspace, clock: ManualClock
) -> None:
    ids = seed_known_answers(workspace)
    clean = both_ways(workspace, FILTERS["every call"])[0]  # the summaries are built and current now
    clean_summaries = summary_rows(workspace)
    clean_calls = list(call_rows(workspace.uow, report_service_for(workspace), FILTERS["every call"]))

    undone = _undo_calls(workspace, ids, clock)

    from_triggers, from_calls = both_ways(workspace, FILTERS["every call"])
    assert_same(from_triggers, clean, "kept by the triggers")
    assert_same(from_calls, clean, "read from the calls")
    assert_same(summary_rows(workspace), clean_summaries, "summaries kept by the triggers")
    with workspace.engine.begin() as connection:
        rollups.rebuild(connection, rollups.rule_flags(workspace.calling.outcome_rules))
    assert_same(summary_rows(workspace), clean_summaries, "summaries rebuilt")
    assert_same(_report(workspace), clean, "read from the rebuilt summaries")
    rows = list(call_rows(workspace.uow, report_service_for(workspace), FILTERS["every call"]))
    assert rows == clean_calls
    assert not {row[0] for row in rows} & set(undone)
    assert "undone" not in json.dumps(from_calls)


def test_dialdesk_report_leaves_undone_calls_out(
    workspace: Workspace, clock: ManualClock, db_path: Any
) -> None:
    ids = seed_known_answers(workspace)
    before = run(db_path, "report", *PERIOD, "--format", "json")
    assert before.returncode == 0, before.stderr
    _undo_calls(workspace, ids, clock)
    workspace.close()

    after = run(db_path, "report", *PERIOD, "--format", "json")
    assert after.returncode == 0, after.stderr
    clean, figures = json.loads(before.stdout), json.loads(after.stdout)
    for key in ("dials", "connects", "meetings", "outcomes", "by_agent", "by_day", "avg_attempts_to_contact"):
        assert figures[key] == clean[key], key
    table = run(db_path, "report", *PERIOD, "--format", "csv", "--table", "by-agent")
    assert table.returncode == 0, table.stderr
    by_agent = {row["agent"]: row for row in csv.DictReader(io.StringIO(table.stdout))}
    assert (by_agent["Ann"]["dials"], by_agent["Bob"]["dials"]) == ("8", "3")


def test_a_correction_undoes_a_call_only_once(workspace: Workspace, clock: ManualClock) -> None:
    """A second correction of the same call (a merge can bring one) takes nothing away again."""
    ids = seed_known_answers(workspace)
    clean = _report(workspace)
    [first, _] = _undo_calls(workspace, ids, clock)
    with workspace.uow() as uow:
        original = uow.attempts.get(first)
        assert original is not None
        uow.attempts.add(
            Attempt(
                lead_id=original.lead_id,
                number=original.number,
                agent_id=original.agent_id,
                allowed=True,
                reasons="[]",
                started_at=datetime.fromisoformat("2026-03-03T09:00:00+00:00"),
                duration_s=0.0,
                outcome="undone",
                corrects_id=first,
            )
        )
        uow.commit()
    assert_same(_report(workspace), clean)
