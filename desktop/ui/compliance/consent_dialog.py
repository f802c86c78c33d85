"""A lead's consent records (written consent, inquiry, purchase) with their evidence: list, add, remove.

Consent lets a call to a residential number pass the national and state registries (an inquiry for
3 months, a purchase for 18, written consent until withdrawn); it never overrides the internal list.
Every change goes through `ConsentService` (audited) and emits `changed`, so the window can decide
the gate preview again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.consent import CONSENT_KINDS, ConsentError, ConsentRecord, ConsentService
from desktop.ui.common import style
from desktop.ui.common.labels import consent_kind_label, consent_line
from desktop.ui.common.record_table import fit_columns, make_record_list, record_in_selected_row

COL_KIND = 0
COL_DATE = 1
COL_EVIDENCE = 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConsentDialog", text)


def kind_explained(kind: str) -> str:
    return {
        "written": _tr("Prior express written consent (until withdrawn)"),
        "inquiry": _tr("Inquiry: established business relationship for 3 months"),
        "purchase": _tr("Purchase: established business relationship for 18 months"),
    }.get(kind, kind)


def confirm_consent_removal(parent: QWidget, record: ConsentRecord) -> bool:
    answer = QMessageBox.question(
        parent,
        parent.tr("Remove consent"),
        parent.tr(
            "Remove “{line}”?\n\nIf it was the lead's only permission, calls to a residential number on a "
            "do-not-call registry are refused again. The removal is recorded in the audit log."
        ).format(line=consent_line(record)),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class ConsentDialog(QDialog):
    """Edits one lead's consent records; emits `changed(lead_id)` after an add or a removal."""

    changed = Signal(int)

    def __init__(
        self,
        consent: ConsentService,
        lead_id: int,
        lead_name: str,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._consent = consent
        self.lead_id = lead_id
        self._today = today
        self.records: list[ConsentRecord] = []
        self.setWindowTitle(self.tr("Consent: {name}").format(name=lead_name))
        self.setMinimumSize(620, 420)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        heading = QLabel(self.tr("Permission to call {name}").format(name=lead_name))
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(heading)
        intro = QLabel(
            self.tr(
                "Consent or an established business relationship lets a call to a residential number "
                "pass the national and state do-not-call registries. It never overrides the firm's "
                "internal list."
            )
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Kind"), self.tr("Date"), self.tr("Evidence")])
        make_record_list(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        fit_columns(self.table, (COL_KIND, COL_DATE))
        self.table.itemSelectionChanged.connect(self.on_table_selection_changed)
        layout.addWidget(self.table, 1)
        remove_row = QHBoxLayout()
        self.empty_label = QLabel(self.tr("No consent recorded for this lead."))
        self.empty_label.setObjectName("Muted")
        remove_row.addWidget(self.empty_label)
        remove_row.addStretch(1)
        self.remove_button = QPushButton(self.tr("Remove…"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.on_remove_button_clicked)
        remove_row.addWidget(self.remove_button)
        layout.addLayout(remove_row)

        title = QLabel(self.tr("ADD A RECORD"))
        title.setObjectName("PanelTitle")
        layout.addWidget(title)
        form = QFormLayout()
        self.kind_combo = QComboBox()
        for kind in CONSENT_KINDS:
            self.kind_combo.addItem(kind_explained(kind), kind)
        form.addRow(self.tr("Kind"), self.kind_combo)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        form.addRow(self.tr("Given on"), self.date_edit)
        self.evidence_edit = QLineEdit()
        self.evidence_edit.setPlaceholderText(self.tr("Signed form, web form id, order number …"))
        self.evidence_edit.returnPressed.connect(self.on_add_button_clicked)
        form.addRow(self.tr("Evidence"), self.evidence_edit)
        layout.addLayout(form)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.on_add_button_clicked)
        buttons.addWidget(self.add_button)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.refresh()
        self.evidence_edit.setFocus()

    def refresh(self) -> None:
        self.records = self._consent.for_lead(self.lead_id)
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            values = {
                COL_KIND: consent_kind_label(record.kind),
                COL_DATE: record.given_on.isoformat(),
                COL_EVIDENCE: record.evidence,
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                item.setToolTip(kind_explained(record.kind) if column == COL_KIND else text)
                self.table.setItem(row, column, item)
        self.empty_label.setVisible(not self.records)
        self.on_table_selection_changed()

    def rows(self) -> list[str]:
        """The records as shown, one line each (for tests)."""
        return [consent_line(record) for record in self.records]

    def _say(self, text: str, ok: bool) -> None:
        self.message_label.setText(text)
        colour = style.POSITIVE if ok else style.DANGER
        self.message_label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.message_label.show()

    def chosen_date(self) -> date:
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())

    @Slot()
    def on_add_button_clicked(self) -> None:
        kind = str(self.kind_combo.currentData())
        evidence = self.evidence_edit.text().strip()
        if not evidence:
            self._say(
                self.tr("Say what the evidence is (a signed form, a web form id, an order number …)."),
                ok=False,
            )
            self.evidence_edit.setFocus()
            return
        try:
            record = self._consent.add(self.lead_id, kind, self.chosen_date(), evidence)
        except ConsentError as error:
            self._say(self.tr("Not added: {error}").format(error=error), ok=False)
            return
        self.evidence_edit.clear()
        self._say(self.tr("Added: {line}").format(line=consent_line(record)), ok=True)
        self.refresh()
        self.changed.emit(self.lead_id)

    @Slot()
    def on_table_selection_changed(self) -> None:
        self.remove_button.setEnabled(self.selected_record() is not None)

    def selected_record(self) -> ConsentRecord | None:
        return record_in_selected_row(self.table, self.records)

    @Slot()
    def on_remove_button_clicked(self) -> None:
        record = self.selected_record()
        if record is None or not confirm_consent_removal(self, record):
            return
        try:
            self._consent.remove(record.id)
        except ConsentError as error:
            self._say(self.tr("Not removed: {error}").format(error=error), ok=False)
            return
        self._say(self.tr("Removed: {line}").format(line=consent_line(record)), ok=True)
        self.refresh()
        self.changed.emit(self.lead_id)
