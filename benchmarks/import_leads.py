"""Benchmark: importing a generated 100,000-row call list, against a bare phonenumbers loop.

Target: the import takes at most 1.5x the time of a loop that only reads the same file and parses and
validates the same numbers with phonenumbers; peak memory of the import under 500 MB.
Run: .venv/bin/python benchmarks/import_leads.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import phonenumbers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import generate_call_list  # noqa: E402


def bare_loop(path: Path) -> tuple[float, int]:
    """Read the CSV and parse + validate every phone cell; nothing else."""
    start = time.perf_counter()
    valid = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            for cell in (row[4], row[5]):
                if not cell:
                    continue
                try:
                    number = phonenumbers.parse(cell, "US")
                except phonenumbers.NumberParseException:
                    continue
                valid += phonenumbers.is_valid_number(number)
    return time.perf_counter() - start, valid


def import_in_child(path: Path, db: Path) -> dict[str, float]:
    """Run the real import in a fresh process, so its peak memory is its own."""
    code = f"""
import json, resource, time
from desktop.services.workspace import open_workspace
ws = open_workspace({str(db)!r})
start = time.perf_counter()
report = ws.imports.run({str(path)!r})
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "imported": report.imported,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "helper_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = generate_call_list(Path(folder) / "list.csv", args.rows)
        bare_loop(path)  # warm the phonenumbers metadata and the file cache
        bare_seconds, valid = bare_loop(path)
        result = import_in_child(path, Path(folder) / "bench.db")
    ratio = result["seconds"] / bare_seconds
    print(f"rows: {args.rows:,} (valid numbers: {valid:,})")
    print(f"bare parse+validate loop: {bare_seconds:.2f} s")
    print(f"dialdesk leads import:     {result['seconds']:.2f} s ({int(result['imported']):,} leads)")
    print(f"ratio: {ratio:.2f}x (target <= 1.5x)")
    print(f"import peak memory: {result['peak_mb']:.0f} MB (target < 500 MB)")
    # The phone-parsing helper process (desktop/services/parse_ahead.py) runs beside the import.
    print(f"parse helper peak memory: {result['helper_peak_mb']:.0f} MB (together under 500 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
