"""`dialdesk check` imports only what it needs: the window, the ORM, exports, reports stay out.

A command's start-up time is mostly imports (the issue's target: `check` from the bundle under 0.3 s),
so every module that one command eagerly drags in slows all of them. The check runs in a fresh
Python process through `desktop.cli.main`, on a database made beforehand (so no migration runs), and
what it loaded is read from `sys.modules`.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.services.workspace import open_workspace

# Whole packages or modules that no part of `dialdesk check` uses. On a database that needs nothing
# done at open, SQLAlchemy (Core and ORM) is not needed either: the rows are read with sqlite3.
NOT_NEEDED_BY_CHECK = (
    "sqlalchemy",
    "desktop.storage.models",
    "desktop.storage.uow",
    "desktop.services.workspace",
    "desktop.services.calling",
    "PySide6",
    "openpyxl",
    "yaml",
    "alembic",
    "desktop.ui",
    "desktop.exports",
    "desktop.speech",
    "desktop.telephony.baresip",
    "desktop.telephony.baresip_setup",
    "desktop.services.reports",
    "desktop.services.reports_figures",
    "desktop.services.reports_queries",
    "desktop.services.reports_rollups",
    "desktop.services.reports_tables",
    "desktop.services.registry_files",
    "desktop.services.registry_reports",
    "desktop.services.merge_records",
    "desktop.services.voicemail",
    "desktop.services.xlsx_guard",
    "desktop.services.audit",
    "desktop.services.leads",
    "desktop.services.scripts",
    "desktop.services.imports",
    "desktop.services.registry",
    "desktop.services.sip_call",
    "desktop.services.sip_settings",
    "desktop.services.merge",
    "desktop.services.meetings",
    "desktop.services.callbacks",
    "desktop.services.consent",
    "desktop.services.dnc",
    "desktop.services.scrub",
    "desktop.domain.scripts",
)

CHILD = """
import json, sys
from desktop.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded_by(argv: list[str]) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return int(found["code"]), list(found["modules"])


def unneeded(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_NEEDED_BY_CHECK)]


@pytest.fixture
def existing_db(tmp_path: Path) -> Path:
    db = tmp_path / "check.db"
    open_workspace(str(db)).close()  # created and migrated now, so the check itself runs no migration
    return db


@pytest.mark.parametrize("extra", [[], ["--json"], ["--kind", "business", "--at", "2026-03-03T10:00"]])
def test_check_loads_only_what_it_needs(existing_db: Path, extra: list[str]) -> None:
    code, modules = loaded_by(["--db", str(existing_db), "check", "+12125550134", *extra])
    assert code in (0, 1)  # the gate answered (allowed or blocked): the check really ran
    assert "desktop.services.quick_check" in modules and "desktop.domain.compliance" in modules
    assert unneeded(modules) == []


def test_a_database_to_upgrade_takes_the_usual_path(existing_db: Path) -> None:
    # The same check where opening must write (here: a lead without its hours key) loads the ORM:
    # the quick path stood aside, and the check above is not passing because it never looks.
    with sqlite3.connect(existing_db) as connection:
        connection.execute(
            "INSERT INTO leads (first_name, last_name, company, title, email, kind, kind_given, "
            "warmth, state, source, list_name, status, notes, identity_key, attempt_count, "
            "contact_count, due_reason, created_at, updated_at) VALUES ('A', 'B', '', '', '', "
            "'residential', 0, 'cold', '', '', '', 'new', '', '', 0, 0, 'new', "
            "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"
        )
    connection.close()
    code, modules = loaded_by(["--db", str(existing_db), "check", "+12125550134"])
    assert code in (0, 1)
    assert "sqlalchemy.orm" in modules and "desktop.services.calling" in modules


def test_the_import_check_sees_a_command_that_needs_more(existing_db: Path) -> None:
    # The same check run for `leads` export: it does load the services `check` must not, so the
    # assertion above is not passing because nothing is ever seen.
    code, modules = loaded_by(["--db", str(existing_db), "leads", "export", "--format", "csv"])
    assert code == 0
    assert "desktop.exports" in " ".join(unneeded(modules))
