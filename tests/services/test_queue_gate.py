"""The queue offers only leads the gate allows now, and says when the others can be called."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from tests.services.test_calling import national_sample


@pytest.fixture
def loaded(workspace: Workspace, sample_csv: Path, dnc_sample: Path) -> Workspace:
    workspace.gate.registry = national_sample(dnc_sample)
    workspace.imports.run(sample_csv)
    return workspace


def offered(workspace: Workspace) -> list[int]:
    """Every lead "next lead" offers, in order, as if each were skipped after being offered."""
    seen: list[int] = []
    while (lead_id := workspace.leads.next_lead_id(tuple(seen))) is not None:
        seen.append(lead_id)
    return seen


@pytest.mark.parametrize("hour", [3, 9, 14, 18, 23])
def test_offers_exactly_the_callable_leads(loaded: Workspace, clock: ManualClock, hour: int) -> None:
    clock.set(datetime(2026, 12, 1, hour, 0, tzinfo=UTC))
    loaded.lists_changed()
    ids = [record["id"] for record in loaded.leads.export_records() if record["phones"]]
    allowed = {lead_id for lead_id in ids if loaded.calling.check(lead_id).decision.allowed}
    page = loaded.leads.queue_page(0, 100)  # first, before "next lead" has marked anything
    assert set(offered(loaded)) == allowed
    for row in page:
        if row.lead_id in allowed:
            assert row.bucket in ("callback", "warm", "due", "new"), row
        else:
            assert row.bucket in ("later", "blocked"), row
            assert row.waiting


def test_later_rows_say_when(loaded: Workspace) -> None:
    rows = {row.name: row for row in loaded.leads.queue_page(0, 100)}
    aiko = rows["Aiko Tanaka"]
    assert aiko.bucket == "later"
    assert "outside calling hours" in aiko.waiting
    assert aiko.callable_at == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 08:00 in Honolulu
    assert rows["Maria Lopez"].bucket == "new" and rows["Maria Lopez"].callable_at is None


def test_refused_lead_is_marked_blocked_until_consent(loaded: Workspace, clock: ManualClock) -> None:
    emily = next(
        r["id"] for r in loaded.leads.export_records() if r["last_name"] == "Chen"
    )  # on the registry
    offered(loaded)
    rows = {row.lead_id: row for row in loaded.leads.queue_page(0, 100)}
    assert rows[emily].bucket == "blocked"
    assert rows[emily].waiting.startswith("dnc_national:")
    assert loaded.leads.queue_counts().blocked >= 1
    loaded.consent.add(emily, "written", date(2026, 6, 1), "signed form")
    rows = {row.lead_id: row for row in loaded.leads.queue_page(0, 100)}
    assert rows[emily].bucket == "new"
    assert emily in offered(loaded)


def test_after_an_outcome_the_next_lead_is_callable(loaded: Workspace) -> None:
    first = loaded.leads.next_lead_id()
    assert first is not None
    result = loaded.calling.record_outcome(first, "no_answer")
    assert result.next_lead_id is not None
    assert loaded.calling.check(result.next_lead_id).decision.allowed


def test_describe_wait() -> None:
    from desktop.services.leads import describe_wait

    now = datetime(2026, 12, 1, 15, 50, tzinfo=UTC)
    assert describe_wait(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), "Pacific/Honolulu", now) == (
        "from 08:00 their time, in 2 h 10 min"
    )
    assert describe_wait(datetime(2026, 12, 2, 14, 0, tzinfo=UTC), "America/New_York", now).startswith(
        "from Wed 09:00 their time"
    )
    assert describe_wait(None, "America/New_York", now) == ""


def test_warm_leads_come_before_cold_ones(workspace: Workspace, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "warmth.csv"
    path.write_text(
        "Name,Phone,Type,Interest\n"
        "Cold One,212 555 0101,business,cold\n"
        "Warm One,212 555 0102,business,hot\n"
        "Odd One,212 555 0103,business,maybe\n",
        encoding="utf-8",
    )
    report = workspace.imports.run(path)
    assert [(r.column, r.value) for r in report.rejected] == [("Interest", "maybe")]
    names = {r["id"]: r["first_name"] for r in workspace.leads.export_records()}
    first = workspace.leads.next_lead_id()
    assert first is not None and names[first] == "Warm"
    rows = workspace.leads.queue_page(0, 10)
    assert [row.bucket for row in rows] == ["warm", "new", "new"]
    # A callback is interest: the lead becomes warm.
    cold = next(lead_id for lead_id, name in names.items() if name == "Cold")
    workspace.calling.record_outcome(cold, "callback", callback_at=clock() + timedelta(hours=2))
    assert workspace.leads.card(cold).warmth == "warm"


def test_script_answers_join_the_history_and_the_export(loaded: Workspace) -> None:
    maria = next(r["id"] for r in loaded.leads.export_records() if r["last_name"] == "Lopez")
    loaded.calling.record_outcome(maria, "no_answer")
    session = loaded.scripts.start_session(maria)
    while session.question is None and not session.finished:
        session.advance()
    assert session.question is not None
    question = session.question
    raw = question.choices[0].id if getattr(question, "choices", None) else "yes"
    loaded.scripts.answer(session, maria, raw)
    history = loaded.leads.card(maria).history
    kinds = [item.kind for item in history]
    assert "answer" in kinds and "call" in kinds
    answer = next(item for item in history if item.kind == "answer")
    assert answer.outcome_label == "Script answer" and question.id in answer.note
    record = next(r for r in loaded.leads.export_records() if r["id"] == maria)
    assert [a["question"] for a in record["answers"]] == [question.id]
