"""Killing Dialdesk (SIGKILL) while it records outcomes or imports a big list loses no outcome it had
confirmed and leaves no half import; the database passes `PRAGMA integrity_check` afterwards."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.conftest import at_moment
from tests.hardening.conftest import CALL_TIME, PYTHON, REPO, SAMPLE, integrity, query

# Business leads of the sample list in New York and California: callable at CALL_TIME, no state limit.
LEADS = (1, 3, 4)
# The kill moments are drawn from this seed ($DIALDESK_TEST_SEED to replay a failure); it is printed, so
# a failing run's output names it.
DEFAULT_SEED = 20261201

DRIVER = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    from desktop.services.calling import GateRefused
    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace

    clock = ManualClock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    workspace = open_workspace(sys.argv[1], clock=clock)
    leads = [int(x) for x in sys.argv[2].split(",")]
    while True:
        for lead in leads:
            clock.advance(seconds=5)
            try:
                result = workspace.calling.record_outcome(lead, "no_answer", note="crash test")
            except GateRefused as refused:
                print(json.dumps({"blocked": refused.attempt_id}), flush=True)
            else:
                # Printed only once record_outcome returned: the outcome is committed.
                print(json.dumps({"attempt": result.attempt_id}), flush=True)
    """
)


@pytest.fixture
def rng() -> random.Random:
    seed = int(os.environ.get("DIALDESK_TEST_SEED", DEFAULT_SEED))
    print(f"kill moments drawn with DIALDESK_TEST_SEED={seed}")
    return random.Random(seed)


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    db = tmp_path / "crash.db"
    workspace = open_workspace(str(db), clock=ManualClock(datetime_at_call_time()))
    workspace.imports.run(SAMPLE, list_name="Sample", region="US")
    workspace.save_settings(
        type(workspace.current_settings())(**{**vars(workspace.current_settings()), "attempt_target": 100})
    )
    workspace.close()
    return db


def datetime_at_call_time():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.fromisoformat(CALL_TIME).replace(tzinfo=UTC)


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """A process in its own session, so the kill takes its children (import workers) too."""
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = process.communicate(timeout=30)
    return out, err


def read_lines(process: subprocess.Popen[str], count: int, timeout_s: float) -> list[str]:
    """The first `count` lines the process prints (fewer if it stops or the time runs out)."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    os.set_blocking(process.stdout.fileno(), True)
    while len(lines) < count and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
    return lines


def confirmed_attempts(lines: list[str]) -> list[int]:
    ids = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the line the kill cut in half was never confirmed
        ids.append(record.get("attempt") or record.get("attempt_id"))
    return [value for value in ids if value]


def test_outcomes_confirmed_before_a_kill_are_all_there(
    sample_db: Path, cli_env: dict[str, str], rng: random.Random
) -> None:
    driver = sample_db.parent / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    confirmed: list[int] = []
    for _round in range(3):
        process = start([PYTHON, str(driver), str(sample_db), ",".join(map(str, LEADS))], cli_env)
        first = read_lines(process, 1, 60)
        assert first, process.stderr.read() if process.stderr else ""
        time.sleep(rng.uniform(0.05, 0.6))  # kill at a random moment, most likely inside a transaction
        out, _err = kill(process)
        lines = first + out.splitlines(keepends=True)
        assert not any('"blocked"' in line for line in lines)
        confirmed += confirmed_attempts(lines)
        assert integrity(sample_db) == "ok"
    assert len(confirmed) > 10
    stored = dict(query(sample_db, "SELECT id, outcome FROM attempts WHERE note = 'crash test'"))
    missing = [attempt for attempt in confirmed if stored.get(attempt) != "no_answer"]
    assert missing == []
    # At most the one outcome being committed at the kill is there without having been printed.
    assert len(stored) - len(set(confirmed)) <= 3
    # Every lead's counter matches its calls: no outcome is half applied.
    for lead_id, count in query(sample_db, "SELECT id, attempt_count FROM leads WHERE id IN (1, 3, 4)"):
        calls = query(
            sample_db, "SELECT count(*) FROM attempts WHERE lead_id = ? AND outcome IS NOT NULL", (lead_id,)
        )
        assert calls[0][0] == count
    assert query(sample_db, "PRAGMA foreign_key_check") == []


def test_record_command_killed_in_a_loop(
    sample_db: Path, cli_env: dict[str, str], rng: random.Random
) -> None:
    loop = (
        f'while :; do "{PYTHON}" -m desktop --db "{sample_db}" '
        "record 1 no_answer --note 'cli crash test' --json || exit 9; done"
    )
    # libfaketime reaches the loop's Python through the environment (the shell itself is unaffected).
    command, env = at_moment(CALL_TIME, ["/bin/sh", "-c", loop], cli_env)
    process = start(command, env)
    first = read_lines(process, 2, 90)
    assert len(first) == 2, process.stderr.read() if process.stderr else ""
    time.sleep(rng.uniform(0.0, 1.0))
    out, err = kill(process)
    confirmed = confirmed_attempts(first + out.splitlines(keepends=True))
    assert len(confirmed) >= 2, err
    stored = dict(query(sample_db, "SELECT id, outcome FROM attempts WHERE note = 'cli crash test'"))
    assert all(stored.get(attempt) == "no_answer" for attempt in confirmed)
    assert integrity(sample_db) == "ok"


def write_big_list(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Company", "Phone", "State", "Notes"])
        for index in range(rows):
            area = (212, 415, 312, 617, 206)[index % 5]
            writer.writerow(
                [
                    f"First{index}",
                    f"Last{index}",
                    f"Company {index}",
                    f"({area}) {200 + index // 10000 % 700:03d}-{index % 10000:04d}",
                    "NY",
                    "note " * 8,
                ]
            )


# Tries at landing a kill inside the import before the test gives up and fails (not passes).
IMPORT_KILL_TRIES = 4


def test_an_import_killed_midway_is_absent_never_half_applied(
    sample_db: Path, cli_env: dict[str, str], rng: random.Random
) -> None:
    big = sample_db.parent / "big.csv"
    rows = 30_000
    write_big_list(big, rows)
    before = query(sample_db, "SELECT count(*) FROM leads")[0][0]
    pristine = sample_db.read_bytes()
    landed = 0
    for attempt in range(IMPORT_KILL_TRIES):
        db = sample_db.parent / f"try-{attempt}.db"
        db.write_bytes(pristine)
        db.chmod(0o600)
        if kill_an_import(db, big, before, rows, cli_env, rng):
            landed += 1
            break
    assert landed, f"no kill landed inside the import in {IMPORT_KILL_TRIES} tries: the test proved nothing"


def kill_an_import(
    db: Path, big: Path, before: int, rows: int, cli_env: dict[str, str], rng: random.Random
) -> bool:
    """Kill an import of `big` into `db` while it writes; check the database; True when the kill landed
    before the import had finished (False: it finished first, and all of it is there)."""
    wal = Path(str(db) + "-wal")
    process = start(
        [PYTHON, "-m", "desktop", "--db", str(db), "leads", "import", str(big), "--json"], cli_env
    )
    # Wait until the import is writing (its uncommitted pages spill into the WAL), then kill it.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            break
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.3))
    finished_before_the_kill = process.poll() is not None
    out, err = kill(process)
    assert integrity(db) == "ok"
    after = query(db, "SELECT count(*) FROM leads")[0][0]
    batches = query(db, "SELECT count(*) FROM import_batches")[0][0]
    if out.strip():  # it finished before the kill: then all of it is there
        assert after == before + rows, err
    else:
        assert after in (before, before + rows), f"half an import: {after - before} of {rows} leads"
    assert batches == (1 if after == before else 2)
    assert query(db, "SELECT count(*) FROM phones WHERE lead_id NOT IN (SELECT id FROM leads)") == [(0,)]
    # The killed import leaves a database the next import can use.
    done = subprocess.run(
        [PYTHON, "-m", "desktop", "--db", str(db), "leads", "import", str(SAMPLE), "--json"],
        capture_output=True,
        text=True,
        env=cli_env,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return not finished_before_the_kill and not out.strip()


if sys.platform == "win32":  # pragma: no cover - SIGKILL and sessions are POSIX
    pytestmark = pytest.mark.skip("POSIX signals")
