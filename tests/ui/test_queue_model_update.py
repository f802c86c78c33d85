"""After an outcome the queue model moves only the changed lead's row (no re-read of the queue); the
rows, their order, what they show and the counts must be exactly those a full re-read gives."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex

from desktop.ui.queue.model import COLUMN_COUNT, QueueTableModel
from tests.ui.test_queue_model import write_list


@pytest.fixture
def queue(ui_workspace, tmp_path: Path):  # type: ignore[no-untyped-def]
    report = ui_workspace.imports.run(write_list(tmp_path / "list.csv", 30))
    assert report.imported == 30
    return ui_workspace


def _shown(model: QueueTableModel) -> list[tuple[object, ...]]:
    """Everything the view reads of every loaded row, in order."""
    return [
        tuple(model.index(row, column).data() for column in range(COLUMN_COUNT)) + (model.row_of(row),)
        for row in range(model.rowCount())
    ]


def _fully_loaded(model: QueueTableModel) -> QueueTableModel:
    model.refresh()
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return model


@pytest.mark.parametrize("page_size", [200, 8])
def test_moving_changed_rows_gives_what_a_full_refresh_gives(qapp, queue, page_size):  # type: ignore[no-untyped-def]
    clock = queue.clock
    moved = QueueTableModel(queue.leads, page_size=page_size, clock=clock)
    _fully_loaded(moved) if page_size == 200 else moved.refresh()
    steps = [
        (1, "no_answer", {}),  # tried: due again later
        (2, "not_interested", {}),  # out of the queue
        (3, "callback", {"callback_at": clock() + timedelta(minutes=5)}),
        (4, "busy", {}),
        (1, "voicemail", {}),  # a lead moved once moves again
        (5, "wrong_number", {}),
    ]
    for lead_id, outcome, details in steps:
        queue.calling.record_outcome(lead_id, outcome, **details)
        if not moved.update_leads([lead_id]):
            # Only allowed when the lead's row was never loaded (a short page): then a full re-read.
            assert moved.row_for_lead(lead_id) is None and moved.canFetchMore(QModelIndex())
            moved.refresh()
        fresh = QueueTableModel(queue.leads, page_size=page_size, clock=clock)
        fresh.refresh()
        while fresh.rowCount() < moved.rowCount() and fresh.canFetchMore(QModelIndex()):
            fresh.fetchMore(QModelIndex())
        assert _shown(moved) == _shown(fresh)[: moved.rowCount()], f"after {outcome} for lead {lead_id}"
        assert moved.counts == fresh.counts
    # The callback comes due: a full re-read (as the window does once keys pause) shows it first.
    clock.advance(minutes=6)
    assert _shown(_fully_loaded(moved))[0][-1].lead_id == 3  # type: ignore[attr-defined]


def test_a_lead_not_loaded_yet_asks_for_a_full_refresh(qapp, queue):  # type: ignore[no-untyped-def]
    model = QueueTableModel(queue.leads, page_size=5, clock=queue.clock)
    model.refresh()
    counts = model.counts
    queue.calling.record_outcome(20, "no_answer")
    assert not model.update_leads([20])
    assert model.counts == counts and model.rowCount() == 5


def test_counts_signal_follows_a_moved_row(qapp, queue, qtbot):  # type: ignore[no-untyped-def]
    model = QueueTableModel(queue.leads, clock=queue.clock)
    model.refresh()
    queue.calling.record_outcome(7, "not_interested")
    with qtbot.waitSignal(model.countsChanged) as emitted:
        assert model.update_leads([7])
    assert emitted.args[0].total == 29 and model.row_for_lead(7) is None
