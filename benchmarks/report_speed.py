"""Benchmark: supervisor reports over 1,000,000 attempts.

Targets: the JSON report under 2 s, the PDF report (figures, tables and five charts) under 10 s.
Seeds a database of 60,000 leads, 8 agents and a year of calls with bulk inserts (about a minute;
the report summaries are built once at the end, as a merge builds them), then times
`dialdesk report --format json` and `--format pdf` the way the CLI runs them.
Run: .venv/bin/python benchmarks/report_speed.py [--attempts N] [--db PATH] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.services.workspace import open_workspace  # noqa: E402
from desktop.storage.bulk import bulk_insert  # noqa: E402
from desktop.storage.models import (  # noqa: E402
    Agent,
    Attempt,
    Callback,
    Lead,
    Meeting,
    Phone,
    ScriptAnswer,
)
from desktop.storage.rollups import rebuild, rule_flags, summaries_deferred  # noqa: E402

FIRST_DAY = date(2025, 12, 1)
DAYS = 365
ZONES = (
    ("America/New_York", "NY", "212"),
    ("America/Chicago", "IL", "312"),
    ("America/Denver", "CO", "303"),
    ("America/Los_Angeles", "CA", "415"),
    ("America/Phoenix", "AZ", "602"),
    ("Pacific/Honolulu", "HI", "808"),
)
OUTCOMES = (
    ("no_answer", 45),
    ("voicemail", 20),
    ("busy", 5),
    ("gatekeeper", 10),
    ("not_interested", 8),
    ("callback", 5),
    ("meeting", 2),
    ("wrong_number", 2),
    ("do_not_call", 1),
    ("hostile", 2),
)
BLOCKED = (("calling_hours", 60), ("dnc_national", 25), ("dnc_internal", 10), ("state_rule", 5))
LISTS = ("Chamber list", "Trade fair", "Referrals", "Web inquiries")
BATCH = 20_000


def _record(zone: str, state: str, local: str, codes: list[str]) -> str:
    return json.dumps(
        {
            "reasons": [{"code": code, "detail": f"{code}: refused by the gate"} for code in codes],
            "notes": [] if codes else [{"code": "b2b_exemption", "detail": "business number: exempt"}],
            "time_zones": [zone],
            "local_times": [f"{zone} {local}"],
            "states": [state],
            "registry": {"national": {"as_of": "2025-11-20", "id": 3, "count": 244000000}},
            "automated": False,
            "prerecorded": False,
        }
    )


def _insert(connection: object, model: type, rows: list[dict[str, object]]) -> None:
    """bulk_insert with every column that has a Python-side default filled in (it inserts them all)."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    fill = {}
    for column in table.columns:
        if column.name in rows[0] or column.default is None:
            continue
        fill[column.name] = column.default.arg if column.default.is_scalar else None
    for name in [n for n, v in fill.items() if v is None]:
        fill[name] = datetime(2025, 11, 30, tzinfo=UTC)  # callable defaults here are all utcnow
    bulk_insert(connection, model, [{**fill, **row} for row in rows])  # type: ignore[arg-type]


def seed(path: Path, attempts: int, seed_value: int = 11) -> dict[str, int]:
    """Fill a fresh database with leads, phones and `attempts` calls; returns the row counts."""
    rng = random.Random(seed_value)
    workspace = open_workspace(str(path))
    engine = workspace.engine
    leads_count = max(1, attempts * 6 // 100)
    outcome_codes = [code for code, weight in OUTCOMES for _ in range(weight)]
    blocked = [code for code, weight in BLOCKED for _ in range(weight)]
    created = datetime(2025, 11, 30, tzinfo=UTC)
    flags = rule_flags(workspace.calling.outcome_rules)
    with engine.begin() as connection:
        # A benchmark database need not survive a power cut: skip the fsync per transaction.
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        with summaries_deferred(connection, flags):
            agents = [{"id": n, "name": f"Agent {n}", "created_at": created} for n in range(1, 9)]
            _insert(connection, Agent, agents)
            lead_rows, phone_rows = [], []
            for lead_id in range(1, leads_count + 1):
                zone, state, area = ZONES[lead_id % len(ZONES)]
                lead_rows.append(
                    {
                        "id": lead_id,
                        "first_name": f"First{lead_id}",
                        "last_name": f"Last{lead_id}",
                        "company": f"Company {lead_id // 3}",
                        "kind": "business" if lead_id % 2 else "residential",
                        "warmth": "cold",
                        "state": state,
                        "list_name": LISTS[lead_id % len(LISTS)],
                        "status": "active",
                        "identity_key": f"first{lead_id}last{lead_id}|company{lead_id // 3}",
                        "hours_key": f"{zone}|{state}",
                        "owner_agent_id": 1 + lead_id % 8,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                phone_rows.append(
                    {
                        "id": lead_id,
                        "lead_id": lead_id,
                        "position": 0,
                        "raw": f"({area}) 555-{lead_id % 10000:04d}",
                        "e164": f"+1{area}{2000000 + lead_id:07d}",
                        "number_type": "fixed_line_or_mobile",
                        "region": "US",
                        "time_zones": zone,
                        "valid": True,
                    }
                )
            for start in range(0, len(lead_rows), BATCH):
                _insert(connection, Lead, lead_rows[start : start + BATCH])
                _insert(connection, Phone, phone_rows[start : start + BATCH])
            rows: list[dict[str, object]] = []
            callbacks, meetings, answers = [], [], []
            base = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC)
            attempt_id = 0
            # Day by day in time order, as calls are really written: ids grow with started_at.
            for day in range(DAYS):
                per_day = attempts // DAYS + (1 if day < attempts % DAYS else 0)
                offsets = sorted(rng.randrange(11 * 3_600_000_000) for _ in range(per_day))
                for offset in offsets:
                    attempt_id += 1
                    lead_id = rng.randint(1, leads_count)
                    zone, state, area = ZONES[lead_id % len(ZONES)]
                    started = base + timedelta(days=day, hours=13, microseconds=offset)
                    allowed = rng.random() >= 0.05
                    outcome = rng.choice(outcome_codes) if allowed and rng.random() < 0.99 else None
                    duration = (
                        float(rng.randint(60, 900))
                        if outcome in {"meeting", "callback", "not_interested"}
                        else float(rng.randint(5, 45))
                        if outcome
                        else None
                    )
                    agent_id = 1 + (lead_id + attempt_id % 3) % 8
                    rows.append(
                        {
                            "id": attempt_id,
                            "lead_id": lead_id,
                            "phone_id": lead_id,
                            "number": f"+1{area}{2000000 + lead_id:07d}",
                            "agent_id": agent_id,
                            "backend": "manual",
                            "allowed": allowed,
                            "reasons": _record(
                                zone, state, "10:15", [] if allowed else [rng.choice(blocked)]
                            ),
                            "started_at": started,
                            "ended_at": started + timedelta(seconds=duration)
                            if duration is not None
                            else None,
                            "duration_s": duration,
                            "outcome": outcome,
                            "note": "",
                        }
                    )
                    if outcome == "callback":
                        due = started + timedelta(days=2)
                        done = (
                            due + timedelta(minutes=rng.choice((5, 20, 300))) if rng.random() < 0.8 else None
                        )
                        callbacks.append(
                            {
                                "lead_id": lead_id,
                                "agent_id": agent_id,
                                "due_at": due,
                                "done_at": done,
                                "created_at": started,
                                "agent_only": False,
                                "note": "",
                            }
                        )
                    elif outcome == "meeting":
                        meetings.append(
                            {
                                "lead_id": lead_id,
                                "agent_id": agent_id,
                                "starts_at": started + timedelta(days=7),
                                "where": "Their office",
                                "created_at": started,
                            }
                        )
                    if outcome is not None and attempt_id % 40 == 0:
                        answers.append(
                            {
                                "lead_id": lead_id,
                                "script_name": "question-led-discovery",
                                "stage_id": "open",
                                "question_id": "pain",
                                "kind": "text",
                                "value": "growth",
                                "label": "",
                                "answered_at": started,
                                "agent_id": agent_id,
                                "attempt_id": attempt_id,
                            }
                        )
                    if len(rows) >= BATCH:
                        _insert(connection, Attempt, rows)
                        rows = []
            _insert(connection, Attempt, rows)
            for table, batch_rows in ((Callback, callbacks), (Meeting, meetings), (ScriptAnswer, answers)):
                for start in range(0, len(batch_rows), BATCH):
                    _insert(connection, table, batch_rows[start : start + BATCH])
    # No ANALYZE: users' databases have no statistics, and the report's plans must not need them.
    workspace.close()
    return {
        "leads": leads_count,
        "attempts": attempt_id,
        "callbacks": len(callbacks),
        "meetings": len(meetings),
    }


# `dialdesk` with the report and merge commands, whether or not desktop/cli.py lists them yet.
RUNNER = """
import sys
import desktop.cli as cli
from desktop.commands import merge, report
cli.COMMAND_MODULES = tuple(dict.fromkeys((*cli.COMMAND_MODULES, report, merge)))
raise SystemExit(cli.main(sys.argv[1:]))
"""


def timed_command(db: Path, *args: str) -> float:
    """Wall time of `dialdesk --db DB report ARGS` in a fresh process (interpreter start included)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIALDESK_DB": ""}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, "--db", str(db), "report", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"dialdesk report {' '.join(args)} failed: {result.stderr.strip()}")
    return elapsed


def timed_build(db: Path, flt: object, runs: int = 3) -> tuple[float, float]:
    """Best wall and CPU seconds of building the figures in this process (no interpreter start)."""
    from desktop.services.reports import report_service_for

    workspace = open_workspace(str(db))
    try:
        service = report_service_for(workspace)
        best = (float("inf"), float("inf"))
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            json.dumps(service.build(flt).to_json())  # type: ignore[arg-type]
            best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
        return best
    finally:
        workspace.close()


def rebuild_time(db: Path) -> float:
    """Seconds to work out every report summary again from the calls (rolled back afterwards)."""
    workspace = open_workspace(str(db))
    try:
        flags = rule_flags(workspace.calling.outcome_rules)
        with workspace.engine.connect() as connection:
            start = time.perf_counter()
            with connection.begin() as transaction:
                rebuild(connection, flags)
                elapsed = time.perf_counter() - start
                transaction.rollback()
        return elapsed
    finally:
        workspace.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse (or create) this database instead of a temporary one")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()
    from desktop.services.reports import ReportFilter

    folder = Path(tempfile.mkdtemp(prefix="dialdesk-report-bench-"))
    db = args.db or folder / "report.db"
    if not db.exists():
        start = time.perf_counter()
        counts = seed(db, args.attempts)
        print(f"seeded {counts} in {time.perf_counter() - start:.0f} s ({db.stat().st_size / 1e6:,.0f} MB)")
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    period = ("--from", FIRST_DAY.isoformat(), "--to", last.isoformat())
    cores = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {cores} CPUs, load average {load:.1f}")
    wall, cpu = timed_build(db, ReportFilter(FIRST_DAY, last))
    print(f"figures of the year, in process: {wall:.2f} s wall, {cpu:.2f} s CPU")
    json_s = min(
        timed_command(db, *period, "--format", "json", "--out", str(folder / "r.json")) for _ in range(3)
    )
    print(f"JSON report over {args.attempts:,} attempts: {json_s:.2f} s (target: under 2 s)")
    pdf_out = folder / "report.pdf"
    pdf_s = min(timed_command(db, *period, "--format", "pdf", "--out", str(pdf_out)) for _ in range(2))
    size = pdf_out.stat().st_size
    print(f"PDF report over {args.attempts:,} attempts: {pdf_s:.2f} s (target: under 10 s), {size:,} bytes")
    agent_s = timed_command(db, *period, "--agent", "Agent 3", "--out", str(folder / "a.json"))
    print(f"JSON report of the year, one agent (per-lead figures read from the calls): {agent_s:.2f} s")
    print(
        f"rebuilding the report summaries (after an upgrade or new outcome rules): {rebuild_time(db):.1f} s"
    )
    week = ("--from", "2026-03-02", "--to", "2026-03-08")
    narrow = timed_command(
        db, *week, "--agent", "Agent 3", "--list", "Referrals", "--out", str(folder / "w.json")
    )
    print(f"JSON report of one week, one agent, one list: {narrow:.2f} s")
    if args.keep or args.db is not None:
        print(f"database kept: {db}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
