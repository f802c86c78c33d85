"""The window on a team's PostgreSQL database: as an agent it claims the lead it shows and releases it
when it records; the queue list leaves out what other agents hold; View → Team shows the live view,
redrawn when another agent's work is committed (LISTEN/NOTIFY through a QSocketNotifier)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.services.claims import DEFAULT_HOLD
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace, open_workspace
from tests.conftest import at_moment
from tests.postgres_support import PostgresServer
from tests.team.team_support import business_list

NOTIFIED_MS = 30_000  # a notification normally arrives within milliseconds


@pytest.fixture
def team_url(postgres_server: PostgresServer, tmp_path: Path, ui_clock: ManualClock) -> Iterator[str]:
    with postgres_server.database() as url:
        workspace = open_workspace(url, clock=ui_clock)
        workspace.imports.run(business_list(tmp_path / "team.csv", 6))
        workspace.close()
        yield url


@pytest.fixture
def colleague(team_url: str, ui_clock: ManualClock) -> Iterator[Workspace]:
    """Bob, working the same list on his own connections."""
    workspace = open_workspace(team_url, clock=ui_clock)
    workspace.act_as("Bob")
    yield workspace
    workspace.close()


@pytest.fixture
def open_window(qtbot, team_url: str, ui_clock: ManualClock):  # type: ignore[no-untyped-def]
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow

    opened: list[tuple[MainWindow, Workspace]] = []

    def make(agent: str | None):  # type: ignore[no-untyped-def]
        make_application([])
        workspace = open_workspace(team_url, clock=ui_clock)
        workspace.act_as(agent)
        window = MainWindow(workspace)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: not window.startup_pending)
        opened.append((window, workspace))
        return window

    yield make
    from PySide6.QtCore import QTimer

    for window, workspace in opened:
        for timer in window.findChildren(QTimer):
            timer.stop()  # the window outlives this fixture (it is qtbot's), its database does not
        window.close()
        qtbot.wait(20)  # what the last action queued runs while its database is still there
        workspace.close()


def listed_leads(window) -> set[int]:  # type: ignore[no-untyped-def]
    model = window.queue_model
    return {model.row_of(row).lead_id for row in range(model.rowCount())}


@pytest.mark.postgresql
def test_the_window_as_an_agent_claims_what_it_shows_and_recording_releases_it(
    open_window, colleague: Workspace, ui_clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    bobs = colleague.claims.claim_next("Bob")  # Bob holds a lead before Ann's window opens
    assert bobs is not None
    window = open_window("Ann")
    assert "Ann" in window.windowTitle()
    first = window.current_card
    assert first is not None and first.id != bobs.lead_id
    assert colleague.claims.holder(first.id)[0] == "Ann"  # type: ignore[index]
    # The queue list: Ann's own lead is there, Bob's is not.
    shown = listed_leads(window)
    assert first.id in shown and bobs.lead_id not in shown and len(shown) == 5

    # Bob's lead cannot be opened from anywhere in Ann's window.
    assert not window.show_lead(bobs.lead_id)
    assert "being worked by Bob" in window.statusBar().currentMessage()
    assert window.current_card is not None and window.current_card.id == first.id

    assert window.record_outcome("no_answer")
    following = window.current_card
    assert following is not None and following.id not in (first.id, bobs.lead_id)
    assert colleague.claims.holder(first.id) is None  # recorded: released
    assert colleague.claims.holder(following.id)[0] == "Ann"  # type: ignore[index]
    taken = colleague.claims.claim_next("Bob")  # Bob's next is neither of Ann's
    assert taken is not None and taken.lead_id == bobs.lead_id  # his own, still held

    # Passing over a lead (Go → Next) gives it back to the queue.
    window.on_next_triggered()
    assert window.current_card is not None and window.current_card.id != following.id
    assert colleague.claims.holder(following.id) is None

    # A long call: the window renews its claim before it runs out.
    held = window.current_card.id
    ui_clock.advance(seconds=DEFAULT_HOLD.total_seconds() * 0.75)
    window.on_tick_timeout()
    ui_clock.advance(seconds=DEFAULT_HOLD.total_seconds() * 0.5)
    assert colleague.claims.holder(held)[0] == "Ann"  # type: ignore[index]


@pytest.mark.postgresql
def test_the_queue_list_shows_other_agents_leads_again_once_their_claim_expires(
    open_window, colleague: Workspace, ui_clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    bobs = colleague.claims.claim_next("Bob", hold=timedelta(minutes=5))
    assert bobs is not None
    window = open_window(None)  # no agent: the settings' name, which holds nothing
    assert bobs.lead_id not in listed_leads(window)
    assert "5" in window.counts_label.text()  # the counts leave it out too
    ui_clock.advance(minutes=6)
    window.on_queue_refresh_due()
    assert bobs.lead_id in listed_leads(window)


@pytest.mark.postgresql
def test_a_window_that_dies_leaves_a_claim_that_expires(
    team_url: str, colleague: Workspace, ui_clock: ManualClock, tmp_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """The real program killed mid-lead: its claim stays until it expires, then Bob gets the lead."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIALDESK_DB": "", "DIALDESK_AGENT": "Ann"}
    command, env = at_moment(
        f"{ui_clock():%Y-%m-%d %H:%M:%S}", [sys.executable, "-m", "desktop", "--db", team_url], env
    )
    program = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(
            lambda: bool(_held_by(colleague, "Ann")) or program.poll() is not None, timeout=60_000
        )
        assert program.poll() is None, program.stderr.read() if program.stderr else ""
        (held,) = _held_by(colleague, "Ann")
    finally:
        program.kill()  # no closeEvent: nothing is released
        program.wait(timeout=30)
    other = colleague.claims.claim_next("Bob")
    assert other is not None and other.lead_id != held
    colleague.claims.release(other.lead_id, "Bob")
    ui_clock.advance(seconds=DEFAULT_HOLD.total_seconds() + 60)
    back = colleague.claims.claim_next("Bob")
    assert back is not None and back.lead_id == held


def _held_by(workspace: Workspace, agent: str) -> list[int]:
    with workspace.uow() as uow:
        return uow.leads.held_by(workspace.claims.agent_id(agent), workspace.clock())


@pytest.mark.postgresql
def test_view_team_is_redrawn_when_another_agent_claims_dials_and_records(
    open_window, colleague: Workspace, qtbot
) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.reports.team_view import TeamViewDialog

    window = open_window(None)
    window.team_action.trigger()
    view = window.team_view
    assert isinstance(view, TeamViewDialog) and view.isVisible()
    assert view.table.rowCount() == 0 and "6 leads waiting" in view.queue_label.text()

    def row_of(name: str) -> list[str] | None:
        for row in range(view.table.rowCount()):
            cells = [view.table.item(row, column).text() for column in range(view.table.columnCount())]
            if cells[0] == name:
                return cells
        return None

    claim = colleague.claims.claim_next("Bob")
    assert claim is not None
    working = f"Working lead #{claim.lead_id}"
    qtbot.waitUntil(lambda: (row_of("Bob") or ["", ""])[1] == working, timeout=NOTIFIED_MS)
    assert "1 being worked" in view.queue_label.text()
    call = colleague.calling.start_call(claim.lead_id, dial=False)
    qtbot.waitUntil(lambda: (row_of("Bob") or ["", ""])[1].startswith("On a call"), timeout=NOTIFIED_MS)
    colleague.calling.record_outcome(claim.lead_id, "not_interested", attempt_id=call.attempt_id)
    colleague.claims.release(claim.lead_id, "Bob")
    qtbot.waitUntil(lambda: row_of("Bob") == ["Bob", "Free", "1", "1", "1", "1"], timeout=NOTIFIED_MS)

    view.close()  # stops listening; closing again or reopening makes a fresh one
    qtbot.waitUntil(lambda: window.team_view is None or not window.team_view.isVisible())


def test_view_team_is_offered_only_on_a_team_database(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()  # an SQLite file: nothing notifies, no live view
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert [a.text() for a in view_menu.actions() if "Team" in a.text()] == []


@pytest.mark.postgresql
def test_an_outcome_on_a_lead_another_agent_took_meanwhile_is_not_recorded(
    open_window, colleague: Workspace, ui_clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    window = open_window("Ann")
    card = window.current_card
    assert card is not None
    # The machine slept past the claim (no tick renewed it) and Bob took the lead.
    ui_clock.advance(seconds=DEFAULT_HOLD.total_seconds() + 60)
    assert colleague.claims.take(card.id, "Bob") is not None
    assert not window.record_outcome("no_answer")
    assert "being worked by Bob" in window.dial_bar.banner_text
    with colleague.uow() as uow:
        assert uow.attempts.for_lead(card.id) == []


@pytest.mark.postgresql
def test_view_team_reconnects_after_a_server_restart_and_shows_what_changed_meanwhile(
    open_window, colleague: Workspace, postgres_server: PostgresServer, qtbot
) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.reports.team_view import TeamViewDialog

    window = open_window(None)
    window.team_action.trigger()
    view = window.team_view
    assert isinstance(view, TeamViewDialog) and "0 being worked" in view.queue_label.text()
    # Nothing runs in the view until the event loop turns: the claim below is committed while the
    # view's listening connection is dead, so its notification reaches nobody.
    postgres_server.restart()
    claim = colleague.claims.claim_next("Bob")
    assert claim is not None
    seen: list[str] = []

    def reconnecting_shown() -> bool:
        seen.append(view.heading.text())
        return view.reconnecting

    qtbot.waitUntil(reconnecting_shown, timeout=NOTIFIED_MS)
    assert "reconnecting…" in seen[-1]
    # Listening again, the whole view is read: Bob's claim made while nobody listened is shown.
    qtbot.waitUntil(lambda: not view.reconnecting, timeout=NOTIFIED_MS)
    assert "1 being worked" in view.queue_label.text() and "The team at" in view.heading.text()
    # And it listens: the next change is drawn when it is notified.
    colleague.claims.release(claim.lead_id, "Bob")
    qtbot.waitUntil(lambda: "0 being worked" in view.queue_label.text(), timeout=NOTIFIED_MS)
    view.close()
