"""Power dialling from the real main window, with the Hand-off backend and a URL opener that records:
the countdown dials the next lead as an automated dial, Pause and Skip work, the rate is shown, and
a Florida consumer is refused an automated dial and then called by hand.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.storage.models import Attempt
from desktop.ui.calling.session import IDLE, ON_CALL

pytestmark = pytest.mark.gui


def hand_off(window) -> list[str]:  # type: ignore[no-untyped-def]
    settings = window.workspace.current_settings()
    settings.backend = "handoff_tel"
    window.workspace.save_settings(settings)
    window.on_settings_saved()
    opened: list[str] = []
    window.workspace.set_url_opener(lambda uri: opened.append(uri) or True)
    return opened


def attempts(window) -> list[Attempt]:  # type: ignore[no-untyped-def]
    with window.workspace.uow() as uow:
        return list(uow.session.scalars(select(Attempt).order_by(Attempt.id)))


def lead_name(window) -> str:  # type: ignore[no-untyped-def]
    return window.lead_panel.name_label.text()


def test_power_dial_counts_down_dials_and_continues_after_each_outcome(qtbot, window, ui_clock):  # type: ignore[no-untyped-def]
    opened = hand_off(window)
    power = window.softphone.power
    bar = window.dial_bar.power_bar
    assert bar.rate_label.text() == "Dials: 0"

    qtbot.mouseClick(bar.toggle_button, Qt.MouseButton.LeftButton)

    assert bar.countdown_label.text() == "Calling Maria Lopez in 3 s"  # the default countdown
    assert bar.pause_button.isVisible() and bar.skip_button.isVisible()
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    assert bar.countdown_label.text() == "Paused before calling Maria Lopez"
    assert bar.pause_button.text() == "Resume"
    qtbot.wait(300)
    assert opened == []
    power.remaining_ms = 300  # a shorter wait for the test; the countdown itself is unchanged
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: opened == ["tel:+12125550134"], timeout=3000)
    assert window.dial_bar.state == ON_CALL
    assert not bar.pause_button.isVisible() and not bar.skip_button.isVisible()
    assert json.loads(attempts(window)[-1].reasons)["automated"] is True

    window.softphone.settings.power_countdown_s = 0.3
    qtbot.keyClick(window, Qt.Key.Key_1)  # No answer: the next lead comes up and is counted down to

    second = lead_name(window)
    assert second != "Maria Lopez"
    qtbot.waitUntil(lambda: bar.countdown_label.text().startswith(f"Calling {second} in"), timeout=2000)
    # Skip leaves this one and counts down to the lead after it.
    qtbot.mouseClick(bar.skip_button, Qt.MouseButton.LeftButton)
    third = lead_name(window)
    assert third not in (second, "Maria Lopez")
    assert bar.countdown_label.text().startswith(f"Calling {third} in")
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=3000)
    assert window.dial_bar.state == ON_CALL
    assert [a.lead_id for a in attempts(window) if a.allowed][-1] == window.current_card.id

    # Two dials in the first minute are no rate: none is shown before ten minutes of calling.
    assert bar.rate_label.text() == "Dials: 2"
    ui_clock.advance(minutes=9, seconds=59)
    power.update_rate()
    assert bar.rate_label.text() == "Dials: 2"
    ui_clock.advance(seconds=1)
    window.on_tick_timeout()  # the window's second tick shows it, with no new dial
    assert bar.rate_label.text() == "Dials: 2 · 12 an hour"
    ui_clock.advance(minutes=20)
    power.update_rate()
    assert bar.rate_label.text() == "Dials: 2 · 4 an hour"

    qtbot.mouseClick(bar.toggle_button, Qt.MouseButton.LeftButton)  # off
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.wait(500)
    assert len(opened) == 2 and window.dial_bar.state == IDLE
    assert bar.countdown_label.text() == ""


def test_power_dial_refused_for_a_florida_consumer_then_dialled_by_hand(qtbot, window, tmp_path: Path):  # type: ignore[no-untyped-def]
    # A fresh national registry copy (not listing Emily) lets the gate decide on consumers at all.
    registry = tmp_path / "national.txt"
    registry.write_text("614,5550111\n")
    window.workspace.registry_service.import_file(
        registry, "national", as_of=date(2026, 11, 25), area_codes=(305,)
    )
    # Florida's own no-sales-solicitation list is required too (Fla. Stat. 501.059).
    window.workspace.registry_service.import_file(registry, "state:FL", as_of=date(2026, 11, 25))
    window.workspace.lists_changed()
    emily = next(row.lead_id for row in window.leads.queue_page(0, 50) if row.name == "Emily Chen")
    opened = hand_off(window)
    # Her callback is due now: the queue offers her first, so power dial counts down to her.
    window.workspace.scripts.schedule_callback(emily, timedelta(0))
    window.show_lead(emily)
    assert "OK to call now" in window.lead_panel.gate_label.text()
    power = window.softphone.power
    bar = window.dial_bar.power_bar
    window.softphone.settings.power_countdown_s = 0.3

    qtbot.mouseClick(bar.toggle_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: power.held, timeout=3000)
    assert opened == []
    assert window.dial_bar.state == IDLE
    assert "Florida forbids automatically dialled sales calls" in window.dial_bar.banner_text
    assert bar.countdown_label.text().startswith("Not dialled automatically (Florida forbids")
    assert "Press Space to call by hand, or Skip." in bar.countdown_label.text()
    assert bar.skip_button.isVisible() and not bar.pause_button.isVisible()
    refused = attempts(window)[-1]
    assert not refused.allowed and json.loads(refused.reasons)["automated"] is True

    qtbot.keyClick(window, Qt.Key.Key_Space)  # the agent dials by hand: allowed

    assert opened == ["tel:+13055550166"]
    assert window.dial_bar.state == ON_CALL
    manual = attempts(window)[-1]
    assert manual.allowed and json.loads(manual.reasons)["automated"] is False
    assert not power.held


def test_power_dial_starts_from_the_queue_not_the_lead_on_screen_and_keeps_a_callback(  # type: ignore[no-untyped-def]
    qtbot, window, ui_clock
):
    """A callback booked for later is not dialled early by power dial, and a no answer on another
    lead (or on this one) does not cancel it: View → Callbacks still lists it."""
    opened = hand_off(window)
    robert = window.current_card.id
    now = ui_clock()
    due = now + timedelta(minutes=54)
    window.record_outcome("callback", callback_at=due)  # as the callback dialog does
    window.show_lead(robert)  # the broker goes back to the lead on screen
    assert window.current_card.id == robert
    window.softphone.settings.power_countdown_s = 0.3
    bar = window.dial_bar.power_bar

    qtbot.mouseClick(bar.toggle_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: len(opened) == 1, timeout=3000)
    assert window.current_card.id != robert
    assert window.current_card.id == [a.lead_id for a in attempts(window) if a.allowed][-1]
    qtbot.keyClick(window, Qt.Key.Key_1)  # no answer on the lead dialled
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=3000)
    assert robert not in [a.lead_id for a in attempts(window) if a.allowed][-2:]
    qtbot.mouseClick(bar.toggle_button, Qt.MouseButton.LeftButton)  # power dial off
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_1)
    # A no answer recorded on Robert himself before the time does not cancel his callback either.
    window.show_lead(robert)
    window.record_outcome("no_answer")
    dialog = window.follow_up.open_callbacks_dialog()  # View → Callbacks
    assert [view.lead_id for view in dialog.rows] == [robert]
    dialog.close()
    ui_clock.set(due)
    assert window.next_due_lead_id() == robert
