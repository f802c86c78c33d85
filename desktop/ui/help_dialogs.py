"""Help: the keyboard shortcuts table and the About text."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.outcomes import OutcomeRule
from desktop.ui.common.labels import outcome_label


def shortcut_rows(rules: Iterable[OutcomeRule]) -> list[tuple[str, str]]:
    tr = QCoreApplication.translate
    rows = [
        (
            tr("Shortcuts", "Space or Enter"),
            tr("Shortcuts", "Call the selected number (the gate checks it first)"),
        ),
        (tr("Shortcuts", "Esc"), tr("Shortcuts", "Hang up")),
    ]
    for rule in rules:
        action = tr("Shortcuts", "Record “{label}” and show the next lead").format(label=outcome_label(rule))
        if rule.needs_time:
            action += tr("Shortcuts", " (asks when; Enter saves)")
        rows.append((rule.key, action))
    rows += [
        (tr("Shortcuts", "Alt+Left"), tr("Shortcuts", "Back to the previous lead")),
        (tr("Shortcuts", "Alt+Right"), tr("Shortcuts", "Skip to the next lead in the queue")),
        (tr("Shortcuts", "Ctrl+F"), tr("Shortcuts", "Filter the queue")),
        (tr("Shortcuts", "Ctrl+N"), tr("Shortcuts", "Write notes (Tab leaves the notes)")),
        (tr("Shortcuts", "Ctrl+J"), tr("Shortcuts", "Answer the script's current question (letters pick)")),
        (tr("Shortcuts", "F2"), tr("Shortcuts", "Objections: what they said, and the soft response")),
        (tr("Shortcuts", "Alt+Up / Alt+Down"), tr("Shortcuts", "Script: back one step / skip this step")),
        (tr("Shortcuts", "Ctrl+R"), tr("Shortcuts", "Read the script's stage aloud")),
        (tr("Shortcuts", "Ctrl+O"), tr("Shortcuts", "Import a call list")),
        (tr("Shortcuts", "Ctrl+,"), tr("Shortcuts", "Settings")),
        (tr("Shortcuts", "Ctrl+Q"), tr("Shortcuts", "Quit")),
    ]
    return rows


class ShortcutsDialog(QDialog):
    """Lists every key the window answers to; digits and Space are text while typing in a field."""

    def __init__(self, rules: Iterable[OutcomeRule], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setMinimumSize(560, 520)
        layout = QVBoxLayout(self)
        rows = shortcut_rows(rules)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("What it does")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        for row, (key, action) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(action))
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table = table


def about_text(version: str) -> str:
    tr = QCoreApplication.translate
    return tr(
        "About",
        "<h3>Dialdesk {version}</h3>"
        "<p>A calling workstation for people who cold-call for a living.</p>"
        "<p>Every number is checked before it is dialled: validity, the do-not-call lists and the "
        "callee's local calling hours. Every decision is recorded.</p>"
        "<p>Your data stays on this computer.</p>",
    ).format(version=version)
