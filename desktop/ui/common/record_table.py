"""QTableWidgets that list records, one a row: rows picked whole and never edited in place, columns sized
to their text with one column taking the width that is left, and the record of the selected row.

`table_text.read_only_table` builds the compact variant of such a list (one row at a time, no grid).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

RecordT = TypeVar("RecordT")


def make_record_list(table: QTableWidget) -> None:
    """No row numbers, no editing in place, and a click picks the whole row: each row is one record."""
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)


def fit_columns(table: QTableWidget, to_contents: Iterable[int], stretch: int | None = None) -> None:
    """Size the `to_contents` columns to their text; column `stretch` takes the width that is left
    (None: the last column does)."""
    header = table.horizontalHeader()
    for column in to_contents:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def record_in_selected_row(table: QTableWidget, records: Sequence[RecordT]) -> RecordT | None:
    """The record shown in the selected row of `table` (row n shows `records[n]`); None when no row is."""
    rows = table.selectionModel().selectedRows()
    if not rows or rows[0].row() >= len(records):
        return None
    return records[rows[0].row()]
