"""`dialdesk check`, `scrub` and `audit export` as a user runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.test_cli import run


def test_check_json_and_exit_codes(db_path: Path) -> None:
    blocked = run(db_path, "check", "212 555 0134", "--at", "2026-12-01T14:00:00Z", "--json")
    assert blocked.returncode == 1
    data = json.loads(blocked.stdout)
    assert data["number"] == "+12125550134" and data["allowed"] is False
    # Residential by default, and no registry imported at all: said as such, not "out of date".
    assert data["reasons"][0]["code"] == "registry_missing"
    assert "ever been imported" in data["reasons"][0]["detail"]
    assert data["time_zones"] == ["America/New_York"] and data["local_time"].startswith("2026-12-01T09:00")
    allowed = run(
        db_path, "check", "+12125550134", "--kind", "business", "--at", "2026-12-01T14:00:00Z", "--json"
    )
    assert allowed.returncode == 0
    assert json.loads(allowed.stdout)["reasons"][0]["code"] == "b2b_exemption"
    night = run(
        db_path, "check", "+12125550134", "--kind", "business", "--at", "2026-12-01T03:00:00Z", "--json"
    )
    assert night.returncode == 1
    assert json.loads(night.stdout)["callable_at"] == "2026-12-01T08:00:00-05:00"
    assert run(db_path, "check", "+12125550134", "--at", "yesterday").returncode == 2


def test_check_never_records(db_path: Path, sample_csv: Path, tmp_path: Path) -> None:
    run(db_path, "leads", "import", str(sample_csv), check=True)
    run(db_path, "check", "+12125550134", "--lead", "1", check=False)
    out = tmp_path / "audit.csv"
    run(
        db_path,
        "audit",
        "export",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--out",
        str(out),
        check=True,
    )
    assert len(out.read_text().splitlines()) == 1  # the header only


def test_scrub_summary_and_file(db_path: Path, sample_csv: Path, tmp_path: Path) -> None:
    run(db_path, "leads", "import", str(sample_csv), check=True)
    out = tmp_path / "scrub.csv"
    result = run(db_path, "scrub", "--json", "--out", str(out), faketime="2026-12-01 14:00:00")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["checked"] == 24 and summary["skipped"] + summary["callable"] == 24
    assert "leads would be skipped" in summary["summary"]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 24
    aiko = next(row for row in rows if row["name"] == "Aiko Tanaka")
    assert aiko["allowed"] == "no" and "calling_hours" in aiko["reason_codes"]


def test_audit_export_after_calls(db_path: Path, sample_csv: Path, tmp_path: Path) -> None:
    run(db_path, "leads", "import", str(sample_csv), check=True)
    run(db_path, "record", "1", "no_answer", faketime="2026-12-01 14:00:00", check=True)
    assert run(db_path, "record", "2", "no_answer", faketime="2026-12-01 14:05:00").returncode == 1
    out = tmp_path / "audit.csv"
    run(
        db_path,
        "audit",
        "export",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-01",
        "--out",
        str(out),
        check=True,
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["allowed"] for row in rows] == ["yes", "no"]
    assert rows[1]["reason_codes"] == "registry_missing"
    assert (
        run(
            db_path, "audit", "export", "--from", "2026-12-02", "--to", "2026-12-01", "--out", str(out)
        ).returncode
        == 2
    )


def test_emergency_dates_block_a_state_from_the_command_line(db_path: Path, tmp_path: Path) -> None:
    listing = tmp_path / "la.csv"
    listing.write_text("Name,Company,Phone,State,Type\nLou Lane,Lane Co,504-555-0180,LA,business\n")
    run(db_path, "leads", "import", str(listing), check=True)
    at = "2026-12-01T17:00:00Z"  # Tuesday 11:00 in New Orleans
    assert run(db_path, "check", "504-555-0180", "--at", at).returncode == 0  # decided as its business lead
    added = run(db_path, "emergency", "add", "la", "2026-11-30", "2026-12-02", "--areas", "Orleans")
    assert added.returncode == 0, added.stderr
    blocked = run(db_path, "check", "504-555-0180", "--at", at, "--json")
    assert blocked.returncode == 1 and "state of emergency (Orleans)" in blocked.stdout
    assert json.loads(run(db_path, "emergency", "list", "--json").stdout)[0]["state"] == "LA"
    bad = run(db_path, "emergency", "add", "LA", "2026-12-05", "2026-12-01")
    assert bad.returncode == 2 and "before it starts" in bad.stderr and "Traceback" not in bad.stderr
    assert run(db_path, "emergency", "add", "ZZ", "2026-12-01", "2026-12-02").returncode == 2
