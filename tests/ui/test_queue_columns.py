"""The queue fits its panel: no horizontal scrollbar at 1366×768 or 1280×720, no column title or
cell cut off, and a later lead says when it is due, on whose clock, without hovering."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from desktop.ui.queue.model import COL_ATTEMPTS, COL_LOCAL_TIME, COL_POSITION, COL_WHEN, BucketRole
from tests.ui.test_any_screen import place

SCREENS = {"1366x768": QRect(0, 0, 1366, 768), "1280x720": QRect(0, 0, 1280, 720)}


def painted_lines(panel, row: int, column: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The two lines the queue paints in a cell, elided as they are on screen."""
    view = panel.view
    index = panel.proxy.index(row, column)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    delegate = view.itemDelegateForColumn(column)
    return delegate.lines(option, index)  # type: ignore[no-any-return]


@pytest.mark.parametrize("screen", SCREENS)
def test_columns_fit_without_a_horizontal_scrollbar(window, screen):  # type: ignore[no-untyped-def]
    place(window, SCREENS[screen])
    panel = window.queue_panel
    view = panel.view
    QApplication.processEvents()
    assert not view.horizontalScrollBar().isVisible()
    shown = [column for column in range(panel.proxy.columnCount()) if not view.isColumnHidden(column)]
    assert sum(view.columnWidth(column) for column in shown) <= view.viewport().width()
    header = view.horizontalHeader()
    metrics = QFontMetrics(header.font())
    for column in shown:  # every title line fits its column (the sort arrow aside)
        title = str(panel.proxy.headerData(column, header.orientation()))
        widest = max(metrics.horizontalAdvance(line) for line in title.splitlines())
        assert widest <= header.sectionSize(column) - 8, title
    # The short columns show their text whole, in every loaded row.
    for row in range(panel.proxy.rowCount()):
        for column in (COL_POSITION, COL_ATTEMPTS, COL_LOCAL_TIME):
            index = panel.proxy.index(row, column)
            text = str(index.data())
            assert QFontMetrics(view.font()).horizontalAdvance(text) <= view.columnWidth(column) - 8, text
        top, bottom = painted_lines(panel, row, COL_WHEN)
        assert "…" not in top + bottom


def test_a_later_lead_shows_when_it_is_due_on_their_clock(window):  # type: ignore[no-untyped-def]
    place(window, SCREENS["1366x768"])
    panel = window.queue_panel
    QApplication.processEvents()
    later = [
        row for row in range(panel.proxy.rowCount()) if panel.proxy.index(row, 0).data(BucketRole) == "later"
    ]
    assert later, "the sample list has leads outside their calling hours at this moment"
    for row in later:
        top, bottom = painted_lines(panel, row, COL_WHEN)
        assert top == "Later"
        assert re.fullmatch(r"their (\w{3} )?\d\d:\d\d", bottom), bottom
