"""The CRM's record id: read from a "Record ID"-style column, kept per lead, matched on re-import,
shown on the card, and the key of the outcomes export (Salesforce Task columns)."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.domain.columns import guess_field
from desktop.services.crm_export import SALESFORCE_TASK_COLUMNS
from desktop.services.outcome_undo import capture_lead_state
from desktop.services.workspace import Workspace
from desktop.storage.models import Agent, Attempt, Lead

FIRST = """Record ID,First Name,Last Name,Company,Phone,Notes
0035g00000AbCdE,Maria,Lopez,Lopez Dental Group,(212) 555-0134,met at fair
0035g00000FgHiJ,Ben,Ortiz,Ortiz Tiles,(646) 555-0131,
"""
# Maria's number and the spelling of her company changed in the CRM; a second "Ben Ortiz" with the
# same number is another CRM record; Cleo is new.
SECOND = """Record ID,First Name,Last Name,Company,Phone,Notes
0035g00000AbCdE,Maria,Lopez,Lopez Dental,(917) 555-0142,
0035g00000ZzZzZ,Ben,Ortiz,Ortiz Tiles,(646) 555-0131,
0035g00000KlMnO,Cleo,Young,Young Legal,(718) 555-0177,
"""


@pytest.mark.parametrize(
    "header",
    [
        "Record ID",
        "Id",
        "ID",
        "Contact ID",
        "Lead Id",
        "External ID",
        "Salesforce ID",
        "HubSpot ID",
        "Hubspot Record ID",
        "CRM id",
        "record_id",
    ],
)
def test_record_id_columns_are_recognised(header: str) -> None:
    assert guess_field(header) == "external_id"


def leads(workspace: Workspace) -> list[tuple[str, str, str, list[str]]]:
    return sorted(
        (r["external_id"], r["first_name"], r["company"], sorted(p["e164"] for p in r["phones"]))
        for r in workspace.leads.export_records()
    )


def test_reimport_matches_on_the_record_id(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(FIRST, encoding="utf-8")
    workspace.imports.run(path, list_name="CRM")
    path.write_text(SECOND, encoding="utf-8")
    report = workspace.imports.run(path, list_name="CRM")
    assert (report.imported, report.merged_duplicates) == (2, 1)
    assert leads(workspace) == [
        ("0035g00000AbCdE", "Maria", "Lopez Dental Group", ["+12125550134", "+19175550142"]),
        ("0035g00000FgHiJ", "Ben", "Ortiz Tiles", ["+16465550131"]),
        ("0035g00000KlMnO", "Cleo", "Young Legal", ["+17185550177"]),
        ("0035g00000ZzZzZ", "Ben", "Ortiz Tiles", ["+16465550131"]),
    ]
    # The same file again adds nothing.
    again = workspace.imports.run(path, list_name="CRM")
    assert again.imported == 0 and len(leads(workspace)) == 4


def test_leads_imported_without_ids_are_given_them(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(line.split(",", 1)[1] for line in FIRST.splitlines()) + "\n", encoding="utf-8")
    workspace.imports.run(path, list_name="CRM")
    path.write_text(FIRST, encoding="utf-8")
    report = workspace.imports.run(path, list_name="CRM")
    assert (report.imported, report.merged_duplicates) == (0, 2)
    assert [lead[0] for lead in leads(workspace)] == ["0035g00000AbCdE", "0035g00000FgHiJ"]


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIALDESK_DB": "", "QT_QPA_PLATFORM": "offscreen", "TZ": "UTC"}
    command = [sys.executable, "-m", "desktop", "--db", str(db), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_outcomes_export_is_keyed_by_the_record_id(
    workspace: Workspace, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(
        FIRST + "Dan,Reyes,,Reyes Bakery,(332) 555-0100,\n".replace("Dan,", ",Dan,", 1), encoding="utf-8"
    )
    workspace.imports.run(path, list_name="CRM")
    with workspace.uow() as uow:
        agent = Agent(name="Robin")
        uow.session.add(agent)
        uow.session.flush()
        by_name = {lead.first_name: lead for lead in uow.session.query(Lead)}
        calls = [
            ("Maria", datetime(2026, 12, 3, 15, 0, tzinfo=UTC), "meeting", 312.4, '=HYPERLINK("x")'),
            ("Ben", datetime(2026, 12, 3, 16, 0, tzinfo=UTC), "no_answer", 20.0, ""),
            ("Ben", datetime(2026, 12, 4, 16, 0, tzinfo=UTC), "busy", 3.0, ""),  # undone below
            ("Dan", datetime(2026, 12, 3, 17, 0, tzinfo=UTC), "no_answer", 15.0, ""),  # no record id
            ("Maria", datetime(2026, 12, 9, 15, 0, tzinfo=UTC), "no_answer", 9.0, ""),  # after the period
        ]
        ids = []
        for name, started, outcome, seconds, note in calls:
            call = Attempt(
                lead_id=by_name[name].id,
                number="+12125550134",
                agent_id=agent.id,
                allowed=True,
                reasons="[]",
                started_at=started,
                duration_s=seconds,
                outcome=outcome,
                note=note,
            )
            uow.session.add(call)
            uow.session.flush()
            ids.append(call.id)
        before = capture_lead_state(uow, by_name["Ben"])
        uow.commit()
    workspace.outcome_undo.undo(ids[2], before)
    workspace.close()

    out = tmp_path / "tasks.csv"
    result = run_cli(
        db_path, "report", "outcomes", "--from", "2026-12-01", "--to", "2026-12-07", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "1 calls to leads without a CRM record id left out" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == SALESFORCE_TASK_COLUMNS
    assert [
        (r["WhoId"], r["ActivityDate"], r["CallDisposition"], r["CallDurationInSeconds"]) for r in rows
    ] == [
        ("0035g00000AbCdE", "2026-12-03", "Meeting", "312"),
        ("0035g00000FgHiJ", "2026-12-03", "No answer", "20"),
    ]
    assert all(
        (r["Status"], r["TaskSubtype"], r["CallType"]) == ("Completed", "Call", "Outbound") for r in rows
    )
    assert rows[0]["Description"].startswith("'=HYPERLINK")  # a formula never runs in a spreadsheet
    assert f"call #{ids[0]}" in rows[0]["Description"]

    bad = run_cli(db_path, "report", "outcomes", "--from", "2026-12-01", "--to", "2026-12-07")
    assert (bad.returncode, bad.stderr.strip().splitlines()[-1]) == (
        2,
        "dialdesk: report outcomes needs --out FILE.csv",
    )


def test_one_record_id_on_two_different_people_is_merged_and_said(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Two rows of one file under one Record ID but with different people: a mistake in the file
    far more often than a renamed record. The row is merged (the id names the lead) and reported."""
    path = tmp_path / "crm.csv"
    path.write_text(
        "Record ID,First Name,Last Name,Phone\n00Q1,Ann,One,212-555-0101\n00Q1,Cat,Three,212-555-0103\n",
        encoding="utf-8",
    )
    report = workspace.imports.run(path, list_name="CRM")
    [notice] = [r for r in report.rejected if r.value == "00Q1"]
    assert notice.column == "Record ID" and "already names Ann One" in notice.reason
    assert notice.row == 3
