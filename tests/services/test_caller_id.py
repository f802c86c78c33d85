"""Caller ID: one setting, checked as a number that can be called back, recorded with every call, sent in
a SIP call's INVITE (real baresip, real sipp), and in firm mode required by the dial gate for SIP calls."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.compliance import CALLER_ID, DialFacts, decide
from desktop.services.calling import GateRefused
from desktop.services.phone import open_phone
from desktop.services.rules import shipped_rulebook
from desktop.services.workspace import Workspace
from desktop.storage.models import Attempt
from tests.services.test_calling import RecordingDialer, national_sample
from tests.services.test_phone import lead_named, use_sip
from tests.services.test_phone import workspace as sip_workspace  # noqa: F401 - fixture
from tests.telephony.sipp_peer import SIP_PASSWORD, SippPeer, wait_for

CALLER = "+12125550100"


class SipNamedDialer(RecordingDialer):
    """Records dials like the built-in softphone would place them: the gate sees the backend "sip"."""

    name = "sip"


def call_rows(workspace: Workspace) -> list[Attempt]:
    with workspace.uow() as uow:
        return list(uow.session.scalars(select(Attempt).order_by(Attempt.id)))


def reason_codes(attempt: Attempt) -> list[str]:
    return [reason["code"] for reason in json.loads(attempt.reasons)["reasons"]]


def test_the_rule_blocks_only_a_required_caller_id_that_is_missing() -> None:
    facts = DialFacts(
        number="+12125550134",
        valid=True,
        time_zones=("America/New_York",),
        at=datetime(2026, 12, 1, 17, tzinfo=UTC),
        registries_loaded=frozenset(),
    )
    rules = shipped_rulebook()
    without = decide(facts._replace(caller_id_required=True), rules)
    assert CALLER_ID in without.codes
    assert "16 CFR 310.4(a)(8)" in next(r.detail for r in without.reasons if r.code == CALLER_ID)
    assert CALLER_ID not in decide(facts._replace(caller_id_required=True, caller_id=CALLER), rules).codes
    assert CALLER_ID not in decide(facts, rules).codes


@pytest.fixture
def calling_workspace(workspace: Workspace, sample_csv: Path, dnc_sample: Path) -> Workspace:
    workspace.imports.run(sample_csv)
    workspace.gate.registry = national_sample(dnc_sample)
    return workspace


def lopez(workspace: Workspace) -> int:
    return next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "Lopez")


def settings(workspace: Workspace, **changes: object) -> None:
    workspace.save_settings(replace(workspace.current_settings(), **changes))  # type: ignore[arg-type]


def test_firm_mode_sip_call_without_caller_id_is_refused_by_the_gate_and_recorded(
    calling_workspace: Workspace,
) -> None:
    workspace = calling_workspace
    dialer = SipNamedDialer()
    workspace.use_dialer(dialer)
    settings(workspace, firm_mode=True)
    for name in {info.name for info in workspace.scripts.catalog()}:
        workspace.script_versions.approve(name, 1, "Jane Principal")
    lead = lopez(workspace)
    assert CALLER_ID in workspace.calling.check(lead).decision.codes  # the preview says so too
    # A setting, not a fact of the lead: the queue still offers the lead and marks nothing blocked.
    assert workspace.leads.next_lead_id() == lead
    assert [row.bucket for row in workspace.leads.queue_page(0, 50) if row.lead_id == lead] != ["blocked"]
    with pytest.raises(GateRefused) as refused:
        workspace.calling.start_call(lead)
    assert refused.value.decision.codes == (CALLER_ID,)
    [blocked] = call_rows(workspace)
    assert not blocked.allowed and reason_codes(blocked) == [CALLER_ID] and blocked.caller_id is None
    assert dialer.dialled == []
    settings(workspace, caller_id="212-555-0100")
    workspace.calling.start_call(lead)
    assert dialer.dialled == ["+12125550134"]
    assert call_rows(workspace)[-1].caller_id == CALLER


def test_outside_firm_mode_or_off_sip_no_caller_id_is_needed_but_every_call_records_it(
    calling_workspace: Workspace,
) -> None:
    workspace = calling_workspace
    lead = lopez(workspace)
    workspace.use_dialer(SipNamedDialer())
    workspace.calling.start_call(lead)  # firm mode off
    settings(workspace, firm_mode=True)
    for name in {info.name for info in workspace.scripts.catalog()}:
        workspace.script_versions.approve(name, 1, "Jane Principal")
    workspace.use_dialer(RecordingDialer())  # another phone sends its own caller ID
    workspace.calling.start_call(lead)
    settings(workspace, caller_id="+1 (212) 555-0100")
    workspace.calling.record_outcome(lead, "no_answer")  # a manual call logged
    assert [(row.allowed, row.caller_id) for row in call_rows(workspace)] == [
        (True, None),
        (True, None),
        (True, CALLER),
    ]


def sip_requests(peer: SippPeer, method: str) -> list[dict[str, str]]:
    """The headers of every `method` request sipp received (an INVITE: the first, then the one with
    credentials)."""
    found = []
    for block in re.split(r"\n\s*\n", peer.sip_log()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if line.startswith(f"{method} sip:")), None)
        if start is None:
            continue
        headers = dict(line.split(":", 1) for line in lines[start + 1 :] if ":" in line)
        found.append({name.strip().lower(): value.strip() for name, value in headers.items()})
    return found


def invite_headers(peer: SippPeer) -> list[dict[str, str]]:
    return sip_requests(peer, "INVITE")


@pytest.mark.parametrize("registers", [False, True], ids=["trunk", "registering extension"])
def test_a_sip_call_sends_the_caller_id_in_the_invite_and_still_authenticates(
    sip_workspace: Workspace,  # noqa: F811 - the fixture imported above
    sipp: Callable[[str], SippPeer],
    private_dirs: Path,
    registers: bool,
) -> None:
    workspace = sip_workspace
    # Challenges the INVITE, checks alice's password, then answers (and first answers a REGISTER).
    peer = sipp("register_auth_invite.xml" if registers else "auth_invite.xml")
    use_sip(workspace, peer, private_dirs)  # caller ID +1 212 555 0100, saved as the setting caller_id
    if registers:
        sip = replace(workspace.sip_settings.load(), registrar=f"127.0.0.1:{peer.port}")
        workspace.sip_settings.save(sip, SIP_PASSWORD, complete=True)
    settings(workspace, backend="sip", firm_mode=True)
    assert workspace.current_settings().caller_id == "+1 212 555 0100"
    for name in {info.name for info in workspace.scripts.catalog()}:
        workspace.script_versions.approve(name, 1, "Jane Principal")
    phone = open_phone(workspace)
    try:
        assert phone.configure("sip").state == "created"
        call = workspace.calling.start_call(lead_named(workspace, "Priya Natarajan"))
        assert phone.follow_call(call.backend)
        assert wait_for(lambda: phone.connected, 10), peer.sip_log()
        invites = invite_headers(peer)
        assert len(invites) == 2, peer.requests()
        for headers in invites:
            assert re.search(rf"<sip:\{CALLER}@127\.0\.0\.1", headers["from"]), headers["from"]
            assert headers["from"].startswith('"Harbor Advisors"')
        assert 'username="alice"' in invites[1]["authorization"]
        registrations = sip_requests(peer, "REGISTER")
        if registers:  # the extension registers as itself, not as the number it shows
            assert registrations and all("<sip:alice@127.0.0.1" in r["from"] for r in registrations)
        else:
            assert registrations == []
        assert call_rows(workspace)[-1].caller_id == CALLER
        workspace.calling.hang_up(call.attempt_id)
    finally:
        phone.shutdown()


def test_a_caller_id_or_firm_mode_change_goes_to_the_history(workspace: Workspace) -> None:
    from desktop.storage.models import AuditEvent

    def history() -> list[tuple[str, dict[str, object]]]:
        with workspace.uow() as uow:
            rows = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            return [(row.action, json.loads(row.detail)) for row in rows if row.action.endswith("_changed")]

    settings(workspace, caller_id="+1 212 555 0100")
    settings(workspace, caller_id="+1 212 555 0100", agent_name="Alex")  # unchanged: nothing new
    settings(workspace, caller_id="", firm_mode=True)
    assert history() == [
        ("caller_id_changed", {"from": "", "to": "+1 212 555 0100"}),
        ("caller_id_changed", {"from": "+1 212 555 0100", "to": ""}),
        ("firm_mode_changed", {"firm_mode": True}),
    ]
