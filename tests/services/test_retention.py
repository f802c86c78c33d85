"""Erasure on request keeps the books (calls, do-not-call) and records itself; purges respect retention."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.services.calling import CallingService
from desktop.services.clock import ManualClock
from desktop.services.retention import RetentionError, retention_start
from desktop.services.workspace import Workspace
from desktop.storage.models import Attempt, DncEntry, Lead
from tests.cli.test_scripts_cli import dialdesk
from tests.services.test_calling import calling, dialer, lead_id, registry  # noqa: F401


def test_erase_blanks_personal_fields_keeps_calls_and_dnc_and_records_it(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
) -> None:
    lopez = lead_id(workspace, "Lopez")
    workspace.leads.update_notes(lopez, "prefers mornings")
    calling.record_outcome(lopez, "do_not_call", attempt_id=calling.start_call(lopez).attempt_id)

    erased = workspace.retention.erase(lopez, "asked by e-mail on 2026-12-01")

    with workspace.uow() as uow:
        lead = uow.session.get(Lead, lopez)
        assert lead is not None
        assert (lead.first_name, lead.last_name, lead.company, lead.email, lead.notes) == ("", "", "", "", "")
        assert lead.next_due_at is None and lead.status == "closed"
        calls = uow.session.scalar(select(func.count()).where(Attempt.lead_id == lopez))
        dnc = uow.session.scalar(select(func.count()).where(DncEntry.lead_id == lopez))
    assert calls == erased.calls_kept == 1 and dnc == 1
    assert {"first_name", "last_name", "notes"} <= set(erased.fields)
    with workspace.engine.connect() as connection:
        kind, payload = connection.exec_driver_sql(
            "SELECT kind, payload FROM events ORDER BY seq DESC LIMIT 1"
        ).one()
    assert kind == "lead_erased"
    assert json.loads(payload)["reason"] == "asked by e-mail on 2026-12-01"
    assert workspace.history.verify().intact
    assert lopez not in {row["id"] for row in workspace.leads.export_records() if row["last_name"]}


def test_erase_refuses_no_reason_and_unknown_lead(workspace: Workspace, db_path: Path) -> None:
    with pytest.raises(RetentionError, match="reason"):
        workspace.retention.erase(1, "   ")
    workspace.close()
    for args in (("leads", "erase", "999", "--reason", "asked"), ("leads", "erase", "1", "--reason", " ")):
        result = dialdesk(db_path, *args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


# Controls (bell, ESC starting a terminal sequence, a line break, DEL, a C1 CSI), a line separator and
# invisible format characters (a bidi override, a zero-width space): each would make the stored text
# read otherwise than it was typed.
HIDDEN = ("\x07", "\x1b[2J", "\n", "\t", "\r", "\x7f", "\x9b", "\u2028", "\u202e", "\u200b", "\ufeff")


@pytest.mark.parametrize("hidden", HIDDEN)
def test_erase_refuses_a_reason_with_control_characters(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811  (its fixture imports the sample leads)
    db_path: Path,
    hidden: str,
) -> None:
    lopez = lead_id(workspace, "Lopez")
    with pytest.raises(RetentionError, match="control or invisible character"):
        workspace.retention.erase(lopez, f"asked {hidden}by phone")
    workspace.close()
    result = dialdesk(db_path, "leads", "erase", str(lopez), "--reason", f"asked{hidden}")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    connection = sqlite3.connect(db_path)
    last_name = connection.execute("SELECT last_name FROM leads WHERE id = ?", (lopez,)).fetchone()[0]
    erased = connection.execute("SELECT count(*) FROM events WHERE kind = 'lead_erased'").fetchone()[0]
    assert (last_name, erased) == ("Lopez", 0), "refused, yet erased"


@pytest.mark.parametrize("hidden", HIDDEN)
def test_import_refuses_a_list_name_with_control_characters(
    db_path: Path, tmp_path: Path, hidden: str
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("first_name,last_name,phone\nAna,Lopez,+1 212 555 0134\n", encoding="utf-8")
    result = dialdesk(db_path, "leads", "import", str(leads), "--list", f"Spring{hidden}list")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    if db_path.exists():
        connection = sqlite3.connect(db_path)
        assert connection.execute("SELECT count(*) FROM leads").fetchone()[0] == 0


def test_purge_refuses_anything_inside_retention_and_deletes_only_older_calls(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> None:
    lopez = lead_id(workspace, "Lopez")
    now = clock()
    clock.set(datetime(2019, 12, 3, 15, 0, tzinfo=UTC))  # a Tuesday, 10:00 in New York
    old = calling.record_outcome(lopez, "no_answer").attempt_id
    clock.set(now)
    young = calling.record_outcome(lopez, "no_answer").attempt_id
    keep_from = retention_start(now.date(), 6)

    for before in (now.date(), date(keep_from.year, keep_from.month, keep_from.day + 1)):
        with pytest.raises(RetentionError, match="kept 6 years"):
            workspace.retention.purge(before)
    workspace.save_settings(replace(workspace.current_settings(), retention_years=10))
    with pytest.raises(RetentionError, match="kept 10 years"):
        workspace.retention.purge(keep_from)
    workspace.save_settings(replace(workspace.current_settings(), retention_years=6))

    purged = workspace.retention.purge(keep_from)

    assert purged.calls == 1
    with workspace.uow() as uow:
        left = set(uow.session.scalars(select(Attempt.id)))
    assert old not in left and young in left
    result = workspace.history.verify()
    assert result.intact, result.problem


def test_purged_database_still_refuses_deleting_completed_calls(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    db_path: Path,
) -> None:
    lopez = lead_id(workspace, "Lopez")
    calling.record_outcome(lopez, "no_answer")
    workspace.retention.purge(date(2000, 1, 1))
    with sqlite3.connect(db_path) as connection, pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        connection.execute("DELETE FROM attempts")


def test_purge_command_refuses_a_date_inside_retention(workspace: Workspace, db_path: Path) -> None:
    workspace.close()
    result = dialdesk(db_path, "db", "purge", "--before", "2199-12-31")
    assert result.returncode == 2 and "retention" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dialdesk(db_path, "db", "purge", "--before", "1900-01-01").returncode == 0
