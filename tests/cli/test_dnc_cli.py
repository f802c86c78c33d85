"""`dialdesk dnc import|status|export` as a user runs them: subprocesses on a real database file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA, at_moment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# Every command runs with its clock at this moment (libfaketime), and every file it reads carries an
# explicit date: an import takes a file's date as its as-of date and refuses one in the future, so the
# real date would make these tests pass or fail by the day.
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
FILES_DATE = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def dated(path: Path, when: datetime = FILES_DATE) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return dated(path)


def sample_registry(folder: Path) -> Path:
    """A copy of the sample registry in `folder`, dated FILES_DATE."""
    shared = SHARED_DATA / "dnc-national-sample.txt"
    source = shared if shared.exists() else FIXTURES / "dnc-national-sample.txt"
    return write(folder / "dnc-national-sample.txt", source.read_text())


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "desktop", "--db", str(db), *args]
    moment = NOW.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    command, env = at_moment(moment, command, {**os.environ, "DIALDESK_DB": ""})
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def ok(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def days_ago(days: int) -> str:
    return (NOW.date() - timedelta(days=days)).isoformat()


def test_import_json(db_path: Path) -> None:
    report = json.loads(
        ok(db_path, "dnc", "import", str(sample_registry(db_path.parent)), "--as-of", "2026-11-20", "--json")
    )
    assert {
        key: report[key] for key in ("source", "kind", "as_of", "added", "removed", "total", "rejected")
    } == {
        "source": "national",
        "kind": "full",
        "as_of": "2026-11-20",
        "added": 7,
        "removed": 0,
        "total": 7,
        "rejected": [],
    }


def test_import_text_names_rejected_lines(db_path: Path, tmp_path: Path) -> None:
    registry = tmp_path / "fl.txt"
    write(registry, "305,5550166\nnot a number\n305,555\n")
    out = ok(db_path, "dnc", "import", str(registry), "--source", "state:fl", "--as-of", days_ago(2))
    assert "state:FL" in out and days_ago(2) in out and "1 numbers in all" in out
    assert "fl.txt, line 2: 'not a number'" in out and "fl.txt, line 3" in out


def test_zip_and_change_list_through_the_cli(db_path: Path, tmp_path: Path) -> None:
    archive = tmp_path / "national.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("212.txt", "212,5550199\n212,5550134\n")
        zipped.writestr("404.txt", "404,5550100\n404,55501\n")
    dated(archive)
    report = json.loads(ok(db_path, "dnc", "import", str(archive), "--as-of", days_ago(10), "--json"))
    assert report["total"] == 3
    assert report["rejected"] == [
        {"file": "404.txt", "line": 2, "value": "404,55501", "reason": report["rejected"][0]["reason"]}
    ]
    changes = tmp_path / "changes.csv"
    write(changes, "Number,Action,Date\n2125550134,D,2026-11-20\n4045550142,A,2026-11-20\n")
    applied = json.loads(ok(db_path, "dnc", "import", str(changes), "--as-of", days_ago(3), "--json"))
    assert (applied["kind"], applied["added"], applied["removed"], applied["total"]) == ("changes", 1, 1, 3)
    # A change list for an area code with no full copy (917) is refused: one line, exit 2, nothing added.
    write(changes, "Number,Action,Date\n9175550142,A,2026-11-20\n")
    refused = run(db_path, "dnc", "import", str(changes), "--as-of", days_ago(2))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "917" in refused.stderr
    assert "Traceback" not in refused.stderr
    [national] = json.loads(ok(db_path, "dnc", "status", "--json"))["sources"]
    assert national["count"] == 3 and "917" not in national["area_codes"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", (), "no phone numbers"),
        ("hello\nworld\n", (), "no phone numbers"),
        ("212,5550199\n", ("--source", "federal"), "unknown registry source"),
        ("212,5550199\n", ("--as-of", "30/11/2026"), "--as-of"),
        ("2125550199,A\n", (), "full list"),
    ],
)
def test_import_refusals_exit_2_with_one_line(
    db_path: Path, tmp_path: Path, content: str, args: tuple[str, ...], message: str
) -> None:
    registry = tmp_path / "registry.txt"
    write(registry, content)
    result = run(db_path, "dnc", "import", str(registry), *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert json.loads(ok(db_path, "dnc", "status", "--json"))["sources"] == []


def test_missing_file_exits_2(db_path: Path, tmp_path: Path) -> None:
    result = run(db_path, "dnc", "import", str(tmp_path / "nope.txt"))
    assert result.returncode == 2 and "nope.txt" in result.stderr


def test_status(db_path: Path, tmp_path: Path) -> None:
    assert "No registry copy" in ok(db_path, "dnc", "status")
    ok(db_path, "dnc", "import", str(sample_registry(db_path.parent)), "--as-of", days_ago(3))
    old = tmp_path / "ca.txt"
    write(old, "416,1234567\n")
    ok(db_path, "dnc", "import", str(old), "--source", "canada", "--as-of", days_ago(40))
    ok(db_path, "dnc", "add", "+12125550134")
    status = json.loads(ok(db_path, "dnc", "status", "--json"))
    rows = {row["source"]: row for row in status["sources"]}
    assert (rows["national"]["age_days"], rows["national"]["count"], rows["national"]["fresh"]) == (
        3,
        7,
        True,
    )
    assert (rows["canada"]["as_of"], rows["canada"]["age_days"], rows["canada"]["fresh"]) == (
        days_ago(40),
        40,
        False,
    )
    assert status["internal"] == {"count": 1}
    text = ok(db_path, "dnc", "status")
    assert "3 days old" in text and "STALE" in text and "1 numbers on the firm's own list" in text


def test_export_round_trips(db_path: Path, tmp_path: Path) -> None:
    ok(db_path, "dnc", "import", str(sample_registry(db_path.parent)), "--as-of", days_ago(1))
    out = tmp_path / "national.csv"
    ok(db_path, "dnc", "export", "--source", "national", "--out", str(out))
    dated(out)
    lines = out.read_text().splitlines()
    assert lines[0] == "area_code,number" and "212,5550199" in lines and len(lines) == 8
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    again = json.loads(ok(db_path, "dnc", "import", str(out), "--as-of", days_ago(0), "--json"))
    assert (again["added"], again["removed"], again["total"], again["rejected"]) == (0, 0, 7, [])


def test_export_internal_and_unknown_source(db_path: Path) -> None:
    ok(db_path, "dnc", "add", "(212) 555-0134", "--reason", "asked")
    lines = ok(db_path, "dnc", "export").splitlines()
    assert lines[0] == "number,reason,added_at"
    assert lines[1].startswith("'+12125550134,asked,")  # a leading + is neutralised for spreadsheets
    missing = run(db_path, "dnc", "export", "--source", "canada")
    assert missing.returncode == 2 and "canada" in missing.stderr


def test_internal_import_then_list(db_path: Path) -> None:
    report = json.loads(
        ok(db_path, "dnc", "import", str(sample_registry(db_path.parent)), "--source", "internal", "--json")
    )
    assert (report["source"], report["added"], report["total"]) == ("internal", 7, 7)
    listed = json.loads(ok(db_path, "dnc", "list", "--json"))
    assert {entry["number"] for entry in listed} >= {"+12125550199", "+18085550199"}


def test_status_judges_each_copy_by_its_own_age_rule(db_path: Path, tmp_path: Path) -> None:
    """A state list published quarterly (Texas: 92 days) goes stale by its rule, not the national 31."""
    texas = write(tmp_path / "tx.txt", "512,5550101\n214,5550102\n")
    ok(db_path, "dnc", "import", str(texas), "--source", "state:TX", "--as-of", days_ago(60))
    ok(db_path, "dnc", "import", str(sample_registry(db_path.parent)), "--as-of", days_ago(40))
    rows = {row["source"]: row for row in json.loads(ok(db_path, "dnc", "status", "--json"))["sources"]}
    tx = rows["state:TX"]
    assert (tx["max_age_days"], tx["fresh"], tx["stale_area_codes"]) == (92, True, [])
    assert tx["next_stale_on"] == days_ago(60 - 93)
    assert (rows["national"]["max_age_days"], rows["national"]["fresh"]) == (31, False)
    text = ok(db_path, "dnc", "status")
    [tx_line] = [line for line in text.splitlines() if line.startswith("state:TX")]
    assert "statewide list" in tx_line and "fresh (≤ 92 days)" in tx_line
    assert f"goes stale on {days_ago(60 - 93)}" in text
    # A state list is one list: --area-codes makes no sense for it, and a change list may not
    # freshen a stale copy (one line, exit 2).
    refused = run(db_path, "dnc", "import", str(texas), "--source", "state:TX", "--area-codes", "512")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "whole state" in refused.stderr
    changes = write(tmp_path / "changes.csv", "2125550100,A\n")
    stale = run(db_path, "dnc", "import", str(changes), "--as-of", days_ago(0))
    assert stale.returncode == 2 and stale.stderr.count("\n") == 1 and "stale" in stale.stderr
    assert json.loads(ok(db_path, "dnc", "status", "--json"))["sources"][0]["as_of"] == days_ago(40)
