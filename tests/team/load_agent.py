"""One scripted agent of the load tests, run as its own process: take the next lead, record a random
outcome as itself, and append each acknowledged outcome (the service returned) to a file, one line
`lead_id attempt_id outcome`, flushed to disk before the next lead is taken. A step that fails
because the server went away is tried again once the server answers; the run ends when `leads`
outcomes are acknowledged or nothing is callable.

    python -m tests.team.load_agent URL NAME LEADS SEED ACK_FILE
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.conftest import README_MOMENT

OUTCOMES = ("no_answer", "busy", "voicemail", "not_interested", "do_not_call", "wrong_number")
GIVE_UP_AFTER_S = 120.0  # a server away this long is a failed run, not a reason to hang


def main(url: str, name: str, leads: int, seed: int, ack_file: Path) -> int:
    rng = random.Random(seed)
    workspace = open_workspace(url, clock=ManualClock(README_MOMENT))
    workspace.act_as(name)
    acknowledged = 0
    lost_at: float | None = None
    reconnects = 0
    with ack_file.open("a", encoding="utf-8") as acks:
        try:
            while acknowledged < leads:
                try:
                    claim = workspace.claims.claim_next(name)
                    if claim is None:
                        break
                    result = workspace.calling.record_outcome(claim.lead_id, rng.choice(OUTCOMES))
                except DBAPIError as error:
                    if not (error.connection_invalidated or "connection" in str(error).lower()):
                        raise
                    lost_at = lost_at if lost_at is not None else time.monotonic()
                    if time.monotonic() - lost_at > GIVE_UP_AFTER_S:
                        raise
                    time.sleep(0.2)  # the server is restarting: try the same step again
                    continue
                if lost_at is not None:
                    reconnects += 1
                    lost_at = None
                acks.write(f"{result.lead_id} {result.attempt_id} {result.outcome}\n")
                acks.flush()
                os.fsync(acks.fileno())
                acknowledged += 1
        finally:
            workspace.close()
    print(f"{name}: {acknowledged} acknowledged, {reconnects} reconnects", flush=True)
    return 0


if __name__ == "__main__":
    url, name, leads, seed, ack_file = sys.argv[1:6]
    raise SystemExit(main(url, name, int(leads), int(seed), Path(ack_file)))
