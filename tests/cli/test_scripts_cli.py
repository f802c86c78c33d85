"""`dialdesk scripts …` run as a user runs it: a separate process on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from tests.conftest import require_tool

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "resources" / "scripts"


def dialdesk(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DIALDESK_DB"}
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
        check=False,
    )


def test_list_shows_the_shipped_scripts(db_path: Path) -> None:
    result = dialdesk(db_path, "scripts", "list", "--json")
    assert result.returncode == 0, result.stderr
    scripts = {item["name"]: item for item in json.loads(result.stdout)}
    assert scripts["advice-first-401k"]["title"] == "Advice-first: 401(k) fee review"
    assert scripts["advice-first-401k-ru"]["language"] == "ru"
    assert scripts["retirement-checkup-residential"]["audience"] == "residential"
    assert {item["origin"] for item in scripts.values()} == {"shipped"}
    plain = dialdesk(db_path, "scripts", "list")
    assert "Question-led discovery (business owners)" in plain.stdout


def test_validate_accepts_a_shipped_script(db_path: Path) -> None:
    result = dialdesk(db_path, "scripts", "validate", str(SHIPPED / "question-led-discovery.yaml"))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and result.stderr == ""


def test_validate_reports_file_line_and_field(db_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = (SHIPPED / "question-led-discovery.yaml").read_text(encoding="utf-8")
    text = text.replace("            next: call_later\n", "            next: call_latr\n", 1)
    text = text.replace("    kind: discovery\n", "    kind: discovery\n    colour: blue\n", 1)
    broken.write_text(text, encoding="utf-8")
    result = dialdesk(db_path, "scripts", "validate", str(broken))
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2, result.stderr
    lines = text.splitlines()
    for error in errors:
        file, line, message = error.split(":", 2)
        assert file == str(broken) and line.isdigit()
        assert ("call_latr" in lines[int(line) - 1]) == ("call_latr" in message)
    assert "there is no stage or question 'call_latr'; did you mean 'call_later'?" in result.stderr
    assert "stages[discovery].colour: unknown field" in result.stderr


def test_validate_a_file_that_is_not_yaml(db_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text('format: 1\nname: x\ntitle: "unclosed\n', encoding="utf-8")
    result = dialdesk(db_path, "scripts", "validate", str(broken))
    assert result.returncode == 2 and result.stderr.startswith(f"{broken}:")
    missing = dialdesk(db_path, "scripts", "validate", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_export_edit_import_round_trip(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.yaml"
    exported = dialdesk(db_path, "scripts", "export", "advice-first-401k", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8") == (SHIPPED / "advice-first-401k.yaml").read_text(encoding="utf-8")

    edited = out.read_text(encoding="utf-8").replace("name: advice-first-401k\n", "name: fee-review-warm\n")
    edited = edited.replace('title: "Advice-first: 401(k) fee review"', 'title: "Fee review for warm leads"')
    out.write_text(edited, encoding="utf-8")
    imported = dialdesk(db_path, "scripts", "import", str(out))
    assert imported.returncode == 0, imported.stderr
    listed = {
        item["name"]: item for item in json.loads(dialdesk(db_path, "scripts", "list", "--json").stdout)
    }
    assert listed["fee-review-warm"]["origin"] == "imported"

    again = tmp_path / "again.yaml"
    assert dialdesk(db_path, "scripts", "export", "fee-review-warm", "--out", str(again)).returncode == 0
    assert again.read_text(encoding="utf-8") == edited

    assigned = dialdesk(db_path, "scripts", "assign", "fee-review-warm", "--warmth", "warm")
    assert assigned.returncode == 0 and "warm leads" in assigned.stdout


def test_import_refuses_an_invalid_file(db_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nname: broken\ntitle: Broken\nstages: 3\n", encoding="utf-8")
    result = dialdesk(db_path, "scripts", "import", str(broken))
    assert result.returncode == 2
    assert f"{broken}:4: stages: expected a list" in result.stderr
    names = [item["name"] for item in json.loads(dialdesk(db_path, "scripts", "list", "--json").stdout)]
    assert "broken" not in names


def test_unknown_script_is_a_one_line_error(db_path: Path, tmp_path: Path) -> None:
    result = dialdesk(db_path, "scripts", "export", "no-such-script", "--out", str(tmp_path / "x.yaml"))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "dialdesk: there is no script 'no-such-script'; see `dialdesk scripts list`"
    )
    assert not (tmp_path / "x.yaml").exists()


def test_answers_are_listed_per_lead(db_path: Path) -> None:
    result = dialdesk(db_path, "scripts", "answers", "--json")
    assert result.returncode == 0 and json.loads(result.stdout) == []


@pytest.mark.slow
def test_rehearse_writes_a_wav(db_path: Path, tmp_path: Path) -> None:
    require_tool("espeak-ng", "espeak-ng")
    out = tmp_path / "rehearsal.wav"
    result = dialdesk(db_path, "scripts", "rehearse", "retirement-checkup-residential", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"RIFF"
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        seconds = wav.getnframes() / wav.getframerate()
    words = int(result.stdout.split(":")[-1].split("words")[0].strip())
    assert 0.2 <= seconds / words <= 1.0
    assert "Audio saved" not in result.stdout
