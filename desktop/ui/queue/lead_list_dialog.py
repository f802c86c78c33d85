"""The frame of the dialogs that list dated items of leads (the callbacks list, upcoming meetings): a
read-only table that gives way to a note when there is nothing to list, the first row selected, and
"Show lead" (the button or a double-click) to open the lead of the selected row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import QBoxLayout, QDialog, QLabel, QPushButton, QTableWidgetItem, QWidget

from desktop.ui.common.clocks import DAY_TIME, their_time, zone_city
from desktop.ui.common.record_table import fit_columns, record_in_selected_row
from desktop.ui.common.table_text import read_only_table, table_rows


class LeadItem(Protocol):
    """What the dialog needs of a listed item: the lead it belongs to."""

    @property
    def lead_id(self) -> int: ...


ItemT = TypeVar("ItemT", bound=LeadItem)


class LeadListDialog(QDialog, Generic[ItemT]):
    """Lists `rows`, one item a row, in `table`; `show_button` emits `showLeadRequested(lead_id)` for the
    selected row and closes the dialog.

    A subclass lays itself out with `add_table` and `add_button_row` (placing `show_button` itself) and
    fills the table with `show_rows`.
    """

    showLeadRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ItemT] = []
        self.show_button = QPushButton(self.tr("Show lead"))
        self.show_button.clicked.connect(self.on_show_button_clicked)

    def add_table(
        self,
        layout: QBoxLayout,
        headers: list[str],
        fit_to_contents: Iterable[int],
        empty_text: str,
        stretch: int | None = None,
    ) -> None:
        """The table, taking the height there is, and under it `empty_text`, shown instead when there are
        no rows. Columns as `fit_columns` sizes them."""
        self.table = read_only_table(headers)
        fit_columns(self.table, fit_to_contents, stretch)
        self.table.doubleClicked.connect(self.on_table_double_clicked)
        self.table.itemSelectionChanged.connect(self.on_table_selection_changed)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(empty_text)
        self.empty_label.setObjectName("Muted")
        layout.addWidget(self.empty_label)

    def add_button_row(self, layout: QBoxLayout, buttons: QBoxLayout) -> None:
        """Close at the end of `buttons`, and the row at the bottom of the dialog."""
        close = QPushButton(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def their_time_text(self, moment: datetime, zone: str) -> str:
        """`moment` on the lead's clock with their city, or that their zone is unknown."""
        theirs = their_time(moment, zone, DAY_TIME)
        return f"{theirs} · {zone_city(zone)}" if theirs else self.tr("zone unknown")

    def show_rows(self, rows: list[ItemT], cells: Callable[[ItemT], dict[int, QTableWidgetItem]]) -> None:
        """List `rows` (each row's items by column from `cells`) and select the first; with no rows the
        empty note stands in for the table."""
        self.rows = rows
        self.table.setRowCount(len(rows))
        for row, item in enumerate(rows):
            for column, cell in cells(item).items():
                self.table.setItem(row, column, cell)
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        if rows:
            self.table.selectRow(0)
        self.on_table_selection_changed()

    def row_texts(self) -> list[str]:
        """Each row as one line, as shown (for tests)."""
        return [" | ".join(cells) for cells in table_rows(self.table)]

    def selected(self) -> ItemT | None:
        return record_in_selected_row(self.table, self.rows)

    @Slot()
    def on_table_selection_changed(self) -> None:
        self.show_button.setEnabled(self.selected() is not None)

    @Slot(QModelIndex)
    def on_table_double_clicked(self, _index: QModelIndex) -> None:
        self.on_show_button_clicked()

    @Slot()
    def on_show_button_clicked(self) -> None:
        item = self.selected()
        if item is not None:
            self.showLeadRequested.emit(item.lead_id)
            self.accept()
