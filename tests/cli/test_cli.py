"""The `dialdesk` command as a user runs it: subprocesses on a real database file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import at_moment

PYTHON = sys.executable


def run(
    db: Path, *args: str, faketime: str | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [PYTHON, "-m", "desktop", "--db", str(db), *args]
    env = {**os.environ, "DIALDESK_DB": ""}
    if faketime is not None:
        command, env = at_moment(faketime, command, env)
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def imported(db_path: Path, sample_csv: Path) -> dict:
    result = run(db_path, "leads", "import", str(sample_csv), "--list", "Sample", "--json", check=True)
    return json.loads(result.stdout)


def test_version_and_console_script() -> None:
    result = subprocess.run([PYTHON, "-m", "desktop", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("dialdesk ")


def test_import_json(imported: dict, db_path: Path) -> None:
    assert set(imported) >= {"imported", "merged_duplicates", "rejected", "list"}
    assert imported["list"] == "Sample"
    assert imported["merged_duplicates"] == 1
    assert {"line": 12, "column": "Phone", "value": "555-0100"}.items() <= imported["rejected"][0].items()
    assert oct(db_path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"Email\nx@y.z\n", "no column is mapped to Phone"), (b"\x81\x8d\x8f\x90,\xff\n", "UTF-8")],
)
def test_import_refusals_exit_2_with_one_line(
    db_path: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    result = run(db_path, "leads", "import", str(bad))
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert json.loads(run(db_path, "leads", "export", check=True).stdout) == []


def test_unreadable_file_exits_2(db_path: Path, tmp_path: Path) -> None:
    result = run(db_path, "leads", "import", str(tmp_path / "missing.csv"))
    assert (result.returncode, result.stderr.strip()) == (
        2,
        f"dialdesk: {tmp_path / 'missing.csv'}: no such file",
    )


def test_export_json_and_csv(imported: dict, db_path: Path, tmp_path: Path) -> None:
    leads = json.loads(run(db_path, "leads", "export", "--format", "json", check=True).stdout)
    assert len(leads) == imported["imported"]
    priya = next(lead for lead in leads if lead["last_name"] == "Natarajan")
    assert {"id", "first_name", "last_name", "company", "kind", "phones", "status", "attempts"} <= set(priya)
    assert priya["phones"] == [
        {
            "e164": "+14155550101",
            "extension": "204",
            "valid": True,
            "raw": "+1 (415) 555-0101 ext. 204",
            "label": "Phone",
        }
    ]
    out = tmp_path / "leads.csv"
    run(db_path, "leads", "export", "--format", "csv", "--out", str(out), check=True)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("id,first_name,last_name")


def test_csv_export_neutralises_formulas(db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "evil.csv"
    source.write_text(
        'Name,Phone,Company\n"=HYPERLINK(""http://x"",""y"")",212 555 0134,@SUM(1)\n', encoding="utf-8"
    )
    run(db_path, "leads", "import", str(source), check=True)
    out = tmp_path / "out.csv"
    run(db_path, "leads", "export", "--format", "csv", "--out", str(out), check=True)
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text


def test_queue_json_in_window_order(imported: dict, db_path: Path) -> None:
    rows = json.loads(
        run(db_path, "queue", "--limit", "3", "--json", faketime="2026-12-01 14:00:00", check=True).stdout
    )
    assert len(rows) == 3
    assert rows[0]["name"] == "Maria Lopez" and rows[0]["reason"] == "new"
    assert (rows[0]["attempt"], rows[0]["target"]) == (1, 18)


def test_record_through_the_gate(imported: dict, db_path: Path) -> None:
    maria = 1  # the first row of the sample
    # 2026-12-01 14:00 UTC: 09:00 in New York.
    result = run(db_path, "record", str(maria), "no_answer", "--json", faketime="2026-12-01 14:00:00")
    assert result.returncode == 0, result.stderr
    recorded = json.loads(result.stdout)
    assert (recorded["outcome"], recorded["attempts"], recorded["status"]) == ("no_answer", 1, "active")
    # 03:00 UTC is 22:00 in New York: refused, exit 1, reasons printed.
    blocked = run(db_path, "record", str(maria), "busy", "--json", faketime="2026-12-02 03:00:00")
    assert blocked.returncode == 1
    assert json.loads(blocked.stdout)["reasons"][0]["code"] == "calling_hours"
    assert "calling_hours" in blocked.stderr


def test_do_not_call_then_refused(imported: dict, db_path: Path) -> None:
    maria = 1  # the first row of the sample
    at = "2026-12-01 15:00:00"
    assert run(db_path, "record", str(maria), "do_not_call", faketime=at).returncode == 0
    listed = json.loads(run(db_path, "dnc", "list", "--json", check=True).stdout)
    assert [entry["number"] for entry in listed] == ["+12125550134"]
    again = run(db_path, "record", str(maria), "no_answer", faketime=at)
    assert again.returncode == 1 and "dnc_internal" in again.stderr


def test_dnc_add_remove_needs_confirm(db_path: Path) -> None:
    assert run(db_path, "dnc", "add", "(212) 555-0134", "--reason", "asked").returncode == 0
    refused = run(db_path, "dnc", "remove", "+12125550134")
    assert refused.returncode == 2 and "--confirm" in refused.stderr
    assert run(db_path, "dnc", "remove", "+12125550134", "--confirm").returncode == 0
    assert run(db_path, "dnc", "add", "12").returncode == 2


def test_bad_arguments(db_path: Path) -> None:
    assert run(db_path, "record", "1", "maybe").returncode == 2
    assert run(db_path, "record", "999", "busy").returncode == 2
    assert run(db_path, "queue", "--limit", "0").returncode == 2


def test_importing_the_same_file_twice_adds_nothing(imported: dict, db_path: Path, sample_csv: Path) -> None:
    before = run(db_path, "leads", "export", "--format", "json", check=True).stdout
    again = json.loads(run(db_path, "leads", "import", str(sample_csv), "--json", check=True).stdout)
    assert again["imported"] == 0
    assert run(db_path, "leads", "export", "--format", "json", check=True).stdout == before


def test_exported_answers_are_filled_in_for_the_lead(imported: dict, db_path: Path) -> None:
    """A choice's label is the script's template ("{first_name} is on the line"): the export says it
    as the card does, with the lead's name, never the raw placeholder."""
    from desktop.services.workspace import open_workspace

    workspace = open_workspace(str(db_path))
    try:
        lead = next(row for row in workspace.leads.export_records() if row["last_name"] == "Natarajan")
        session = workspace.scripts.start_session(lead["id"])
        assert session.question is not None and session.question.id == "reached"
        workspace.scripts.answer(session, lead["id"], "decision_maker")
    finally:
        workspace.close()
    leads = json.loads(run(db_path, "leads", "export", "--format", "json", check=True).stdout)
    answers = next(row for row in leads if row["last_name"] == "Natarajan")["answers"]
    assert [answer["label"] for answer in answers] == [f"{lead['first_name']} is on the line"]
    assert not re.search(r"\{[a-z_]+\}", json.dumps(leads)), "a placeholder left unfilled"
