"""One lead, one agent at a time: claims taken from the shared queue, released by an outcome,
expired when their agent is gone; agents taking leads at the same moment never share one.

Runs on SQLite and again on PostgreSQL (tests/conftest.py POSTGRES_MODULES)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.services.claims import ClaimError
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Agent, Attempt
from tests.team.team_support import business_list


@pytest.fixture
def team_list(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.imports.run(business_list(tmp_path / "team.csv", 60))
    return workspace


def test_each_agent_gets_its_own_lead_and_keeps_it_until_it_is_recorded(team_list: Workspace) -> None:
    claims = team_list.claims
    ann, bob = claims.claim_next("Ann"), claims.claim_next("Bob")
    assert ann is not None and bob is not None and ann.lead_id != bob.lead_id
    again = claims.claim_next("Ann")  # asked again before recording: the same lead
    assert again is not None and again.lead_id == ann.lead_id
    assert claims.holder(ann.lead_id) == ("Ann", ann.until)
    # The window's own next lead skips what agents hold.
    assert team_list.leads.next_lead_id() not in {ann.lead_id, bob.lead_id}

    team_list.act_as("Ann")
    result = team_list.calling.record_outcome(ann.lead_id, "no_answer")
    # The outcome's commit ended Ann's claim: the lead is nobody's, and there is nothing left to release.
    assert claims.holder(ann.lead_id) is None and not claims.release(ann.lead_id, "Ann")
    with team_list.uow() as uow:
        agent = uow.session.scalar(
            select(Agent.name)
            .join(Attempt, Attempt.agent_id == Agent.id)
            .where(Attempt.id == result.attempt_id)
        )
    assert agent == "Ann"
    following = claims.claim_next("Ann")
    assert following is not None and following.lead_id not in {ann.lead_id, bob.lead_id}


def test_a_claim_left_behind_expires_and_the_lead_returns_to_the_queue(
    team_list: Workspace, clock: ManualClock
) -> None:
    claims = team_list.claims
    gone = claims.claim_next("Ann", hold=timedelta(minutes=10))  # Ann's window dies mid-call
    assert gone is not None
    other = claims.claim_next("Bob")
    assert other is not None and other.lead_id != gone.lead_id
    clock.advance(minutes=9)
    early = claims.claim_next("Carol")
    assert early is not None and early.lead_id != gone.lead_id
    clock.advance(minutes=2)
    assert claims.holder(gone.lead_id) is None
    taken = claims.claim_next("Dan")
    assert taken is not None and taken.lead_id == gone.lead_id
    assert not claims.release(gone.lead_id, "Ann")  # Ann back: her old claim is nobody's to end


def test_nothing_callable_is_none_and_bad_names_are_refused(workspace: Workspace) -> None:
    assert workspace.claims.claim_next("Ann") is None
    for name in ("", "   ", "a\nb", "x" * 201):
        with pytest.raises(ClaimError):
            workspace.claims.claim_next(name)
    with pytest.raises(ClaimError):
        workspace.claims.claim_next("Ann", hold=timedelta(0))


def test_agents_taking_leads_at_once_never_share_one(
    team_list: Workspace, db_url: str, clock: ManualClock
) -> None:
    """Several agents (own connections, own threads) take, record and release leads as fast as they
    can; a lead is never held by two at once and each lead is called once."""
    agents = [f"Agent {n}" for n in range(5)]
    held: dict[int, str] = {}
    calls: list[tuple[int, str]] = []
    problems: list[str] = []
    guard = threading.Lock()
    start = threading.Barrier(len(agents))

    def work(agent: str) -> None:
        workspace = open_workspace(db_url, clock=clock)
        workspace.act_as(agent)
        try:
            start.wait()
            while True:
                claim = workspace.claims.claim_next(agent)
                if claim is None:
                    return
                with guard:
                    if claim.lead_id in held:
                        problems.append(f"lead {claim.lead_id}: {held[claim.lead_id]} and {agent}")
                    held[claim.lead_id] = agent
                workspace.calling.record_outcome(claim.lead_id, "no_answer")
                with guard:
                    # Out of the record before the database lets go: a later taker is never early.
                    del held[claim.lead_id]
                    calls.append((claim.lead_id, agent))
                workspace.claims.release(claim.lead_id, agent)
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            problems.append(repr(error))
        finally:
            workspace.close()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    leads = [lead_id for lead_id, _agent in calls]
    assert len(leads) == len(set(leads)) == 60  # every lead once (no answer: due again later)
    assert len({agent for _lead, agent in calls}) > 1
    with team_list.uow() as uow:
        per_lead = uow.session.execute(
            select(Attempt.lead_id, func.count()).group_by(Attempt.lead_id).having(func.count() > 1)
        ).all()
    assert per_lead == []


@pytest.mark.parametrize(("late_minutes", "whose"), [(1, "Ann"), (29, "Ann"), (31, "Bob")])
def test_a_callback_belongs_to_its_agent_until_it_is_late_past_the_grace(
    team_list: Workspace, clock: ManualClock, late_minutes: int, whose: str
) -> None:
    claims = team_list.claims
    promised = claims.claim_next("Ann")
    assert promised is not None
    team_list.act_as("Ann")
    team_list.calling.record_outcome(promised.lead_id, "callback", callback_at=clock() + timedelta(hours=1))
    claims.release(promised.lead_id, "Ann")
    clock.advance(hours=1, minutes=late_minutes)
    bob = claims.claim_next("Bob")
    assert bob is not None
    if whose == "Ann":
        assert bob.lead_id != promised.lead_id  # Bob gets a new lead; the callback waits for Ann
        ann = claims.claim_next("Ann")
        assert ann is not None and ann.lead_id == promised.lead_id
    else:
        assert bob.lead_id == promised.lead_id  # Ann is away: the promise is kept by Bob


def test_no_dial_rings_a_lead_another_agent_holds(team_list: Workspace, clock: ManualClock) -> None:
    """start_call is the one way to the dialer (CLI `call`, the window, the power dialler): another
    agent's held lead is refused there before the gate, and nothing is recorded."""
    from desktop.services.calling import HeldByAnotherAgent

    ann = team_list.claims.claim_next("Ann", hold=timedelta(minutes=30))
    assert ann is not None

    def attempts() -> int:
        with team_list.uow() as uow:
            return int(uow.session.scalar(select(func.count(Attempt.id))) or 0)

    for acting in ("Bob", None):  # another agent, or nobody named: both are a second caller
        if acting is not None:
            team_list.act_as(acting)
        for automated in (False, True):
            with pytest.raises(HeldByAnotherAgent, match="being worked by Ann"):
                team_list.calling.start_call(ann.lead_id, dial=False, automated=automated)
    assert attempts() == 0
    team_list.act_as("Ann")
    assert team_list.calling.start_call(ann.lead_id, dial=False).decision.allowed
    clock.advance(minutes=31)  # the claim ran out: the lead is anyone's again
    team_list.act_as("Bob")
    team_list.calling.start_call(ann.lead_id, dial=False)
    assert attempts() == 2
