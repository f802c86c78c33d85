"""Run the real `dialdesk` command line and measure its peak memory (the child's own ru_maxrss).

`os.wait4` reports the resources of exactly that child, not of every process the test run has
waited for. An address-space limit well above the budget keeps a regression from taking the
machine down with it: a run that hits it fails (MemoryError, or killed) instead of swapping.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.hardening.conftest import PYTHON, REPO

# Every hostile file must be handled within this (the bound for a desktop machine).
MEMORY_BUDGET_MB = 500
# The safety net: far above the budget, far below what would hurt the machine.
_ADDRESS_SPACE_LIMIT = 3 << 30


@dataclass(frozen=True)
class MeasuredRun:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float
    timed_out: bool


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE_LIMIT, _ADDRESS_SPACE_LIMIT))


def run_measured(env: dict[str, str], db: Path, *args: str, timeout: float = 120) -> MeasuredRun:
    """`python -m desktop --db DB ARGS…` with its exit code, output and peak resident memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [PYTHON, "-m", "desktop", "--db", str(db), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=REPO,
            preexec_fn=_limit_memory,
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            timed_out = not timer.is_alive()
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return MeasuredRun(
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            peak_mb=usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
            timed_out=timed_out,
        )


def assert_clean_refusal(run: MeasuredRun, *needles: str) -> None:
    """Exit 2, one line on stderr naming the problem, no traceback, within the memory budget."""
    assert not run.timed_out, "the command did not finish in time"
    assert run.peak_mb < MEMORY_BUDGET_MB, f"peak memory {run.peak_mb:.0f} MB"
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
