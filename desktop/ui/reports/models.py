"""Qt models for the Reports window: one table model for every breakdown, and figure formatting.

A breakdown is a `desktop.services.reports_tables.Table` (title, headers, rows of typed values);
the model shows each cell as the PDF prints it and sorts by the value itself (`SORT_ROLE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.exports.pdf import format_value, header_text

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class ReportTableModel(QAbstractTableModel):
    """Rows of one report table (a few hundred at most: breakdowns, not the per-call detail)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[Sequence[Any]] = []
        self._formats: list[str | None] = []
        self._zone_label = ""

    def set_table(self, table: Any, zone_label: str = "") -> None:
        """Show `table`; `zone_label` ("your time", "America/New_York") follows the header of every
        column of dates or times, which are in the report's zone."""
        self.beginResetModel()
        self._headers = list(table.headers)
        self._rows = [tuple(row) for row in table.rows]
        self._formats = [table.formats.get(header) for header in self._headers]
        self._zone_label = zone_label
        self.endResetModel()

    def _is_time_column(self, column: int) -> bool:
        return any(isinstance(row[column], date) for row in self._rows)  # datetimes are dates too

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def value(self, row: int, column: int) -> Any:
        return self._rows[row][column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        header = self._headers[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if header.endswith("time_s") and isinstance(value, int | float):
                return f"{value / 3600:,.1f}"
            return format_value(value, self._formats[index.column()])
        if role == SORT_ROLE:
            return value if value is not None else -1
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if numeric or value is None:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            text = header_text(self._headers[section])
            if self._zone_label and self._is_time_column(section):
                return f"{text} ({self._zone_label})"
            return text
        return None
