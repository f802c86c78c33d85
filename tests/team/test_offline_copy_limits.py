"""What an offline copy (`team checkout`, PostgreSQL) may allow: never more than the server.

1. A number shared by a claimed business lead and an unclaimed residential lead on the national
   registry: on the server a bare-number decision asks every owner (gate_answer.owners_decision), so
   the copy holds every owner of its numbers (not claimed, never offered offline) and refuses too.
2. The copy records the end of its hold: after it, the server may have put a number on the do-not-call
   list or given the lead to another agent, so every dial from the copy is refused
   (offline_copy_expired), by `check` (the quick plain-sqlite3 path) and by a dial (the ORM path).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.services.calling import GateRefused, HeldByAnotherAgent
from desktop.services.clock import ManualClock
from desktop.services.offline_hold import STAND_IN_AGENT
from desktop.services.workspace import open_workspace
from desktop.storage.models import Agent
from tests.cli.test_cli import run

pytestmark = pytest.mark.postgresql
NOW = "2026-12-01 14:00:00"  # 09:00 in New York
# The default 8-hour hold ends at 22:00Z (a few seconds later: faketime lets the clock run from NOW).
JUST_BEFORE_END = "2026-12-01 21:58:00"
AT_END = "2026-12-01 22:02:00"
LATER = "2026-12-04 14:00:00"  # three days on: the 8-hour hold long over
SHARED = "+12125550150"  # on the national registry
SECOND = "+12125550160"  # Rita's mobile, shared with Zed (a Florida lead: Florida's hours end at 20:00)
EVENING = "2026-12-02 01:30:00"  # 20:30 in New York: federal hours allow it, Florida's do not


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def team(db_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[tuple[str, int]]:
    rows = [
        "First Name,Last Name,Company,Landline Phone,Mobile Phone,Type,State",
        f"Acme,Office,Acme Corp,{SHARED},,business,NY",
        f"Rita,Home,,{SHARED},{SECOND},residential,NY",
        f"Zed,Away,,,{SECOND},residential,FL",
    ]
    csv = tmp_path / "team.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    national = tmp_path / "national.txt"
    national.write_text("212,5550150\n212,5550999\n", encoding="utf-8")
    admin = open_workspace(db_url, clock=clock)
    try:
        admin.imports.run(csv)
        admin.registry_service.import_file(national, "national", as_of=date(2026, 11, 30))
        acme = next(r["id"] for r in admin.leads.export_records() if r["company"] == "Acme Corp")
        assert admin.claims.take(acme, "Ann") is not None
    finally:
        admin.close()
    assert run(db_url, "team", "init", db_url).returncode == 0  # type: ignore[arg-type]
    yield db_url, acme


def decide(db: str | Path, *args: str, at: str = NOW) -> dict:  # type: ignore[type-arg]
    result = run(db, "check", *args, "--json", faketime=at)  # type: ignore[arg-type]
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def checkout(url: str, out: Path) -> dict:  # type: ignore[type-arg]
    taken = run(url, "--agent", "Ann", "team", "checkout", "--out", str(out), "--json", faketime=NOW)  # type: ignore[arg-type]
    assert taken.returncode == 0, taken.stderr
    return json.loads(taken.stdout)  # type: ignore[no-any-return]


def codes(decision: dict) -> set[str]:  # type: ignore[type-arg]
    return {reason["code"] for reason in decision["reasons"]}


def test_a_shared_number_is_judged_by_all_its_owners_offline(team: tuple[str, int], tmp_path: Path) -> None:
    url, acme = team
    local = tmp_path / "offline.db"
    report = checkout(url, local)
    assert report["leads"] == [acme] and len(report["co_owners"]) == 2  # Rita, and Zed through Rita
    on_server = decide(url, SHARED)
    assert on_server["allowed"] is False, on_server
    offline = decide(local, SHARED)
    assert offline["allowed"] is False and "dnc_national" in codes(offline), offline
    # The co-owner is in the copy only for the gate: not Ann's, so no dial from the copy rings it.
    rita = min(report["co_owners"])
    copy = open_workspace(str(local), clock=ManualClock(datetime(2026, 12, 1, 14, tzinfo=UTC)))
    try:
        with pytest.raises(HeldByAnotherAgent):
            copy.calling.start_call(rita, dial=False)
        assert copy.leads.next_lead_id() == acme
    finally:
        copy.close()
    server = open_workspace(url, clock=ManualClock(datetime(2026, 12, 1, 14, tzinfo=UTC)))
    try:
        assert server.claims.holder(rita) is None  # not claimed on the server: anyone may take it
    finally:
        server.close()
    merged = run(url, "merge", str(local), faketime=NOW)  # type: ignore[arg-type]
    assert merged.returncode == 0, merged.stderr
    server = open_workspace(url, clock=ManualClock(datetime(2026, 12, 1, 14, tzinfo=UTC)))
    try:
        assert server.claims.holder(rita) is None and server.claims.holder(acme) is None
        with server.uow() as uow:
            names = set(uow.session.scalars(select(Agent.name)))
        assert STAND_IN_AGENT not in names, names  # the placeholder stays in the copy
        assert len(list(server.leads.export_records())) == 3  # the co-owners matched, none added
    finally:
        server.close()


def test_the_local_copy_stops_allowing_once_its_hold_is_over(team: tuple[str, int], tmp_path: Path) -> None:
    url, acme = team
    local = tmp_path / "offline.db"
    report = checkout(url, local)
    assert report["hold_until"].startswith("2026-12-01T22:0")
    assert decide(local, "--lead", str(acme))["allowed"] is True
    assert decide(local, "--lead", str(acme), at=JUST_BEFORE_END)["allowed"] is True
    assert run(url, "dnc", "add", SHARED, faketime=LATER).returncode == 0  # type: ignore[arg-type]
    assert decide(url, "--lead", str(acme), at=LATER)["allowed"] is False
    for at in (AT_END, LATER):
        for args in (("--lead", str(acme)), (SHARED,), ("+12125550199", "--kind", "business")):
            offline = decide(local, *args, at=at)
            assert offline["allowed"] is False and "offline_copy_expired" in codes(offline), offline
            assert "merge it back" in offline["reasons"][-1]["detail"]
    # A dial takes the ORM path (the window, `call`, the power dialler): refused the same way.
    copy = open_workspace(str(local), clock=ManualClock(datetime(2026, 12, 4, 14, tzinfo=UTC)))
    try:
        with pytest.raises(GateRefused) as refused:
            copy.calling.start_call(acme, dial=False)
        assert "offline_copy_expired" in refused.value.decision.codes
    finally:
        copy.close()


def test_every_owner_down_the_chain_is_asked_offline(team: tuple[str, int], tmp_path: Path) -> None:
    """Zed shares no number with Ann's lead, only with its co-owner Rita: a bare-number check of
    Rita's other number asks Zed too, offline as on the server."""
    url, _acme = team
    local = tmp_path / "offline.db"
    taken = run(url, "--agent", "Ann", "team", "checkout", "--out", str(local), "--hours", "14", faketime=NOW)  # type: ignore[arg-type]
    assert taken.returncode == 0, taken.stderr
    on_server = decide(url, SECOND, at=EVENING)
    offline = decide(local, SECOND, at=EVENING)
    assert on_server["allowed"] is False and offline == on_server, (on_server, offline)
