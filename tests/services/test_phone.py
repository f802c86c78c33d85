"""The phone service without a window: real baresip, a real SIP peer (sipp), a real database.

It owns the dialer's life, the in-call controls and the voicemail drop; the drop asks the gate and
plays in one call, so a refused message is never played. Events arrive through callbacks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest

from desktop.services.calling import CallingError
from desktop.services.clock import ManualClock
from desktop.services.phone import CallEvent, PhoneError, PhoneService, open_phone
from desktop.services.sip_settings import SipSettings
from desktop.services.voicemail import VoicemailRefused
from desktop.services.workspace import Workspace, open_workspace
from desktop.speech import silence_wav
from tests.keyring_support import MemoryKeyring
from tests.telephony.sipp_peer import SIP_PASSWORD, SippPeer, tone_wav, wait_for

# Tuesday 2026-12-01 17:00 UTC: inside every sample lead's calling hours but Honolulu's.
MOMENT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.fixture
def workspace(tmp_path: Path, private_dirs: Path) -> Iterator[Workspace]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    opened = open_workspace(str(tmp_path / "t.db"), clock=ManualClock(MOMENT))
    opened.imports.import_sample()
    yield opened
    opened.close()
    keyring.set_keyring(previous)


class Events:
    """What the phone reported, in order, from whatever thread reported it."""

    def __init__(self, phone: PhoneService) -> None:
        self.seen: list[CallEvent] = []
        self._lock = threading.Lock()
        phone.add_listener(self.add)

    def add(self, event: CallEvent) -> None:
        with self._lock:
            self.seen.append(event)

    def kinds(self) -> list[str]:
        with self._lock:
            return [event.kind for event in self.seen]


def use_sip(workspace: Workspace, peer: SippPeer, folder: Path) -> None:
    sip = SipSettings(
        address=f"alice@127.0.0.1:{peer.port}",
        caller_id_name="Harbor Advisors",
        caller_id_number="+1 212 555 0100",
        audio_source=f"aufile,{silence_wav(60, folder / 'audio')}",
        audio_player="aufile,/dev/null",
        voicemail_file=str(tone_wav(folder / "message.wav", 1.0)),
    )
    workspace.sip_settings.save(sip, SIP_PASSWORD, complete=True)


def lead_named(workspace: Workspace, name: str) -> int:
    return next(row.lead_id for row in workspace.leads.queue_page(0, 50) if row.name == name)


def test_the_softphone_follows_the_backend_and_says_why_it_cannot_dial(workspace: Workspace) -> None:
    phone = open_phone(workspace)
    assert phone.configure("manual").state == "off"
    assert phone.dialer is None and workspace.dialer().name == "manual"
    setup = phone.configure("sip")  # chosen, but no account saved
    assert setup.state in ("not_set_up", "missing")
    lead = lead_named(workspace, "Priya Natarajan")
    with pytest.raises(CallingError, match="softphone"):
        workspace.calling.start_call(lead)
    # No call: the controls refuse, and a drop does nothing at all (no gate question, no play).
    with pytest.raises(PhoneError):
        phone.set_muted(True)
    with pytest.raises(PhoneError):
        phone.send_dtmf("1")
    assert phone.leave_voicemail(1, lead, "+12125550134", {}) is False
    phone.shutdown()


def test_a_refused_message_is_never_played_and_an_allowed_one_is(
    workspace: Workspace, sipp: Callable[[str], SippPeer], private_dirs: Path, tmp_path: Path
) -> None:
    peer = sipp("answer.xml")
    use_sip(workspace, peer, private_dirs)
    phone = open_phone(workspace)
    events = Events(phone)
    assert phone.configure("sip").state == "created"
    started = phone.start()
    assert phone.is_running(started)
    assert phone.configure("sip").state == "unchanged"  # same settings: the running dialer stays

    # A consumer on the national registry without written consent: the call may go, a message not.
    registry = tmp_path / "national.txt"
    registry.write_text("614,5550111\n")
    workspace.registry_service.import_file(
        registry, "national", as_of=date(2026, 11, 25), area_codes=(212, 917)
    )
    workspace.lists_changed()
    james = lead_named(workspace, "James O'Neil")
    call = workspace.calling.start_call(james)
    assert phone.follow_call(call.backend)
    assert wait_for(lambda: phone.connected, 10)
    with pytest.raises(VoicemailRefused):
        phone.leave_voicemail(call.attempt_id, james, call.number, {"agent_name": "Dana"})
    assert "voicemail drop refused" in workspace.leads.card(james).history[0].note
    phone.set_muted(True)
    assert wait_for(lambda: "muted" in events.kinds(), 5)
    workspace.calling.hang_up(call.attempt_id)
    phone.dialer.hang_up()  # type: ignore[union-attr]
    assert wait_for(lambda: "ended" in events.kinds(), 10)
    assert "voicemail_started" not in events.kinds()
    phone.forget_call()

    # Written consent on file: the gate allows the message and the same call plays it; baresip hangs
    # up after. (Without it a message needs a number recorded as a business landline.)
    priya = lead_named(workspace, "Priya Natarajan")
    workspace.consent.add(priya, "written", date(2026, 11, 2), "signed form")
    before = len(events.kinds())
    call = workspace.calling.start_call(priya)
    assert phone.follow_call(call.backend)
    assert wait_for(lambda: phone.connected, 10)
    assert phone.leave_voicemail(call.attempt_id, priya, call.number, {"agent_name": "Dana"}) is True
    assert phone.leave_voicemail(call.attempt_id, priya, call.number, {}) is False  # one drop per call
    assert wait_for(lambda: "ended" in events.kinds()[before:], 15)
    kinds = events.kinds()[before:]
    assert kinds.index("voicemail_started") < kinds.index("ended")
    assert "voicemail drop allowed by the gate" in workspace.leads.card(priya).history[0].note
    assert "voicemail_failed" not in kinds
    phone.shutdown()
    assert phone.dialer is None
