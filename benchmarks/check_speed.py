"""Benchmark: `dialdesk check NUMBER` from start to answer (target from the bundle: under 0.3 s).

Times a fresh process that runs `python -m desktop check +12125550134` on an existing database (made
beforehand: no migration runs), best and median of N runs, wall-clock and CPU (user + system) time,
and counts the modules it imported. Byte-code is written to a private cache on a warm-up run, as the
bundle ships compiled modules (this machine sets PYTHONDONTWRITEBYTECODE, which would otherwise add
the compilation of every module to every run).

Run: .venv/bin/python benchmarks/check_speed.py [--runs 15] [--exe dist/dialdesk/dialdesk]
     [--source DIR]  (DIR holds another copy of `desktop/`, e.g. an older commit's, to compare)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NUMBER = "+12125550134"
COUNT_MODULES = "import sys, runpy; sys.argv = ['dialdesk', *sys.argv[1:]]\n" + (
    "try:\n    runpy.run_module('desktop', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    "print('modules', len(sys.modules))"
)


def timed(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 0 allowed, 1 blocked: both are answers
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--exe", help="time this executable (the bundle) instead of `python -m desktop`")
    parser.add_argument("--source", help="a folder holding another `desktop/` package to time instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "check.db"
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        env["DIALDESK_DB"] = str(db)
        env["HOME"] = folder  # the log file and user data folder of a throw-away user
        if args.source:
            env["PYTHONPATH"] = str(Path(args.source).resolve())
        command = [str(Path(args.exe).resolve())] if args.exe else [sys.executable, "-m", "desktop"]
        command += ["check", NUMBER]
        # Run from the temporary folder: from the checkout, its `desktop/` would shadow --source.
        timed(command, env, folder)  # makes and migrates the database, and compiles the byte-code once
        timed(command, env, folder)
        walls, cpus = zip(*(timed(command, env, folder) for _ in range(args.runs)), strict=True)
        modules = ""
        if not args.exe:
            counted = subprocess.run(
                [sys.executable, "-c", COUNT_MODULES, "check", NUMBER],
                capture_output=True,
                text=True,
                env=env,
                cwd=folder,
            )
            modules = f", {counted.stdout.split()[-1]} modules imported"
    what = args.exe or ("python -m desktop" + (f" from {args.source}" if args.source else ""))
    print(
        f"dialdesk check ({what}): wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
        f"CPU best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s over {args.runs} runs"
        f"{modules} (target from the bundle < 0.3 s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
