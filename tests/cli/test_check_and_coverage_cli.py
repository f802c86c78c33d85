"""`dialdesk check` asks what the window asks (a lead's first number, power dial, voicemail drop), and
`dialdesk dnc import --area-codes` / `dnc status` show a registry copy per area code: the real entry
point in a subprocess, on a real database, at a fixed moment (faketime)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run

NOW = "2026-12-01 14:00:00"  # 09:00 in New York and Miami


def registry(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="ascii")
    return path


def check(db: Path, *args: str) -> tuple[int, dict]:
    result = run(db, "check", *args, "--json", faketime=NOW)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def codes(data: dict) -> list[str]:
    return [reason["code"] for reason in data["reasons"]] if not data["allowed"] else []


def test_check_a_lead_without_a_number(db_path: Path, sample_csv: Path, tmp_path: Path) -> None:
    run(db_path, "leads", "import", str(sample_csv), check=True)
    copy = registry(tmp_path, "ny.txt", ["212,5550199", "917,5550142", "305,5550166"])
    run(db_path, "dnc", "import", str(copy), "--as-of", "2026-11-25", faketime=NOW, check=True)
    # Lead 2 (James O'Neil, residential): 212-555-0199 first, then his mobile; both are listed.
    status, data = check(db_path, "--lead", "2")
    assert status == 1 and data["number"] == "+12125550199" and codes(data) == ["dnc_national"]
    # Lead 1 (a business): allowed, on its only number.
    status, data = check(db_path, "--lead", "1")
    assert status == 0 and data["number"] == "+12125550134"
    missing = run(db_path, "check", faketime=NOW)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "--lead" in missing.stderr
    unknown = run(db_path, "check", "--lead", "999", faketime=NOW)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_power_dial_and_voicemail_drop_reach_the_gate(
    db_path: Path, sample_csv: Path, tmp_path: Path
) -> None:
    run(db_path, "leads", "import", str(sample_csv), check=True)
    copy = registry(tmp_path, "codes.txt", ["212,5550199"])
    run(
        db_path,
        "dnc",
        "import",
        str(copy),
        "--as-of",
        "2026-11-25",
        "--area-codes",
        "305",
        faketime=NOW,
        check=True,
    )
    # Lead 6 (Garcia Roofing, a Florida business): a hand dial is fine, an automated one needs written
    # consent in Florida.
    assert check(db_path, "--lead", "6")[0] == 0
    status, data = check(db_path, "--lead", "6", "--power-dial")
    assert status == 1 and codes(data) == ["state_rule"] and "automatic" in data["reasons"][0]["detail"]
    # A consumer in a downloaded area code, not listed: a call is fine, a recorded message is not.
    assert check(db_path, "+12125550134")[0] == 0
    status, data = check(db_path, "+12125550134", "--voicemail-drop")
    assert status == 1 and codes(data) == ["prerecorded_consent"]


def test_area_codes_option_and_status_coverage(db_path: Path, tmp_path: Path) -> None:
    first = registry(tmp_path, "646.txt", ["646,5550101", "646,5550102"])
    run(db_path, "dnc", "import", str(first), "--as-of", "2026-11-05", faketime=NOW, check=True)
    # 212 has no registered number: an empty download, named with --area-codes.
    empty = registry(tmp_path, "212.txt", ["areacode,number"])
    result = run(
        db_path, "dnc", "import", str(empty), "--as-of", "2026-11-28", "--area-codes", "212", faketime=NOW
    )
    assert result.returncode == 0, result.stderr
    assert "area codes as of 2026-11-28: 212" in result.stdout
    text = run(db_path, "dnc", "status", faketime=NOW, check=True).stdout
    assert "oldest copy as of 2026-11-05" in text and "2 area codes: 212, 646" in text
    assert "stale next: 646 on 2026-12-07" in text and "never downloaded" in text
    data = json.loads(run(db_path, "dnc", "status", "--json", faketime=NOW, check=True).stdout)
    [national] = data["sources"]
    assert national["area_codes"] == ["212", "646"] and national["oldest_as_of"] == "2026-11-05"
    assert national["next_stale_area_codes"] == ["646"] and national["fresh"] is True
    # 212 is covered (no number listed), 718 was never downloaded.
    assert check(db_path, "+12125550100")[0] == 0
    status, data = check(db_path, "+17185550100")
    assert status == 1 and codes(data) == ["registry_missing"] and "718" in data["reasons"][0]["detail"]
    for bad in ("21", "112", "abc"):
        refused = run(db_path, "dnc", "import", str(empty), "--as-of", "2026-11-28", "--area-codes", bad)
        assert (
            refused.returncode == 2 and refused.stderr.count("\n") == 1 and "--area-codes" in refused.stderr
        )


def test_status_goes_stale_per_area_code(db_path: Path, tmp_path: Path) -> None:
    old = registry(tmp_path, "old.txt", ["646,5550101"])
    new = registry(tmp_path, "new.txt", ["212,5550101"])
    run(db_path, "dnc", "import", str(old), "--as-of", "2026-10-20", faketime=NOW, check=True)
    run(db_path, "dnc", "import", str(new), "--as-of", "2026-11-30", faketime=NOW, check=True)
    text = run(db_path, "dnc", "status", faketime=NOW, check=True).stdout
    assert "STALE: area codes 646" in text
    data = json.loads(run(db_path, "dnc", "status", "--json", faketime=NOW, check=True).stdout)
    assert data["sources"][0]["fresh"] is False and data["sources"][0]["stale_area_codes"] == ["646"]
    assert check(db_path, "+12125550100")[0] == 0
    assert codes(check(db_path, "+16465550100")[1]) == ["registry_stale"]


def test_consent_and_state_columns_are_read_and_dropped_ones_reported(db_path: Path, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "Name,Phone,Type,State/Region,Written Consent Date,Region\n"
        "Dana Reyes,212-555-0177,residential,NY,2026-11-02,East\n"
        "Omar Haddad,212-555-0178,residential,NY,,East\n",
        encoding="utf-8",
    )
    result = run(db_path, "leads", "import", str(leads), faketime=NOW)
    assert result.returncode == 0, result.stderr
    assert (
        "not imported: column 'Region' looks like State too: only 'State/Region' is imported" in result.stdout
    )
    data = json.loads(run(db_path, "leads", "import", str(leads), "--json", faketime=NOW, check=True).stdout)
    assert data["dropped_columns"] and data["ignored_columns"] == ["Region"]
    exported = json.loads(run(db_path, "leads", "export", check=True).stdout)
    assert {record["state"] for record in exported} == {"NY"}
    copy = registry(tmp_path, "212.txt", ["212,5550177", "212,5550178"])
    run(db_path, "dnc", "import", str(copy), "--as-of", "2026-11-25", faketime=NOW, check=True)
    # Both are on the registry; the written consent lets Dana's call through, Omar's is refused.
    dana = next(record["id"] for record in exported if record["last_name"] == "Reyes")
    omar = next(record["id"] for record in exported if record["last_name"] == "Haddad")
    status, data = check(db_path, "--lead", str(dana))
    assert status == 0 and [note["code"] for note in data["notes"]] == ["consent"]
    assert codes(check(db_path, "--lead", str(omar))[1]) == ["dnc_national"]
