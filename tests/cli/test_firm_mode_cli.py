"""`dialdesk scripts versions|approve` and `dialdesk settings show|set` run as a user runs them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_scripts_cli import dialdesk

SCRIPT = "question-led-discovery"


def counts(db: Path) -> tuple[int, int]:
    """How many script versions and history events the file holds."""
    connection = sqlite3.connect(db)
    try:
        versions = connection.execute("SELECT count(*) FROM script_versions").fetchone()[0]
        return versions, connection.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        connection.close()


def test_versions_is_a_read_command_that_writes_nothing(db_path: Path) -> None:
    assert dialdesk(db_path, "settings", "show").returncode == 0  # the database, made
    before = counts(db_path)
    for args in (("scripts", "versions", SCRIPT), ("scripts", "versions", SCRIPT, "--json")):
        listed = dialdesk(db_path, *args)
        assert listed.returncode == 0, listed.stderr
        assert counts(db_path) == before, f"{args} wrote a version or an event"
    assert json.loads(listed.stdout) == []
    assert dialdesk(db_path, "scripts", "versions", SCRIPT).stdout.strip() == (
        "the script's text now is not saved yet: it becomes version 1 when first used"
    )


def test_versions_approve_and_list_again(db_path: Path) -> None:
    listed = dialdesk(db_path, "scripts", "versions", SCRIPT)
    assert listed.returncode == 0, listed.stderr
    assert "becomes version 1" in listed.stdout
    approved = dialdesk(
        db_path,
        "scripts",
        "approve",
        SCRIPT,
        "--version",
        "1",
        "--by",
        "Jane Principal",
        "--note",
        "reviewed",
    )
    assert approved.returncode == 0, approved.stderr
    assert f"Version 1 of '{SCRIPT}' approved by Jane Principal" in approved.stdout
    [version] = json.loads(dialdesk(db_path, "scripts", "versions", SCRIPT, "--json").stdout)
    assert version["version"] == 1 and version["in_force"]
    assert [(a["by"], a["note"]) for a in version["approvals"]] == [("Jane Principal", "reviewed")]
    again = dialdesk(db_path, "scripts", "versions", SCRIPT).stdout
    assert "* v1" in again and "approved" in again and "not saved yet" not in again


def test_bad_approvals_and_settings_are_one_line_and_exit_2(db_path: Path) -> None:
    for args in (
        ("scripts", "approve", SCRIPT, "--version", "7", "--by", "Jane"),
        ("scripts", "approve", "nope", "--version", "1", "--by", "Jane"),
        ("scripts", "approve", SCRIPT, "--version", "0", "--by", "Jane"),
        ("scripts", "versions", "nope"),
        ("settings", "set", "caller_id", "555-01"),
        ("settings", "set", "caller_id", "+1 900 555 0199"),
        ("settings", "set", "callback_number", "+1 212 555 0100 x12"),
        ("settings", "set", "firm_mode", "maybe"),
        ("settings", "set", "no_such_key", "1"),
    ):
        result = dialdesk(db_path, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # argparse adds its usage line
    shown = json.loads(dialdesk(db_path, "settings", "show", "--json").stdout)
    assert shown["caller_id"] == "" and shown["firm_mode"] is False and shown["callback_number"] == ""


def test_settings_set_firm_mode_and_caller_id(db_path: Path) -> None:
    assert dialdesk(db_path, "settings", "set", "firm_mode", "on").returncode == 0
    done = dialdesk(db_path, "settings", "set", "caller_id", "+1 212 555 0100")
    assert done.returncode == 0, done.stderr
    shown = json.loads(dialdesk(db_path, "settings", "show", "--json").stdout)
    assert shown["firm_mode"] is True and shown["caller_id"] == "+1 212 555 0100"
    assert "firm mode: cannot be used on calls" in dialdesk(db_path, "scripts", "versions", SCRIPT).stdout
    assert dialdesk(db_path, "settings", "set", "firm_mode", "off").returncode == 0
    assert json.loads(dialdesk(db_path, "settings", "show", "--json").stdout)["firm_mode"] is False
