"""The suite never touches the real user's folders: the autouse fixture in conftest.py moves them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.logging_setup import log_folder
from desktop.paths import default_database_path
from tests.conftest import REAL_DATA_HOME, REAL_STATE_HOME, USER_FOLDER_VARIABLES


def test_every_user_folder_is_inside_the_test(tmp_path: Path) -> None:
    for name in USER_FOLDER_VARIABLES:
        assert Path(os.environ[name]).is_relative_to(tmp_path), name
    assert log_folder().is_relative_to(tmp_path)
    assert default_database_path().is_relative_to(tmp_path)
    assert "DIALDESK_DB" not in os.environ and "DIALDESK_LOG_DIR" not in os.environ


def test_a_command_run_as_a_user_runs_it_writes_nothing_to_the_real_folders(tmp_path: Path) -> None:
    """The real entry point sets up its log and opens its default database: both land in the test's
    folders, and nothing of that process is in the real ~/.local/state/dialdesk log (other programs,
    another test run for one, may write there meanwhile: the check is on this process's own lines)."""
    real_log = REAL_STATE_HOME / "dialdesk" / "log" / "dialdesk.log"
    real_database = REAL_DATA_HOME / "dialdesk" / "dialdesk.db"
    database_before = real_database.stat().st_mtime_ns if real_database.exists() else None
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "queue"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    own_line = f"[{process.pid}]: dialdesk "
    assert own_line in (log_folder() / "dialdesk.log").read_text()
    assert default_database_path().is_file()
    if real_log.exists():
        assert own_line not in real_log.read_text(errors="replace")
    assert (real_database.stat().st_mtime_ns if real_database.exists() else None) == database_before
