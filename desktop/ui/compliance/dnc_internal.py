"""The internal do-not-call list, first tab of the do-not-call page: search it, add a number with a
reason (validated the way the gate reads numbers), remove one after a confirmation (the service
audits it). Every change tells the workspace that lists changed and emits `changed`.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.phones import normalize_e164
from desktop.services.dnc import DncError, DncListing
from desktop.services.leads import display_number
from desktop.services.workspace import Workspace
from desktop.ui.common import style
from desktop.ui.common.table_text import cell as _cell
from desktop.ui.common.table_text import read_only_table as _table
from desktop.ui.common.text import plural

SEARCH_DELAY_MS = 250
LIST_LIMIT = 1000

INT_NUMBER = 0
INT_REASON = 1
INT_ADDED = 2


def confirm_removal(parent: QWidget, number: str) -> bool:
    """Ask before a number comes off the internal list (calls to it are allowed again)."""
    answer = QMessageBox.question(
        parent,
        parent.tr("Remove from the do-not-call list"),
        parent.tr(
            "Take {number} off the internal do-not-call list?\n\n"
            "Calls to it will be allowed again. The removal is recorded in the audit log with your name."
        ).format(number=number),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class InternalListTab(QWidget):
    """The firm's own list: add, search, remove; emits `changed` after an add or a removal."""

    changed = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.entries: list[DncListing] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_internal_tab())
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh_internal)
        self.refresh_internal()

    def _build_internal_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(8)
        intro = QLabel(
            self.tr(
                "The firm's own list: these numbers are never called, business or residential, "
                "whatever consent was given. “Do not call” on a call adds the lead's numbers here."
            )
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        add_row = QHBoxLayout()
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText(self.tr("Number, e.g. (212) 555-0134 or +44 20 7946 0958"))
        self.number_edit.returnPressed.connect(self.on_add_button_clicked)
        add_row.addWidget(self.number_edit, 2)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(self.tr("Reason (asked on the phone, complaint, …)"))
        self.reason_edit.returnPressed.connect(self.on_add_button_clicked)
        add_row.addWidget(self.reason_edit, 3)
        self.add_button = QPushButton(self.tr("Add to the list"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.on_add_button_clicked)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)
        self.add_message = QLabel()
        self.add_message.setWordWrap(True)
        self.add_message.hide()
        layout.addWidget(self.add_message)

        search_row = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search the list by digits"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.on_search_edit_changed)
        search_row.addWidget(self.search_edit, 1)
        self.internal_count_label = QLabel()
        self.internal_count_label.setObjectName("Muted")
        search_row.addWidget(self.internal_count_label)
        layout.addLayout(search_row)

        self.internal_table = _table([self.tr("Number"), self.tr("Reason"), self.tr("Added (your time)")])
        header = self.internal_table.horizontalHeader()
        header.setSectionResizeMode(INT_NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(INT_REASON, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(INT_ADDED, QHeaderView.ResizeMode.ResizeToContents)
        self.internal_table.itemSelectionChanged.connect(self.on_internal_table_selection_changed)
        layout.addWidget(self.internal_table, 1)

        remove_row = QHBoxLayout()
        self.empty_label = QLabel()
        self.empty_label.setObjectName("Muted")
        remove_row.addWidget(self.empty_label, 1)
        self.remove_button = QPushButton(self.tr("Remove from the list…"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.on_remove_button_clicked)
        remove_row.addWidget(self.remove_button)
        layout.addLayout(remove_row)
        return page

    def refresh_internal(self) -> None:
        self._search_timer.stop()
        text = self.search_edit.text().strip()
        entries = self._workspace.dnc.listing(text, LIST_LIMIT)
        self.entries = entries
        total = self._workspace.registry_service.internal_count()
        table = self.internal_table
        table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            table.setItem(row, INT_NUMBER, _cell(display_number(entry.number, entry.number), entry.number))
            table.setItem(row, INT_REASON, _cell(entry.reason, entry.reason))
            table.setItem(row, INT_ADDED, _cell(entry.added_at.astimezone().strftime("%d %b %Y %H:%M")))
        count = plural("InternalListTab", total, "{n} number on the list", "{n} numbers on the list")
        if text:
            count = self.tr("{shown} found · {count}").format(shown=f"{len(entries):,}", count=count)
        elif len(entries) < total:
            count = self.tr("the newest {shown} of {count}").format(shown=f"{len(entries):,}", count=count)
        self.internal_count_label.setText(count)
        if entries:
            self.empty_label.setText("")
        elif text:
            self.empty_label.setText(self.tr("No number on the list contains “{text}”.").format(text=text))
        else:
            self.empty_label.setText(self.tr("The internal list is empty."))
        self.on_internal_table_selection_changed()

    def internal_numbers(self) -> list[str]:
        """The E.164 numbers the table shows, top to bottom (for tests)."""
        return [entry.number for entry in self.entries]

    @Slot(str)
    def on_search_edit_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def on_internal_table_selection_changed(self) -> None:
        self.remove_button.setEnabled(self.selected_number() is not None)

    def selected_number(self) -> str | None:
        rows = self.internal_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()].number

    def select_number(self, e164: str) -> bool:
        for row, entry in enumerate(self.entries):
            if entry.number == e164:
                self.internal_table.selectRow(row)
                return True
        return False

    def _say(self, text: str, ok: bool) -> None:
        self.add_message.setText(text)
        colour = style.POSITIVE if ok else style.DANGER
        self.add_message.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.add_message.show()

    @Slot()
    def on_add_button_clicked(self) -> None:
        text = self.number_edit.text().strip()
        reason = self.reason_edit.text().strip()
        if not text:
            self._say(self.tr("Type the number to add."), ok=False)
            self.number_edit.setFocus()
            return
        region = self._workspace.current_settings().default_region
        try:
            e164 = normalize_e164(text, region)
        except ValueError as error:
            self._say(self.tr("Not added: {error}").format(error=error), ok=False)
            self.number_edit.setFocus()
            self.number_edit.selectAll()
            return
        shown = display_number(e164, e164)
        if self._workspace.dnc.is_listed(e164):
            self._say(self.tr("{number} is already on the list.").format(number=shown), ok=True)
            self.search_edit.clear()
            self.refresh_internal()
            self.select_number(e164)
            return
        try:
            self._workspace.dnc.add(e164, reason=reason or self.tr("added by hand"), region=region)
        except DncError as error:
            self._say(self.tr("Not added: {error}").format(error=error), ok=False)
            return
        self.number_edit.clear()
        self.reason_edit.clear()
        self._say(
            self.tr("{number} is on the do-not-call list: the gate refuses every call to it.").format(
                number=shown
            ),
            ok=True,
        )
        self.search_edit.clear()
        self.refresh_internal()
        self.select_number(e164)
        self._changed()

    @Slot()
    def on_remove_button_clicked(self) -> None:
        number = self.selected_number()
        if number is None:
            return
        shown = display_number(number, number)
        if not confirm_removal(self, shown):
            return
        try:
            self._workspace.dnc.remove(number)
        except DncError as error:
            self._say(self.tr("Not removed: {error}").format(error=error), ok=False)
            return
        self._say(
            self.tr("{number} was taken off the list; calls to it are allowed again.").format(number=shown),
            ok=True,
        )
        self.refresh_internal()
        self._changed()

    def _changed(self) -> None:
        self._workspace.lists_changed()
        self.changed.emit()
