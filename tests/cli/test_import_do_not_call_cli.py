"""A CRM export's do-not-call flag puts every number of the lead on the internal do-not-call list at
import, so the gate refuses it: the real `dialdesk leads import` and `dialdesk check` in a subprocess,
on a real database, at a fixed moment (faketime)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_check_and_coverage_cli import NOW, check, codes
from tests.cli.test_cli import run

# Businesses, so that nothing but the do-not-call flag can refuse them at 09:00 in New York.
SALESFORCE = (
    "First Name,Last Name,Company,Type,Phone,MobilePhone,DoNotCall\n"
    "Ann,Able,Able Co,business,212-555-0101,917-555-0101,true\n"
    "Ben,Baker,Baker Co,business,212-555-0102,,false\n"
    "Cal,Cole,Cole Co,business,212-555-0103,,\n"
    "Dee,Dunn,Dunn Co,business,212-555-0104,,Yes\n"
    "Eve,Eames,Eames Co,business,212-555-0105,,x\n"
    "Fay,Ford,Ford Co,business,212-555-0106,,checked\n"
    "Gus,Gray,Gray Co,business,212-555-0107,,1\n"
    "Hal,Hart,Hart Co,business,212-555-0108,,asked in March\n"
    "Ian,Ives,Ives Co,business,212-555-0109,,0\n"
)
FLAGGED = ["+12125550101", "+19175550101", "+12125550104", "+12125550105", "+12125550106", "+12125550107"]
# "asked in March" is neither yes nor no: do not call, and reported.
UNREADABLE = "+12125550108"
CALLABLE = ["+12125550102", "+12125550103", "+12125550109"]


def test_a_do_not_call_column_lists_every_number_of_the_lead(db_path: Path, tmp_path: Path) -> None:
    export = tmp_path / "salesforce-export.csv"
    export.write_text(SALESFORCE, encoding="utf-8")
    result = run(db_path, "leads", "import", str(export), faketime=NOW)
    assert result.returncode == 0, result.stderr
    assert "6 leads marked do-not-call in the file: 7 numbers added to the internal do-not-call list" in (
        result.stdout
    )
    assert "'asked in March': not a yes/no do-not-call value: treated as do not call" in result.stdout
    assert "columns not imported" not in result.stdout
    for number in [*FLAGGED, UNREADABLE]:
        status, data = check(db_path, number)
        assert status == 1 and "dnc_internal" in codes(data), number
    for number in CALLABLE:
        assert check(db_path, number)[0] == 0, number
    with sqlite3.connect(db_path) as db:
        reasons = {row[0] for row in db.execute("SELECT reason FROM dnc_entries WHERE source='internal'")}
        audit = [
            json.loads(row[0]) for row in db.execute("SELECT detail FROM audit_events WHERE action='dnc_add'")
        ]
        statuses = dict(db.execute("SELECT last_name, status FROM leads"))
    assert reasons == {"marked do-not-call in the imported file salesforce-export.csv"}
    assert len(audit) == 1 and sorted(audit[0]["numbers"]) == sorted([*FLAGGED, UNREADABLE])
    assert audit[0]["via"] == "import" and audit[0]["file"] == "salesforce-export.csv"
    assert statuses["Able"] == "do_not_call" and statuses["Baker"] == "new"


def test_a_flag_on_a_repeated_row_lists_the_numbers_the_lead_already_has(
    db_path: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(
        "Name,Company,Type,Phone,Mobile\nJo Park,Park Co,business,212-555-0111,917-555-0111\n",
        encoding="utf-8",
    )
    run(db_path, "leads", "import", str(first), faketime=NOW, check=True)
    assert check(db_path, "+19175550111")[0] == 0
    # HubSpot's header, a later export of the same person with only the office number.
    second = tmp_path / "hubspot.csv"
    second.write_text(
        "Name,Company,Type,Phone Number,Do not call\nJo Park,Park Co,business,212-555-0111,Yes\n",
        encoding="utf-8",
    )
    report = json.loads(
        run(db_path, "leads", "import", str(second), "--json", faketime=NOW, check=True).stdout
    )
    assert report["do_not_call_leads"] == 1 and report["do_not_call_numbers_added"] == 2
    for number in ("+12125550111", "+19175550111"):
        status, data = check(db_path, number)
        assert status == 1 and "dnc_internal" in codes(data), number
    # Importing the file again adds nothing twice.
    again = json.loads(
        run(db_path, "leads", "import", str(second), "--json", faketime=NOW, check=True).stdout
    )
    assert again["do_not_call_leads"] == 1 and again["do_not_call_numbers_added"] == 0
