"""Benchmark: one dial-gate decision with N registry numbers (10 million by default) and every
jurisdiction's rules loaded.

Builds, once, a database with a national registry of N numbers in real US area codes (written with
sqlite3's executemany straight into the registry tables, in key order: about a million rows a
second) and keeps it in the temporary folder for the next run (`--cache PATH` names another file,
`--db PATH` uses a database made otherwise, e.g. by `dialdesk dnc import`). Then times, in process,
many calls of

    RegistryLookup.sources_for(e164)  +  desktop.domain.compliance.decide(facts, rules)

for numbers half on the list and half not, each for a lead in a different state, DC, territory or
province in turn (so hours per weekday, holidays, caps, state lists and country rows are all
exercised), and prints the median and 95th percentile of the lookup, of the decision and of both
together (target: median of both under 20 µs).
Usage: `python -m benchmarks.gate_decision [--numbers N] [--calls C] [--cache PATH | --db PATH]`.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop.domain.compliance import DialFacts, decide  # noqa: E402
from desktop.domain.compliance_rules import RuleBook  # noqa: E402
from desktop.domain.phones import area_code_zones, exchange_zones, number_states  # noqa: E402
from desktop.services.registry import RegistryLookup  # noqa: E402
from desktop.services.rules import shipped_rulebook  # noqa: E402
from desktop.storage.engine import make_engine  # noqa: E402
from desktop.storage.migrate import LATEST_REVISION, upgrade  # noqa: E402
from desktop.storage.registry_store import SLOT_SPAN  # noqa: E402

# 2026-12-01T15:00Z: 10:00 in New York, inside the calling window, so decide() runs every rule.
MOMENT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def us_area_codes(rules: RuleBook) -> list[int]:
    """The area codes phonenumbers places in a US state, DC or a territory (about 330)."""
    found = []
    for code in range(200, 1000):
        states = number_states(f"+1{code}5550100")
        rows = [rules.state(name) for name in states]
        if rows and all(row is not None and row.country == "US" for row in rows):
            found.append(code)
    return found


def build(database: Path, count: int, area_codes: list[int], seed: int = 2026) -> None:
    """A migrated database whose national copy covers `area_codes` with `count` listed numbers.

    Benchmark only: the rows go in with sqlite3's executemany, in key order (appends to the b-tree's
    right edge), without a journal; the app's import path is measured by benchmarks/registry_import.py.
    """
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine("sqlite:///" + str(partial))
    upgrade(engine)
    engine.dispose()
    rng = random.Random(seed)
    as_of = (MOMENT.date() - timedelta(days=3)).isoformat()
    slot = 1
    connection = sqlite3.connect(partial)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        snapshot = connection.execute(
            "INSERT INTO registry_snapshots (source, kind, file_name, as_of, imported_at, added, removed, "
            "total, rejected, slot) VALUES ('national', 'full', 'benchmark', ?, ?, ?, 0, ?, 0, ?)",
            (as_of, MOMENT.replace(tzinfo=None).isoformat(sep=" "), count, count, slot),
        ).lastrowid
        connection.execute(
            "INSERT INTO registry_sources (name, slot, count, as_of, snapshot_id) "
            "VALUES ('national', ?, ?, ?, ?)",
            (slot, count, as_of, snapshot),
        )
        share, extra = divmod(count, len(area_codes))
        for index, area in enumerate(area_codes):
            wanted = share + (1 if index < extra else 0)
            connection.execute(
                "INSERT INTO registry_coverage (source, area_code, as_of, count, snapshot_id) "
                "VALUES ('national', ?, ?, ?, ?)",
                (area, as_of, wanted, snapshot),
            )
            base = slot * SLOT_SPAN + area * 10_000_000
            # Local numbers 200-0000 .. 999-9999: exchanges start with 2-9.
            keys = sorted(rng.sample(range(2_000_000, 10_000_000), wanted))
            connection.executemany(
                "INSERT INTO registry_numbers (number_key) VALUES (?)", ((base + key,) for key in keys)
            )
    connection.close()
    partial.rename(database)


def listed_sample(database: Path, wanted: int, rng: random.Random, area_codes: list[int]) -> list[int]:
    """National numbers on the registry: the first listed number from random points of the key range."""
    connection = sqlite3.connect(database)
    found = []
    for _ in range(wanted):
        start = SLOT_SPAN + rng.choice(area_codes) * 10_000_000 + rng.randrange(2_000_000, 10_000_000)
        row = connection.execute(
            "SELECT number_key FROM registry_numbers WHERE number_key >= ? LIMIT 1", (start,)
        ).fetchone()
        if row is not None and row[0] < 2 * SLOT_SPAN:
            found.append(row[0] - SLOT_SPAN)
    connection.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--db", type=Path, help="a database with a national registry already loaded")
    parser.add_argument("--cache", type=Path, help="where the built database is kept between runs")
    args = parser.parse_args(argv)
    rng = random.Random(11)
    rules = shipped_rulebook()
    area_codes = us_area_codes(rules)

    # Named by the schema revision too: a database built by an older schema is not reused.
    default = Path(tempfile.gettempdir()) / f"dialdesk-gate-{args.numbers}-{LATEST_REVISION}.db"
    database = args.db or args.cache or default
    if args.db is None and not database.exists():
        started = time.perf_counter()
        build(database, args.numbers, area_codes)
        size = database.stat().st_size / 1e6
        print(f"built {args.numbers:,} numbers in {time.perf_counter() - started:.1f} s ({size:,.0f} MB)")
    print(f"database: {database}")
    listed = listed_sample(database, args.calls // 2, rng, area_codes)
    engine = make_engine("sqlite:///" + str(database))
    lookup = RegistryLookup(engine)
    as_of: dict[str, date | None] = {
        source: info.as_of for source, info in lookup.snapshots_in_force(MOMENT).items()
    }
    # Fresh copies of every state list, so leads of those states are decided in full.
    as_of |= {rule.list_source: MOMENT.date() for rule in rules.states.values() if rule.list_source}
    states = sorted(rules.states)
    # Half the calls ask for listed numbers (when known), half for random New York numbers.
    samples = [
        listed[(index // 2) % len(listed)]
        if listed and index % 2 == 0
        else 2120000000 + rng.randrange(2_000_000, 10_000_000)
        for index in range(args.calls)
    ]
    del listed
    numbers = [f"+1{number}" for number in samples]
    for number in numbers[:200]:  # warm the page cache and the code paths
        lookup.sources_for(number)

    lookups: list[float] = []
    decisions: list[float] = []
    both: list[float] = []
    hits = 0
    clock = time.perf_counter_ns
    for index, number in enumerate(numbers):
        start = clock()
        sources = lookup.sources_for(number)
        middle = clock()
        facts = DialFacts(
            number=number,
            valid=True,
            time_zones=area_code_zones(number),
            at=MOMENT,
            lead_kind="residential",
            lead_state=states[index % len(states)],
            number_region="US",
            number_states=number_states(number),
            registry_sources=sources,
            registry_as_of=as_of,
            exchange_zones=exchange_zones(number),
        )
        decide(facts, rules)
        end = clock()
        hits += bool(sources)
        lookups.append((middle - start) / 1000)
        decisions.append((end - middle) / 1000)
        both.append((end - start) / 1000)
    lookup.close()
    engine.dispose()

    print(f"{len(numbers):,} calls, {hits:,} numbers listed")
    for name, values in (("sources_for", lookups), ("decide", decisions), ("both", both)):
        print(
            f"{name:>12}: median {statistics.median(values):6.1f} µs, "
            f"p95 {percentile(values, 0.95):6.1f} µs, p99 {percentile(values, 0.99):6.1f} µs"
        )
    print(f"{len(rules.states)} jurisdictions and {len(rules.countries)} country row(s) loaded")
    print("target: median of both under 20 µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
