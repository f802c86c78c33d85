"""SIP settings without the window: the account baresip gets, validation, the keyring fallback, and the
voicemail gate decision being recorded."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import select

from desktop.services.sip_settings import SecretStore, SipSettings, SipSettingsError, build_account
from desktop.services.voicemail import VoicemailRefused, VoicemailService
from desktop.services.workspace import Workspace
from desktop.storage.models import AuditEvent


def complete(**changes: object) -> SipSettings:
    settings = SipSettings(
        address="1001@sip.example.com",
        caller_id_name="Harbor Advisors",
        caller_id_number="+1 212 555 0100",
    )
    for name, value in changes.items():
        setattr(settings, name, value)
    return settings


def test_account_line_carries_caller_id_registrar_and_proxy() -> None:
    account = build_account(complete(), "pw")
    # The caller ID number is the From user (baresip 1.0 adds no P-Asserted-Identity); 1001 authenticates.
    assert account.accounts_line() == (
        '"Harbor Advisors" <sip:+12125550100@sip.example.com>;auth_user=1001;auth_pass=pw;regint=0'
    )
    registering = build_account(complete(registrar="sip.example.com", auth_user="u77"), "pw")
    assert registering.registers and registering.auth_user == "u77" and registering.extra_params == ()
    assert registering.user == "1001"  # a registering extension registers itself...
    twin = registering.dialling_account()  # ...and calls through a twin that shows the caller ID
    assert twin is not None and twin.accounts_line() == (
        '"Harbor Advisors" <sip:+12125550100@sip.example.com>;auth_user=u77;auth_pass=pw;regint=0'
    )
    assert replace(registering, caller_id_user=None).dialling_account() is None
    assert replace(registering, caller_id_user="1001").dialling_account() is None  # already its user
    # baresip registers at the address's host; a registrar elsewhere is reached through it as proxy.
    elsewhere = build_account(complete(registrar="reg.example.net:5070"), "pw")
    assert elsewhere.extra_params == (("outbound", "sip:reg.example.net:5070"),)
    proxied = build_account(complete(outbound_proxy="sip:proxy.example.com"), "pw")
    assert proxied.extra_params == (("outbound", "sip:proxy.example.com"),)
    assert "pw" not in proxied.redacted()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"caller_id_name": ""}, "caller ID name"),
        ({"caller_id_number": ""}, "caller ID number (the law requires sending it)"),
        ({"caller_id_number": "555-01"}, "is not a valid phone number"),
        ({"caller_id_name": 'Harbor "Advisors"'}, "cannot contain quotes"),
        ({"ring_time_s": 10}, "at least 15 seconds"),
        ({"address": "1001"}, "needs a user name"),
        ({"address": "1001@host;transport=tcp"}, "without parameters"),
        ({"registrar": "reg example"}, "registrar must be a host name"),
        ({"audio_source": "alsa"}, "MODULE,DEVICE"),
    ],
)
def test_unusable_settings_are_refused_with_a_reason(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SipSettingsError, match=re.escape(message)):
        build_account(complete(**changes), "pw")


def test_without_a_keyring_the_password_stays_in_memory() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = SecretStore()
        assert "no system keyring" in (store.problem() or "")
        assert store.set("1001@sip.example.com", "pw") is False
        assert store.get("1001@sip.example.com") == "pw"
        assert SecretStore().get("1001@sip.example.com") == ""  # a new session has nothing
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def voicemail(workspace: Workspace) -> Iterator[VoicemailService]:
    workspace.imports.import_sample()
    yield VoicemailService(workspace.uow, workspace.clock, workspace.calling, lambda: "Sam")


def test_voicemail_decision_is_recorded_allowed_or_refused(
    workspace: Workspace, voicemail: VoicemailService, tmp_path: Path
) -> None:
    workspace.consent.add(1, "written", date(2026, 11, 1), "signed form")  # Maria's number is no landline
    maria = workspace.calling.start_call(1)
    voicemail.authorize(maria.attempt_id, 1, maria.number)
    registry = tmp_path / "national.txt"
    registry.write_text("614,5550111\n")
    workspace.registry_service.import_file(
        registry, "national", as_of=date(2026, 11, 25), area_codes=(212, 917)
    )
    james = next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "O'Neil")
    call = workspace.calling.start_call(james, dial=False, number="+19175550142")  # a live call is allowed
    with pytest.raises(VoicemailRefused, match="prerecorded message to a consumer"):
        voicemail.authorize(call.attempt_id, james, call.number)
    with workspace.uow() as uow:
        events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "voicemail_gate")))
        notes = [uow.attempts.get(maria.attempt_id).note, uow.attempts.get(call.attempt_id).note]
    assert [json.loads(e.detail)["allowed"] for e in events] == [True, False]
    assert notes[0] == "voicemail drop allowed by the gate"
    assert notes[1].startswith("voicemail drop refused:")
