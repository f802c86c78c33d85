"""Benchmark: appending one history event in the outcome path (target under 50 µs).

Times `append_event` with an outcome's payload inside an open transaction that already holds the
write lock (as in CallingService.record_outcome, where the call and the lead were just changed):
canonical JSON, the head lookup, SHA-256 and the INSERT. The commit is not counted: the outcome
commits anyway, and the event rides in the same commit.
Usage: `python benchmarks/event_append.py [--events N]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop.storage.engine import make_engine  # noqa: E402
from desktop.storage.events import append_event  # noqa: E402
from desktop.storage.migrate import upgrade  # noqa: E402
from desktop.storage.models import Agent  # noqa: E402
from desktop.storage.uow import UnitOfWorkFactory  # noqa: E402

MOMENT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'append.db'}")
        upgrade(engine)
        uow_factory = UnitOfWorkFactory(engine)
        timings: list[float] = []
        with uow_factory() as uow:
            uow.session.add(Agent(name="Alex"))  # a write: the transaction holds the lock from here
            uow.session.flush()
            for index in range(args.events):
                payload = {
                    "call": index,
                    "lead": index // 3,
                    "outcome": "no_answer",
                    "note": "",
                    "duration_s": 31.5,
                    "dnc_added": [],
                    "status": "active",
                }
                began = time.perf_counter()
                append_event(uow.session, "outcome", payload, MOMENT + timedelta(seconds=index), "Alex")
                timings.append(time.perf_counter() - began)
            uow.commit()
        engine.dispose()
    timings.sort()
    median = statistics.median(timings) * 1e6
    p95 = timings[int(len(timings) * 0.95)] * 1e6
    print(f"append_event: median {median:.1f} µs, 95th percentile {p95:.1f} µs; target < 50 µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
