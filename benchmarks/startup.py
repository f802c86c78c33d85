"""Benchmark: from starting the program to a usable main window (target with 100,000 leads: under 1 s).

Starts a fresh Python process that opens the database, builds and shows the window on the offscreen
platform; the time is measured from outside, spawn included. Two moments are reported:
  usable       the window is shown with the first lead the queue offers (or the page saying why
               none can be called now): Space calls it, the outcome keys work;
  queue filled the queue list on the left and its counts have been read (just after the first show).
Wall-clock times on a shared machine measure the wait for a core too, so the CPU time the process
had used when usable (its own clock) and the CPU time of the whole run (spawn to exit) are printed too.

Run: .venv/bin/python benchmarks/startup.py [--leads N] [--runs N] [--source DIR] [--db FILE]
     (--source: a folder holding another copy of `desktop/`, e.g. an older commit's, to compare)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import generate_call_list  # noqa: E402

CHILD = """
import sys, time
from desktop.services.workspace import open_workspace
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow
workspace = open_workspace(sys.argv[1])
app = make_application([])
window = MainWindow(workspace)
window.resize(1440, 900)
window.show()
# The window has run start(): it shows the first callable lead (or says why none can be called now).
print("usable", time.time(), time.process_time(), flush=True)
while getattr(window, "startup_pending", False):  # older versions read the queue before the show
    app.processEvents()
print("queue", time.time(), time.process_time(), flush=True)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", help="a folder holding another `desktop/` package to time instead")
    parser.add_argument(
        "--db", type=Path, help="start on a copy of this database instead of a generated list"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(QT_QPA_PLATFORM="offscreen", PYTHONPYCACHEPREFIX=str(Path(folder) / "pycache"))
        if args.source:
            env["PYTHONPATH"] = str(Path(args.source).resolve())
        db = Path(folder) / "startup.db"
        if args.db:
            shutil.copyfile(args.db, db)
        elif args.leads:
            csv_path = generate_call_list(Path(folder) / "l.csv", args.leads)
            prepare = (
                "from desktop.services.workspace import open_workspace; "
                f"open_workspace({str(db)!r}).imports.run({str(csv_path)!r})"
            )
            subprocess.run([sys.executable, "-c", prepare], check=True, env=env, cwd=folder)
        usable, filled, usable_cpu, cpu = [], [], [], []
        for run in range(args.runs + 1):  # the first run compiles the byte-code: not counted
            started, cpu_before = time.time(), _children_cpu()
            output = subprocess.run(
                [sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True, env=env, cwd=folder
            )
            moments = {
                line.split()[0]: [float(value) for value in line.split()[1:]]
                for line in output.stdout.splitlines()
                if line.startswith(("usable ", "queue "))
            }
            if "queue" not in moments:
                print(output.stdout, output.stderr)
                return 1
            if run:
                usable.append(moments["usable"][0] - started)
                filled.append(moments["queue"][0] - started)
                usable_cpu.append(moments["usable"][1])
                cpu.append(_children_cpu() - cpu_before)
    what = f" from {args.source}" if args.source else ""
    leads = f"database {args.db.name}" if args.db else f"{args.leads:,} leads"
    print(
        f"start to a usable window{what} ({leads}): median {statistics.median(usable):.2f} s, "
        f"min {min(usable):.2f} s (CPU used by then: median {statistics.median(usable_cpu):.2f} s); "
        f"queue list filled: median {statistics.median(filled):.2f} s; CPU of the whole run: median "
        f"{statistics.median(cpu):.2f} s over {args.runs} runs; load {os.getloadavg()[0]:.1f} "
        "(target < 1 s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
