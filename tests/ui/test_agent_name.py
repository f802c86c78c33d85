"""The broker's name: asked on the window's first start, so calls are never under a placeholder;
a supervisor merges two names in reports (audited, the calls keep their agent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.services.agents import default_agent_name
from desktop.services.reports import ReportFilter, report_service_for
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Agent, Attempt, AuditEvent
from tests.services.test_reports_seed import FIRST, LAST, seed_known_answers

pytestmark = pytest.mark.gui


def a_lead(workspace: Workspace, tmp_path: Path) -> int:
    path = tmp_path / "one.csv"
    rows = "Name,Company,Phone,Type\nMaria Lopez,Lopez Dental,(212) 555-0134,business\n"
    path.write_text(rows, encoding="utf-8")
    workspace.imports.run(path, list_name="One")
    return int(next(r["id"] for r in workspace.leads.export_records()))


def test_first_start_asks_the_name_and_calls_go_under_it(
    qtbot, make_window, ui_workspace: Workspace, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.settings.agent_name import ask_agent_name_on_first_start

    window = make_window()
    dialog = ask_agent_name_on_first_start(window, ui_workspace)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.name_edit.text() == default_agent_name()  # the computer's user name until typed
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Robin Kim")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert ui_workspace.current_settings().agent_name == "Robin Kim"
    assert ask_agent_name_on_first_start(window, ui_workspace) is None  # asked once

    lead = a_lead(ui_workspace, tmp_path)
    call = ui_workspace.calling.start_call(lead)
    ui_workspace.calling.record_outcome(lead, "no_answer", attempt_id=call.attempt_id)
    with ui_workspace.uow() as uow:
        names = uow.session.scalars(select(Agent.name).join(Attempt, Attempt.agent_id == Agent.id)).all()
    assert set(names) == {"Robin Kim"}


def test_without_a_name_calls_are_under_the_computers_user(ui_workspace: Workspace, tmp_path: Path) -> None:
    lead = a_lead(ui_workspace, tmp_path)
    call = ui_workspace.calling.start_call(lead)
    with ui_workspace.uow() as uow:
        attempt = uow.attempts.get(call.attempt_id)
        assert attempt is not None and attempt.agent_id is not None
        agent = uow.session.get(Agent, attempt.agent_id)
        assert agent is not None and agent.name == default_agent_name() != ""


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIALDESK_DB": "", "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "desktop", "--db", str(db), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_a_supervisor_merges_two_names(tmp_path: Path, ui_clock) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "team.db"
    workspace = open_workspace(str(db), clock=ui_clock)
    try:
        seed_known_answers(workspace)
    finally:
        workspace.close()
    period = ("--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--tz", "UTC")
    before = json.loads(run_cli(db, "report", *period).stdout)
    assert set(before["by_agent"]) == {"Ann", "Bob"}

    merged = run_cli(db, "report", "agents", "merge", "Bob", "Ann")
    assert merged.returncode == 0, merged.stderr
    after = json.loads(run_cli(db, "report", *period).stdout)
    assert set(after["by_agent"]) == {"Ann"}
    assert (
        after["by_agent"]["Ann"]["dials"]
        == before["by_agent"]["Ann"]["dials"] + before["by_agent"]["Bob"]["dials"]
    )
    assert after["dials"] == before["dials"]
    only_ann = json.loads(run_cli(db, "report", *period, "--agent", "Ann").stdout)
    assert only_ann["dials"] == before["dials"]

    workspace = open_workspace(str(db), clock=ui_clock)
    try:
        with workspace.uow() as uow:
            bob = uow.session.scalar(select(Agent).where(Agent.name == "Bob"))
            assert bob is not None  # the calls keep their agent: history is kept
            assert uow.session.scalar(select(Attempt.id).where(Attempt.agent_id == bob.id).limit(1))
            [event] = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "agents_merge")).all()
            assert json.loads(event.detail)["old"] == "Bob"
        assert report_service_for(workspace).options().agents == ["Ann"]
        report = report_service_for(workspace).build(ReportFilter(FIRST, LAST, zone="UTC"))
        assert set(report.to_json()["by_agent"]) == {"Ann"}
    finally:
        workspace.close()

    for args, message in (
        (("Zoe", "Ann"), "no agent named 'Zoe'"),
        (("Bob", "Ann"), "'Bob' is already counted as 'Ann'"),
        (("Ann",), "usage: dialdesk report agents merge OLD NEW"),
    ):
        bad = run_cli(db, "report", "agents", "merge", *args)
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr
