"""Tools → Outcome rules…: what each outcome means for the lead, editable over the shipped defaults."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.services.outcome_rules import LOCKED, OutcomeRulesError, OutcomeRulesService
from desktop.services.workspace import Workspace

COLUMNS = (
    "Key",
    "Outcome",
    "Counts as attempt",
    "Counts as contact",
    "Ends the sequence",
    "Try again after (h)",
)


class OutcomeRulesDialog(QDialog):
    """One row per outcome: counters, retry delay and whether it ends the sequence."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(self.tr("Outcome rules — Dialdesk"))
        self.rows: dict[str, tuple[QCheckBox, QCheckBox, QCheckBox, QDoubleSpinBox]] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "What each outcome key does to the lead. The retry delay is the soonest the next try "
                "comes; the cadence then picks the lead's next morning, midday or afternoon slot."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        for column, title in enumerate(COLUMNS):
            header = QLabel(self.tr(title))
            header.setStyleSheet("font-weight: 600;")
            grid.addWidget(header, 0, column)
        for row, rule in enumerate(workspace.calling.outcome_rules, start=1):
            grid.addWidget(QLabel(rule.key), row, 0)
            grid.addWidget(QLabel(self.tr(rule.label)), row, 1)
            attempt, contact, terminal = QCheckBox(), QCheckBox(), QCheckBox()
            attempt.setChecked(rule.counts_as_attempt)
            contact.setChecked(rule.counts_as_contact)
            terminal.setChecked(rule.terminal)
            retry = QDoubleSpinBox()
            retry.setRange(0.25, 24 * 60)
            retry.setDecimals(2)
            retry.setSuffix(self.tr(" h"))
            retry.setValue(rule.retry_after.total_seconds() / 3600 if rule.retry_after else 4.0)
            retry.setEnabled(not rule.terminal and not rule.needs_time)
            terminal.toggled.connect(lambda ended, spin=retry: spin.setEnabled(not ended))
            if "terminal" in LOCKED.get(rule.code, {}):
                terminal.setEnabled(False)
                terminal.setToolTip(self.tr("A person who asks not to be called is never called again."))
            if rule.needs_time:
                retry.setToolTip(self.tr("This outcome asks for the time of the next contact."))
            for column, widget in enumerate((attempt, contact, terminal, retry), start=2):
                grid.addWidget(widget, row, column, alignment=Qt.AlignmentFlag.AlignCenter)
            self.rows[rule.code] = (attempt, contact, terminal, retry)
        layout.addLayout(grid)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b42318;")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.on_restore_clicked)
        layout.addWidget(buttons)

    def overrides(self) -> dict[str, dict[str, object]]:
        """The rows that differ from the shipped defaults."""
        shipped = {rule.code: rule for rule in OutcomeRulesService.combine({})}
        changes: dict[str, dict[str, object]] = {}
        for code, (attempt, contact, terminal, retry) in self.rows.items():
            rule = shipped[code]
            row: dict[str, object] = {}
            if attempt.isChecked() != rule.counts_as_attempt:
                row["counts_as_attempt"] = attempt.isChecked()
            if contact.isChecked() != rule.counts_as_contact:
                row["counts_as_contact"] = contact.isChecked()
            if terminal.isChecked() != rule.terminal:
                row["terminal"] = terminal.isChecked()
            shipped_hours = rule.retry_after.total_seconds() / 3600 if rule.retry_after else None
            if retry.isEnabled() and (shipped_hours is None or abs(retry.value() - shipped_hours) > 1e-6):
                row["retry_hours"] = retry.value()
            if row:
                changes[code] = row
        return changes

    @Slot()
    def on_buttons_accepted(self) -> None:
        try:
            self.workspace.save_outcome_rules(self.overrides())
        except OutcomeRulesError as error:
            self.error_label.setText(str(error))
            return
        self.accept()

    @Slot()
    def on_restore_clicked(self) -> None:
        for rule in OutcomeRulesService.combine({}):
            attempt, contact, terminal, retry = self.rows[rule.code]
            attempt.setChecked(rule.counts_as_attempt)
            contact.setChecked(rule.counts_as_contact)
            terminal.setChecked(rule.terminal)
            if rule.retry_after:
                retry.setValue(rule.retry_after.total_seconds() / 3600)
