"""The built-in softphone driven from the real main window: baresip calls a real SIP peer (sipp) on
127.0.0.1, and the test looks at what the agent sees (dial bar, status bar, history).

Each test configures the SIP backend through the settings services (the password in an in-memory
keyring), opens the window on the sample list and calls Maria Lopez (business, New York, inside
calling hours at the GUI clock).
"""

from __future__ import annotations

import os
import signal
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.services.sip_settings import SipSettings
from desktop.speech import silence_wav
from desktop.ui.calling.session import ENDED, IDLE, ON_CALL
from tests.keyring_support import MemoryKeyring
from tests.telephony.sipp_peer import SIP_PASSWORD, SippPeer, tone_wav

pytestmark = pytest.mark.gui


@pytest.fixture
def sip_window(make_window, ui_workspace, private_dirs: Path, memory_keyring: MemoryKeyring):  # type: ignore[no-untyped-def]
    """Open the window with the SIP backend pointed at `peer` (register: a registrar is set)."""

    def make(peer: SippPeer, register: bool = False, **changes: object):  # type: ignore[no-untyped-def]
        silence = silence_wav(60, private_dirs / "audio")
        sip = SipSettings(
            address=f"alice@127.0.0.1:{peer.port}",
            registrar=f"127.0.0.1:{peer.port}" if register else "",
            caller_id_name="Harbor Advisors",
            caller_id_number="+1 212 555 0100",
            audio_source=f"aufile,{silence}",
            audio_player="aufile,/dev/null",
            voicemail_file=str(tone_wav(private_dirs / "message.wav", 1.0)),
        )
        for name, value in changes.items():
            setattr(sip, name, value)
        ui_workspace.sip_settings.save(sip, SIP_PASSWORD, complete=True)
        settings = ui_workspace.current_settings()
        settings.backend = "sip"
        ui_workspace.save_settings(settings)
        ui_workspace.imports.import_sample()
        # Maria (a business lead on a number not marked as a landline) agreed in writing to
        # recorded messages, so her voicemail drop passes the gate.
        ui_workspace.consent.add(1, "written", date(2026, 11, 1), "signed form")
        window = make_window()
        seen: list[tuple[str, str]] = []
        # Connected after the softphone's own slot: records what the dial bar said after each event.
        # Queued: the signal is emitted on the dialer's thread, and a plain lambda would run there, racing
        # the window's own (queued) slot; queued, it runs on the GUI thread after that slot.
        window.softphone.signals.callEvent.connect(
            lambda event: seen.append((event.kind, window.dial_bar.state_label.text())),
            Qt.ConnectionType.QueuedConnection,
        )
        window.seen = seen
        return window

    yield make


def said(window, kind: str) -> str:  # type: ignore[no-untyped-def]
    return next((text for seen_kind, text in window.seen if seen_kind == kind), "")


def lead_name(window) -> str:  # type: ignore[no-untyped-def]
    return window.lead_panel.name_label.text()


def test_sip_call_voicemail_drop_records_voicemail_and_shows_the_next_lead(qtbot, sip_window, sipp):  # type: ignore[no-untyped-def]
    peer = sipp("answer.xml")
    window = sip_window(peer, register=True)
    softphone = window.softphone
    qtbot.waitUntil(lambda: softphone.status_label.text() == "Softphone registered", timeout=10000)
    assert softphone.status_label.toolTip().startswith("Registered as sip:alice@127.0.0.1:")
    assert softphone.status_label.isVisible() and window.dial_bar.softphone_box.isVisible()
    assert "Built-in softphone" in window.backend_label.text()
    assert lead_name(window) == "Maria Lopez"

    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL
    qtbot.waitUntil(lambda: window.dial_bar.voicemail_button.isEnabled(), timeout=5000)
    qtbot.waitUntil(lambda: bool(said(window, "connected")), timeout=5000)
    assert said(window, "ringing").startswith("Ringing +1 212-555-0134")
    assert said(window, "connected").startswith("Connected with +1 212-555-0134")
    assert window.dial_bar.mute_button.isEnabled() and window.dial_bar.dial_pad_button.isEnabled()

    qtbot.mouseClick(window.dial_bar.voicemail_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: lead_name(window) != "Maria Lopez", timeout=10000)
    assert "Leaving the voicemail message" in said(window, "voicemail_started")
    assert window.dial_bar.state == IDLE
    assert "Saved “Voicemail” for Maria Lopez" in window.statusBar().currentMessage()
    [item] = window.leads.card(1).history
    assert (item.allowed, item.outcome) == (True, "voicemail")
    assert "voicemail drop allowed by the gate" in item.note
    # The message was really played into the call, and we hung up when it ended.
    assert peer.rtp.audio_packets > 40
    # The caller ID name went out in the From header.
    assert 'From: "Harbor Advisors" <sip:alice@127.0.0.1' in peer.sip_log()
    assert SIP_PASSWORD not in window.workspace.describe()


def test_sip_busy_preselects_busy_and_enter_records_it(qtbot, sip_window, sipp):  # type: ignore[no-untyped-def]
    """Also with power dialling on: after Enter the next lead is dialled through the softphone."""
    peer = sipp("busy.xml")
    window = sip_window(peer)
    qtbot.waitUntil(lambda: "ready" in window.softphone.status_label.text(), timeout=10000)
    window.softphone.settings.power_countdown_s = 0.3  # the test's patience, not the product's default

    qtbot.keyClick(window, Qt.Key.Key_Space)

    qtbot.waitUntil(lambda: window.dial_bar.suggested == "busy", timeout=5000)
    bar = window.dial_bar
    assert bar.state == ENDED
    assert bar.outcome_buttons["busy"].property("suggested") is True
    assert bar.state_label.text().startswith("Busy (486 Busy Here). Suggested: Busy. Enter records it")
    qtbot.mouseClick(bar.power_bar.toggle_button, Qt.MouseButton.LeftButton)
    assert not window.softphone.power.counting  # a call waits for its outcome first
    qtbot.keyClick(window, Qt.Key.Key_Return)

    second = lead_name(window)
    assert second != "Maria Lopez"
    assert [h.outcome for h in window.leads.card(1).history] == ["busy"]
    # The countdown ran out: the next lead was dialled (automated) and was busy too.
    qtbot.waitUntil(lambda: bar.suggested == "busy", timeout=5000)
    assert lead_name(window) == second and said(window, "dialling").startswith("Dialling")
    assert len([line for line in peer.requests() if line.startswith("INVITE ")]) == 2
    qtbot.mouseClick(bar.power_bar.toggle_button, Qt.MouseButton.LeftButton)


def test_sip_killed_baresip_is_shown_and_the_outcome_recorded_by_hand(qtbot, sip_window, sipp):  # type: ignore[no-untyped-def]
    peer = sipp("answer.xml")
    window = sip_window(peer)
    softphone = window.softphone
    qtbot.waitUntil(lambda: "ready" in softphone.status_label.text(), timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.dial_bar.voicemail_button.isEnabled(), timeout=5000)
    first_pid = softphone.dialer.pid
    assert first_pid is not None

    os.kill(first_pid, signal.SIGKILL)

    qtbot.waitUntil(lambda: "Softphone stopped" in softphone.status_label.text(), timeout=5000)
    assert "killed by signal 9" in softphone.status_label.text()
    assert softphone.restart_button.isVisible()
    bar = window.dial_bar
    assert bar.state == ENDED and bar.suggested is None
    assert "The softphone stopped during the call" in bar.banner_text
    assert not bar.voicemail_button.isEnabled()

    qtbot.keyClick(window, Qt.Key.Key_4)  # Gatekeeper, by hand

    assert lead_name(window) != "Maria Lopez"
    [item] = window.leads.card(1).history
    assert item.outcome == "gatekeeper"

    softphone.restart_action.trigger()
    qtbot.waitUntil(lambda: "ready" in softphone.status_label.text(), timeout=10000)
    assert softphone.dialer.pid not in (None, first_pid)


def test_sip_extension_dial_pad_mute_hold_and_a_refused_voicemail(qtbot, sip_window, sipp, tmp_path):  # type: ignore[no-untyped-def]
    peer = sipp("answer.xml")
    window = sip_window(peer, extension_pause_s=0.2)
    softphone = window.softphone
    bar = window.dial_bar
    qtbot.waitUntil(lambda: "ready" in softphone.status_label.text(), timeout=10000)
    priya = next(row.lead_id for row in window.leads.queue_page(0, 50) if row.name == "Priya Natarajan")
    window.show_lead(priya)

    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: peer.rtp.dtmf_events[:3] == [2, 0, 4], timeout=5000)  # ext. 204 after the pause
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Extension 204 sent", timeout=2000)
    qtbot.mouseClick(bar.dial_pad_button, Qt.MouseButton.LeftButton)
    pad = softphone.controls.dial_pad
    assert pad is not None and pad.isVisible()
    qtbot.mouseClick(pad.buttons["#"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: peer.rtp.dtmf_events == [2, 0, 4, 11], timeout=3000)
    qtbot.mouseClick(bar.mute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: softphone.dialer.muted and bar.mute_button.isChecked(), timeout=2000)
    qtbot.mouseClick(bar.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.state_label.text() == "On hold", timeout=2000)
    assert softphone.dialer.on_hold

    qtbot.keyClick(pad, Qt.Key.Key_Escape)  # closes the pad (the dial pad's keys are tones, not shortcuts)
    assert not pad.isVisible()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # the calling keys are the window's again
    qtbot.mouseClick(bar.hang_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.state_label.text().startswith("Call ended after"), timeout=5000)
    assert bar.suggested is None
    qtbot.keyClick(window, Qt.Key.Key_5)  # Not interested
    assert [h.outcome for h in window.leads.card(priya).history] == ["not_interested"]

    # A consumer without written consent: the call is allowed, the recorded message is not.
    registry = tmp_path / "national.txt"
    registry.write_text("614,5550111\n")
    window.workspace.registry_service.import_file(
        registry, "national", as_of=date(2026, 11, 25), area_codes=(212, 917)
    )
    window.workspace.lists_changed()
    james = next(row.lead_id for row in window.leads.queue_page(0, 50) if row.name == "James O'Neil")
    window.show_lead(james)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bar.voicemail_button.isEnabled(), timeout=5000)

    qtbot.mouseClick(bar.voicemail_button, Qt.MouseButton.LeftButton)

    assert bar.banner_text.startswith("Voicemail not dropped, the gate refused it:")
    assert "prerecorded message to a consumer needs prior express written consent" in bar.banner_text
    assert not bar.voicemail_button.isEnabled() and bar.state == ON_CALL
    assert "voicemail drop refused" in window.leads.card(james).history[0].note
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert bar.state == ENDED
