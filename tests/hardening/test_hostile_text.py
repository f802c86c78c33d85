"""Hostile text and out-of-range values through the real command line: one clean line, never exit 70.

A bell, an escape sequence or a bidi override in a lead's name or note must not break an XLSX
report, must not act on the terminal (every command prints through `desktop.terminal`), and must
not land in the log. Dates at the ends of the calendar and ids past SQLite's integers exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from desktop.logging_setup import redacted_traceback
from desktop.terminal import shown_table_text, shown_text
from tests.hardening.conftest import CALL_TIME, log_path, run_cli

# A name and a note with a bell, an escape sequence (red text), a carriage return and a bidi override.
NAME = "Ann\x07\x1b[31m"
SURNAME = "Lee\u202eevil"
NOTE = "call back\x07 \x1b]0;pwned\x07 later\rHIDDEN \u2066x"
RAW_DANGER = ("\x07", "\x1b", "\u202e", "\u2066")


def write_hostile_list(path: Path) -> Path:
    path.write_text(
        "First Name,Last Name,Company,Phone,Type,Notes\n"
        f'"{NAME}","{SURNAME}",Acme,(212) 555-0134,business,"{NOTE}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def hostile_db(cli_env: dict[str, str], tmp_path: Path) -> Path:
    db = tmp_path / "dialdesk.db"
    done = run_cli(cli_env, db, "leads", "import", str(write_hostile_list(tmp_path / "evil.csv")))
    assert done.returncode == 0, done.stderr
    done = run_cli(cli_env, db, "record", "1", "no_answer", "--note", NOTE, faketime=CALL_TIME)
    assert done.returncode == 0, done.stderr
    return db


def test_xlsx_reports_survive_control_characters(
    cli_env: dict[str, str], tmp_path: Path, hostile_db: Path
) -> None:
    out = tmp_path / "report.xlsx"
    done = run_cli(
        cli_env, hostile_db, "report", "--from", "2026-12-01", "--to", "2026-12-01", "--format", "xlsx",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    cells = [
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    ]
    book.close()
    assert any("call back\\u0007" in cell for cell in cells), "the note is kept, its bell made visible"
    log = log_path(tmp_path).read_text(encoding="utf-8") if log_path(tmp_path).exists() else ""
    assert "Ann" not in log and "call back" not in log and "Traceback" not in log


def test_terminal_output_escapes_control_escape_and_bidi_characters(
    cli_env: dict[str, str], tmp_path: Path, hostile_db: Path
) -> None:
    for arguments in (("leads", "export", "--format", "csv"), ("leads", "export"), ("queue",)):
        done = run_cli(cli_env, hostile_db, *arguments, faketime=CALL_TIME)
        assert done.returncode == 0, done.stderr
        for character in (*RAW_DANGER, "\rHIDDEN"):
            assert character not in done.stdout, (arguments, character)
    # JSON stays JSON: the escapes are JSON's own.
    exported = json.loads(run_cli(cli_env, hostile_db, "leads", "export").stdout)
    assert exported[0]["first_name"] == NAME and exported[0]["last_name"] == SURNAME
    # A message quoting user data (here a file name) is one line, escaped too.
    done = run_cli(cli_env, hostile_db, "leads", "import", str(tmp_path / "no\x1b[2Jsuch\u202e.csv"))
    assert done.returncode == 2
    assert not any(character in done.stderr for character in RAW_DANGER)
    assert len(done.stderr.strip().splitlines()) == 1 and "\\u001b[2J" in done.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ("check", "2125550134", "--at", "0001-01-01T00:00:00-12:00"),
        ("check", "2125550134", "--at", "9999-12-31T23:59:59-12:00"),
        ("report", "--from", "0001-01-01", "--to", "9999-12-31"),
        ("report", "--from", "2026-01-01", "--to", "9999-12-31", "--format", "xlsx", "--out", "r.xlsx"),
        ("dnc", "import", "registry.txt", "--as-of", "0001-01-01"),
        ("audit", "export", "--from", "0001-01-01", "--to", "9999-12-31", "--out", "a.csv"),
        ("record", "999999999999999999999", "no_answer"),
        ("record", "9223372036854775807", "no_answer"),
        ("record", "-5", "no_answer"),
        ("record", "1", "callback", "--callback", "9999-12-31T23:59:59-14:00"),
        ("check", "2125550134", "--lead", "99999999999999999999999"),
    ],
)
def test_values_at_the_ends_of_their_range_exit_2(
    cli_env: dict[str, str], tmp_path: Path, hostile_db: Path, arguments: tuple[str, ...]
) -> None:
    done = run_cli(cli_env, hostile_db, *arguments)
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)


def test_the_log_holds_exception_types_not_what_they_said() -> None:
    try:
        raise ValueError(f"cannot write {NAME} {SURNAME}: {NOTE}")
    except ValueError as error:
        report = redacted_traceback(error)
    assert "Ann" not in report and "call back" not in report and "Lee" not in report
    assert "ValueError (message withheld from the log)" in report


def test_shown_text_makes_every_dangerous_character_visible() -> None:
    text = (
        "".join(chr(code) for code in range(0x20))
        + "\x7f\x85\u200b\u200e\u202a\u202e\u2066\u2069\ufeff\U000e0041"
    )
    shown = shown_text(text)
    assert shown.isprintable() and "\\u001b" in shown and "\\u202e" in shown
    assert "\n" not in shown and "\t" not in shown
    table = shown_table_text("a\tb\r\nc\rd")
    assert table == "a\tb\r\nc\\u000dd"
    # JSON printed through the terminal filter is still the same JSON.
    assert json.loads(shown_table_text(json.dumps(text, ensure_ascii=False))) == text
