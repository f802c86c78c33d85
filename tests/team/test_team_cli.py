"""Scripted agents: `dialdesk --agent NAME queue --claim --json` and `--agent NAME record`, as
processes at once on one database (an SQLite file, and again a PostgreSQL server)."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.cli.test_cli import run
from tests.team.team_support import business_list

NOW = "2026-12-01 14:00:00"  # 09:00 in New York: the list's leads are callable


@pytest.fixture
def team_db(db_url: str, tmp_path: Path, clock: ManualClock) -> str:
    workspace = open_workspace(db_url, clock=clock)
    try:
        workspace.imports.run(business_list(tmp_path / "team.csv", 4))
    finally:
        workspace.close()
    return db_url


def claim(db: str, agent: str) -> subprocess.CompletedProcess[str]:
    return run(db, "--agent", agent, "queue", "--claim", "--json", faketime=NOW)  # type: ignore[arg-type]


def test_agents_at_once_each_take_their_own_lead_and_record_releases_it(team_db: str) -> None:
    agents = ["Ann", "Bob", "Cy"]
    with ThreadPoolExecutor(len(agents)) as pool:
        results = list(pool.map(lambda agent: claim(team_db, agent), agents))
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    taken = {json.loads(r.stdout)["agent"]: json.loads(r.stdout) for r in results}
    assert set(taken) == set(agents)
    assert len({item["lead_id"] for item in taken.values()}) == 3
    assert taken["Ann"]["phone"].startswith("+1212555")

    ann_lead = str(taken["Ann"]["lead_id"])
    again = claim(team_db, "Ann")
    assert again.returncode == 0 and json.loads(again.stdout)["lead_id"] == taken["Ann"]["lead_id"]
    refused = run(team_db, "--agent", "Bob", "record", ann_lead, "no_answer", faketime=NOW)  # type: ignore[arg-type]
    assert refused.returncode == 2 and "being worked by Ann" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    recorded = run(team_db, "--agent", "Ann", "record", ann_lead, "no_answer", "--json", faketime=NOW)  # type: ignore[arg-type]
    assert recorded.returncode == 0, recorded.stderr
    # The fourth lead is Ann's next; then nothing is callable for anyone (exit 3).
    following = claim(team_db, "Ann")
    assert following.returncode == 0
    assert json.loads(following.stdout)["lead_id"] not in {item["lead_id"] for item in taken.values()}
    dan = claim(team_db, "Dan")
    assert dan.returncode == 3 and json.loads(dan.stdout) is None


def test_the_agent_comes_from_the_environment_and_is_required(team_db: str) -> None:
    env = {**os.environ, "DIALDESK_AGENT": "Eve"}
    from tests.conftest import at_moment

    command, env = at_moment(
        NOW,
        [__import__("sys").executable, "-m", "desktop", "--db", team_db, "queue", "--claim", "--json"],
        env,
    )
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["agent"] == "Eve"
    nobody = run(team_db, "queue", "--claim", faketime=NOW)  # type: ignore[arg-type]
    assert nobody.returncode == 2 and "needs an agent" in nobody.stderr
    blank = run(team_db, "--agent", " ", "queue", "--claim", faketime=NOW)  # type: ignore[arg-type]
    assert blank.returncode == 2 and "agent name is empty" in blank.stderr


def test_a_claim_of_an_agent_that_died_expires_and_another_agent_gets_the_lead(team_db: str) -> None:
    first = claim(team_db, "Ann")  # Ann's process takes a lead and is gone without recording
    assert first.returncode == 0
    lead = json.loads(first.stdout)["lead_id"]
    during = run(team_db, "--agent", "Bob", "queue", "--claim", "--json", faketime="2026-12-01 14:14:00")  # type: ignore[arg-type]
    assert json.loads(during.stdout)["lead_id"] != lead
    after = run(team_db, "--agent", "Cy", "queue", "--claim", "--json", faketime="2026-12-01 14:16:00")  # type: ignore[arg-type]
    assert after.returncode == 0 and json.loads(after.stdout)["lead_id"] == lead
