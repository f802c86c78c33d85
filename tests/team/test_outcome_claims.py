"""No outcome on a lead another agent holds: the calling service refuses it in the transaction that
would write it, whoever asks (the window, `record`, a script using the service).

Runs on SQLite and again on PostgreSQL (tests/conftest.py POSTGRES_MODULES)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, insert, select, text, update

from desktop.services.calling import HeldByAnotherAgent
from desktop.services.claims import DEFAULT_HOLD
from desktop.services.clock import ManualClock
from desktop.services.gate_reads import UowGateRecords
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Agent, Attempt, ChainEvent, DncEntry, Lead
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list


@pytest.fixture
def team_list(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.imports.run(business_list(tmp_path / "team.csv", 10))
    return workspace


def _written(workspace: Workspace, lead_id: int) -> tuple[int, int, int, tuple[object, ...]]:
    """What an outcome writes: calls, do-not-call entries, history events, and the lead's place."""
    with workspace.uow() as uow:
        session = uow.session
        lead = session.execute(
            select(Lead.status, Lead.attempt_count, Lead.last_outcome, Lead.next_due_at).where(
                Lead.id == lead_id
            )
        ).one()
        return (
            int(session.scalar(select(func.count(Attempt.id))) or 0),
            int(session.scalar(select(func.count(DncEntry.id))) or 0),
            # The firm's script, saved as a version the first time any call asks for it, is no record
            # of this call.
            int(
                session.scalar(
                    select(func.count(ChainEvent.id)).where(ChainEvent.kind != "script_version_saved")
                )
                or 0
            ),
            tuple(lead),
        )


@pytest.mark.parametrize("outcome", ["no_answer", "do_not_call"])
def test_no_outcome_is_recorded_on_a_lead_another_agent_holds(
    team_list: Workspace, clock: ManualClock, outcome: str
) -> None:
    ann = team_list.claims.claim_next("Ann", hold=timedelta(minutes=30))
    assert ann is not None
    before = _written(team_list, ann.lead_id)
    for acting in ("Bob", " Bob ", None):  # another agent, or nobody named: both are a second agent
        team_list.act_as(acting)
        with pytest.raises(HeldByAnotherAgent, match="being worked by Ann.*nothing was recorded"):
            team_list.calling.record_outcome(ann.lead_id, outcome)
    assert _written(team_list, ann.lead_id) == before
    assert team_list.claims.holder(ann.lead_id) == ("Ann", ann.until)

    team_list.act_as("Ann")  # the holder records; her outcome stands
    assert team_list.calling.record_outcome(ann.lead_id, "no_answer").outcome == "no_answer"


def test_an_outcome_on_another_agents_call_is_refused_but_ones_own_call_keeps_its_outcome(
    team_list: Workspace, clock: ManualClock
) -> None:
    ann = team_list.claims.claim_next("Ann", hold=timedelta(minutes=30))
    assert ann is not None
    team_list.act_as("Ann")
    call = team_list.calling.start_call(ann.lead_id, dial=False)
    team_list.act_as("Bob")  # Bob names Ann's live call: still a second agent on her lead
    with pytest.raises(HeldByAnotherAgent, match="being worked by Ann"):
        team_list.calling.record_outcome(ann.lead_id, "not_interested", attempt_id=call.attempt_id)
    with team_list.uow() as uow:
        assert uow.session.scalar(select(Attempt.outcome).where(Attempt.id == call.attempt_id)) is None

    # Ann's call ran past her claim and Bob took the lead: the call Ann placed keeps its outcome
    # (it was dialled while the lead was hers), but Bob's claim stays his.
    clock.advance(minutes=31)
    assert team_list.claims.take(ann.lead_id, "Bob") is not None
    team_list.act_as("Ann")
    recorded = team_list.calling.record_outcome(ann.lead_id, "not_interested", attempt_id=call.attempt_id)
    assert recorded.attempt_id == call.attempt_id
    holder = team_list.claims.holder(ann.lead_id)
    assert holder is not None and holder[0] == "Bob"
    with pytest.raises(HeldByAnotherAgent, match="being worked by Bob"):
        team_list.calling.record_outcome(ann.lead_id, "no_answer")  # a new manual call is Bob's to log


def test_an_outcome_after_the_claim_ran_out_is_anyones(team_list: Workspace, clock: ManualClock) -> None:
    ann = team_list.claims.claim_next("Ann", hold=timedelta(minutes=10))
    assert ann is not None
    clock.advance(minutes=11)
    team_list.act_as("Bob")
    assert team_list.calling.record_outcome(ann.lead_id, "no_answer").outcome == "no_answer"


@pytest.fixture
def server_list(postgres_server: PostgresServer, clock: ManualClock, tmp_path: Path) -> Iterator[Workspace]:
    """A team list on its own PostgreSQL database (row locks are what this is about)."""
    with postgres_server.database() as url:
        workspace = open_workspace(url, clock=clock)
        try:
            workspace.imports.run(business_list(tmp_path / "team.csv", 10))
            yield workspace
        finally:
            workspace.close()


def _wait_until_waiting(watcher: Connection, worker: threading.Thread, never: str) -> None:
    """Until the worker's transaction waits on another's (a row lock is waited for on the holding
    transaction's id, a lock of no database), or the worker has ended; fails with `never` after 30 s."""
    waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
    for _ in range(600):
        if watcher.execute(waiting).scalar() or not worker.is_alive():
            return
        watcher.rollback()
        time.sleep(0.05)
    pytest.fail(never)


@pytest.mark.postgresql
def test_an_outcome_committed_by_another_agent_before_the_lock_is_counted_not_overwritten(
    server_list: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate reads the lead before the outcome locks its row; another agent's outcome committed in
    between (here: 5 more calls counted) must be in the counters this outcome adds to, whatever copy of
    the lead the unit of work still holds from the gate's read (kept alive here, as any reference
    to it would keep it)."""
    lead_id = server_list.leads.next_lead_id()
    assert lead_id is not None
    server_list.act_as("Bob")
    with server_list.uow() as uow:
        lead = uow.leads.get(lead_id)
        assert lead is not None
        counted_before = lead.attempt_count
    kept: list[object] = []
    read_lead = UowGateRecords.lead

    def gate_reads_then_another_agent_commits(self: UowGateRecords, wanted: int) -> Lead | None:
        found = read_lead(self, wanted)
        kept.append(found)  # the unit of work's copy stays alive until the outcome's commit
        with server_list.engine.begin() as other:  # another agent's outcome, committed meanwhile
            other.execute(update(Lead).where(Lead.id == wanted).values(attempt_count=Lead.attempt_count + 5))
        return found

    monkeypatch.setattr(UowGateRecords, "lead", gate_reads_then_another_agent_commits)
    server_list.calling.record_outcome(lead_id, "no_answer")
    monkeypatch.undo()
    assert kept, "the gate did not read the lead"
    with server_list.uow() as uow:
        counted = uow.session.scalar(select(Lead.attempt_count).where(Lead.id == lead_id))
    assert counted == counted_before + 5 + 1


@pytest.mark.postgresql
def test_a_claim_taken_while_an_outcome_waits_to_be_written_refuses_it(
    server_list: Workspace, clock: ManualClock
) -> None:
    """The check is made where the write happens: Bob's outcome waits on the lead's row, which Ann's
    claim (its transaction still open) has locked; once Ann's claim is committed, Bob's outcome is
    refused, never written over her claim."""
    lead_id = server_list.leads.next_lead_id()
    assert lead_id is not None
    ann_id = server_list.claims.agent_id("Ann")
    server_list.act_as("Bob")
    before = _written(server_list, lead_id)
    refused: list[BaseException] = []

    def bob_records() -> None:
        try:
            server_list.calling.record_outcome(lead_id, "no_answer")
        except BaseException as error:  # handed to the test thread
            refused.append(error)

    with server_list.engine.connect() as ann, server_list.engine.connect() as watcher:
        with ann.begin():
            ann.execute(
                update(Lead)
                .where(Lead.id == lead_id)
                .values(claimed_by=ann_id, claimed_until=clock() + DEFAULT_HOLD)
            )
            bob = threading.Thread(target=bob_records)
            bob.start()
            _wait_until_waiting(watcher, bob, "Bob's outcome never waited for the lead's row")
        bob.join(timeout=60)
    assert len(refused) == 1 and isinstance(refused[0], HeldByAnotherAgent), refused
    # The claim is read after the lock was granted: its holder by name, never a claim without one.
    assert "worked by Ann" in str(refused[0]), refused
    assert _written(server_list, lead_id) == before


@pytest.mark.postgresql
def test_two_first_calls_of_a_new_agent_at_once_both_record(server_list: Workspace) -> None:
    """The first call of a brand-new agent name, made by two processes at the same moment: one's
    transaction adds the agent; the other's, finding no row yet, waits for it and uses that row
    instead of failing on the duplicate name (storage/repositories.py AgentRepository)."""
    lead_id = server_list.leads.next_lead_id()
    assert lead_id is not None
    server_list.act_as("Zed")
    failed: list[BaseException] = []
    recorded: list[int] = []

    def zed_records() -> None:
        try:
            recorded.append(server_list.calling.record_outcome(lead_id, "no_answer").attempt_id)
        except BaseException as error:  # handed to the test thread
            failed.append(error)

    with server_list.engine.connect() as other, server_list.engine.connect() as watcher:
        with other.begin():
            other.execute(insert(Agent).values(name="Zed"))  # the other process's first call, not committed
            zed = threading.Thread(target=zed_records)
            zed.start()
            _wait_until_waiting(watcher, zed, "the record never waited for the other transaction's agent")
        zed.join(timeout=60)
    assert not failed, failed
    with server_list.uow() as uow:
        agents = list(uow.session.scalars(select(Agent.id).where(Agent.name == "Zed")))
        assert len(agents) == 1
        attempt = uow.session.get(Attempt, recorded[0])
        assert attempt is not None and attempt.agent_id == agents[0] and attempt.outcome == "no_answer"
    # The claims' own look-up of the name gives the same row.
    assert server_list.claims.agent_id("Zed") == agents[0]
