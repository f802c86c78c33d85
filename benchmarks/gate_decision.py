"""Benchmark: one dial-gate decision with N registry numbers (10 million by default) and every
jurisdiction's rules loaded.

Loads a national registry of N numbers through `RegistryService.import_file` (or reuses a database
made by an earlier run with `--db`), then times, in process, many calls of

    RegistryLookup.sources_for(e164)  +  desktop.domain.compliance.decide(facts, rules)

for numbers half on the list and half not, each for a lead in a different state, DC, territory or
province in turn (so hours per weekday, holidays, caps, state lists and country rows are all
exercised), and prints the median and 95th percentile of the lookup, of the decision and of both
together (target: median of both under 20 µs).
Usage: `python -m benchmarks.gate_decision [--numbers N] [--calls C] [--db PATH]`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.registry_import import generate  # noqa: E402
from desktop.domain.compliance import DialFacts, decide  # noqa: E402
from desktop.domain.phones import area_code_zones, exchange_zones, number_states  # noqa: E402
from desktop.services.registry import RegistryLookup, RegistryService  # noqa: E402
from desktop.services.rules import shipped_rulebook  # noqa: E402
from desktop.storage.engine import make_engine  # noqa: E402
from desktop.storage.migrate import upgrade  # noqa: E402
from desktop.storage.uow import UnitOfWorkFactory  # noqa: E402

# 2026-12-01T15:00Z: 10:00 in New York, inside the calling window, so decide() runs every rule.
MOMENT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def load(database: Path, count: int, folder: Path) -> list[int]:
    registry = folder / "registry-full.txt"
    numbers = generate(registry, count)
    engine = make_engine("sqlite:///" + str(database))
    upgrade(engine)
    service = RegistryService(UnitOfWorkFactory(engine), lambda: MOMENT)
    started = time.perf_counter()
    service.import_file(registry, "national", as_of=MOMENT.date() - timedelta(days=3))
    print(f"loaded {count:,} numbers in {time.perf_counter() - started:,.1f} s")
    engine.dispose()
    registry.unlink()
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--db", type=Path, help="a database with a national registry already loaded")
    args = parser.parse_args(argv)
    rng = random.Random(11)

    with tempfile.TemporaryDirectory(prefix="dialdesk-gate-") as scratch:
        if args.db is not None:
            database = args.db
            listed: list[int] = []
        else:
            database = Path(scratch) / "dialdesk.db"
            listed = load(database, args.numbers, Path(scratch))
        engine = make_engine("sqlite:///" + str(database))
        lookup = RegistryLookup(engine)
        rules = shipped_rulebook()
        as_of: dict[str, date | None] = {
            source: info.as_of for source, info in lookup.snapshots_in_force(MOMENT).items()
        }
        # Fresh copies of every state list, so leads of those states are decided in full.
        as_of |= {rule.list_source: MOMENT.date() for rule in rules.states.values() if rule.list_source}
        states = sorted(rules.states)
        # Half the calls ask for listed numbers (when known), half for random New York numbers.
        samples = [
            listed[rng.randrange(len(listed))]
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
