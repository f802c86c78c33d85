"""The server restarted in the middle of a team's work (a small load test: a few agent processes):
the agents carry on, no lead is called by two of them, and every acknowledged outcome is in the
database exactly once (tests/team/load_agent.py is one agent)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from desktop.storage.models import Agent, Attempt, Lead
from tests.cli.test_cli import run
from tests.conftest import REPO
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list

pytestmark = pytest.mark.postgresql

AGENTS = 3
LEADS_EACH = 40
RESTART_AFTER = 15  # outcomes acknowledged in all before the server is restarted
RUN_TIMEOUT_S = 600.0
NOW = "2026-12-01 14:00:00"  # README_MOMENT, the agents' clock


@pytest.fixture
def backend() -> str:
    return "postgresql"


def _acknowledged(files: list[Path]) -> list[tuple[str, int, int, str]]:
    """(agent, lead id, call id, outcome) of every outcome the agents were told was recorded."""
    rows = []
    for path in files:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                lead_id, attempt_id, outcome = line.split()
                rows.append((path.stem, int(lead_id), int(attempt_id), outcome))
    return rows


def test_agents_carry_on_through_a_server_restart_and_no_acknowledged_outcome_is_lost(
    db_url: str, postgres_server: PostgresServer, tmp_path: Path, clock: ManualClock
) -> None:
    setup = open_workspace(db_url, clock=clock)
    try:
        setup.imports.run(business_list(tmp_path / "team.csv", AGENTS * LEADS_EACH + 10))
    finally:
        setup.close()
    files = [tmp_path / f"agent{n}.acks" for n in range(AGENTS)]
    env = {**os.environ, "DIALDESK_DB": "", "PYTHONPATH": str(REPO)}
    agents = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.team.load_agent",
                db_url,
                path.stem,
                str(LEADS_EACH),
                str(n),
                str(path),
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, path in enumerate(files)
    ]
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while len(_acknowledged(files)) < RESTART_AFTER:
            assert all(agent.poll() is None for agent in agents), [a.communicate() for a in agents]
            assert time.monotonic() < deadline, "the agents acknowledged too little before the restart"
            time.sleep(0.05)
        postgres_server.restart()
        before_restart = len(_acknowledged(files))
        outputs = [agent.communicate(timeout=RUN_TIMEOUT_S) for agent in agents]
    finally:
        for agent in agents:
            if agent.poll() is None:
                agent.kill()
                agent.wait(timeout=30)
    for agent, (out, err) in zip(agents, outputs, strict=True):
        assert agent.returncode == 0, err
        assert "Traceback" not in err and "acknowledged" in out
    acknowledged = _acknowledged(files)
    # The restart came mid-run: work was acknowledged before it and every agent finished after it.
    assert 0 < before_restart < len(acknowledged) == AGENTS * LEADS_EACH

    check = open_workspace(db_url, clock=clock)
    try:
        with check.uow() as uow:
            calls = uow.session.execute(
                select(Attempt.id, Attempt.lead_id, Attempt.outcome, Agent.name).join(
                    Agent, Agent.id == Attempt.agent_id
                )
            ).all()
            still_held = uow.session.scalars(select(Lead.id).where(Lead.claimed_by.is_not(None))).all()
    finally:
        check.close()
    recorded = {call_id: (name, lead_id, outcome) for call_id, lead_id, outcome, name in calls}
    # Every acknowledged outcome is there once, as its agent recorded it.
    for name, lead_id, call_id, outcome in acknowledged:
        assert recorded.get(call_id) == (name, lead_id, outcome)
    assert len({call_id for _n, _l, call_id, _o in acknowledged}) == len(acknowledged)
    # No lead was called by two agents or twice (each outcome moves its lead past the fixed "now").
    per_lead = Counter(lead_id for _call, lead_id, _o, _n in calls)
    assert max(per_lead.values()) == 1 and all(outcome is not None for _c, _l, outcome, _n in calls)
    # A reply lost in the restart (committed, not acknowledged) is at most one per agent: never a call
    # left without its outcome, never the same lead recorded again by the agent's retry.
    assert len(acknowledged) <= len(calls) <= len(acknowledged) + AGENTS
    assert still_held == []  # each outcome's commit ended its claim
    # The agents appended to one history at once (each transaction chains its events as it commits):
    # the chain is whole, one event after the other.
    verified = run(db_url, "audit", "verify", faketime=NOW)  # type: ignore[arg-type]
    assert verified.returncode == 0 and verified.stdout.startswith("intact: "), verified.stderr
