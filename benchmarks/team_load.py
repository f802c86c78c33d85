"""Team load: N agent processes against one PostgreSQL database, each taking and recording leads.

Each agent (its own process and connection) loops: take the next lead (`ClaimService.claim_next`,
FOR UPDATE SKIP LOCKED), record a random outcome as itself (do-not-call included), release.
The leads have distinct numbers: calls to a number another agent put on the list are not
exercised here. At the end the database is checked: no lead called twice (every outcome pushes
the lead past "now") and every outcome recorded once. Prints p50/p95 of
"next lead" and "record".

    .venv/bin/python benchmarks/team_load.py [--agents 20] [--leads-per-agent 500] [--url URL]
        [--list-size 1000000] [--pause-ms 2000]

Without --url a throwaway server is started (tests/postgres_support.py; needs `postgresql`).
The clock is fixed at a weekday morning in New York, so the leads are within calling hours.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import percentile  # noqa: E402

MOMENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York
OUTCOMES = ("no_answer", "busy", "voicemail", "not_interested", "do_not_call", "wrong_number")
AREAS = ("212", "646", "718", "917", "347", "929")


def write_list(path: Path, count: int) -> Path:
    lines = ["First Name,Last Name,Company,Phone,Type,State"]
    for n in range(count):
        area, rest = AREAS[n // 9000 % len(AREAS)], 1000 + n % 9000
        lines.append(f"A{n},B{n},Co {n},+1{area}555{rest:04d},business,NY")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def agent(
    url: str,
    name: str,
    leads: int,
    seed: int,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
    pause_s: float = 0.0,
) -> None:
    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    rng = random.Random(seed)
    workspace = open_workspace(url, clock=ManualClock(MOMENT))
    workspace.act_as(name)
    taking: list[float] = []
    recording: list[float] = []
    called: list[int] = []
    try:
        for _ in range(leads):
            start = time.perf_counter()
            claim = workspace.claims.claim_next(name)
            taken = time.perf_counter()
            if claim is None:
                break
            workspace.calling.record_outcome(claim.lead_id, rng.choice(OUTCOMES))
            workspace.claims.release(claim.lead_id, name)
            taking.append(taken - start)
            recording.append(time.perf_counter() - taken)
            called.append(claim.lead_id)
            if pause_s:
                time.sleep(rng.uniform(0.5, 1.5) * pause_s)  # the call itself, then the next lead
    finally:
        workspace.close()
    results.put((name, taking, recording, called))


def _ms(values: list[float]) -> str:
    if not values:
        return "no samples"
    return f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f} ms"


def _outcome_counts(url: str) -> tuple[int, int]:
    """(leads with more than one call, calls with an outcome) in the database now."""
    from sqlalchemy import text

    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    check = open_workspace(url, clock=ManualClock(MOMENT))
    try:
        with check.engine.connect() as connection:
            twice = connection.execute(
                text(
                    "SELECT count(*) FROM"
                    " (SELECT lead_id FROM attempts GROUP BY lead_id HAVING count(*) > 1) x"
                )
            ).scalar()
            outcomes = connection.execute(
                text("SELECT count(*) FROM attempts WHERE outcome IS NOT NULL")
            ).scalar()
    finally:
        check.close()
    return int(twice or 0), int(outcomes or 0)


def run(url: str, agents: int, per_agent: int, list_size: int | None = None, pause_s: float = 0.0) -> int:
    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    size = agents * per_agent if list_size is None else list_size
    with tempfile.TemporaryDirectory() as folder:
        admin = open_workspace(url, clock=ManualClock(MOMENT))
        try:
            started = time.perf_counter()
            if size:
                admin.imports.run(write_list(Path(folder) / "team.csv", size))
            print(f"imported {size:,} leads in {time.perf_counter() - started:.1f} s")
        finally:
            admin.close()
    twice_before, outcomes_before = _outcome_counts(url)  # a database given by --url may hold calls
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    processes = [
        multiprocessing.Process(target=agent, args=(url, f"agent{n}", per_agent, n, results, pause_s))
        for n in range(agents)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    taking = [value for _n, values, _r, _c in collected for value in values]
    recording = [value for _n, _t, values, _c in collected for value in values]
    called = [lead for _n, _t, _r, leads in collected for lead in leads]
    twice, outcomes = _outcome_counts(url)
    twice, outcomes = twice - twice_before, outcomes - outcomes_before
    print(f"{agents} agents, {len(called):,} leads called in {elapsed:.1f} s")
    print(f"next lead: {_ms(taking)}")
    print(f"record:    {_ms(recording)}")
    print(f"leads called twice: {twice}; outcomes recorded: {outcomes} of {len(called)}")
    print(f"load average at the end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    problems = twice or outcomes != len(called) or len(set(called)) != len(called)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--leads-per-agent", type=int, default=50)
    parser.add_argument("--url", help="a migrated PostgreSQL database to fill (default: a throwaway server)")
    parser.add_argument(
        "--list-size",
        type=int,
        help="leads to import first (default: agents x leads per agent; 0: use the leads already there)",
    )
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=0.0,
        help="each agent's time on a call between leads (mean; default 0: every agent takes leads flat out)",
    )
    args = parser.parse_args(argv)
    pause_s = args.pause_ms / 1000
    if args.url:
        return run(args.url, args.agents, args.leads_per_agent, args.list_size, pause_s)
    from tests.postgres_support import find_program, running_server

    if find_program("initdb") is None:
        print("skipped: needs PostgreSQL (sudo apt-get install postgresql)")
        return 0
    with running_server() as server, server.database() as url:
        return run(url, args.agents, args.leads_per_agent, args.list_size, pause_s)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
