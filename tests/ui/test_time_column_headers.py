"""A column of times in the window says whose time it is: the broker's own ("your time") or the lead's
("their time"); a column of times without it would be read in the wrong zone."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget

from tests.ui.test_compliance_gui import open_page


def headers(table: QTableWidget) -> list[str]:
    return [table.horizontalHeaderItem(column).text() for column in range(table.columnCount())]


def test_the_do_not_call_pages_times_are_the_brokers(qtbot, window):  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    assert headers(page.internal.internal_table)[-1] == "Added (your time)"
    assert "Imported (your time)" in headers(page.registries.registry_table)
    page.close()


def test_the_follow_up_lists_name_both_zones(qtbot, window):  # type: ignore[no-untyped-def]
    callbacks = window.follow_up.open_callbacks_dialog()
    assert {"Due, their time", "Due, your time"} <= set(headers(callbacks.table))
    callbacks.close()


def test_the_lead_historys_times_are_the_brokers(window):  # type: ignore[no-untyped-def]
    history = window.lead_panel.history
    header = history.headerItem()
    assert header.text(0) == "When (your time)"
