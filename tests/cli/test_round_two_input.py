"""Bad input to the commands added for records, CRM exports and team mode: one line and exit 2.

Found by a new-user review: numbers too large for a database integer ended in an overflow (exit 70),
an unreachable team server in a traceback-class failure, an outcomes export silently ignored the
filters it was given, and `audit verify` on a mistyped --db made an empty database and called it
intact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_cli import imported, run  # noqa: F401  (the imported sample list)

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "arguments",
    [
        ("queue", "--limit", HUGE),
        ("queue", "--limit", "0"),
        ("--agent", "zed", "queue", "--claim", "--hold-minutes", "2000000000000"),
        ("scripts", "approve", "advice-first-401k", "--version", HUGE, "--by", "Jane Principal"),
        ("team", "init", "postgresql+psycopg://nobody@127.0.0.1:1/nothing"),
    ],
)
def test_out_of_range_numbers_and_unreachable_servers_are_one_line(
    imported: dict,  # noqa: F811
    db_path: Path,
    arguments: tuple[str, ...],
) -> None:
    result = run(db_path, *arguments)
    assert result.returncode == 2, result.stderr
    # argparse puts its usage above the one-line error; a traceback never shows
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("dialdesk")


@pytest.mark.parametrize(
    "extra",
    [
        ("--agent", "alice"),
        ("--list", "Sample"),
        ("--script", "x"),
        ("--format", "csv"),
        ("--table", "blocked"),
    ],
)
def test_the_outcomes_export_refuses_options_it_would_not_apply(
    imported: dict,  # noqa: F811
    db_path: Path,
    tmp_path: Path,
    extra: tuple[str, ...],
) -> None:
    out = tmp_path / "tasks.csv"
    period = ("--from", "2026-12-01", "--to", "2026-12-31")
    result = run(db_path, "report", "outcomes", *period, "--out", str(out), *extra)
    assert result.returncode == 2 and extra[0] in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("target", ["folder", "tasks.xlsx"])
def test_the_outcomes_export_to_a_folder_or_a_spreadsheet_name_is_refused(
    imported: dict,  # noqa: F811
    db_path: Path,
    tmp_path: Path,
    target: str,
) -> None:
    (tmp_path / "folder").mkdir()
    period = ("--from", "2026-12-01", "--to", "2026-12-31")
    result = run(db_path, "report", "outcomes", *period, "--out", str(tmp_path / target))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ("audit", "verify"),
        ("audit", "anchor"),
        ("audit", "bundle", "--from", "2026-12-01", "--to", "2026-12-31", "--out", "exam.zip"),
        ("db", "purge", "--before", "2010-01-01"),
    ],
)
def test_records_commands_on_a_missing_database_make_none(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    missing = tmp_path / "nope" / "none.db"
    result = run(missing, *arguments)
    assert result.returncode == 2 and "no database" in result.stderr
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    "extra",
    [
        ("--meeting", "2027-01-04T10:00:00-05:00"),
        ("--where", "HQ"),
        ("--callback", "2027-01-04T10:00:00-05:00"),
    ],
)
def test_a_time_given_with_another_outcome_is_refused_not_dropped(
    imported: dict,  # noqa: F811
    db_path: Path,
    extra: tuple[str, ...],
) -> None:
    result = run(db_path, "record", "1", "busy", *extra)
    assert result.returncode == 2 and extra[0] in result.stderr


def test_an_unknown_region_is_refused_before_anything_is_written(tmp_path: Path, sample_csv: Path) -> None:
    db = tmp_path / "fresh.db"
    result = run(db, "leads", "import", str(sample_csv), "--region", "XX")
    assert result.returncode == 2 and "--region" in result.stderr
    assert not db.exists()
    result = run(db, "settings", "set", "default_region", "ZZ")
    assert result.returncode == 2 and "region" in result.stderr


@pytest.mark.parametrize("name", ["ali\u200bce", "\u202eecila", "al\u00adice"])
def test_an_agent_name_with_invisible_characters_is_refused(
    imported: dict,  # noqa: F811
    db_path: Path,
    name: str,
) -> None:
    result = run(db_path, "--agent", name, "queue", "--claim", "--json")
    assert result.returncode == 2 and "invisible" in result.stderr


@pytest.mark.parametrize(
    ("outcome", "option", "moment"),
    [
        ("callback", "--callback", "2025-03-02T10:00:00-05:00"),  # a year back: the year mistyped
        ("callback", "--callback", "2026-03-02T10:59:00-05:00"),  # a minute before the command runs
        ("meeting", "--meeting", "2026-03-01T10:00:00-05:00"),
    ],
)
def test_a_callback_or_meeting_time_already_gone_is_refused(
    imported: dict,  # noqa: F811
    db_path: Path,
    outcome: str,
    option: str,
    moment: str,
) -> None:
    now = "2026-03-02 16:00:00"  # 11:00 in New York, a Monday (libfaketime: the product's own clock)
    result = run(db_path, "record", "1", outcome, option, moment, faketime=now)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"dialdesk: the {outcome} time {moment_utc(moment)} UTC is not in the future "
        "(it is 2026-03-02 16:00 UTC now): give a time still to come"
    ]
    queue = run(db_path, "queue", faketime=now).stdout
    assert re.search(r"^#1 .* attempt 1 of ", queue, re.MULTILINE), queue  # no call was recorded for #1
    later = run(db_path, "record", "1", "callback", "--callback", "2026-03-03T10:00:00-05:00", faketime=now)
    assert later.returncode == 0, later.stderr


def moment_utc(text: str) -> str:
    from datetime import UTC, datetime

    return f"{datetime.fromisoformat(text).astimezone(UTC):%Y-%m-%d %H:%M}"
