"""`dialdesk team watch`: one view with `--once`, and on PostgreSQL a fresh view printed each time
another agent's work is committed (woken by NOTIFY, not by a timer); bad use is one line, exit 2."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.cli.test_cli import run
from tests.conftest import at_moment
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list

NOW = "2026-12-01 14:00:00"  # README_MOMENT: 09:00 in New York
LINE_TIMEOUT_S = 60.0  # a view normally follows a commit within a second


def test_once_prints_one_view_of_any_database(db_path: Path, tmp_path: Path, clock: ManualClock) -> None:
    workspace = open_workspace(str(db_path), clock=clock)
    workspace.imports.run(business_list(tmp_path / "team.csv", 3))
    workspace.close()
    shown = run(db_path, "team", "watch", "--once", "--json", "--zone", "America/New_York", faketime=NOW)
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert (view["queue_depth"], view["held_leads"], view["agents"]) == (3, 0, [])
    assert view["zone"] == "America/New_York" and view["at"].startswith("2026-12-01T14:00")
    text = run(db_path, "team", "watch", "--once", "--zone", "America/New_York", faketime=NOW)
    assert text.returncode == 0 and "3 leads waiting in the queue" in text.stdout


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["team", "watch"], "needs a PostgreSQL team database"),
        (["team", "watch", "--once", "--zone", "Mars/Olympus"], "not a time zone name"),
    ],
)
def test_bad_use_is_one_line_and_exit_2(db_path: Path, arguments: list[str], said: str) -> None:
    result = run(db_path, *arguments)
    assert result.returncode == 2 and said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.fixture
def team_url(postgres_server: PostgresServer, tmp_path: Path, clock: ManualClock) -> Iterator[str]:
    with postgres_server.database() as url:
        workspace = open_workspace(url, clock=clock)
        workspace.imports.run(business_list(tmp_path / "team.csv", 4))
        workspace.close()
        yield url


@pytest.mark.postgresql
def test_a_view_is_printed_again_when_another_agent_claims_and_records(
    team_url: str, clock: ManualClock
) -> None:
    command, env = at_moment(
        NOW,
        [sys.executable, "-m", "desktop", "--db", team_url, "team", "watch", "--json", "--zone", "UTC"],
        {**os.environ, "DIALDESK_DB": ""},
    )
    watcher = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert watcher.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()

    def next_view() -> dict[str, object]:
        try:
            return dict(json.loads(lines.get(timeout=LINE_TIMEOUT_S)))
        except queue.Empty:
            watcher.kill()
            pytest.fail(f"no view printed; stderr: {watcher.communicate()[1]}")

    agent = open_workspace(team_url, clock=clock)
    agent.act_as("Ann")
    try:
        first = next_view()
        assert (first["queue_depth"], first["agents"]) == (4, [])
        claim = agent.claims.claim_next("Ann")
        assert claim is not None
        claimed = next_view()
        assert claimed["held_leads"] == 1
        assert [(a["name"], a["working_lead"]) for a in claimed["agents"]] == [("Ann", claim.lead_id)]  # type: ignore[index, union-attr]
        agent.calling.record_outcome(claim.lead_id, "not_interested")
        agent.claims.release(claim.lead_id, "Ann")
        view = next_view()
        while view["held_leads"] != 0 or not view["agents"] or view["agents"][0]["dials_today"] != 1:  # type: ignore[index]
            view = next_view()  # one view per commit: the outcome, then the release
        assert view["agents"][0]["connects_today"] == 1  # type: ignore[index]
        assert watcher.poll() is None  # still watching
    finally:
        agent.close()
        watcher.terminate()
        watcher.wait(timeout=30)


@pytest.mark.postgresql
def test_a_watcher_whose_server_goes_away_reconnects_and_prints_the_whole_view_again(
    team_url: str, postgres_server: PostgresServer, clock: ManualClock
) -> None:
    command, env = at_moment(
        NOW,
        [sys.executable, "-m", "desktop", "--db", team_url, "team", "watch", "--json", "--zone", "UTC"],
        {**os.environ, "DIALDESK_DB": ""},
    )
    watcher = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    views: queue.Queue[str] = queue.Queue()
    said: queue.Queue[str] = queue.Queue()
    for stream, lines in ((watcher.stdout, views), (watcher.stderr, said)):
        assert stream is not None
        threading.Thread(target=lambda s=stream, q=lines: [q.put(line) for line in s], daemon=True).start()

    def next_line(lines: queue.Queue[str], what: str) -> str:
        try:
            return lines.get(timeout=LINE_TIMEOUT_S)
        except queue.Empty:
            watcher.kill()
            pytest.fail(f"no {what}; stderr: {list(said.queue)}")

    agent = open_workspace(team_url, clock=clock)
    try:
        assert json.loads(next_line(views, "first view"))["held_leads"] == 0
        postgres_server.stop()
        # Away for a while: it says so on each try, waiting longer each time (a restart is seen the same).
        first, second = next_line(said, "reconnecting line"), next_line(said, "second reconnecting line")
        assert "lost the connection to the team database" in first and "reconnecting in 0.5 s" in first
        assert "cannot reach the team database" in second and "reconnecting in 1 s" in second
        assert views.empty()
        postgres_server.start()
        # Listening again, it prints the whole view at once (what changed meanwhile was never notified).
        assert json.loads(next_line(views, "view after reconnecting"))["held_leads"] == 0
        while "reconnected to the team database" not in (line := next_line(said, "reconnected line")):
            assert "reconnecting in" in line
        claim = agent.claims.claim_next("Ann")
        assert claim is not None
        assert json.loads(next_line(views, "view of the claim"))["held_leads"] == 1
        assert watcher.poll() is None and "Traceback" not in "".join(said.queue)
    finally:
        agent.close()
        watcher.terminate()
        watcher.wait(timeout=30)
