"""The queue as each agent sees it (window and `dialdesk queue`): a lead another agent holds a live
claim on is not listed or counted, the agent's own claimed lead is, and an expired claim hides
nothing. On SQLite and again on PostgreSQL (tests/conftest.py POSTGRES_MODULES)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace, open_workspace
from tests.cli.test_cli import run
from tests.team.team_support import business_list

NOW = "2026-12-01 14:00:00"  # README_MOMENT


def listed(workspace: Workspace) -> set[int]:
    return {row.lead_id for row in workspace.leads.queue_page(0, 100)}


def test_each_agent_sees_the_queue_without_the_leads_others_hold(
    workspace: Workspace, db_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    workspace.imports.run(business_list(tmp_path / "team.csv", 5))
    ann, bob = (open_workspace(db_url, clock=clock) for _ in range(2))
    ann.act_as("Ann")
    bob.act_as("Bob")
    try:
        everything = listed(workspace)
        assert len(everything) == 5
        anns = ann.claims.claim_next("Ann", hold=timedelta(minutes=10))
        bobs = bob.claims.claim_next("Bob")
        assert anns is not None and bobs is not None
        assert listed(ann) == everything - {bobs.lead_id}  # her own lead stays in her list
        assert listed(bob) == everything - {anns.lead_id}
        assert listed(workspace) == everything - {anns.lead_id, bobs.lead_id}  # nobody's: both hidden
        assert ann.leads.queue_counts().total == 4 and workspace.leads.queue_counts().total == 3
        # A row looked up after a change (the window's quick update) is hidden the same way.
        assert set(ann.leads.queue_rows_for([anns.lead_id, bobs.lead_id])) == {anns.lead_id}

        # dialdesk queue --agent NAME: the same list.
        shown = run(db_url, "--agent", "Ann", "queue", "--json", faketime=NOW)  # type: ignore[arg-type]
        assert shown.returncode == 0, shown.stderr
        assert {item["lead_id"] for item in json.loads(shown.stdout)} == everything - {bobs.lead_id}

        # Ann's claim runs out (her window died): her lead is everyone's again; Bob's still his.
        clock.advance(minutes=11)
        assert listed(bob) == everything
        assert listed(workspace) == everything - {bobs.lead_id}
    finally:
        ann.close()
        bob.close()


def test_the_next_lead_an_agent_is_told_after_recording_is_the_one_they_would_claim(
    workspace: Workspace, db_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    """`record --agent NAME --json` and the service's result name the lead that agent would claim:
    their own held lead first; never a lead another agent holds or was promised a callback on."""
    workspace.imports.run(business_list(tmp_path / "team.csv", 6))
    ann, bob = (open_workspace(db_url, clock=clock) for _ in range(2))
    ann.act_as("Ann")
    bob.act_as("Bob")
    try:
        # Bob promises a callback on the queue's first lead, due in 10 minutes: his for 30 minutes.
        promised = bob.claims.claim_next("Bob")
        assert promised is not None
        bob.calling.record_outcome(promised.lead_id, "callback", callback_at=clock() + timedelta(minutes=10))
        bob.claims.release(promised.lead_id, "Bob")
        bobs = bob.claims.claim_next("Bob", hold=timedelta(hours=1))  # and holds another lead
        assert bobs is not None
        clock.advance(minutes=15)  # the callback is due, Bob is not yet late for it
        first = ann.claims.claim_next("Ann")
        assert first is not None and first.lead_id not in (promised.lead_id, bobs.lead_id)
        # Ann also takes a lead further down the list: after recording the first, it is hers next.
        kept = max(listed(ann) - {first.lead_id, promised.lead_id, bobs.lead_id})
        assert ann.claims.take(kept, "Ann") is not None
        told = ann.calling.record_outcome(first.lead_id, "no_answer").next_lead_id
        assert told == kept == ann.claims.claim_next("Ann").lead_id  # type: ignore[union-attr]

        ann.claims.release(kept, "Ann")  # nothing held: the queue's next lead for Ann, not Bob's
        told_now = ann.claims.next_for("Ann")
        assert told_now not in (None, promised.lead_id, bobs.lead_id)
        assert told_now == ann.claims.claim_next("Ann").lead_id  # type: ignore[union-attr]
        # Without an agent, the queue's own next lead: Bob's promised callback comes first there.
        assert workspace.leads.next_lead_id() == promised.lead_id

        # dialdesk --agent Ann record --json (her held lead `kept` again, the one she records another).
        assert ann.claims.take(kept, "Ann") is not None
        second = ann.claims.claim_next("Ann", exclude=(kept,))
        assert second is not None
    finally:
        ann.close()
        bob.close()
    shown = run(
        db_url,  # type: ignore[arg-type]
        "--agent",
        "Ann",
        "record",
        str(second.lead_id),
        "no_answer",
        "--json",
        faketime="2026-12-01 14:15:00",
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["next_lead_id"] == kept
