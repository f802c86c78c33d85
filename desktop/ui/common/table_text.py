"""Small QTableWidget helpers: read-only list tables, and reading a table back as the user sees it
(for tests, copying and screen readers)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def table_rows(table: QTableWidget) -> list[tuple[str, ...]]:
    """Every row's cell texts, top to bottom."""
    return [
        tuple(cell_text(table, row, column) for column in range(table.columnCount()))
        for row in range(table.rowCount())
    ]


def cell(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def read_only_table(headers: list[str]) -> QTableWidget:
    """A list-like table: whole rows selected one at a time, no editing, no grid."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(26)
    return table
