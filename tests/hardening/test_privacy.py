"""Local data is private: the database, backups, logs and exports are created user-only; the log
holds lead ids, never names or numbers; the SIP password lives in the keyring only."""

from __future__ import annotations

import csv
import logging
import os
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.logging_setup import PrivateRotatingFileHandler, RedactingFormatter, redact, redacted_traceback
from desktop.services.backup import BackupService
from desktop.services.workspace import open_workspace
from tests.conftest import at_moment
from tests.hardening.conftest import CALL_TIME, PYTHON, REPO, SAMPLE, log_path

SESSION = textwrap.dedent(
    """
    import sys
    from desktop.cli import main

    db, sample, bad = sys.argv[1:4]
    commands = [
        ["leads", "import", sample, "--list", "Spring"],
        ["record", "1", "no_answer", "--note", "Maria asked for Thursday, 212-555-0134"],
        ["record", "3", "callback", "--callback", "2026-12-02T10:00:00-05:00"],
        ["record", "6", "do_not_call"],
        ["dnc", "add", "(212) 555-0199", "--reason", "asked by Maria Lopez"],
        ["check", "+12125550134"],
        ["queue", "--limit", "5"],
        ["leads", "import", bad],
        ["record", "999", "no_answer"],
    ]
    for command in commands:
        sys.argv = ["dialdesk", "--db", db, *command]
        try:
            code = main()
        except SystemExit as stop:
            code = stop.code
        print("exit", command[0], code, file=sys.stderr)
    """
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sample_values() -> tuple[set[str], set[str]]:
    """The names, companies and e-mails of the sample list, and its numbers in the forms a log could show."""
    words: set[str] = set()
    numbers: set[str] = set()
    with SAMPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for key in ("First Name", "Last Name", "Company", "Email"):
                if len(row[key]) >= 4:
                    words.add(row[key])
            for key in ("Phone", "Mobile"):
                digits = "".join(ch for ch in row[key] if ch.isdigit())
                if len(digits) >= 7:
                    numbers.update({digits, digits[-7:], row[key]})
    return words, numbers


def test_a_session_of_imports_and_calls_logs_ids_not_names_or_numbers(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    driver = tmp_path / "session.py"
    driver.write_text(SESSION, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Email\nMaria Lopez,maria@lopezdental.example\n", encoding="utf-8")
    db = tmp_path / "private.db"
    command, env = at_moment(CALL_TIME, [PYTHON, str(driver), str(db), str(SAMPLE), str(bad)], cli_env)
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert "exit leads 0" in done.stderr and "exit record 0" in done.stderr, done.stderr
    log = log_path(tmp_path)
    text = log.read_text(encoding="utf-8")
    # The log is there and says what happened, by id.
    assert "lead 1: outcome no_answer recorded" in text
    assert "lead 3: outcome callback recorded" in text
    assert "import batch 1: 24 leads imported" in text
    assert "refused" in text or "dialdesk 0.1.0: leads" in text
    words, numbers = sample_values()
    leaked = sorted(value for value in words | numbers | {"212-555-0134", "555-0199"} if value in text)
    assert leaked == [], f"personal data in the log: {leaked}"
    # Private files: the log and its folder, the database and its WAL.
    assert mode(log) == 0o600 and mode(log.parent) == 0o700
    assert mode(db) == 0o600


def test_exports_backups_and_log_rotation_are_user_only(tmp_path: Path) -> None:
    workspace = open_workspace(str(tmp_path / "p.db"))
    workspace.imports.run(SAMPLE, list_name="Sample", region="US")
    backups = BackupService(workspace.url, tmp_path / "backups")
    backup = backups.back_up_now()
    workspace.close()
    assert mode(backup.path) == 0o600 and mode(backup.path.parent) == 0o700
    os.umask(0o022)
    export = tmp_path / "leads.csv"
    assert (
        main(["--db", str(tmp_path / "p.db"), "leads", "export", "--format", "csv", "--out", str(export)])
        == 0
    )
    assert mode(export) == 0o600

    (tmp_path / "logs").mkdir()
    handler = PrivateRotatingFileHandler(tmp_path / "logs" / "t.log", maxBytes=300, backupCount=2)
    handler.setFormatter(RedactingFormatter("%(message)s"))
    logger = logging.getLogger("dialdesk-rotation-test")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for index in range(40):
            logger.warning("line %d of the rotation test, call +1 212 555 %04d", index, index)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == 3 and all(mode(path) == 0o600 for path in files)
    assert "212 555" not in "".join(path.read_text() for path in files)


def test_redaction_masks_numbers_emails_and_quoted_values_but_keeps_ids_and_dates() -> None:
    assert (
        redact("lead 17: call 2043 at 2026-12-01T15:00:00+00:00")
        == "lead 17: call 2043 at 2026-12-01T15:00:00+00:00"
    )
    assert redact("dialled +1 (212) 555-0134 and 2125550199") == "dialled <number> and <number>"
    assert redact("wrote to maria@lopezdental.example") == "wrote to <email>"
    assert redact("KeyError: 'Maria Lopez'", quoted=True) == "KeyError: '…'"
    name, number = "Maria " + "Lopez", "212-555-" + "0134"
    try:
        raise ValueError(f"no lead named {name!r} at {number}")
    except ValueError as error:
        report = redacted_traceback(error)
    assert "Maria" not in report and "555-0134" not in report
    assert 'raise ValueError(f"no lead named {name!r}' in report  # the code line stays: it holds no data


def test_the_sip_password_goes_to_the_keyring_only(tmp_path: Path) -> None:
    keyring = pytest.importorskip("keyring")
    from desktop.services.sip_settings import SipSettings
    from tests.keyring_support import MemoryKeyring

    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    secret = "Zq7-unique-SIP-secret-41"
    try:
        workspace = open_workspace(str(tmp_path / "s.db"))
        settings = SipSettings(
            address="agent@pbx.example.com", caller_id_name="Harbor Advisors", caller_id_number="+12125550100"
        )
        assert workspace.sip_settings.save(settings, password=secret) is True
        backup = BackupService(workspace.url, tmp_path / "backups").back_up_now()
        stored = b"".join(path.read_bytes() for path in tmp_path.glob("s.db*"))
        workspace.close()
    finally:
        keyring.set_keyring(previous)
    assert secret in memory.passwords.values()
    assert secret.encode() not in stored
    assert secret.encode() not in backup.path.read_bytes()
