"""Benchmark: choosing the next lead with 1,000,000 leads and 5,000,000 attempts in the database.

Target: median under 20 ms (the service call the window and `dialdesk queue` use: the queue's
index lookups, the calling-hours keys and the gate's check of the lead it offers).
Run: .venv/bin/python benchmarks/next_lead_service.py [--leads N] [--attempts N]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import describe_ms  # noqa: E402

ZONES = [
    ("212", "America/New_York"),
    ("312", "America/Chicago"),
    ("415", "America/Los_Angeles"),
    ("602", "America/Phoenix"),
    ("808", "Pacific/Honolulu"),
]


def seed(db: Path, leads: int, attempts: int) -> None:
    """Fill a migrated database through plain sqlite3 (fast), shaped like a list worked for weeks."""
    rng = random.Random(5)
    now = datetime(2026, 12, 1, 17, 0)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous=OFF")
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.000000")
    connection.execute("INSERT INTO agents (id, name, created_at) VALUES (1, 'Bench', ?)", (stamp,))
    lead_rows = []
    phone_rows = []
    for lead_id in range(1, leads + 1):
        area, zone = ZONES[lead_id % len(ZONES)]
        worked = lead_id % 3 == 0
        due = (
            (now + timedelta(hours=rng.randint(-48, 72))).strftime("%Y-%m-%d %H:%M:%S.000000")
            if worked
            else None
        )
        lead_rows.append(
            (
                lead_id,
                f"F{lead_id}",
                f"L{lead_id}",
                f"Co {lead_id}",
                "business",
                "cold",
                "active" if worked else "new",
                rng.randint(1, 12) if worked else 0,
                due,
                "retry" if worked else "new",
                f"{zone}|",
                stamp,
                stamp,
            )
        )
        phone_rows.append((lead_id, f"+1{area}{5550000 + lead_id % 10000:07d}", zone))
    connection.executemany(
        "INSERT INTO leads (id, first_name, last_name, company, kind, warmth, status, attempt_count,"
        " next_due_at, due_reason, hours_key, created_at, updated_at, title, email, kind_given, state,"
        " source, list_name, notes, identity_key, contact_count)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'','',1,'','','bench','','',0)",
        lead_rows,
    )
    connection.executemany(
        "INSERT INTO phones (lead_id, position, label, raw, e164, number_type, time_zones, valid, region)"
        " VALUES (?, 0, 'Phone', '', ?, 'fixed_line_or_mobile', ?, 1, 'US')",
        phone_rows,
    )
    batch = []
    for attempt_id in range(1, attempts + 1):
        lead_id = rng.randint(1, leads)
        started = (now - timedelta(minutes=rng.randint(60, 60 * 24 * 40))).strftime(
            "%Y-%m-%d %H:%M:%S.000000"
        )
        batch.append((attempt_id, lead_id, f"+1{lead_id}", started, "no_answer"))
        if len(batch) == 200_000:
            connection.executemany(
                "INSERT INTO attempts (id, lead_id, number, agent_id, backend, allowed, reasons, started_at,"
                " outcome, note) VALUES (?, ?, ?, 1, 'manual', 1, '{}', ?, ?, '')",
                batch,
            )
            batch = []
    if batch:
        connection.executemany(
            "INSERT INTO attempts (id, lead_id, number, agent_id, backend, allowed, reasons, started_at,"
            " outcome, note) VALUES (?, ?, ?, 1, 'manual', 1, '{}', ?, ?, '')",
            batch,
        )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=5_000_000)
    parser.add_argument("--picks", type=int, default=200)
    args = parser.parse_args()
    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "next.db"
        open_workspace(str(db)).close()  # create and migrate
        started = time.perf_counter()
        seed(db, args.leads, args.attempts)
        seconds = time.perf_counter() - started
        print(f"seeded {args.leads:,} leads and {args.attempts:,} attempts in {seconds:.0f} s")
        clock = ManualClock(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
        workspace = open_workspace(str(db), clock=clock)
        timings = []
        for index in range(args.picks):
            clock.advance(seconds=20)
            started = time.perf_counter()
            lead_id = workspace.leads.next_lead_id(exclude=())
            timings.append(time.perf_counter() - started)
            if lead_id is None:
                print("no lead offered")
                return 1
            if index == 0:
                print(f"first pick: lead #{lead_id}")
        print(f"choosing the next lead: {describe_ms(timings)} (target: median < 20 ms)")
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
