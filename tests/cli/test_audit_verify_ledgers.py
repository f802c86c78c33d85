# ruff: noqa: E501, F811
"""Review finding: `audit verify` does not compare the do-not-call list or the consents with the
history. An internal do-not-call entry deleted with plain sqlite3 (no trigger to drop: the table has
none) leaves a `dnc_add` event with no `dnc_remove`, the gate then allows the number, and verify says
"intact"; likewise a consent (which lets the gate call a registry-listed residential number) inserted
with plain SQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.cli.test_audit_verify import history  # noqa: F401
from tests.cli.test_scripts_cli import dialdesk
from tests.services.test_calling import calling, dialer, registry  # noqa: F401

NUMBER = "+12125550188"


def test_a_do_not_call_entry_deleted_outside_dialdesk_is_named(
    history: dict[str, int], db_path: Path
) -> None:  # noqa: F811
    assert dialdesk(db_path, "dnc", "add", NUMBER, "--reason", "asked to stop").returncode == 0
    assert dialdesk(db_path, "audit", "verify").returncode == 0
    sqlite3.connect(db_path).executescript(f"DELETE FROM dnc_entries WHERE number = '{NUMBER}';")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout


def test_a_consent_inserted_outside_dialdesk_is_named(history: dict[str, int], db_path: Path) -> None:  # noqa: F811
    sqlite3.connect(db_path).executescript(
        "INSERT INTO consents (lead_id, kind, given_on, evidence)"
        " SELECT id, 'written', '2026-11-30', 'forged' FROM leads LIMIT 1;"
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout


def test_a_consent_deleted_outside_dialdesk_is_named(
    history: dict[str, int], db_path: Path, db_url: str, clock: ManualClock
) -> None:  # noqa: F811
    lead = sqlite3.connect(db_path).execute("SELECT min(id) FROM leads").fetchone()[0]
    workspace = open_workspace(db_url, clock=clock)
    workspace.consent.add(lead, "written", clock().date(), "signed form 12")
    workspace.close()
    assert dialdesk(db_path, "audit", "verify").returncode == 0
    sqlite3.connect(db_path).executescript(f"DELETE FROM consents WHERE lead_id = {lead};")
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout
    assert f"lead #{lead}" in result.stderr


def test_a_do_not_call_entry_inserted_outside_dialdesk_is_named(
    history: dict[str, int], db_path: Path
) -> None:  # noqa: F811
    sqlite3.connect(db_path).executescript(
        "INSERT INTO dnc_entries (number, source, reason, added_at)"
        " SELECT '+12125550177', 'internal', 'forged', max(occurred_at) FROM events;"
    )
    result = dialdesk(db_path, "audit", "verify")
    assert result.returncode == 1, result.stdout
    assert "+12125550177" in result.stderr
