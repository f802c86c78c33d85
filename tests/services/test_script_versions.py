"""Script versions and approvals on a real SQLite file: numbering, immutability, migration of old
scripts, firm mode refusing unapproved scripts, and the version every call records.

Runs again on PostgreSQL (tests/conftest.py POSTGRES_MODULES), where a call reads its script's version
in its own transaction; the tests that write to the file with sqlite3 run on SQLite only."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.services.calling import ScriptRefused
from desktop.services.clock import ManualClock
from desktop.services.script_versions import ScriptVersionError, content_hash
from desktop.services.workspace import Workspace
from desktop.storage.engine import database_url, make_engine
from desktop.storage.migrate import upgrade
from desktop.storage.models import Attempt, AuditEvent, ChainEvent, ScriptVersion
from tests.services.test_calling import RecordingDialer, national_sample

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "resources" / "scripts"
SCRIPT = "question-led-discovery"


def edited_copy(tmp_path: Path, words: str, name: str = "copy.yaml") -> Path:
    """The shipped discovery script with one line of its opening changed (still a valid script)."""
    source = (SHIPPED / f"{SCRIPT}.yaml").read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(source + f"\n# {words}\n", encoding="utf-8")
    return path


def versions_table(workspace: Workspace, name: str = SCRIPT) -> list[tuple[int, str, str]]:
    with workspace.uow() as uow:
        rows = uow.session.scalars(
            select(ScriptVersion).where(ScriptVersion.script_name == name).order_by(ScriptVersion.version)
        )
        return [(row.version, row.content_sha256, row.saved_by) for row in rows]


def test_each_saved_text_is_a_numbered_version_and_the_same_text_makes_none(
    workspace: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    workspace.save_settings(replace(workspace.current_settings(), agent_name="Alex Agent"))
    shipped_text = (SHIPPED / f"{SCRIPT}.yaml").read_text(encoding="utf-8")
    [first] = workspace.script_versions.versions(SCRIPT)  # the shipped text is version 1
    assert first.version == 1 and first.content_sha256 == content_hash(shipped_text)
    one = edited_copy(tmp_path, "first edit")
    workspace.scripts.import_file(one)
    clock.advance(hours=1)
    workspace.scripts.import_file(one)  # saved again unchanged: no new version
    workspace.script_versions.sync()
    assert [v for v, _, _ in versions_table(workspace)] == [1, 2]
    clock.advance(hours=1)
    workspace.scripts.import_file(edited_copy(tmp_path, "second edit", "two.yaml"))
    listed = workspace.script_versions.versions(SCRIPT)
    assert [(v.version, v.saved_by) for v in listed] == [
        (1, "Alex Agent"),
        (2, "Alex Agent"),
        (3, "Alex Agent"),
    ]
    assert listed[1].saved_at == listed[0].saved_at  # saved at the clock's moment, not the wall clock
    assert listed[2].saved_at - listed[1].saved_at == timedelta(hours=2)
    assert workspace.script_versions.text(SCRIPT, 2) == one.read_text(encoding="utf-8")
    # Going back to an older text is a new version: an approval belongs to a version, in its order.
    workspace.scripts.import_file(one)
    assert [v for v, _, _ in versions_table(workspace)] == [1, 2, 3, 4]
    assert workspace.script_versions.current(SCRIPT).version == 4


@pytest.mark.sqlite_only  # the file's own triggers, written to with sqlite3
def test_versions_and_approvals_cannot_be_changed_or_deleted_in_the_file(
    workspace: Workspace, db_path: Path
) -> None:
    workspace.script_versions.approve(SCRIPT, 1, "Jane Principal", "checked")
    connection = sqlite3.connect(db_path)
    try:
        for statement in (
            "UPDATE script_versions SET content = 'forged'",
            "UPDATE script_versions SET version = 9",
            "DELETE FROM script_versions",
            "UPDATE script_approvals SET approved_by = 'Someone Else'",
            "UPDATE script_approvals SET version_id = version_id",
            "DELETE FROM script_approvals",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="never"):
                connection.execute(statement)
    finally:
        connection.close()
    [info] = workspace.script_versions.versions(SCRIPT)
    assert [a.approved_by for a in info.approvals] == ["Jane Principal"]


def test_an_approval_records_who_when_and_why_and_is_written_to_the_history(
    workspace: Workspace, clock: ManualClock
) -> None:
    info = workspace.script_versions.approve(SCRIPT, 1, "  Jane   Principal ", "FINRA 2210 review #12")
    [approval] = info.approvals
    assert (approval.approved_by, approval.approved_at, approval.note) == (
        "Jane Principal",
        clock(),
        "FINRA 2210 review #12",
    )
    with workspace.uow() as uow:
        events = {row.action: json.loads(row.detail) for row in uow.session.scalars(select(AuditEvent))}
    assert events["script_version_saved"]["version"] == 1
    assert events["script_version_approved"] == {
        "approved_by": "Jane Principal",
        "note": "FINRA 2210 review #12",
        "script": SCRIPT,
        "sha256": info.content_sha256,
        "version": 1,
    }
    # The same changes are events of the tamper-evident history, and the chain still verifies.
    with workspace.uow() as uow:
        chained_rows = list(uow.session.scalars(select(ChainEvent)))
        chained = {row.kind: json.loads(row.payload) for row in chained_rows}
    assert [row.kind for row in chained_rows].count("script_version_approved") == 1  # once, not twice
    assert chained["script_version_approved"]["approved_by"] == "Jane Principal"
    assert chained["script_version_saved"]["version"] == 1
    assert workspace.history.verify().intact


@pytest.mark.parametrize(
    ("name", "version", "by", "message"),
    [
        (SCRIPT, 2, "Jane", "has no version 2"),
        ("no-such-script", 1, "Jane", "there is no script"),
        (SCRIPT, 1, "   ", "needs the name of the principal"),
        (SCRIPT, 1, "Jane\x1b[31m", "control characters"),
    ],
)
def test_an_approval_that_cannot_be_recorded_says_why(
    workspace: Workspace, name: str, version: int, by: str, message: str
) -> None:
    with pytest.raises(ScriptVersionError, match=message):
        workspace.script_versions.approve(name, version, by)
    with workspace.uow() as uow:
        assert uow.session.scalar(text("SELECT count(*) FROM script_approvals")) == 0


def test_scripts_imported_before_versions_become_version_1(tmp_path: Path) -> None:
    engine = make_engine(database_url(str(tmp_path / "old.db")))
    upgrade(engine, "0010")
    body = "name: mine\nsaid: «привет»\n"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO scripts (name, title, language, source_text, file_name, imported_at)"
                " VALUES ('mine', 'Mine', 'en', :body, 'mine.yaml', '2026-11-02 09:30:00.000000')"
            ),
            {"body": body},
        )
        connection.execute(
            text("""INSERT INTO settings (key, value) VALUES ('sip.caller_id_number', '"+1 212 555 0100"')""")
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT script_name, version, content, content_sha256, saved_at, saved_by"
                " FROM script_versions"
            )
        ).all()
        caller_id = connection.execute(text("SELECT value FROM settings WHERE key = 'caller_id'")).scalar()
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(attempts)"))}
    engine.dispose()
    [(name, version, content, digest, saved_at, saved_by)] = rows
    assert (name, version, content, digest) == ("mine", 1, body, content_hash(body))
    assert str(saved_at).startswith("2026-11-02 09:30") and saved_by
    assert json.loads(caller_id) == "+1 212 555 0100"
    assert {"script_version_id", "caller_id"} <= columns


# -- firm mode on calls ---------------------------------------------------------------------------


@pytest.fixture
def calling_workspace(workspace: Workspace, sample_csv: Path, dnc_sample: Path) -> Workspace:
    workspace.imports.run(sample_csv)
    workspace.gate.registry = national_sample(dnc_sample)
    workspace.use_dialer(RecordingDialer())
    return workspace


def lopez(workspace: Workspace) -> int:
    return next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "Lopez")


def call_rows(workspace: Workspace) -> list[Attempt]:
    with workspace.uow() as uow:
        return list(uow.session.scalars(select(Attempt).order_by(Attempt.id)))


def firm_mode(workspace: Workspace, on: bool) -> None:
    workspace.save_settings(replace(workspace.current_settings(), firm_mode=on))


def test_firm_mode_refuses_a_call_with_an_unapproved_script_and_nothing_is_dialled(
    calling_workspace: Workspace,
) -> None:
    workspace = calling_workspace
    lead = lopez(workspace)
    name = workspace.scripts.script_name_for_lead(lead)
    firm_mode(workspace, True)
    dialer = workspace.dialer()
    assert isinstance(dialer, RecordingDialer)
    with pytest.raises(ScriptRefused, match=rf"version 1 of script '{name}' is not approved"):
        workspace.calling.start_call(lead)
    with pytest.raises(ScriptRefused):
        workspace.calling.record_outcome(lead, "no_answer")  # a manual call logged: the same rule
    assert dialer.dialled == [] and call_rows(workspace) == []
    workspace.script_versions.approve(name, 1, "Jane Principal")
    started = workspace.calling.start_call(lead)
    assert dialer.dialled == [started.number]
    [call] = call_rows(workspace)
    assert call.script_version_id == workspace.script_versions.current(name).id


def test_firm_mode_does_not_take_an_approval_written_outside_dialdesk(calling_workspace: Workspace) -> None:
    """An approval inserted with plain SQL (sqlite3 on a desk, a server login on a team's database) has
    no event: the gate refuses the version as unapproved, and a recorded approval of the same version by
    the same principal lets it on calls again."""
    workspace = calling_workspace
    lead = lopez(workspace)
    name = workspace.scripts.script_name_for_lead(lead)
    version = workspace.script_versions.current(name)
    firm_mode(workspace, True)
    with workspace.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO script_approvals (version_id, approved_by, approved_at, note)"
                " VALUES (:version, 'Jane Principal', '2026-12-01 13:00:00.000000', '')"
            ),
            {"version": version.id},
        )
    with pytest.raises(
        ScriptRefused, match=rf"approval of version 1 of script '{name}' is not in the history"
    ):
        workspace.calling.start_call(lead)
    assert call_rows(workspace) == []
    workspace.script_versions.approve(name, 1, "Jane Principal")
    workspace.calling.start_call(lead)
    assert [call.script_version_id for call in call_rows(workspace)] == [version.id]


def test_an_approval_does_not_carry_over_to_an_edited_script(
    calling_workspace: Workspace, tmp_path: Path
) -> None:
    workspace = calling_workspace
    lead = lopez(workspace)
    workspace.scripts.assign_lead(lead, SCRIPT)
    workspace.script_versions.approve(SCRIPT, 1, "Jane Principal")
    workspace.scripts.import_file(edited_copy(tmp_path, "a sentence the principal never saw"))
    firm_mode(workspace, True)
    with pytest.raises(ScriptRefused, match="version 2"):
        workspace.calling.start_call(lead)
    # The lead given another script that is approved calls again, and the call names that version.
    workspace.script_versions.approve("advice-first-401k", 1, "Jane Principal")
    workspace.scripts.assign_lead(lead, "advice-first-401k")
    workspace.calling.start_call(lead)
    [call] = call_rows(workspace)
    with workspace.uow() as uow:
        version = uow.session.get(ScriptVersion, call.script_version_id)
        assert version is not None and (version.script_name, version.version) == ("advice-first-401k", 1)


def test_without_firm_mode_every_call_still_records_its_script_version(calling_workspace: Workspace) -> None:
    workspace = calling_workspace
    lead = lopez(workspace)
    workspace.calling.start_call(lead)
    workspace.calling.start_call(number="+1 212 555 0134", lead_id=None)  # a bare number: no script
    first, bare = call_rows(workspace)
    name = workspace.scripts.script_name_for_lead(lead)
    assert first.script_version_id == workspace.script_versions.current(name).id
    assert bare.script_version_id is None


@pytest.mark.sqlite_only  # the file's own triggers, written to with sqlite3
def test_a_completed_calls_script_version_and_caller_id_cannot_be_rewritten(
    calling_workspace: Workspace, db_path: Path
) -> None:
    workspace = calling_workspace
    lead = lopez(workspace)
    workspace.calling.record_outcome(lead, "no_answer")
    connection = sqlite3.connect(db_path)
    try:
        for column, value in (("script_version_id", "NULL"), ("caller_id", "'+19005550199'")):
            with pytest.raises(sqlite3.DatabaseError, match="never changed"):
                connection.execute(f"UPDATE attempts SET {column} = {value}")
    finally:
        connection.close()


def test_the_compliance_export_shows_each_calls_script_version_and_caller_id(
    calling_workspace: Workspace, clock: ManualClock
) -> None:
    from desktop.services.audit import AUDIT_COLUMNS, decisions

    workspace = calling_workspace
    lead = lopez(workspace)
    name = workspace.scripts.script_name_for_lead(lead)
    workspace.save_settings(replace(workspace.current_settings(), caller_id="(212) 555-0100"))
    workspace.calling.start_call(lead)
    workspace.save_settings(replace(workspace.current_settings(), caller_id=""))
    workspace.calling.start_call(number="+1 212 555 0134", lead_id=None)
    day = clock().date()
    rows = [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in decisions(workspace.uow, day, day)]
    assert [(row["script_version"], row["caller_id"]) for row in rows] == [
        (f"{name} v1", "+12125550100"),
        ("", ""),
    ]


def test_a_version_whose_opening_lacks_the_disclosures_cannot_be_approved(
    workspace: Workspace, tmp_path: Path
) -> None:
    source = (SHIPPED / f"{SCRIPT}.yaml").read_text(encoding="utf-8")
    start = source.index("    purpose: >-\n")
    bare = tmp_path / "bare.yaml"
    bare.write_text(source[:start] + source[source.index("    hint:", start) :], encoding="utf-8")
    workspace.scripts.import_file(bare)  # still a usable script: the check warns
    with pytest.raises(ScriptVersionError, match=r"version 2 .* cannot be approved: .*purpose of the call"):
        workspace.script_versions.approve(SCRIPT, 2, "Jane Principal")
    assert workspace.script_versions.approve(SCRIPT, 1, "Jane Principal").approved


def test_the_opening_is_filled_from_the_firms_settings(calling_workspace: Workspace) -> None:
    workspace = calling_workspace
    workspace.save_settings(
        replace(
            workspace.current_settings(),
            agent_name="Alex Morgan",
            firm_name="Harbor Advisors",
            callback_number="+1 212 555 0100",
        )
    )
    session = workspace.scripts.start_session(lopez(workspace), SCRIPT)
    opening = " ".join(session.stage_view().lines)
    assert "Alex Morgan with Harbor Advisors" in opening
    assert "You can reach me at +1 212 555 0100." in opening
