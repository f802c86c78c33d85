"""The team's server restarted under working agents: their next action reconnects, and nothing they
had recorded is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from desktop.storage.models import Attempt
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list

pytestmark = pytest.mark.postgresql


@pytest.fixture
def backend() -> str:
    return "postgresql"


def test_an_agent_carries_on_after_the_server_restarts(
    db_url: str, postgres_server: PostgresServer, tmp_path: Path, clock: ManualClock
) -> None:
    workspace = open_workspace(db_url, clock=clock)
    try:
        workspace.imports.run(business_list(tmp_path / "team.csv", 4))
        workspace.act_as("Ann")
        before = workspace.claims.claim_next("Ann")
        assert before is not None
        workspace.calling.record_outcome(before.lead_id, "no_answer")  # acknowledged
        workspace.claims.release(before.lead_id, "Ann")

        postgres_server.restart()  # every connection of the pool and of the gate's look-up is gone

        after = workspace.claims.claim_next("Ann")
        assert after is not None and after.lead_id != before.lead_id
        workspace.calling.record_outcome(after.lead_id, "busy")
        workspace.claims.release(after.lead_id, "Ann")
        with workspace.uow() as uow:
            rows = uow.session.execute(select(Attempt.lead_id, Attempt.outcome).order_by(Attempt.id))
            recorded = {lead_id: outcome for lead_id, outcome in rows}
            assert uow.session.scalar(select(func.count(Attempt.id))) == 2
        assert recorded == {before.lead_id: "no_answer", after.lead_id: "busy"}
    finally:
        workspace.close()


def test_a_pooled_connection_the_server_ended_is_replaced_before_use(
    db_url: str, postgres_server: PostgresServer, tmp_path: Path, clock: ManualClock
) -> None:
    """The pool checks each connection before handing it out (storage/server.py `ping_on_checkout`, one
    empty query): a connection whose backend was ended (a failover, an administrator, an idle timeout)
    while it waited in the pool is replaced, and the action using it never sees an error."""
    workspace = open_workspace(db_url, clock=clock)
    try:
        workspace.imports.run(business_list(tmp_path / "team.csv", 3))
        lead_id = workspace.leads.next_lead_id()
        assert lead_id is not None and workspace.calling.check(lead_id).decision.allowed
        with workspace.engine.connect() as connection:  # the pooled connection the next action gets
            doomed = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        postgres_server.admin(f"SELECT pg_terminate_backend({int(doomed)})")

        assert workspace.leads.count() == 3
        assert workspace.calling.check(lead_id).decision.allowed
        workspace.act_as("Ann")
        claim = workspace.claims.claim_next("Ann")
        assert claim is not None
        workspace.calling.record_outcome(claim.lead_id, "no_answer")
        with workspace.uow() as uow:
            assert uow.session.scalar(select(func.count(Attempt.id))) == 1
    finally:
        workspace.close()
