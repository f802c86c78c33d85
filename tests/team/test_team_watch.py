"""The live supervisor view: the snapshot's figures (on SQLite and PostgreSQL), and on PostgreSQL the
change notifications of revision 0016a that wake a watcher when another connection commits a claim,
a dial, an outcome or a refusal — and only then (never for a rolled-back write, never for its own
reading)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.services.calling import GateRefused
from desktop.services.clock import ManualClock
from desktop.services.team_watch import CALL_IN_PROGRESS_LIMIT, TeamSnapshot, snapshot_lines
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.notify import ChangeListener, NotificationsUnavailable
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list

NEW_YORK = "America/New_York"  # README_MOMENT is 09:00 there: the hour began at 14:00Z, the day at 05:00Z
# Long enough for a loaded machine; a notification normally arrives within milliseconds.
NOTIFY_TIMEOUT_S = 30.0


def agent_of(snapshot: TeamSnapshot, name: str) -> dict[str, object]:
    found = [agent for agent in snapshot.to_json()["agents"] if agent["name"] == name]
    assert len(found) == 1, snapshot.to_json()
    return found[0]


@pytest.fixture
def listed(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.imports.run(business_list(tmp_path / "team.csv", 6))
    return workspace


def test_the_snapshot_counts_each_agents_hour_and_day_in_the_watchers_zone(
    listed: Workspace, db_url: str, clock: ManualClock
) -> None:
    ann = open_workspace(db_url, clock=clock)
    ann.act_as("Ann")
    try:
        start = clock()
        # 08:20 New York yesterday (not today), 08:10 (today, not this hour), 09:00 (this hour).
        for moment, outcome in (
            (start - timedelta(hours=24, minutes=40), "meeting"),
            (start - timedelta(minutes=50), "no_answer"),
            (start, "not_interested"),
        ):
            clock.set(moment)
            claim = ann.claims.claim_next("Ann")
            assert claim is not None
            details = {"meeting_at": moment + timedelta(days=2)} if outcome == "meeting" else {}
            ann.calling.record_outcome(claim.lead_id, outcome, **details)  # type: ignore[arg-type]
            ann.claims.release(claim.lead_id, "Ann")
        clock.set(start)
        held = ann.claims.claim_next("Ann")
        assert held is not None
        called = ann.calling.start_call(held.lead_id, dial=False)  # on the line, no outcome yet
        snapshot = listed.team_watch.snapshot(NEW_YORK)
        # Watched by Ann herself: her held lead is being worked, not waiting, for her too.
        assert ann.team_watch.snapshot(NEW_YORK).queue_depth == snapshot.queue_depth
        assert len(ann.leads.queue_page(0, 50)) == len(listed.leads.queue_page(0, 50)) + 1
    finally:
        ann.close()
    seen = agent_of(snapshot, "Ann")
    # Today: the 08:10 no-answer and the 09:00 not-interested (a contact), and the call in progress.
    assert (seen["dials_today"], seen["connects_today"]) == (3, 1)
    assert (seen["dials_hour"], seen["connects_hour"]) == (2, 1)
    assert seen["working_lead"] == held.lead_id and seen["on_call"] is True
    assert seen["on_call_lead"] == held.lead_id and snapshot.held_leads == 1
    assert snapshot.zone == NEW_YORK
    # Six leads: two called today are due later, one yesterday's meeting is done, one is held.
    counts = listed.leads.queue_counts()
    assert snapshot.queue_depth == counts.callback + counts.warm + counts.due + counts.new
    assert snapshot.queue_depth < 6
    assert any(f"lead #{held.lead_id}" in line and "on a call" in line for line in snapshot_lines(snapshot))
    assert called.attempt_id > 0

    # Counted in Brisbane's day (it began at 14:00Z, Brisbane's midnight): the two 09:00 dials only.
    brisbane = agent_of(listed.team_watch.snapshot("Australia/Brisbane"), "Ann")
    assert (brisbane["dials_today"], brisbane["dials_hour"]) == (2, 2)

    # A call left without an outcome past the limit (a window that died) is no longer "on a call".
    clock.advance(seconds=CALL_IN_PROGRESS_LIMIT.total_seconds() + 60)
    later = agent_of(listed.team_watch.snapshot(NEW_YORK), "Ann")
    assert later["on_call"] is False and later["working_lead"] is None  # the claim expired too


def test_blocked_dials_are_counted_by_the_gates_reason(listed: Workspace) -> None:
    lead_id = listed.leads.next_lead_id()
    assert lead_id is not None
    number = listed.leads.card(lead_id).phones[0].e164
    assert number is not None
    listed.dnc.add(number, "asked on the phone")
    for _ in range(2):
        with pytest.raises(GateRefused):
            listed.calling.start_call(lead_id, dial=False)
    snapshot = listed.team_watch.snapshot(NEW_YORK)
    assert sum(snapshot.blocked_today.values()) >= 2
    (code, count), *_ = snapshot.blocked_today.items()
    assert count == 2 and "dnc" in code
    assert all(agent.dials_today == 0 for agent in snapshot.agents)  # a refused dial is no dial


@pytest.mark.sqlite_only
def test_sqlite_has_no_notifications_to_listen_to(workspace: Workspace) -> None:
    with pytest.raises(NotificationsUnavailable, match="PostgreSQL"):
        workspace.team_watch.listen()


# -- PostgreSQL: LISTEN/NOTIFY ------------------------------------------------------------------


@pytest.fixture
def team_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


@pytest.fixture
def supervisor(team_url: str, clock: ManualClock, tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(team_url, clock=clock)
    workspace.imports.run(business_list(tmp_path / "team.csv", 6))
    yield workspace
    workspace.close()


@pytest.fixture
def agent(team_url: str, clock: ManualClock, supervisor: Workspace) -> Iterator[Workspace]:
    """Ann, on her own connections (another process, as far as the server can tell)."""
    workspace = open_workspace(team_url, clock=clock)
    workspace.act_as("Ann")
    yield workspace
    workspace.close()


def notified(listener: ChangeListener) -> list[str]:
    """What the next notifications say (table names); fails if none comes within the timeout."""
    payloads = listener.wait(NOTIFY_TIMEOUT_S)
    assert payloads, "no notification arrived"
    return payloads


@pytest.mark.postgresql
def test_a_claim_a_dial_and_an_outcome_by_another_agent_each_wake_the_watcher(
    supervisor: Workspace, agent: Workspace
) -> None:
    watch = supervisor.team_watch
    listener = watch.listen()
    try:
        before = watch.snapshot(NEW_YORK)
        assert before.agents == () and before.queue_depth == 6 and before.held_leads == 0

        claim = agent.claims.claim_next("Ann")
        assert claim is not None
        assert "leads" in notified(listener)
        claimed = watch.snapshot(NEW_YORK)
        assert agent_of(claimed, "Ann")["working_lead"] == claim.lead_id
        assert (claimed.queue_depth, claimed.held_leads) == (5, 1)

        call = agent.calling.start_call(claim.lead_id, dial=False)
        assert "attempts" in notified(listener)
        assert agent_of(watch.snapshot(NEW_YORK), "Ann")["on_call"] is True

        agent.calling.record_outcome(claim.lead_id, "not_interested", attempt_id=call.attempt_id)
        agent.claims.release(claim.lead_id, "Ann")
        seen = set(notified(listener))
        while "leads" not in seen or "attempts" not in seen:
            seen |= set(notified(listener))
        after = agent_of(watch.snapshot(NEW_YORK), "Ann")
        assert (after["on_call"], after["working_lead"]) == (False, None)
        assert (after["dials_hour"], after["connects_hour"], after["dials_today"]) == (1, 1, 1)
    finally:
        listener.close()


@pytest.mark.postgresql
def test_only_committed_writes_notify_and_reading_a_snapshot_writes_nothing(
    supervisor: Workspace, agent: Workspace
) -> None:
    listener = supervisor.team_watch.listen()
    try:
        with agent.engine.connect() as connection:
            connection.execute(text("UPDATE leads SET notes = notes"))
            connection.rollback()  # told to nobody
        supervisor.team_watch.snapshot(NEW_YORK)  # a watcher's read must not wake watchers (a loop)
        supervisor.leads.queue_page(0, 50)
        with agent.engine.begin() as connection:
            connection.execute(text("UPDATE attempts SET note = note WHERE false"))  # a marker
        # Notifications arrive in commit order: anything from the rollback or the reads came first.
        assert notified(listener) == ["attempts"]
    finally:
        listener.close()


@pytest.mark.postgresql
def test_the_notify_triggers_go_down_and_up_with_their_revision(team_url: str) -> None:
    from alembic import command

    from desktop.storage.engine import make_engine
    from desktop.storage.migrate import alembic_config, upgrade

    engine = make_engine(team_url)
    try:
        command.downgrade(alembic_config(engine), "0015")
        with engine.connect() as connection:
            names = set(connection.exec_driver_sql("SELECT tgname FROM pg_trigger").scalars())
        assert not {"attempts_team_notify", "leads_team_notify"} & names
        upgrade(engine)
        with engine.connect() as connection:
            names = set(connection.exec_driver_sql("SELECT tgname FROM pg_trigger").scalars())
        assert {"attempts_team_notify", "leads_team_notify"} <= names
    finally:
        engine.dispose()
