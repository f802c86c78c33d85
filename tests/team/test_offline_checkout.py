"""Offline and back, on a real PostgreSQL server: `team checkout` copies an agent's claimed leads with
the do-not-call list and the registries into a local SQLite file; the gate there judges as the
server would (never a false allow: no registry copy means residential calls refused as
registry_missing); `merge` folds the work back in, idempotent, releasing the claims."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from tests.cli.test_cli import run
from tests.team.test_roles import as_role, new_login

pytestmark = pytest.mark.postgresql
NOW = "2026-12-01 14:00:00"  # README_MOMENT: 09:00 in New York
LISTED = "+12125550150"  # on the national registry (area code 212 copied)


@pytest.fixture
def backend() -> str:
    return "postgresql"


def residential_list(path: Path) -> Path:
    rows = ["First Name,Last Name,Phone,Type,State"]
    rows += [f"Res{n},Lee,+1212555{n:04d},residential,NY" for n in range(151, 155)]
    rows += ["Far,Away,+17185550160,business,NY"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def national_file(path: Path) -> Path:
    # Area code 212 (with LISTED) and 305, as the FTC sells them: one file per download.
    path.write_text("212,5550150\n212,5550999\n305,5550111\n", encoding="utf-8")
    return path


@pytest.fixture
def team(db_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[str]:
    """A team database with five callable leads, the national registry for 212 and 305, one number on
    the internal list; `team init` run so agent roles exist."""
    admin = open_workspace(db_url, clock=clock)
    try:
        admin.imports.run(residential_list(tmp_path / "team.csv"))
        admin.registry_service.import_file(
            national_file(tmp_path / "national.txt"), "national", as_of=date(2026, 11, 30)
        )
        admin.dnc.add("+12125550777", reason="asked the office")
    finally:
        admin.close()
    assert run(db_url, "team", "init", db_url).returncode == 0  # type: ignore[arg-type]
    yield db_url


def check(db: Path, number: str) -> dict:  # type: ignore[type-arg]
    result = run(db, "check", number, "--kind", "residential", "--json", faketime=NOW)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def codes(decision: dict) -> set[str]:  # type: ignore[type-arg]
    return {reason["code"] for reason in decision["reasons"]}


def test_checkout_work_offline_and_merge_back(team: str, tmp_path: Path, clock: ManualClock) -> None:
    local = tmp_path / "offline.db"
    taken = run(
        team, "--agent", "Ann", "team", "checkout", "--out", str(local), "--take", "3", "--json", faketime=NOW
    )  # type: ignore[arg-type]
    assert taken.returncode == 0, taken.stderr
    report = json.loads(taken.stdout)
    assert len(report["leads"]) == 3 and report["registry_problem"] == ""
    assert oct(local.stat().st_mode & 0o777) == "0o600"
    server = open_workspace(team, clock=clock)
    try:
        for lead_id in report["leads"]:  # held for Ann on the server: nobody else is offered them
            assert server.claims.holder(lead_id) is not None and server.claims.holder(lead_id)[0] == "Ann"
        # The gate of the local copy judges like the server's: the registry's number listed, a number
        # of an area code whose copy was not taken refused (registry_missing), the internal list whole.
        assert "dnc_national" in codes(check(local, LISTED))
        assert "registry_missing" in codes(check(local, "+13055550112"))
        assert "dnc_internal" in codes(check(local, "+12125550777"))
        assert check(local, "+12125550999")["allowed"] is False

        offline = open_workspace(str(local), clock=clock)
        try:
            assert sorted(offline.leads.card(i).id for i in report["leads"]) == report["leads"]
            for lead_id in report["leads"]:
                offline.calling.record_outcome(lead_id, "no_answer", note="called offline")
            offline.dnc.add(offline.leads.card(report["leads"][0]).phones[0].e164 or "", reason="offline ask")
        finally:
            offline.close()

        merged = run(team, "merge", str(local), "--json")  # type: ignore[arg-type]
        assert merged.returncode == 0, merged.stderr
        first = json.loads(merged.stdout.splitlines()[0])
        assert first["attempts_added"] == 3 and first["dnc_added"] == 1 and first["leads_added"] == 0
        assert first["events_added"] >= 4 and first["claims_released"] == 3  # the offline history too
        again = run(team, "merge", str(local), "--json")  # type: ignore[arg-type]
        assert again.returncode == 0, again.stderr
        second = json.loads(again.stdout.splitlines()[0])
        assert not any(v for k, v in second.items() if isinstance(v, int) and k != "leads_matched")
        with server.engine.connect() as connection:
            notes = connection.execute(text("SELECT count(*) FROM attempts WHERE note = 'called offline'"))
            assert notes.scalar() == 3
            assert connection.execute(text("SELECT count(*) FROM dnc_entries")).scalar() == 2
        for lead_id in report["leads"]:  # the work is back: the claims are released
            assert server.claims.holder(lead_id) is None
            assert server.leads.card(lead_id).attempts == 1
    finally:
        server.close()


def test_without_the_registries_the_local_copy_refuses_residential_calls(
    team: str, tmp_path: Path, clock: ManualClock
) -> None:
    """The registries cannot be copied (here: the agents' role lost the right to read them after
    Bob and Cy took their leads): the copy has no registry at all, and every residential call in it
    is refused as registry_missing, never allowed."""
    agent = as_role(team, new_login(team))
    for name in ("Bob", "Cy"):
        claimed = run(agent, "--agent", name, "queue", "--claim", "--json", faketime=NOW)  # type: ignore[arg-type]
        assert claimed.returncode == 0, claimed.stderr
    admin = open_workspace(team, clock=clock)
    try:
        with admin.engine.begin() as connection:
            connection.execute(text("REVOKE SELECT ON registry_numbers FROM dialdesk_agent"))
    finally:
        admin.close()
    local = tmp_path / "offline.db"
    taken = run(agent, "--agent", "Bob", "team", "checkout", "--out", str(local), "--json", faketime=NOW)  # type: ignore[arg-type]
    assert taken.returncode == 0, taken.stderr
    report = json.loads(taken.stdout)
    assert "permission denied" in report["registry_problem"] and report["registry_numbers"] == 0
    assert len(report["leads"]) == 1
    told = run(agent, "--agent", "Cy", "team", "checkout", "--out", str(tmp_path / "b.db"), faketime=NOW)  # type: ignore[arg-type]
    assert told.returncode == 0 and "refuses every residential call (registry_missing)" in told.stdout
    for number in ("+12125550151", "+12125550999", LISTED, "+13055550112"):
        decision = check(local, number)
        assert decision["allowed"] is False and "registry_missing" in codes(decision), decision
    offline = open_workspace(str(local), clock=clock)
    try:
        decision = offline.calling.check(report["leads"][0]).decision
        assert not decision.allowed and "registry_missing" in {reason.code for reason in decision.reasons}
    finally:
        offline.close()


def test_checkout_refusals_are_one_line(team: str, tmp_path: Path, db_path: Path) -> None:
    existing = tmp_path / "kept.db"
    existing.write_bytes(b"")
    for args, words in (
        (("team", "checkout", "--out", str(tmp_path / "x.db")), "needs an agent"),
        (("--agent", "Ann", "team", "checkout", "--out", str(existing)), "exists"),
        (("--agent", "Ann", "team", "checkout", "--out", str(tmp_path / "y.db"), "--take", "-1"), "--take"),
    ):
        result = run(team, *args, faketime=NOW)  # type: ignore[arg-type]
        assert result.returncode == 2 and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    on_file = run(db_path, "--agent", "Ann", "team", "checkout", "--out", str(tmp_path / "z.db"))
    assert on_file.returncode == 2 and "team server" in on_file.stderr
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "z.db").exists()


def test_a_checkout_that_cannot_write_its_copy_gives_back_the_claims_it_took(
    team: str, tmp_path: Path, clock: ManualClock
) -> None:
    """`--out` under a regular file: one line, exit 2, and the leads taken from the queue go back
    (else hidden from everyone for the hold); a lead Ann held before stays hers."""
    server = open_workspace(team, clock=clock)
    try:
        before = server.claims.take(next(iter(server.leads.export_records()))["id"], "Ann")
        assert before is not None
    finally:
        server.close()
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "a-file" / "offline.db"
    result = run(
        team, "--agent", "Ann", "team", "checkout", "--out", str(target), "--take", "2", faketime=NOW
    )  # type: ignore[arg-type]
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    server = open_workspace(team, clock=clock)
    try:
        held = [r["id"] for r in server.leads.export_records() if server.claims.holder(r["id"]) is not None]
    finally:
        server.close()
    assert held == [before.lead_id], f"leads {held} stay claimed though no local copy was written"


def test_call_refuses_a_lead_another_agent_holds(team: str) -> None:
    """`dialdesk call` (the SIP dial) refuses another agent's lead before the gate, like `record`."""
    claimed = run(team, "--agent", "Ann", "queue", "--claim", "--json", faketime=NOW)  # type: ignore[arg-type]
    assert claimed.returncode == 0, claimed.stderr
    engine = create_engine(team)
    try:
        with engine.connect() as connection:
            lead = connection.execute(text("SELECT id FROM leads WHERE claimed_by IS NOT NULL")).scalar()
        recorded = run(team, "--agent", "Bob", "record", str(lead), "no_answer", faketime=NOW)  # type: ignore[arg-type]
        assert recorded.returncode == 2 and "being worked by Ann" in recorded.stderr
        account = "sip:bob@127.0.0.1:5999;regint=0"  # nobody answers there: enough to reach the gate
        called = run(
            team, "--agent", "Bob", "call", "--lead", str(lead), "--sip-account", account, faketime=NOW
        )  # type: ignore[arg-type]
        with engine.connect() as connection:
            calls = connection.execute(
                text("SELECT count(*) FROM attempts WHERE lead_id = :l"), {"l": lead}
            ).scalar()
    finally:
        engine.dispose()
    assert called.returncode == 2 and calls == 0, (called.returncode, called.stderr)
    assert "being worked by Ann" in called.stderr and len(called.stderr.strip().splitlines()) == 1
