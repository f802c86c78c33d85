"""Script use cases on a real SQLite file: answers, advice callbacks, assignments, figures, import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.domain.script_answers import AnswerError
from desktop.domain.script_format import ScriptFormatError
from desktop.services.clock import ManualClock
from desktop.services.scripts import ScriptError, ScriptService, script_service_for
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.engine import make_engine
from desktop.storage.migrate import current_revision, head_revision, upgrade
from desktop.storage.models import Attempt, Callback, Lead, Phone, ScriptAnswer

FEE_REVIEW_SCRIPT = "advice-first-401k"


def add_lead(
    workspace: Workspace,
    first_name: str = "Priya",
    company: str = "NS Logistics",
    kind: str = "business",
    warmth: str = "cold",
    list_name: str = "Chamber",
    status: str = "new",
) -> int:
    with workspace.uow() as uow:
        lead = Lead(
            first_name=first_name,
            last_name="Natarajan",
            company=company,
            title="CFO",
            kind=kind,
            warmth=warmth,
            list_name=list_name,
            status=status,
            source="the chamber of commerce list",
            state="NY",
        )
        lead.phones.append(
            Phone(
                raw="(212) 555-0134",
                e164="+12125550134",
                valid=True,
                region="US",
                time_zones="America/New_York",
            )
        )
        uow.session.add(lead)
        uow.commit()
        return lead.id


def add_attempt(workspace: Workspace, lead_id: int, started_at: datetime, outcome: str | None) -> int:
    with workspace.uow() as uow:
        attempt = Attempt(
            lead_id=lead_id, number="+12125550134", allowed=True, started_at=started_at, outcome=outcome
        )
        uow.session.add(attempt)
        uow.commit()
        return attempt.id


@pytest.fixture
def scripts(workspace: Workspace) -> ScriptService:
    workspace.save_settings(Settings(agent_name="Alex Morgan", firm_name="Harbor Advisors"))
    return script_service_for(workspace)


# -- answers --------------------------------------------------------------------------------------


def test_an_answer_is_saved_at_once_and_survives_a_restart(
    workspace: Workspace, scripts: ScriptService, db_url: str, clock: ManualClock
) -> None:
    lead_id = add_lead(workspace)
    saved = scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "knows_fees", "Doesn't know")
    assert (saved.value, saved.label, saved.agent) == ("dont_know", "Doesn't know", "Alex Morgan")
    workspace.close()

    reopened = open_workspace(db_url, clock=clock)
    try:
        (answer,) = script_service_for(reopened).answers_for_lead(lead_id)
    finally:
        reopened.close()
    assert answer.question_id == "knows_fees" and answer.value == "dont_know"
    assert answer.question.startswith("Do you know what the plan costs")
    assert answer.script_name == FEE_REVIEW_SCRIPT and answer.stage_id == "discovery"
    assert answer.answered_at == clock() and answer.agent == "Alex Morgan"


def test_a_changed_answer_keeps_its_history(
    workspace: Workspace, scripts: ScriptService, clock: ManualClock
) -> None:
    lead_id = add_lead(workspace)
    scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "participants", "40")
    clock.advance(minutes=2)
    scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "participants", "45")
    assert [a.value for a in scripts.answers_for_lead(lead_id)] == ["40", "45"]
    assert scripts.latest_answers(lead_id)["participants"].label == "45 participants"


def test_an_invalid_answer_is_refused_and_not_stored(workspace: Workspace, scripts: ScriptService) -> None:
    lead_id = add_lead(workspace)
    with pytest.raises(AnswerError, match="whole number"):
        scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "participants", "12.5")
    with pytest.raises(ScriptError, match="no question"):
        scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "favourite_colour", "blue")
    with pytest.raises(ScriptError, match="no lead"):
        scripts.record_answer(9999, FEE_REVIEW_SCRIPT, "participants", "12")
    assert scripts.answers_for_lead(lead_id) == []


def test_an_answer_belongs_to_the_call_in_progress(
    workspace: Workspace, scripts: ScriptService, clock: ManualClock
) -> None:
    lead_id = add_lead(workspace)
    old_call = add_attempt(workspace, lead_id, clock() - timedelta(hours=5), "no_answer")
    assert scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "has_401k", "yes").attempt_id is None
    call = add_attempt(workspace, lead_id, clock() - timedelta(minutes=4), None)
    assert scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "has_401k", "yes").attempt_id == call
    given = scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "has_401k", "no", attempt_id=old_call)
    assert given.attempt_id == old_call


def test_answers_per_lead_for_exports(workspace: Workspace, scripts: ScriptService) -> None:
    first, second = add_lead(workspace), add_lead(workspace, first_name="Robert", company="Kim Bakery")
    scripts.record_answer(first, FEE_REVIEW_SCRIPT, "has_401k", True)
    scripts.record_answer(second, "question-led-discovery", "employees", "12")
    scripts.record_answer(second, "question-led-discovery", "top_concern", "exit_plan")
    grouped = scripts.answers_by_lead()
    assert {lead: [a.question_id for a in answers] for lead, answers in grouped.items()} == {
        first: ["has_401k"],
        second: ["employees", "top_concern"],
    }
    records = list(scripts.export_records())
    assert records[0]["lead_id"] == first and records[0]["answer"] == "yes"
    assert {r["question_id"]: r["answer"] for r in records if r["lead_id"] == second} == {
        "employees": "12 employees",
        "top_concern": "Succession / exit",
    }


def test_a_session_reopens_with_earlier_answers_and_their_advice(
    workspace: Workspace, scripts: ScriptService
) -> None:
    lead_id = add_lead(workspace)
    scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "knows_fees", "dont_know")
    session = scripts.start_session(lead_id, FEE_REVIEW_SCRIPT)
    assert session.answers["knows_fees"].value == "dont_know"
    assert [card.id for card in session.triggered_advice()] == ["fee_review"]
    assert (
        session.stage_view().lines[0]
        == "Hi, this is Alex Morgan with Harbor Advisors. Am I speaking with Priya Natarajan?"
    )


def test_the_panel_answers_through_the_service_in_one_call(
    workspace: Workspace, scripts: ScriptService
) -> None:
    lead_id = add_lead(workspace)
    session = scripts.start_session(lead_id, FEE_REVIEW_SCRIPT)
    session.go_to("knows_fees")
    with pytest.raises(AnswerError):
        scripts.answer(session, lead_id, "no idea at all")
    assert scripts.answers_for_lead(lead_id) == [] and session.question is not None
    step = scripts.answer(session, lead_id, "dont_know")
    assert [card.id for card in step.new_advice] == ["fee_review"]
    assert session.position.question_id == "last_benchmark"
    assert [a.value for a in scripts.answers_for_lead(lead_id)] == ["dont_know"]


# -- advice cards schedule callbacks --------------------------------------------------------------


def test_an_advice_card_schedules_its_callback(
    workspace: Workspace, scripts: ScriptService, clock: ManualClock
) -> None:
    lead_id = add_lead(workspace)
    scheduled = scripts.schedule_advice_callback(lead_id, FEE_REVIEW_SCRIPT, "fee_review")
    due = clock() + timedelta(days=3)  # Tuesday + 3 days: Friday, a working day
    assert scheduled.due_at == due and scheduled.note == "Call back with the 401(k) fee review"
    with workspace.uow() as uow:
        lead = uow.leads.get(lead_id)
        assert lead is not None
        assert (lead.status, lead.next_due_at, lead.due_reason) == ("active", due, "callback")
        (callback,) = uow.callbacks.open_for_lead(lead_id)
        assert callback.due_at == due and callback.note == scheduled.note
        assert callback.agent_id is not None
    assert workspace.leads.queue_page(0, 10)[0].bucket == "later"
    clock.advance(days=3)
    assert workspace.leads.queue_page(0, 10)[0].bucket == "callback"


def test_a_new_promise_replaces_an_open_callback(
    workspace: Workspace, scripts: ScriptService, clock: ManualClock
) -> None:
    lead_id = add_lead(workspace)
    scripts.schedule_callback(lead_id, timedelta(days=1), note="first")
    later = clock() + timedelta(days=8)
    scripts.schedule_callback(lead_id, timedelta(0), note="second", due_at=later)
    with workspace.uow() as uow:
        (still_open,) = uow.callbacks.open_for_lead(lead_id)
        assert still_open.note == "second" and still_open.due_at == later
        assert len(list(uow.session.scalars(select(Callback)))) == 2


def test_a_promise_in_days_skips_the_weekend(
    workspace: Workspace, scripts: ScriptService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))  # Thursday 10:00 in New York
    lead_id = add_lead(workspace)
    scheduled = scripts.schedule_advice_callback(lead_id, FEE_REVIEW_SCRIPT, "fee_review")
    assert scheduled.due_at == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def test_no_callback_for_a_lead_who_asked_not_to_be_called(
    workspace: Workspace, scripts: ScriptService
) -> None:
    lead_id = add_lead(workspace, status="do_not_call")
    with pytest.raises(ScriptError, match="asked not to be called"):
        scripts.schedule_advice_callback(lead_id, FEE_REVIEW_SCRIPT, "fee_review")
    with pytest.raises(ScriptError, match="promises no callback"):
        scripts.schedule_advice_callback(add_lead(workspace), FEE_REVIEW_SCRIPT, "small_plan_pricing")


# -- which script a lead gets ---------------------------------------------------------------------


def test_script_for_lead_follows_list_then_lead_override(
    workspace: Workspace, scripts: ScriptService
) -> None:
    cold = add_lead(workspace, list_name="Chamber")
    warm = add_lead(workspace, list_name="Chamber", warmth="warm")
    home = add_lead(workspace, kind="residential", list_name="Seminar")
    assert scripts.script_for_lead(cold).name == "question-led-discovery", "business leads by default"
    with workspace.uow() as uow:
        row = uow.leads.get(home)
    assert row is not None and scripts.script_for_lead(row).name == "retirement-checkup-residential"
    assert scripts.script_for_lead(home).name == "retirement-checkup-residential", "residential by default"

    scripts.assign_list("Chamber", FEE_REVIEW_SCRIPT)
    assert scripts.script_name_for_lead(cold) == FEE_REVIEW_SCRIPT
    assert scripts.script_name_for_lead(warm) == FEE_REVIEW_SCRIPT

    scripts.assign_lead(warm, "question-led-discovery")
    assert scripts.script_name_for_lead(warm) == "question-led-discovery"
    assert scripts.script_name_for_lead(cold) == FEE_REVIEW_SCRIPT

    scripts.assign("warmth", "warm", "advice-first-401k-ru")
    scripts.assign("default", "", FEE_REVIEW_SCRIPT)
    assert scripts.script_name_for_lead(home) == FEE_REVIEW_SCRIPT

    scripts.assign_lead(warm, None)
    scripts.assign_list("Chamber", None)
    assert scripts.script_name_for_lead(warm) == "advice-first-401k-ru"
    assert {(a.scope, a.target) for a in scripts.assignments()} == {("warmth", "warm"), ("default", "")}


def test_assigning_needs_a_known_script_and_lead(workspace: Workspace, scripts: ScriptService) -> None:
    with pytest.raises(ScriptError, match="no script 'nope'"):
        scripts.assign_list("Chamber", "nope")
    with pytest.raises(ScriptError, match="no lead #404"):
        scripts.assign_lead(404, FEE_REVIEW_SCRIPT)
    with pytest.raises(ScriptError, match="unknown assignment scope"):
        scripts.assign("team", "x", FEE_REVIEW_SCRIPT)


def test_deleting_a_lead_deletes_its_answers_and_assignment(
    workspace: Workspace, scripts: ScriptService
) -> None:
    lead_id = add_lead(workspace)
    scripts.assign_lead(lead_id, FEE_REVIEW_SCRIPT)
    scripts.record_answer(lead_id, FEE_REVIEW_SCRIPT, "has_401k", "yes")
    with workspace.uow() as uow:
        uow.session.delete(uow.session.get(Lead, lead_id))
        uow.commit()
        assert list(uow.session.scalars(select(ScriptAnswer))) == []
    assert scripts.assignments() == []


# -- per-script figures ---------------------------------------------------------------------------


def test_figures_attribute_calls_to_the_script_in_force(
    workspace: Workspace, scripts: ScriptService, clock: ManualClock
) -> None:
    assigned = add_lead(workspace, list_name="Chamber")
    answered = add_lead(workspace, list_name="Other")
    scripts.assign_list("Chamber", FEE_REVIEW_SCRIPT)
    now = clock()
    for hours, outcome in ((30, "no_answer"), (26, "not_interested"), (2, "meeting")):
        add_attempt(workspace, assigned, now - timedelta(hours=hours), outcome)
    add_attempt(workspace, assigned, now - timedelta(hours=1), None)  # no outcome yet: not counted
    call = add_attempt(workspace, answered, now - timedelta(minutes=30), None)
    scripts.record_answer(answered, "retirement-checkup-residential", "old_workplace_plan", "yes")
    with workspace.uow() as uow:
        attempt = uow.session.get(Attempt, call)
        assert attempt is not None
        attempt.outcome = "meeting"
        uow.commit()

    figures = {row.script_name: row for row in scripts.figures()}
    fee = figures[FEE_REVIEW_SCRIPT]
    assert (fee.calls, fee.connects, fee.meetings, fee.meeting_rate) == (3, 2, 1, 0.5)
    home = figures["retirement-checkup-residential"]
    assert (home.calls, home.connects, home.meetings, home.meeting_rate, home.leads_answered) == (
        1,
        1,
        1,
        1.0,
        1,
    )
    assert home.title == "Retirement check-up (residential)"

    since_yesterday = {row.script_name: row for row in scripts.figures(since=now - timedelta(hours=24))}
    assert since_yesterday[FEE_REVIEW_SCRIPT].calls == 1


# -- the catalogue: import and export -------------------------------------------------------------


def test_import_replaces_a_shipped_script_and_export_gives_back_the_text(
    workspace: Workspace, scripts: ScriptService, tmp_path: Path
) -> None:
    exported = scripts.export(FEE_REVIEW_SCRIPT, tmp_path / "fees.yaml")
    edited = exported.read_text(encoding="utf-8").replace(
        'title: "Advice-first: 401(k) fee review"', 'title: "Fee review (our version)"  # edited'
    )
    exported.write_text(edited, encoding="utf-8")
    info = scripts.import_file(exported)
    assert info.origin == "imported" and info.replaces_shipped
    assert scripts.load(FEE_REVIEW_SCRIPT).title == "Fee review (our version)"
    assert scripts.export(FEE_REVIEW_SCRIPT, tmp_path / "again.yaml").read_text(encoding="utf-8") == edited
    listed = {i.name: i for i in scripts.catalog()}
    assert listed[FEE_REVIEW_SCRIPT].origin == "imported" and len(listed) == 4

    scripts.remove_imported(FEE_REVIEW_SCRIPT)
    assert scripts.load(FEE_REVIEW_SCRIPT).title == "Advice-first: 401(k) fee review"


def test_a_new_script_can_be_imported_and_assigned(
    workspace: Workspace, scripts: ScriptService, tmp_path: Path
) -> None:
    source = scripts.source_text("question-led-discovery").replace(
        "name: question-led-discovery", "name: warm-referrals"
    )
    path = tmp_path / "warm.yaml"
    path.write_text(source, encoding="utf-8")
    scripts.import_file(path)
    lead_id = add_lead(workspace, warmth="warm")
    scripts.assign("warmth", "warm", "warm-referrals")
    assert scripts.script_for_lead(lead_id).name == "warm-referrals"


def test_an_invalid_file_is_not_imported(
    workspace: Workspace, scripts: ScriptService, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "format: 1\nname: broken\ntitle: Broken\nstages:\n  - id: a\n    titel: A\n", encoding="utf-8"
    )
    with pytest.raises(ScriptFormatError) as caught:
        scripts.import_file(path)
    assert any(p.line == 6 and "titel" in p.field for p in caught.value.errors)
    assert "broken" not in scripts.names()
    with pytest.raises(ScriptError, match="cannot read"):
        scripts.import_file(tmp_path / "missing.yaml")


def test_lead_values_come_from_the_lead_and_the_settings(
    workspace: Workspace, scripts: ScriptService
) -> None:
    values = scripts.lead_values(add_lead(workspace))
    assert values["first_name"] == "Priya" and values["full_name"] == "Priya Natarajan"
    assert values["agent_name"] == "Alex Morgan" and values["firm"] == "Harbor Advisors"
    assert values["source"] == "the chamber of commerce list"


# -- the schema migration -------------------------------------------------------------------------


def test_a_database_from_before_scripts_is_upgraded_with_its_data(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "old.db"
    engine = make_engine("sqlite:///" + str(path))
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO leads (first_name, last_name, company, title, email, kind, kind_given, warmth,"
                " state, source, list_name, status, notes, identity_key, attempt_count, contact_count,"
                " due_reason, created_at, updated_at) VALUES ('Maria', 'Lopez', 'Lopez Dental', '', '',"
                " 'business', 1, 'cold', 'NY', '', 'Old list', 'new', '', '', 0, 0, 'new',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()

    workspace = open_workspace(str(path), clock=clock)
    try:
        assert current_revision(workspace.engine) == head_revision()
        service = script_service_for(workspace)
        with workspace.uow() as uow:
            (lead,) = uow.session.scalars(select(Lead))
        service.record_answer(lead.id, "question-led-discovery", "employees", "12")
        assert service.script_name_for_lead(lead.id) == "question-led-discovery"
        assert [a.value for a in service.answers_for_lead(lead.id)] == ["12"]
    finally:
        workspace.close()


def test_script_for_lead_is_the_named_script_and_follows_changed_files(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The panel's one-read lookup (`script_for_lead`) gives what `load(script_name_for_lead)` gives,
    whatever decides the choice, and a shipped file changed on disk is read again."""
    import os
    import shutil

    from desktop.services.rules import shipped_outcome_rules
    from desktop.services.scripts import shipped_scripts_dir

    folder = tmp_path / "shipped"
    shutil.copytree(shipped_scripts_dir(), folder)
    scripts = ScriptService(workspace.uow, workspace.clock, shipped_outcome_rules(), shipped_dir=folder)
    cold, home = add_lead(workspace), add_lead(workspace, kind="residential", list_name="Seminar")

    def agrees(lead_id: int) -> str:
        script = scripts.script_for_lead(lead_id)
        assert script == scripts.load(scripts.script_name_for_lead(lead_id))
        return script.title

    assert agrees(cold) == "Question-led discovery (business owners)"
    assert agrees(home) != agrees(cold)
    scripts.assign_lead(home, FEE_REVIEW_SCRIPT)
    assert scripts.script_for_lead(home).name == FEE_REVIEW_SCRIPT and agrees(home)

    shipped = folder / "question-led-discovery.yaml"
    revised = shipped.read_text(encoding="utf-8").replace("(business owners)", "(owners, revised)")
    shipped.write_text(revised, encoding="utf-8")
    os.utime(shipped, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert agrees(cold) == "Question-led discovery (owners, revised)"

    imported = tmp_path / "imported.yaml"
    imported.write_text(
        shipped.read_text(encoding="utf-8").replace("(owners, revised)", "(the firm's own)"), encoding="utf-8"
    )
    scripts.import_file(imported)  # an imported script of the same name replaces the shipped one
    assert agrees(cold) == "Question-led discovery (the firm's own)"
