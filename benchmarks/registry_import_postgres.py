"""Benchmark: a do-not-call registry imported into PostgreSQL against a bare `COPY` of the same numbers.

Generates a full-list file in the registry's layout (`AREACODE,NUMBER`, sorted by area code; the
generator of benchmarks/registry_import.py), then measures on one PostgreSQL server, rounds
alternating so a busy machine slows both alike:

  (a) bare COPY: the same keys (slot * 10**10 + number, already integers in memory) written with one
      `COPY … FROM STDIN` into a new table shaped like `registry_numbers` (one BIGINT primary key),
      committed: the floor any importer pays;
  (b) Dialdesk: `RegistryService.import_file` into a fresh migrated database, from the file
      (reading, parsing, validating every line, writing, coverage, snapshot, commit).

Prints the best of each and the ratio (b)/(a) of their times (target at most 1.5).

    python -m benchmarks.registry_import_postgres [--numbers N] [--rounds R] [--url URL]

Without --url a throwaway server is started as the tests start one (tests/postgres_support.py); with
--url, a migrated database to use (the tables it writes are dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.registry_import import MB, generate  # noqa: E402
from desktop.services.registry import RegistryService  # noqa: E402
from desktop.storage.engine import make_engine  # noqa: E402
from desktop.storage.registry_store import SLOT_SPAN  # noqa: E402
from desktop.storage.uow import UnitOfWorkFactory  # noqa: E402


def bare_copy(url: str, keys: list[int]) -> float:
    """Seconds for one COPY of `keys` into a new one-column BIGINT primary-key table, committed."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bare_numbers")
                cursor.execute("CREATE TABLE bare_numbers (number_key BIGINT PRIMARY KEY)")
            driver.commit()
            started = time.perf_counter()
            with driver.cursor() as cursor, cursor.copy("COPY bare_numbers (number_key) FROM STDIN") as copy:
                copy.write("\n".join(map(str, keys)) + "\n")
            driver.commit()
            elapsed = time.perf_counter() - started
            with driver.cursor() as cursor:
                cursor.execute("DROP TABLE bare_numbers")
            driver.commit()
    finally:
        engine.dispose()
    return elapsed


def dialdesk_import(url: str, registry: Path) -> tuple[float, int]:
    """(seconds, numbers imported) of RegistryService.import_file into the database at `url`."""
    engine = make_engine(url)
    try:
        service = RegistryService(UnitOfWorkFactory(engine), lambda: datetime.now(UTC))
        started = time.perf_counter()
        report = service.import_file(registry, "national")
        return time.perf_counter() - started, report.total
    finally:
        engine.dispose()


@contextmanager
def databases(url: str | None) -> Iterator[tuple[object | None, str]]:
    """(server, url of a migrated database): the given one, or one on a throwaway server."""
    if url is not None:
        yield None, url
        return
    from tests.postgres_support import running_server

    with running_server() as server, server.database() as fresh:
        yield server, fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=2_000_000, help="numbers in the registry file")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of (a) and (b)")
    parser.add_argument("--url", help="a migrated PostgreSQL database (default: a throwaway server)")
    args = parser.parse_args(argv)
    if args.url is None:
        from tests.postgres_support import find_program

        if find_program("initdb") is None:
            print("skipped: needs PostgreSQL (apt-get install postgresql)")
            return 0
    with tempfile.TemporaryDirectory(prefix="dialdesk-bench-") as scratch:
        registry = Path(scratch) / "registry-full.txt"
        numbers = generate(registry, args.numbers)
        keys = [SLOT_SPAN + number for number in numbers]  # slot 1: the first import's
        del numbers
        print(
            f"{args.numbers:,} numbers ({registry.stat().st_size / MB:,.1f} MB file), {os.cpu_count()} CPUs"
        )
        bare: list[float] = []
        ours: list[float] = []
        with databases(args.url) as (server, url):
            for round_ in range(1, args.rounds + 1):
                bare.append(bare_copy(url, keys))
                print(f"[{round_}] (a) bare COPY into a BIGINT primary key: {bare[-1]:,.2f} s")
                if server is not None:
                    with server.database() as fresh:  # type: ignore[attr-defined]
                        seconds, total = dialdesk_import(fresh, registry)
                else:
                    seconds, total = dialdesk_import(url, registry)
                ours.append(seconds)
                print(f"[{round_}] (b) RegistryService.import_file: {seconds:,.2f} s ({total:,} numbers)")
    best_bare, best_ours = min(bare), min(ours)
    print(
        f"best of {args.rounds}: (a) {args.numbers / best_bare:,.0f} numbers/s,"
        f" (b) {args.numbers / best_ours:,.0f} numbers/s"
    )
    print(f"ratio (b)/(a) of the times: {best_ours / best_bare:.2f} (target <= 1.5)")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
