"""The queue model pages from the service 200 rows at a time; no window needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desktop.ui.common import style
from desktop.ui.queue.model import (
    COL_ATTEMPTS,
    COL_NAME,
    COL_WHEN,
    PAGE_SIZE,
    BucketRole,
    DueDetailRole,
    LeadIdRole,
    QueueSortProxy,
    QueueTableModel,
    counts_text,
)


def write_list(path: Path, count: int) -> Path:
    # Business leads: calling them needs no national registry copy, which these tests do not import.
    lines = ["First Name,Last Name,Company,Phone,Type"]
    lines += [
        f"Lead{n},Person{n},Firm {n},(212) 2{n // 10000:02d}-{n % 10000:04d},business" for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def big_queue(ui_workspace, tmp_path):  # type: ignore[no-untyped-def]
    report = ui_workspace.imports.run(write_list(tmp_path / "big.csv", 450))
    assert report.imported == 450
    return ui_workspace


def test_pages_of_200_with_fetch_more(qapp, big_queue):  # type: ignore[no-untyped-def]
    model = QueueTableModel(big_queue.leads)
    model.refresh()
    assert model.rowCount() == PAGE_SIZE == 200
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450

    first = model.index(0, COL_NAME)
    assert first.data() == "Lead0 Person0"
    assert first.data(LeadIdRole) == 1
    assert first.data(BucketRole) == "new"
    assert model.index(449, COL_NAME).data() == "Lead449 Person449"
    assert model.index(0, COL_ATTEMPTS).data() == "0/18"
    assert counts_text(model.counts) == "450 leads · 0 due · 450 new · 0 later"


def test_filter_is_done_by_the_service(qapp, big_queue):  # type: ignore[no-untyped-def]
    model = QueueTableModel(big_queue.leads)
    model.refresh()
    counts = []
    model.countsChanged.connect(counts.append)
    model.set_filter("Person449")
    # Lead 449 was never loaded (it is past the first page), yet the filter finds it.
    names = [model.index(row, COL_NAME).data() for row in range(model.rowCount())]
    assert "Lead449 Person449" in names
    assert not model.canFetchMore(QModelIndex())
    assert counts[-1].total == len(names)
    model.set_filter("")
    assert model.rowCount() == 200


def test_later_rows_are_grey_and_sort_by_value(qapp, big_queue):  # type: ignore[no-untyped-def]
    big_queue.calling.record_outcome(1, "no_answer")
    model = QueueTableModel(big_queue.leads, clock=big_queue.clock)
    model.refresh()
    last = model.rowCount() - 1
    # The lead tried just now is due later: still in the queue, at the end, greyed.
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    last = model.rowCount() - 1
    assert model.index(last, COL_NAME).data(LeadIdRole) == 1
    assert model.index(last, COL_NAME).data(BucketRole) == "later"
    assert model.index(last, COL_WHEN).data() == "Later"
    # When it is due is the second line, on the lead's clock: 12:00 in New York now, tried again 4 h on.
    assert model.index(last, COL_WHEN).data(DueDetailRole) == "their 16:00"
    brush = model.index(last, COL_NAME).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == style.FAINT
    assert model.index(0, COL_NAME).data(Qt.ItemDataRole.ForegroundRole) is None
    assert counts_text(model.counts) == "450 leads · 0 due · 449 new · 1 later"

    proxy = QueueSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_ATTEMPTS, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, COL_NAME).data(LeadIdRole) == 1
    assert proxy.index(0, COL_ATTEMPTS).data() == "1/18"
