"""Offline and back in firm mode, on a real PostgreSQL server: `team checkout` copies the script
versions and approvals, so the local gate allows an approved version and refuses an unapproved one as
the server does; `audit verify` on the copy accepts the copied rows and names an approval forged with
plain sqlite3 (firm mode's gate does not take it either); `merge` maps each call's version back by
script, number and text, never to another text."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.services.calling import ScriptRefused
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.models import Attempt, ScriptVersion
from tests.cli.test_cli import run
from tests.services.test_script_versions import SCRIPT, edited_copy
from tests.team.test_offline_checkout import NOW, team  # noqa: F401 - the team server fixture

pytestmark = pytest.mark.postgresql
OTHER = "advice-first-401k"


@pytest.fixture
def backend() -> str:
    return "postgresql"


def firm_mode(workspace: Workspace) -> None:
    workspace.save_settings(replace(workspace.current_settings(), firm_mode=True))


def checkout(team_url: str, local: Path, take: int = 2) -> list[int]:
    taken = run(
        team_url,  # type: ignore[arg-type]
        "--agent",
        "Ann",
        "team",
        "checkout",
        "--out",
        str(local),
        "--take",
        str(take),
        "--json",
        faketime=NOW,
    )
    assert taken.returncode == 0, taken.stderr
    report = json.loads(taken.stdout)
    assert report["script_versions"] >= 1
    return list(report["leads"])


def versions_of(workspace: Workspace) -> dict[int, tuple[str, int, str]]:
    with workspace.uow() as uow:
        rows = uow.session.scalars(select(ScriptVersion))
        return {row.id: (row.script_name, row.version, row.content_sha256) for row in rows}


def calls_of(workspace: Workspace) -> list[Attempt]:
    with workspace.uow() as uow:
        return list(uow.session.scalars(select(Attempt).order_by(Attempt.id)))


def test_an_approved_version_is_usable_offline_and_the_calls_keep_it_both_ways(
    team: str,  # noqa: F811
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    server = open_workspace(team, clock=clock)
    try:
        leads = [int(row["id"]) for row in server.leads.export_records()]
        for lead in leads:
            server.scripts.assign_lead(lead, SCRIPT)
        server.script_versions.approve(SCRIPT, 1, "Jane Principal", "reviewed")
        firm_mode(server)
        server.calling.record_outcome(leads[0], "no_answer", note="called on the server")
        server_v1 = server.script_versions.current(SCRIPT).id
        assert server.claims.take(leads[0], "Ann") is not None  # held by Ann: her checkout takes it
        local = tmp_path / "offline.db"
        taken = checkout(team, local, take=1)
        assert leads[0] in taken and len(taken) == 2

        offline = open_workspace(str(local), clock=clock)
        try:
            local_versions = versions_of(offline)
            # The call made on the server comes out with its version (the local row of the same text).
            [before] = [c for c in calls_of(offline) if c.note == "called on the server"]
            assert before.script_version_id is not None
            assert local_versions[before.script_version_id] == versions_of(server)[server_v1]
            # Firm mode's gate offline: the approved version is usable, as on the server.
            for lead in taken:  # the lead called on the server too: the no_answer cadence allows a retry
                offline.calling.record_outcome(lead, "no_answer", note="called offline")
            made = [c for c in calls_of(offline) if c.note == "called offline"]
            assert len(made) == len(taken)
            assert {local_versions[c.script_version_id][:2] for c in made if c.script_version_id} == {
                (SCRIPT, 1)
            }
            assert all(c.script_version_id is not None for c in made)
        finally:
            offline.close()
        verified = run(local, "audit", "verify")
        assert verified.returncode == 0, verified.stderr

        merged = run(team, "merge", str(local), "--json")  # type: ignore[arg-type]
        assert merged.returncode == 0, merged.stderr
        assert json.loads(merged.stdout.splitlines()[0])["script_versions_unmatched"] == {}
        back = [c for c in calls_of(server) if c.note == "called offline"]
        assert len(back) == len(taken) and {c.script_version_id for c in back} == {server_v1}
    finally:
        server.close()


def test_an_unapproved_version_is_refused_offline_and_a_forged_approval_is_named(
    team: str,  # noqa: F811
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    server = open_workspace(team, clock=clock)
    try:
        leads = [int(row["id"]) for row in server.leads.export_records()]
        for lead in leads:
            server.scripts.assign_lead(lead, SCRIPT)
        server.script_versions.approve(SCRIPT, 1, "Jane Principal")
        server.scripts.import_file(edited_copy(tmp_path, "a sentence the principal never saw"))
        firm_mode(server)
        with pytest.raises(ScriptRefused) as on_server:
            server.calling.record_outcome(leads[0], "no_answer")
        assert "version 2" in str(on_server.value)
    finally:
        server.close()
    local = tmp_path / "offline.db"
    taken = checkout(team, local)

    offline = open_workspace(str(local), clock=clock)
    try:
        with pytest.raises(ScriptRefused) as offline_refusal:
            offline.calling.record_outcome(taken[0], "no_answer")
        assert str(offline_refusal.value) == str(on_server.value)  # the same decision, the same words
        assert calls_of(offline) == []
    finally:
        offline.close()
    assert run(local, "audit", "verify").returncode == 0  # the copied versions and approval: recorded

    # The attacker's case: an approval written into the file with plain sqlite3, of version 2 (never
    # approved), or of version 1 once more by its approver (one approval was copied: counted, not passed).
    twin = tmp_path / "twin.db"
    shutil.copyfile(local, twin)
    for path, version in ((local, 2), (twin, 1)):
        with sqlite3.connect(path) as connection:
            version_id = connection.execute(
                "SELECT id FROM script_versions WHERE script_name = ? AND version = ?", (SCRIPT, version)
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO script_approvals (version_id, approved_by, approved_at, note)"
                " VALUES (?, 'Jane Principal', '2026-12-01 13:00:00.000000', '')",
                (version_id,),
            )
        connection.close()
        verified = run(path, "audit", "verify")
        assert verified.returncode == 1
        assert f"({SCRIPT} version {version}) has no script_version_approved event" in verified.stderr
    # Firm mode's gate does not take the forged approval either: version 2 stays refused.
    offline = open_workspace(str(local), clock=clock)
    try:
        with pytest.raises(ScriptRefused, match="approval of version 2 .* is not in the history"):
            offline.calling.record_outcome(taken[0], "no_answer")
        assert calls_of(offline) == []
    finally:
        offline.close()


def test_merge_attaches_no_version_of_another_text_and_says_so(
    team: str,  # noqa: F811
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    server = open_workspace(team, clock=clock)
    try:
        leads = [int(row["id"]) for row in server.leads.export_records()]
        server.script_versions.current(SCRIPT)
        server.script_versions.current(OTHER)
    finally:
        server.close()
    local = tmp_path / "offline.db"
    first, second = checkout(team, local)[:2]

    offline = open_workspace(str(local), clock=clock)
    try:
        # Offline, both scripts are edited: their version 2 exists only in the local file.
        offline.scripts.assign_lead(first, SCRIPT)
        offline.scripts.assign_lead(second, OTHER)
        offline.scripts.import_file(edited_copy(tmp_path, "edited offline", "offline.yaml"))
        other = tmp_path / "other.yaml"
        shipped = Path(__file__).resolve().parents[2] / "resources" / "scripts" / f"{OTHER}.yaml"
        other.write_text(shipped.read_text(encoding="utf-8") + "\n# edited offline\n", encoding="utf-8")
        offline.scripts.import_file(other)
        offline.calling.record_outcome(first, "no_answer", note="offline text")
        offline.calling.record_outcome(second, "no_answer", note="offline text")
        local_versions = versions_of(offline)
        assert sorted(
            local_versions[c.script_version_id][:2] for c in calls_of(offline) if c.script_version_id
        ) == [
            (OTHER, 2),
            (SCRIPT, 2),
        ]
    finally:
        offline.close()

    server = open_workspace(team, clock=clock)
    try:
        # Meanwhile the server saved another text as version 2 of the discovery script.
        server.scripts.import_file(edited_copy(tmp_path, "edited on the server", "server.yaml"))
        assert server.script_versions.current(SCRIPT).version == 2
        merged = run(team, "merge", str(local), "--json")  # type: ignore[arg-type]
        assert merged.returncode == 0, merged.stderr
        report = json.loads(merged.stdout.splitlines()[0])
        assert report["script_versions_unmatched"] == {
            f"{OTHER} version 2 (not in this database)": 1,
            f"{SCRIPT} version 2 (its text differs from this database's)": 1,
        }
        back = [c for c in calls_of(server) if c.note == "offline text"]
        assert len(back) == 2 and all(c.script_version_id is None for c in back)
        assert leads  # the team had leads to take
        text = run(team, "merge", str(local))  # type: ignore[arg-type]
        assert text.returncode == 0, text.stderr  # merged before: nothing new, nothing re-attached
    finally:
        server.close()
