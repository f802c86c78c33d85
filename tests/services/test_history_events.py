"""Every change that matters lands in the tamper-evident history as its own event, in one chain."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from desktop.services.calling import CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from tests.services.test_calling import calling, dialer, lead_id, registry  # noqa: F401


def events(workspace: Workspace, kind: str | None = None) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(seq, kind, actor, payload) of this database's events, oldest first."""
    with workspace.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT seq, kind, actor, payload FROM events ORDER BY seq").all()
    found = [(int(seq), str(k), str(actor), json.loads(payload)) for seq, k, actor, payload in rows]
    return [row for row in found if kind is None or row[1] == kind]


def assert_intact(workspace: Workspace) -> None:
    result = workspace.history.verify()
    assert result.intact, result.problem


def test_allowed_call_writes_its_gate_decision_start_and_outcome(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> None:
    lopez = lead_id(workspace, "Lopez")
    started = calling.start_call(lopez)
    clock.advance(minutes=2)
    calling.hang_up(started.attempt_id)
    calling.record_outcome(lopez, "not_interested", attempt_id=started.attempt_id, note="call in spring")

    [(_, _, actor, decision)] = events(workspace, "gate_decision")
    assert actor == "Alex"
    assert decision["call"] == started.attempt_id and decision["allowed"] is True
    assert decision["number"] == "+12125550134" and "reasons" in decision["decision"]
    [(_, _, _, start)] = events(workspace, "call_start")
    assert start["call"] == started.attempt_id
    [(_, _, _, end)] = events(workspace, "call_end")
    assert end["duration_s"] == "120.0"  # floats are hashed as their shortest text
    [(_, _, _, outcome)] = events(workspace, "outcome")
    assert (outcome["call"], outcome["outcome"], outcome["note"]) == (
        started.attempt_id,
        "not_interested",
        "call in spring",
    )
    assert_intact(workspace)


def test_blocked_call_writes_its_refusal_and_no_start(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
) -> None:
    with pytest.raises(GateRefused) as refused:
        calling.start_call(lead_id(workspace, "Tanaka"))  # Honolulu, 04:00
    [(_, _, _, decision)] = events(workspace, "gate_decision")
    assert decision["allowed"] is False and decision["call"] == refused.value.attempt_id
    codes = [reason["code"] for reason in decision["decision"]["reasons"]]
    assert "calling_hours" in codes
    assert events(workspace, "call_start") == []


def test_do_not_call_outcome_and_its_undo_are_events_the_undo_naming_the_outcome(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> None:
    lopez = lead_id(workspace, "Lopez")
    result = calling.record_outcome(lopez, "do_not_call", attempt_id=calling.start_call(lopez).attempt_id)
    [(outcome_seq, _, _, outcome)] = events(workspace, "outcome")
    [(_, _, _, added)] = events(workspace, "dnc_add")
    assert added["numbers"] == list(result.added_to_dnc) and outcome["dnc_added"] == added["numbers"]
    clock.advance(minutes=1)

    undone = workspace.outcome_undo.undo(result.attempt_id, result.before, result.added_to_dnc)  # type: ignore[arg-type]

    [(undo_seq, _, _, undo)] = events(workspace, "outcome_undone")
    assert undo_seq > outcome_seq
    assert (undo["corrects_call"], undo["corrects_event"], undo["correction"]) == (
        result.attempt_id,
        outcome_seq,
        undone.correction_id,
    )
    [(_, _, _, removed)] = events(workspace, "dnc_remove")
    assert removed["numbers"] == list(result.added_to_dnc)
    assert events(workspace, "outcome")[0][3] == outcome, "the undone outcome's event stays as it was"
    assert_intact(workspace)


def test_each_note_edit_is_an_event_keeping_the_text_before(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
) -> None:
    lopez = lead_id(workspace, "Lopez")
    workspace.leads.update_notes(lopez, "first note")
    workspace.leads.update_notes(lopez, "second note")
    workspace.leads.update_notes(lopez, "second note")  # no change: no event
    edits = [payload for _, _, _, payload in events(workspace, "note_edit")]
    assert [(e["before"], e["after"]) for e in edits[-2:]] == [
        (edits[-2]["before"], "first note"),
        ("first note", "second note"),
    ]
    assert len(edits) == 2 and all(e["lead"] == lopez for e in edits)


def test_internal_do_not_call_add_and_remove_are_events(workspace: Workspace) -> None:
    workspace.dnc.add("212-555-0199", reason="asked by mail")
    workspace.dnc.remove("212-555-0199")
    kinds = [(kind, payload.get("number")) for _, kind, _, payload in events(workspace)]
    assert kinds == [("dnc_add", "+12125550199"), ("dnc_remove", "+12125550199")]
    assert_intact(workspace)


def test_consent_added_and_removed_are_events(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
) -> None:
    lopez = lead_id(workspace, "Lopez")
    consent = workspace.consent.add(lopez, "written", date(2026, 11, 2), "signed form")
    workspace.consent.remove(consent.id)
    kinds = [kind for _, kind, _, _ in events(workspace) if kind.startswith("consent")]
    assert len(kinds) == 2 and kinds[0] != kinds[1]
    assert_intact(workspace)


def test_import_is_an_event(workspace: Workspace, sample_csv: Any) -> None:
    workspace.imports.run(sample_csv)
    [(seq, _, _, payload)] = events(workspace, "leads_import")
    assert seq == 1 and payload["imported"] > 0


def test_check_at_start_reads_only_what_is_new_and_the_checkpoint(workspace: Workspace, db_path: Any) -> None:
    import sqlite3

    for number in ("212-555-0199", "212-555-0188", "212-555-0177"):
        workspace.dnc.add(number)
    assert workspace.history.verify(full=True).intact  # the checkpoint is now seq 3
    workspace.dnc.add("212-555-0166")
    incremental = workspace.history.verify(full=False)
    assert incremental.intact and incremental.events == 1, "only the event after the checkpoint is read"

    with sqlite3.connect(db_path) as connection:
        connection.execute("DROP TRIGGER events_append_only")
        connection.execute("UPDATE events SET actor = 'Mallory' WHERE seq = 1")
    assert workspace.history.verify(full=False).intact, "older events are the full check's business"
    full = workspace.history.verify(full=True)
    assert not full.intact and "event seq 1 " in str(full.problem)

    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE events SET actor = 'Mallory' WHERE seq = 4")  # the checkpoint itself
    late = workspace.history.verify(full=False)
    assert not late.intact and "seq 4" in str(late.problem) and "altered" in str(late.problem)
