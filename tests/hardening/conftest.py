"""Hardening fixtures: the real command line in a subprocess with its own data, state and log
folders; a small tmpfs (as root) to fill up or mount read-only; peeking into files as SQLite sees them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import at_moment, require_tool

PYTHON = sys.executable
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "leads-sample.csv"
# Tuesday 2026-12-01 18:00 UTC: 13:00 New York, 10:00 Los Angeles: inside everybody's calling hours.
CALL_TIME = "2026-12-01 18:00:00"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `dialdesk` run that keeps its data, backups and log under tmp_path."""
    return {
        **os.environ,
        "DIALDESK_DB": "",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
        "QT_QPA_PLATFORM": "offscreen",
    }


def log_path(tmp_path: Path) -> Path:
    """Where a run with `cli_env` logs (platformdirs' user log folder under XDG_STATE_HOME)."""
    return tmp_path / "state" / "dialdesk" / "log" / "dialdesk.log"


def run_cli(
    env: dict[str, str],
    db: Path | str,
    *args: str,
    faketime: str | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    command = [PYTHON, "-m", "desktop", "--db", str(db), *args]
    if faketime is not None:
        command, env = at_moment(faketime, command, env)
    return subprocess.run(
        command,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
    )


def query(db: Path, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def integrity(db: Path) -> str:
    return str(query(db, "PRAGMA integrity_check")[0][0])


@contextmanager
def tmpfs(size: str = "4m", mode: str = "rw") -> Iterator[Path]:
    """A fresh tmpfs of `size` (root only); yields its folder and unmounts it afterwards."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount = require_tool("mount", "mount")
    folder = Path(tempfile.mkdtemp(prefix="dialdesk-tmpfs-"))
    done = subprocess.run([mount, "-t", "tmpfs", "-o", f"size={size},{mode}", "tmpfs", str(folder)])
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)
