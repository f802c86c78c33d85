"""`dialdesk report` and `dialdesk merge` as a user runs them: subprocesses on real database files."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.settings import Settings
from desktop.services.workspace import open_workspace
from tests.conftest import require_tool
from tests.services.test_reports_seed import EXPECTED, FORMULA_NAME, seed_known_answers

# The commands are registered in desktop/cli.py's COMMAND_MODULES; until then (and either way) the
# runner adds them, so these tests exercise the same parser and handlers a user gets.
RUNNER = """
import sys
import desktop.cli as cli
from desktop.commands import merge, report
cli.COMMAND_MODULES = tuple(dict.fromkeys((*cli.COMMAND_MODULES, report, merge)))
raise SystemExit(cli.main(sys.argv[1:]))
"""


def run(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIALDESK_DB": "", "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-c", RUNNER, "--db", str(db), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)


@pytest.fixture
def seeded_db(db_url: str, clock: ManualClock) -> str:
    """The known-answer calls in the test's database (a file, or a PostgreSQL database by URL)."""
    workspace = open_workspace(db_url, clock=clock)
    try:
        seed_known_answers(workspace, formula_lead=True)
    finally:
        workspace.close()
    return db_url


PERIOD = ("--from", "2026-03-02", "--to", "2026-03-03")


def test_json_report_has_the_stable_keys_and_figures(seeded_db: str) -> None:
    result = run(seeded_db, "report", *PERIOD, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("dials", "connects", "contact_rate", "meetings", "meeting_rate", "avg_attempts_to_contact"):
        assert data[key] == pytest.approx(EXPECTED[key]), key
    assert data["outcomes"] == EXPECTED["outcomes"] and data["blocked"] == EXPECTED["blocked"]
    assert set(data["by_agent"]) == {"Ann", "Bob"} and set(data["by_day"]) == {"2026-03-02", "2026-03-03"}


def test_filters_and_time_zone(seeded_db: str, tmp_path: Path) -> None:
    out = tmp_path / "bob.json"
    result = run(
        seeded_db, "report", *PERIOD, "--agent", "Bob", "--tz", "America/New_York", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert (data["dials"], data["meetings"], data["time_zone"]) == (4, 2, "America/New_York")  # a11 counts
    assert data["filters"] == {"agent": "Bob", "list": None, "script": None}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_days_default_to_this_computers_zone(seeded_db: str) -> None:
    """Without --tz the days are the broker's calendar days, as the window shows them: a11, at 00:30
    UTC on the 4th, is the evening of the 3rd in New York."""
    env = {**os.environ, "DIALDESK_DB": "", "QT_QPA_PLATFORM": "offscreen", "TZ": "America/New_York"}
    command = [sys.executable, "-c", RUNNER, "--db", str(seeded_db), "report", *PERIOD]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["time_zone"] == "America/New_York"
    assert data["by_day"]["2026-03-03"]["meetings"] == 1  # a11


def test_csv_tables_are_private_and_neutralised(seeded_db: str, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    result = run(seeded_db, "report", *PERIOD, "--format", "csv", "--list", "Web", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 7 and {row["list"] for row in rows} == {"Web"}
    assert "'" + FORMULA_NAME in {row["lead"] for row in rows}
    by_agent = run(seeded_db, "report", *PERIOD, "--format", "csv", "--table", "by-agent")
    assert by_agent.returncode == 0, by_agent.stderr
    lines = list(csv.reader(by_agent.stdout.splitlines()))
    assert lines[0][:3] == ["agent", "dials", "blocked"] and lines[1][:2] == ["Ann", "8"]


def test_xlsx_and_pdf(seeded_db: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    xlsx = tmp_path / "report.xlsx"
    result = run(seeded_db, "report", *PERIOD, "--format", "xlsx", "--out", str(xlsx))
    assert result.returncode == 0, result.stderr
    book = load_workbook(xlsx, read_only=True)
    assert {"Summary", "By day", "By agent", "Calls", "Gate decisions"} <= set(book.sheetnames)
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o600

    pdftotext = require_tool("pdftotext", "poppler-utils")
    pdf = tmp_path / "report.pdf"
    result = run(seeded_db, "report", *PERIOD, "--format", "pdf", "--out", str(pdf))
    assert result.returncode == 0, result.stderr
    assert "pages" in result.stderr
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Calling report" in text and "Period: 2026-03-02 to 2026-03-03" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--agent", "Zoe"), "no agent named 'Zoe'"),
        (("--list", "Nope"), "no call list named 'Nope'"),
        (("--tz", "Mars/Base"), "unknown time zone"),
        (("--format", "pdf"), "--format pdf needs --out"),
    ],
)
def test_bad_input_exits_2_with_one_line(seeded_db: str, args: tuple[str, ...], message: str) -> None:
    result = run(seeded_db, "report", *PERIOD, *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_dates_must_be_dates(seeded_db: str) -> None:
    result = run(seeded_db, "report", "--from", "March 2", "--to", "2026-03-03")
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr
    result = run(seeded_db, "report", "--from", "2026-03-03", "--to", "2026-03-02")
    assert result.returncode == 2 and "before the first day" in result.stderr


def test_merge_twice_adds_nothing_the_second_time(
    tmp_path: Path, clock: ManualClock, sample_csv: Path, db_url: str
) -> None:
    """Bob's file merged into Sue's database (a file, or the team's PostgreSQL database)."""
    paths: dict[str, Path | str] = {"sue": db_url, "bob": tmp_path / "bob.db"}
    for name in ("sue", "bob"):
        workspace = open_workspace(str(paths[name]), clock=clock)
        try:
            workspace.save_settings(Settings(agent_name=name.title()))
            workspace.imports.run(sample_csv)
            if name == "bob":
                workspace.dnc.add("(646) 555-0131", reason="asked")
        finally:
            workspace.close()
    first = run(paths["sue"], "merge", str(paths["bob"]), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["dnc_added"] == 1
    second = run(paths["sue"], "merge", str(paths["bob"]))
    assert second.returncode == 0 and second.stdout.startswith("Nothing new in bob.db")
    check = run(paths["sue"], "check", "+16465550131", "--kind", "business", "--json")
    assert check.returncode == 1 and "dnc_internal" in check.stdout
    missing = run(paths["sue"], "merge", str(tmp_path / "nobody.db"))
    assert missing.returncode == 2 and "no database file" in missing.stderr
