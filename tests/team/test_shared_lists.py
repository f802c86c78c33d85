"""One do-not-call list, at once: a number one agent puts on the list is refused on every other
agent's next dial, with no merge in between (SQLite file and PostgreSQL server alike)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.calling import GateRefused
from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.team.team_support import business_list


def test_a_number_put_on_the_list_by_one_agent_stops_the_others_next_dial(
    db_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    ann, bob = open_workspace(db_url, clock=clock), open_workspace(db_url, clock=clock)
    try:
        ann.imports.run(business_list(tmp_path / "team.csv", 6))
        ann.act_as("Ann")
        bob.act_as("Bob")
        first = bob.claims.claim_next("Bob")  # Bob's window has read the queue and the lists
        assert first is not None and bob.calling.check(first.lead_id).decision.allowed
        target = ann.leads.card(first.lead_id).phones[0].e164
        assert target is not None
        ann.dnc.add(target, reason="asked Ann to stop calling")

        decision = bob.calling.check(first.lead_id).decision
        assert not decision.allowed and "dnc_internal" in {reason.code for reason in decision.reasons}
        with pytest.raises(GateRefused):
            bob.calling.record_outcome(first.lead_id, "no_answer")
        bob.claims.release(first.lead_id, "Bob")
        offered = []
        while (claim := bob.claims.claim_next("Bob")) is not None:
            offered.append(claim.lead_id)
            bob.calling.record_outcome(claim.lead_id, "no_answer")
            bob.claims.release(claim.lead_id, "Bob")
        assert first.lead_id not in offered and len(offered) == 5
    finally:
        ann.close()
        bob.close()
