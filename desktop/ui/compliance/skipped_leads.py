"""Who a check of the list would skip, and why: one row per lead (name, number, reason code and the
reason in words) under the counts of Tools → Check the list…, and the same leads exported as CSV
(the columns of `dialdesk scrub --out`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop.exports.safe_csv import open_private, write_csv
from desktop.services.leads import display_number
from desktop.services.scrub import SCRUB_COLUMNS, ScrubRow, scrub_record

COL_LEAD = 0
COL_NUMBER = 1
COL_CODE = 2
COL_REASON = 3
AnyIndex = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("SkippedLeads", text)


def skipped_cells(row: ScrubRow) -> tuple[str, str, str, str]:
    """Lead, number, reason codes and the reasons in words, as the table shows them."""
    number = display_number(row.number, row.number) if row.number else _tr("(no number)")
    codes = " ".join(row.decision.codes)
    reasons = "; ".join(reason.detail for reason in row.decision.reasons)
    return row.name, number, codes, reasons


class SkippedLeadsModel(QAbstractTableModel):
    """The skipped leads of one check; cells are computed when shown (a list may skip thousands)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: Sequence[ScrubRow] = ()

    def set_rows(self, rows: Sequence[ScrubRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 N802 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 N802 - Qt's signature
        return 0 if parent.isValid() else 4

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (_tr("Lead"), _tr("Number"), _tr("Reason code"), _tr("Why"))[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return skipped_cells(self.rows[index.row()])[index.column()]
        return None


def export_skipped(path: Path, rows: Sequence[ScrubRow]) -> int:
    """Write the skipped leads as CSV (user-only file, cells neutralised); returns the rows written."""
    with open_private(path) as stream:
        return write_csv(stream, SCRUB_COLUMNS, (scrub_record(row) for row in rows))
