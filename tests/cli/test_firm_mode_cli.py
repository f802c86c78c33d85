"""`dialdesk scripts versions|approve` and `dialdesk settings show|set` run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_scripts_cli import dialdesk

SCRIPT = "question-led-discovery"


def test_versions_approve_and_list_again(db_path: Path) -> None:
    listed = dialdesk(db_path, "scripts", "versions", SCRIPT)
    assert listed.returncode == 0, listed.stderr
    assert "* v1" in listed.stdout and "not approved" in listed.stdout
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
