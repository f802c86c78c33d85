"""Benchmark: importing a do-not-call registry of N numbers (10 million by default).

Generates a full-list file in the registry's layout (`AREACODE,NUMBER`, sorted by area code as the
FTC ships it) in a temporary folder, then measures, in the same run on the same machine:

  (a) bare sqlite3: `executemany` of the same numbers (already integers in memory) into a
      `WITHOUT ROWID` table with one INTEGER primary key, one row per statement: the floor any
      importer pays; measured with SQLite's default journal and with WAL + synchronous=FULL;
  (b) Dialdesk: `RegistryService.import_file` on a fresh migrated database, from the file
      (reading, parsing, validating every line, writing, snapshot, commit);
  (c) Dialdesk replacing that copy with a new full list (what a monthly re-download costs);
  (d) Dialdesk replacing one area code of that copy (a broker's monthly download of one area code).

Prints throughputs, the ratio (b)/(a) (target at least 2/3) and the database growth per million
numbers (target at most 15 MB). Usage: `python -m benchmarks.registry_import [--numbers N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop.domain.phones import area_code_region  # noqa: E402
from desktop.services.registry import RegistryImportReport, RegistryService  # noqa: E402
from desktop.storage.engine import make_engine  # noqa: E402
from desktop.storage.migrate import upgrade  # noqa: E402
from desktop.storage.uow import UnitOfWorkFactory  # noqa: E402

MB = 1024 * 1024


def generate(path: Path, count: int, seed: int = 2026) -> list[int]:
    """Write `count` distinct NANP numbers, sorted, as AREACODE,NUMBER lines; return them as integers."""
    rng = random.Random(seed)
    # About 330 area codes, like the US share of the plan; numbers spread over all their exchanges.
    # US ones only: a file imported as the national registry refuses Canadian or Caribbean area codes.
    us_codes = [
        code for code in range(201, 990) if code % 100 != 11 and area_code_region(code) in (None, "US")
    ]
    area_codes = sorted(rng.sample(us_codes, 330))
    share, extra = divmod(count, len(area_codes))
    numbers: list[int] = []
    with path.open("w", encoding="ascii", newline="\n") as stream:
        for index, area in enumerate(area_codes):
            wanted = share + (1 if index < extra else 0)
            # Local numbers 200-0000 .. 999-9999: exchanges start with 2-9.
            locals_ = sorted(rng.sample(range(2_000_000, 10_000_000), wanted))
            stream.write("".join(f"{area},{local}\n" for local in locals_))
            base = area * 10_000_000
            numbers.extend(base + local for local in locals_)
    return numbers


def file_size(path: Path) -> int:
    return sum(
        os.path.getsize(str(path) + suffix) for suffix in ("", "-wal") if os.path.exists(str(path) + suffix)
    )


def bare(path: Path, numbers: list[int], journal: str) -> float:
    """Seconds for the bare executemany of `numbers` into a WITHOUT ROWID table (one transaction)."""
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA journal_mode={journal}")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE numbers (number INTEGER PRIMARY KEY) WITHOUT ROWID")
    connection.commit()
    started = time.perf_counter()
    connection.executemany("INSERT INTO numbers (number) VALUES (?)", ((number,) for number in numbers))
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def checkpoint(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def run_bare(database: Path, numbers: list[int], journal: str) -> tuple[float, float]:
    """(seconds, MB per million) of the bare run into a new file, deleted afterwards."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    seconds = bare(database, numbers, journal)
    per_million = file_size(database) / MB / (len(numbers) / 1e6)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    return seconds, per_million


def run_ours(database: Path, registry: Path) -> tuple[float, int, RegistryImportReport]:
    """(seconds, bytes the database grew, report) of an import into a fresh migrated database."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    engine = make_engine("sqlite:///" + str(database))
    upgrade(engine)
    engine.dispose()
    checkpoint(database)
    before = file_size(database)
    engine = make_engine("sqlite:///" + str(database))
    service = RegistryService(UnitOfWorkFactory(engine), lambda: datetime.now(UTC))
    started = time.perf_counter()
    report = service.import_file(registry, "national")
    seconds = time.perf_counter() - started
    engine.dispose()
    checkpoint(database)
    return seconds, file_size(database) - before, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000_000, help="numbers in the registry file")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of (a) and (b)")
    parser.add_argument("--no-replace", action="store_true", help="skip the re-import (c)")
    parser.add_argument("--keep", type=Path, help="keep the generated file and database in this folder")
    args = parser.parse_args(argv)
    count = args.numbers

    with tempfile.TemporaryDirectory(prefix="dialdesk-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        registry = folder / "registry-full.txt"
        print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        started = time.perf_counter()
        numbers = generate(registry, count)
        print(
            f"generated {count:,} numbers ({registry.stat().st_size / MB:,.1f} MB file) "
            f"in {time.perf_counter() - started:,.1f} s"
        )

        # Rounds alternate the runs so that a busy machine slows all of them alike; best of each.
        bare_seconds: dict[str, list[float]] = {"delete": [], "wal": []}
        ours_seconds: list[float] = []
        database = folder / "dialdesk.db"
        for round_ in range(1, args.rounds + 1):
            for journal in ("delete", "wal"):
                seconds, per_million = run_bare(folder / f"bare-{journal}.db", numbers, journal)
                bare_seconds[journal].append(seconds)
                print(
                    f"[{round_}] (a) bare executemany, WITHOUT ROWID, journal={journal}: {seconds:,.1f} s, "
                    f"{count / seconds:,.0f} numbers/s, {per_million:,.2f} MB per million"
                )
            seconds, growth, report = run_ours(database, registry)
            ours_seconds.append(seconds)
            print(
                f"[{round_}] (b) RegistryService.import_file (fresh database): {seconds:,.1f} s, "
                f"{count / seconds:,.0f} numbers/s, total {report.total:,}, "
                f"rejected {report.rejected_count}, "
                f"growth {growth / MB / (count / 1e6):,.2f} MB per million"
            )
        del numbers
        best_bare = {journal: count / min(values) for journal, values in bare_seconds.items()}
        ours = count / min(ours_seconds)
        print(f"best of {args.rounds}:")
        for journal, rate in best_bare.items():
            print(f"    (a) bare, journal={journal}: {rate:,.0f} numbers/s")
        print(f"    (b) Dialdesk import:        {ours:,.0f} numbers/s")
        print(
            f"    ratio to the faster bare run: {ours / max(best_bare.values()):.2f}; "
            f"to bare with the same WAL journal: {ours / best_bare['wal']:.2f} (target >= 0.67)"
        )
        print(
            f"    database growth: {growth / MB:,.1f} MB = "
            f"{growth / MB / (count / 1e6):,.2f} MB per million (target <= 15)"
        )

        if not args.no_replace:
            # The next month's full list: 2% of the numbers gone, as many new ones.
            engine = make_engine("sqlite:///" + str(database))
            service = RegistryService(UnitOfWorkFactory(engine), lambda: datetime.now(UTC))
            lines = registry.read_text().splitlines()
            rng = random.Random(7)
            dropped = set(rng.sample(range(len(lines)), len(lines) // 50))
            kept = [line for index, line in enumerate(lines) if index not in dropped]
            fresh = sorted(
                {f"{rng.randrange(201, 990)},{rng.randrange(2_000_000, 10_000_000)}" for _ in dropped}
            )
            next_month = folder / "registry-next.txt"
            next_month.write_text("\n".join(kept + fresh) + "\n")
            del lines, kept
            started = time.perf_counter()
            again = service.import_file(next_month, "national")
            seconds = time.perf_counter() - started
            engine.dispose()
            checkpoint(database)
            print(
                f"(c) full re-import replacing the copy: {seconds:,.1f} s, "
                f"{again.total / seconds:,.0f} numbers/s (added {again.added:,}, removed {again.removed:,}); "
                f"database now {file_size(database) / MB:,.1f} MB"
            )
            replace_one_area_code(database, next_month, folder)
    return 0


def replace_one_area_code(database: Path, copy: Path, folder: Path) -> None:
    """(d) The monthly download of one area code into the whole copy: only that area code changes."""
    lines = copy.read_text().splitlines()
    first = lines[0].partition(",")[0]
    area = [line for line in lines if line.startswith(first + ",")]
    del lines
    single = folder / f"registry-{first}.txt"
    single.write_text("\n".join(area[: len(area) - len(area) // 50]) + "\n")
    engine = make_engine("sqlite:///" + str(database))
    service = RegistryService(UnitOfWorkFactory(engine), lambda: datetime.now(UTC))
    started = time.perf_counter()
    report = service.import_file(single, "national")
    seconds = time.perf_counter() - started
    engine.dispose()
    print(
        f"(d) one area code ({first}, {len(area):,} numbers) replaced in the copy: {seconds:,.2f} s "
        f"(removed {report.removed:,}; {report.total:,} numbers in all)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
