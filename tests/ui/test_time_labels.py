"""Every time shown says whose it is: the lead card's "Next try" and the queue tooltip give the
callee's time and the broker's, labelled ("their Wed 02 Dec 09:00 · your 15:00")."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def broker_in_paris(monkeypatch):  # type: ignore[no-untyped-def]
    """The broker's computer is in Paris, the callee in New York: the two clocks differ by 6 hours."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_next_try_on_the_card_and_in_the_queue_tooltip_is_labelled(qtbot, window, broker_in_paris):  # type: ignore[no-untyped-def]
    maria = window.current_card.id
    due = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York, 15:00 in Paris
    window.record_outcome("callback", callback_at=due)
    window.show_lead(maria)
    window.lead_panel.update_time(window.workspace.clock())
    expected = "Next try: their Wed 02 Dec 09:00 · your 15:00"
    assert window.lead_panel.due_label.text() == expected

    model = window.queue_model

    def tooltip() -> str:
        row = model.row_for_lead(maria)
        return "" if row is None else str(model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole))

    qtbot.waitUntil(lambda: "Next try" in tooltip())
    assert expected in tooltip().splitlines()


def test_a_time_on_another_day_for_the_broker_names_both_days(qtbot, window, broker_in_paris):  # type: ignore[no-untyped-def]
    maria = window.current_card.id
    due = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # Wed 20:00 in New York, Thu 02:00 in Paris
    window.record_outcome("callback", callback_at=due)
    window.show_lead(maria)
    window.lead_panel.update_time(window.workspace.clock())
    assert window.lead_panel.due_label.text() == "Next try: their Wed 02 Dec 20:00 · your Thu 03 Dec 02:00"
