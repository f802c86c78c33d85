"""Team load: N agent processes against one PostgreSQL database, each taking and recording leads.

Each agent (its own process and connection) loops: take the next lead (`ClaimService.claim_next`,
FOR UPDATE SKIP LOCKED), record a random outcome as itself (do-not-call included), release.
Every tenth pair of leads shares one number (a switchboard), side by side in the list, so two agents
take them at once: a do-not-call one records must stop the other's dial (the gate refuses it at the
record, or the queue no longer offers it). At the end the database is checked: no lead called twice
(every outcome pushes the lead past "now"), every outcome recorded once, and no call allowed to a
number after the call that put it on the list. Prints p50/p95 of "next lead" (the call to
`claim_next` until it returns) and "record" (`record_outcome`, then `release` when the outcome's
commit did not end the claim, as `record --agent` does), measured in the
agent's process, with the server's CPU and the load average seen.

Two modes, each printed under its label. Flat out (`--mode flat`), every agent takes its next lead
the moment it has recorded: on a small machine N agent processes then measure CPU starvation more
than the server. Paced (`--mode paced`) models a team: a lead is taken, the call lasts a random
`--talk` time (default 0.5-2 s; a person takes over 20 s a lead), its outcome is recorded, repeat.

    .venv/bin/python benchmarks/team_load.py [--agents 20] [--leads-per-agent 500] [--url URL]
        [--list-size 1000000] [--mode flat|paced|both] [--talk 0.5-2]

Without --url a throwaway server is started (tests/postgres_support.py; needs `postgresql`).
The clock is fixed at a weekday morning in New York, so the leads are within calling hours.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import percentile  # noqa: E402
from benchmarks.server_cpu import CpuSampler, server_pid  # noqa: E402

MOMENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York
OUTCOMES = ("no_answer", "busy", "voicemail", "not_interested", "do_not_call", "wrong_number")
AREAS = ("212", "646", "718", "917", "347", "929")


def write_list(path: Path, count: int) -> Path:
    """`count` New York businesses; lead n and n + 1 share one number whenever n % 10 == 0."""
    lines = ["First Name,Last Name,Company,Phone,Type,State"]
    for n in range(count):
        number = n - 1 if n % 10 == 1 else n  # the pair (10k, 10k + 1): one switchboard
        area, rest = AREAS[number // 9000 % len(AREAS)], 1000 + number % 9000
        lines.append(f"A{n},B{n},Co {n},+1{area}555{rest:04d},business,NY")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def agent(
    url: str,
    name: str,
    leads: int,
    seed: int,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
    talk_s: tuple[float, float] | None = None,
    ready: Any = None,
    go: Any = None,
) -> None:
    """Take, (talk,) record and release `leads` leads; put (name, next lead s, record s, lead ids).

    `talk_s` (shortest, longest): paced, as a person works: the lead is on screen and the call goes
    on for a random time in that range before its outcome is recorded. None: flat out."""
    from desktop.services.calling import GateRefused
    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    rng = random.Random(seed)
    workspace = open_workspace(url, clock=ManualClock(MOMENT))
    workspace.act_as(name)
    if ready is not None and go is not None:
        # Every agent's window is open before the first call: starting 20 Python processes (imports,
        # the schema check) is not what a lead's latency measures.
        ready.release()
        go.wait()
    taking: list[float] = []
    recording: list[float] = []
    called: list[int] = []
    refused: list[int] = []
    try:
        for _ in range(leads):
            start = time.perf_counter()
            claim = workspace.claims.claim_next(name)
            if claim is None:
                break
            taking.append(time.perf_counter() - start)
            if talk_s is not None:
                time.sleep(rng.uniform(*talk_s))
            start = time.perf_counter()
            try:
                recorded = workspace.calling.record_outcome(claim.lead_id, rng.choice(OUTCOMES))
            except GateRefused:
                # Its number went on the list (another agent's do-not-call) since it was taken.
                workspace.claims.release(claim.lead_id, name)
                refused.append(claim.lead_id)
                continue
            if not recorded.claim_ended:  # as `record --agent` does
                workspace.claims.release(claim.lead_id, name)
            recording.append(time.perf_counter() - start)
            called.append(claim.lead_id)
    finally:
        workspace.close()
    results.put((name, taking, recording, called, refused))


def _ms(values: list[float]) -> str:
    if not values:
        return "no samples"
    return f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f} ms"


# Calls allowed to a number after the call whose do-not-call outcome put it on the firm's list (the
# dial locks order decisions on one number, so call ids follow them).
_CALLS_AFTER_DO_NOT_CALL = (
    "SELECT count(*) FROM attempts a JOIN"
    " (SELECT number, min(id) AS put_on FROM attempts WHERE outcome = 'do_not_call' GROUP BY number) d"
    " ON a.number = d.number AND a.id > d.put_on WHERE a.allowed"
)


def _outcome_counts(url: str) -> tuple[int, int, int]:
    """(leads with more than one call allowed, calls with an outcome, calls allowed to a number after
    it was put on the list) in the database now."""
    from sqlalchemy import text

    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    check = open_workspace(url, clock=ManualClock(MOMENT))
    try:
        with check.engine.connect() as connection:
            twice = connection.execute(
                text(
                    "SELECT count(*) FROM"
                    " (SELECT lead_id FROM attempts WHERE allowed GROUP BY lead_id HAVING count(*) > 1) x"
                )
            ).scalar()
            outcomes = connection.execute(
                text("SELECT count(*) FROM attempts WHERE outcome IS NOT NULL")
            ).scalar()
            after_list = connection.execute(text(_CALLS_AFTER_DO_NOT_CALL)).scalar()
    finally:
        check.close()
    return int(twice or 0), int(outcomes or 0), int(after_list or 0)


def import_leads(url: str, size: int) -> None:
    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    with tempfile.TemporaryDirectory() as folder:
        admin = open_workspace(url, clock=ManualClock(MOMENT))
        try:
            started = time.perf_counter()
            admin.imports.run(write_list(Path(folder) / "team.csv", size))
            print(f"imported {size:,} leads in {time.perf_counter() - started:.1f} s")
        finally:
            admin.close()


def run_agents(url: str, agents: int, per_agent: int, talk_s: tuple[float, float] | None) -> bool:
    """One mode's run, printed under its label; True when no lead was called twice or lost."""
    label = (
        f"PACED: {agents} agents, each call {talk_s[0]:g}-{talk_s[1]:g} s between taking and recording"
        if talk_s is not None
        else f"FLAT OUT: {agents} agents taking leads back to back (CPU-bound on a small machine)"
    )
    prefix = "paced" if talk_s is not None else "agent"
    twice_before, outcomes_before, after_before = _outcome_counts(url)  # --url may hold calls already
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    ready, go = multiprocessing.Semaphore(0), multiprocessing.Event()
    processes = [
        multiprocessing.Process(
            target=agent, args=(url, f"{prefix}{n}", per_agent, n, results, talk_s, ready, go)
        )
        for n in range(agents)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started_cpu = _children_cpu_s()  # (what the agents spent opening their workspaces is left out)
    with CpuSampler(server_pid(url)) as sampler:
        go.set()
        collected = [results.get() for _ in processes]
        for process in processes:
            process.join()
        seen = sampler.seen()
    taking = [value for _n, values, _r, _c, _f in collected for value in values]
    recording = [value for _n, _t, values, _c, _f in collected for value in values]
    called = [lead for _n, _t, _r, leads, _f in collected for lead in leads]
    refused = [lead for _n, _t, _r, _c, leads in collected for lead in leads]
    # Each agent's first lead runs its process's first statements (SQLAlchemy compiles each statement
    # once per process, psycopg learns the types): a window pays this once a day, so it is shown apart.
    first_taking = [values[0] for _n, values, _r, _c, _f in collected if values]
    first_recording = [values[0] for _n, _t, values, _c, _f in collected if values]
    later_taking = [value for _n, values, _r, _c, _f in collected for value in values[1:]]
    later_recording = [value for _n, _t, values, _c, _f in collected for value in values[1:]]
    twice, outcomes, after_list = _outcome_counts(url)
    twice, outcomes = twice - twice_before, outcomes - outcomes_before
    after_list -= after_before
    print(f"== {label}")
    print(f"   {len(called):,} leads called")
    print(f"   next lead: {_ms(taking)}")
    print(f"   record:    {_ms(recording)}")
    print(
        f"   each agent's first lead (a new process's first statements): next lead {_ms(first_taking)};"
        f" record {_ms(first_recording)}"
    )
    print(f"   after each agent's first lead: next lead {_ms(later_taking)}; record {_ms(later_recording)}")
    print(f"   leads called twice: {twice}; outcomes recorded: {outcomes} of {len(called)}")
    print(
        f"   refused at the record (the number went on the list after the lead was taken): {len(refused)};"
        f" calls allowed to a number after it went on the list: {after_list}"
    )
    agents_cpu = _children_cpu_s() - started_cpu
    per_lead_ms = agents_cpu / max(1, len(called)) * 1000
    print(f"   agent processes' CPU {agents_cpu:.1f} s ({per_lead_ms:.0f} ms a lead)")
    if seen is not None:
        print(f"   {seen.line()}")
    return not (twice or after_list or outcomes != len(called) or len(set(called)) != len(called))


def _children_cpu_s() -> float:
    """User + system CPU of this process's ended children (the agents, once joined)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(
    url: str,
    agents: int,
    per_agent: int,
    list_size: int | None = None,
    modes: tuple[tuple[float, float] | None, ...] = (None,),
) -> int:
    size = agents * per_agent * len(modes) if list_size is None else list_size
    if size:
        import_leads(url, size)
    good = [run_agents(url, agents, per_agent, talk_s) for talk_s in modes]
    return 0 if all(good) else 1


def _talk_range(text: str) -> tuple[float, float]:
    shortest, _, longest = text.partition("-")
    try:
        low, high = float(shortest), float(longest or shortest)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds as MIN-MAX, e.g. 0.5-2") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 <= MIN <= MAX seconds")
    return low, high


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
        "--mode",
        choices=("flat", "paced", "both"),
        default="flat",
        help="flat: every agent takes leads back to back; paced: a call's time between taking a lead "
        "and recording it (--talk); both: flat, then paced, each printed under its label",
    )
    parser.add_argument(
        "--talk",
        type=_talk_range,
        default=(0.5, 2.0),
        metavar="MIN-MAX",
        help="paced mode: seconds between taking a lead and recording it, random in this range "
        "(default 0.5-2; a person takes over 20 s a lead)",
    )
    args = parser.parse_args(argv)
    paced = args.talk
    modes = {"flat": (None,), "paced": (paced,), "both": (None, paced)}[args.mode]
    if args.url:
        return run(args.url, args.agents, args.leads_per_agent, args.list_size, modes)
    from tests.postgres_support import find_program, running_server

    if find_program("initdb") is None:
        print("skipped: needs PostgreSQL (sudo apt-get install postgresql)")
        return 0
    with running_server() as server, server.database() as url:
        return run(url, args.agents, args.leads_per_agent, args.list_size, modes)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
