"""Run the real `dialdesk` command line and measure its peak memory.

The peak is the child's own VmHWM, read by the child itself as it exits (an atexit hook in a small
launcher): VmHWM belongs to the memory of the program after exec. (ru_maxrss would not do: Linux
carries the RSS of the forking process, here the whole test run, over into the child's figure.)
An address-space limit well above the budget keeps a regression from taking the machine down with
it: a run that hits it fails (MemoryError, or killed) instead of swapping.
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


# `python -m desktop …`, plus a hook that writes the peak resident memory (KiB) to $DIALDESK_PEAK_FILE.
_LAUNCHER = """
import atexit, os, sys

def _write_peak():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["DIALDESK_PEAK_FILE"], "w") as out:
        out.write(peak)

atexit.register(_write_peak)
sys.argv[0] = "dialdesk"
from desktop.cli import main
sys.exit(main())
"""


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
    with (
        tempfile.TemporaryDirectory() as folder,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        peak_file = Path(folder) / "peak"
        process = subprocess.Popen(
            [PYTHON, "-c", _LAUNCHER, "--db", str(db), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**env, "DIALDESK_PEAK_FILE": str(peak_file)},
            cwd=REPO,
            preexec_fn=_limit_memory,
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _pid, status = os.waitpid(process.pid, 0)
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
            # No figure when the child was killed before its exit hook ran: count it as over any budget.
            peak_mb=int(peak_file.read_text()) / 1024 if peak_file.exists() else float("inf"),
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
