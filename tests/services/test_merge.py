"""Merging a colleague's database: everything arrives once, twice changes nothing, DNC blocks everyone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop.services.calling import GateRefused
from desktop.services.clock import ManualClock
from desktop.services.merge import MergeError, merge_service_for
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.engine import database_url, make_engine
from desktop.storage.migrate import current_revision, head_revision, upgrade
from desktop.storage.models import (
    Agent,
    Attempt,
    AuditEvent,
    Callback,
    Consent,
    DncEntry,
    Lead,
    Meeting,
    Phone,
    ScriptAnswer,
)

MODELS = (Lead, Phone, Attempt, Callback, Meeting, Consent, DncEntry, ScriptAnswer, Agent)


@pytest.fixture
def team(tmp_path: Path, clock: ManualClock, sample_csv: Path) -> Iterator[dict[str, Workspace]]:
    """Sue the supervisor and Bob the agent, each on their own database holding the sample list."""
    spaces = {}
    for name in ("Sue", "Bob", "Cy"):
        workspace = open_workspace(str(tmp_path / f"{name.lower()}.db"), clock=clock)
        workspace.save_settings(Settings(agent_name=name))
        workspace.imports.run(sample_csv)
        spaces[name] = workspace
    yield spaces
    for workspace in spaces.values():
        workspace.close()


def merges(session: object) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "merge")
    return int(session.scalar(query) or 0)  # type: ignore[attr-defined]


def path_of(workspace: Workspace) -> Path:
    return Path(workspace.url.removeprefix("sqlite:///"))


def lead_id(workspace: Workspace, last_name: str) -> int:
    with workspace.uow() as uow:
        found = uow.session.scalar(select(Lead.id).where(Lead.last_name == last_name))
    assert found is not None
    return int(found)


def counts(workspace: Workspace) -> dict[str, int]:
    with workspace.uow() as uow:
        return {
            m.__tablename__: int(uow.session.scalar(select(func.count()).select_from(m)) or 0) for m in MODELS
        }


def bob_works(bob: Workspace, clock: ManualClock) -> None:
    """Bob calls Maria Lopez (New York, 09:00 there) twice and promises a callback."""
    maria = lead_id(bob, "Lopez")
    bob.calling.record_outcome(maria, "no_answer")
    clock.advance(minutes=10)
    bob.calling.record_outcome(maria, "callback", callback_at=datetime(2026, 12, 3, 15, tzinfo=UTC))
    clock.advance(minutes=10)


def test_merge_brings_calls_and_matches_leads(team: dict[str, Workspace], clock: ManualClock) -> None:
    sue, bob = team["Sue"], team["Bob"]
    bob_works(bob, clock)
    before = counts(sue)
    report = merge_service_for(sue).merge(path_of(bob))
    after = counts(sue)

    assert report.agent == "Bob" and report.leads_added == 0 and report.leads_matched == before["leads"]
    assert report.attempts_added == 2 and report.callbacks_added == 1
    assert after["leads"] == before["leads"] and after["phones"] == before["phones"]
    assert after["attempts"] == 2 and after["callbacks"] == 1
    maria = lead_id(sue, "Lopez")
    with sue.uow() as uow:
        lead = uow.session.get(Lead, maria)
        assert lead is not None
        assert (lead.attempt_count, lead.contact_count, lead.last_outcome) == (2, 1, "callback")
        assert lead.due_reason == "callback" and lead.next_due_at == datetime(2026, 12, 3, 15, tzinfo=UTC)
        attempts = uow.session.scalars(select(Attempt).order_by(Attempt.started_at)).all()
        assert {a.lead_id for a in attempts} == {maria}
        bob_id = uow.session.scalar(select(Agent.id).where(Agent.name == "Bob"))
        assert {a.agent_id for a in attempts} == {bob_id}
        assert all(a.origin_db == report.database_id and a.origin_id for a in attempts)
        assert (
            uow.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "merge")
            )
            == 1
        )


def test_merging_twice_changes_nothing(team: dict[str, Workspace], clock: ManualClock) -> None:
    sue, bob = team["Sue"], team["Bob"]
    bob_works(bob, clock)
    bob.dnc.add("(646) 555-0131", reason="asked by email")
    service = merge_service_for(sue)
    service.merge(path_of(bob))
    once = counts(sue)
    second = service.merge(path_of(bob))
    assert not second.changed and second.attempts_added == 0 and second.dnc_added == 0
    assert counts(sue) == once
    with sue.uow() as uow:
        merges = uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "merge")
        )
    assert merges == 1  # a merge that adds nothing leaves no trace either


def test_an_outcome_recorded_after_a_merge_arrives_with_the_next(
    team: dict[str, Workspace], clock: ManualClock
) -> None:
    sue, bob = team["Sue"], team["Bob"]
    maria = lead_id(bob, "Lopez")
    started = bob.calling.start_call(maria, dial=False)  # on the phone when Sue merges
    service = merge_service_for(sue)
    service.merge(path_of(bob))
    clock.advance(minutes=3)
    bob.calling.record_outcome(maria, "not_interested", attempt_id=started.attempt_id)
    report = service.merge(path_of(bob))
    assert report.attempts_added == 0 and report.attempts_updated == 1
    with sue.uow() as uow:
        attempt = uow.session.scalars(select(Attempt)).one()
        lead = uow.session.get(Lead, lead_id(sue, "Lopez"))
        assert attempt.outcome == "not_interested" and attempt.duration_s == pytest.approx(180)
        assert lead is not None and lead.status == "closed" and lead.contact_count == 1


def test_a_dnc_entry_from_a_colleague_blocks_everyone(team: dict[str, Workspace], clock: ManualClock) -> None:
    sue, bob = team["Sue"], team["Bob"]
    maria_sue = lead_id(sue, "Lopez")
    assert sue.calling.check(maria_sue).decision.allowed
    bob.calling.record_outcome(lead_id(bob, "Lopez"), "do_not_call")  # Maria asked Bob: never again
    report = merge_service_for(sue).merge(path_of(bob))
    assert report.dnc_added == 1
    with pytest.raises(GateRefused) as refused:
        sue.calling.start_call(maria_sue)
    assert "dnc_internal" in refused.value.decision.codes
    with sue.uow() as uow:
        lead = uow.session.get(Lead, maria_sue)
        assert lead is not None and lead.status == "do_not_call"


def test_new_leads_meetings_consents_and_answers_arrive(
    team: dict[str, Workspace], clock: ManualClock, tmp_path: Path
) -> None:
    sue, bob = team["Sue"], team["Bob"]
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "First Name,Last Name,Company,Phone,Type,State,Written consent\n"
        "Nina,Ortiz,Ortiz Roofing,(212) 555-0166,business,NY,2026-11-02\n",
        encoding="utf-8",
    )
    bob.imports.run(extra, list_name="Bob's leads")
    nina = lead_id(bob, "Ortiz")
    call = bob.calling.start_call(nina, dial=False)
    bob.scripts.record_answer(nina, "question-led-discovery", "reached", "decision_maker", call.attempt_id)
    meeting_at = datetime(2026, 12, 8, 15, tzinfo=UTC)
    bob.calling.record_outcome(
        nina, "meeting", attempt_id=call.attempt_id, meeting_at=meeting_at, where="Office"
    )

    report = merge_service_for(sue).merge(path_of(bob))
    assert report.leads_added == 1 and report.meetings_added == 1 and report.consents_added == 1
    nina_sue = lead_id(sue, "Ortiz")
    with sue.uow() as uow:
        lead = uow.session.get(Lead, nina_sue)
        assert lead is not None and lead.list_name == "Bob's leads" and lead.status == "closed"
        assert [p.e164 for p in lead.phones] == ["+12125550166"]
        assert lead.hours_key and lead.hours_key.startswith("America/New_York")
        meeting = uow.session.scalars(select(Meeting)).one()
        assert (meeting.lead_id, meeting.where) == (nina_sue, "Office")
        consent = uow.session.scalars(select(Consent).where(Consent.lead_id == nina_sue)).one()
        assert (consent.kind, consent.given_on) == ("written", date(2026, 11, 2))
        answer = uow.session.scalars(select(ScriptAnswer)).one()
        attempt = uow.session.scalars(select(Attempt)).one()
        assert (answer.lead_id, answer.attempt_id, answer.value) == (nina_sue, attempt.id, "decision_maker")
    assert merge_service_for(sue).merge(path_of(bob)).changed is False


def test_chained_merges_do_not_duplicate(team: dict[str, Workspace], clock: ManualClock) -> None:
    """Sue merges Bob; Cy merges Sue (Bob's calls among them) and then Bob himself: Bob's calls once."""
    sue, bob, cy = team["Sue"], team["Bob"], team["Cy"]
    bob_works(bob, clock)
    sue.calling.record_outcome(lead_id(sue, "Lopez"), "voicemail")
    merge_service_for(sue).merge(path_of(bob))
    service = merge_service_for(cy)
    service.merge(path_of(sue))
    assert counts(cy)["attempts"] == 3
    assert service.merge(path_of(bob)).attempts_added == 0
    assert counts(cy)["attempts"] == 3
    # And Sue's own calls coming back from Cy are recognised as hers.
    assert merge_service_for(sue).merge(path_of(cy)).attempts_added == 0


def test_the_colleagues_file_is_not_written(team: dict[str, Workspace], clock: ManualClock) -> None:
    sue, bob = team["Sue"], team["Bob"]
    bob_works(bob, clock)
    path = path_of(bob)
    bob.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    merge_service_for(sue).merge(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_refuses_this_database_a_copy_of_it_and_other_files(
    team: dict[str, Workspace], tmp_path: Path
) -> None:
    sue = team["Sue"]
    service = merge_service_for(sue)
    with pytest.raises(MergeError, match="that is this database"):
        service.merge(path_of(sue))
    copy = tmp_path / "copy-of-sue.db"
    with sue.engine.connect() as connection:
        connection.exec_driver_sql(f"VACUUM INTO '{copy}'")
    with pytest.raises(MergeError, match="copy of this database with the same agent name"):
        service.merge(copy)
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"not a database at all" * 100)
    with pytest.raises(MergeError, match="not a SQLite database"):
        service.merge(notes)
    with pytest.raises(MergeError, match="no database file"):
        service.merge(tmp_path / "missing.db")


def test_a_copy_with_another_agent_name_merges_its_own_calls(
    team: dict[str, Workspace], clock: ManualClock, tmp_path: Path
) -> None:
    """Agents who started from a copy of one file share its id; their calls still stay apart."""
    sue = team["Sue"]
    copy = tmp_path / "dee.db"
    with sue.engine.connect() as connection:
        connection.exec_driver_sql(f"VACUUM INTO '{copy}'")
    dee = open_workspace(str(copy), clock=clock)
    try:
        dee.save_settings(Settings(agent_name="Dee"))
        sue.calling.record_outcome(lead_id(sue, "Lopez"), "no_answer")
        dee.calling.record_outcome(lead_id(dee, "Lopez"), "busy")
    finally:
        dee.close()
    report = merge_service_for(sue).merge(copy)
    assert report.attempts_added == 1
    with sue.uow() as uow:
        assert sorted(a.outcome for a in uow.session.scalars(select(Attempt))) == ["busy", "no_answer"]


def test_an_old_database_merges_the_same_way_twice(team: dict[str, Workspace], tmp_path: Path) -> None:
    """A colleague who has not opened this version yet: their file is at revision 0004. Its copy is
    upgraded for each merge, and the database id it gets is the same each time."""
    sue = team["Sue"]
    old = tmp_path / "old.db"
    engine = make_engine(database_url(str(old)))
    upgrade(engine, "0004")
    moment = datetime(2026, 11, 30, 15, 0).isoformat(sep=" ")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO leads (id, first_name, last_name, company, title, email, kind, kind_given,"
                " warmth, state, source, list_name, status, notes, identity_key, attempt_count,"
                " contact_count, due_reason, created_at, updated_at) VALUES (1, 'Maria', 'Lopez',"
                " 'Lopez Dental Group', '', '', 'business', 1, 'cold', 'NY', '', 'old', 'active', '',"
                " 'marialopez|lopezdentalgroup', 1, 0, 'retry', :t, :t)"
            ),
            {"t": moment},
        )
        connection.execute(
            text(
                "INSERT INTO phones (lead_id, position, label, raw, e164, number_type, time_zones, valid)"
                " VALUES (1, 0, 'Phone', '(212) 555-0134', '+12125550134', 'fixed_line_or_mobile',"
                " 'America/New_York', 1)"
            )
        )
        connection.execute(
            text("INSERT INTO agents (id, name, created_at) VALUES (1, 'Old Al', :t)"), {"t": moment}
        )
        connection.execute(
            text(
                "INSERT INTO attempts (lead_id, phone_id, number, agent_id, backend, allowed, reasons,"
                " started_at, outcome, note) VALUES (1, 1, '+12125550134', 1, 'manual', 1, '{}', :t,"
                " 'no_answer', '')"
            ),
            {"t": moment},
        )
    engine.dispose()
    service = merge_service_for(sue)
    first = service.merge(old)
    assert first.attempts_added == 1 and first.leads_added == 0 and first.agent == "agent"
    assert service.merge(old).attempts_added == 0
    probe = make_engine(database_url(str(old)))
    try:
        assert current_revision(probe) == "0004" != head_revision()
    finally:
        probe.dispose()


def test_database_ids_are_stable_for_old_data_and_random_for_new(tmp_path: Path) -> None:
    """Upgrading an old file with data gives the id its copies get; empty databases differ."""

    def upgraded_id(path: Path) -> str:
        engine = make_engine(database_url(str(path)))
        try:
            upgrade(engine)
            with engine.connect() as connection:
                return str(
                    connection.execute(text("SELECT value FROM settings WHERE key = 'database_id'")).scalar()
                )
        finally:
            engine.dispose()

    old = tmp_path / "old.db"
    engine = make_engine(database_url(str(old)))
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO attempts (number, backend, allowed, reasons, started_at, note)"
                " VALUES ('+12125550134', 'manual', 1, '{}', '2026-11-30 15:00:00.000000', '')"
            )
        )
    engine.dispose()
    copies = [tmp_path / f"copy{n}.db" for n in (1, 2)]
    for copy in copies:
        copy.write_bytes(old.read_bytes())
    assert upgraded_id(copies[0]) == upgraded_id(copies[1]) == upgraded_id(old)
    assert upgraded_id(tmp_path / "new1.db") != upgraded_id(tmp_path / "new2.db")


def test_a_database_from_a_newer_version_is_refused(team: dict[str, Workspace], tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    engine = make_engine(database_url(str(newer)))
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(MergeError, match=r"newer\?\) version of Dialdesk"):
        merge_service_for(team["Sue"]).merge(newer)
