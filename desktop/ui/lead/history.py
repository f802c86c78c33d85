"""The lead's history on the card: calls first, newest on top, each call's script answers folded
under it (click the arrow to see them), so answers never push the calls below the fold.

Answers given with no call in progress are gathered under one row after the calls.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop.services.leads import HistoryItem, display_number
from desktop.ui.common import style

HIST_WHEN = 0
HIST_NUMBER = 1
HIST_RESULT = 2
HIST_DURATION = 3
HIST_DETAILS = 4
WHEN_FORMAT = "%d %b %H:%M"


def _tr(text: str) -> str:
    return QCoreApplication.translate("HistoryTree", text)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    return f"{total // 60}:{total % 60:02d}"


def history_result(item: HistoryItem) -> str:
    if item.kind == "answer":
        return _tr("Script answer")
    if not item.allowed:
        return _tr("Blocked")
    if item.outcome:
        return item.outcome_label or item.outcome
    return _tr("Call, no outcome yet")


def history_details(item: HistoryItem) -> str:
    parts = [detail or code for code, detail in item.reasons]
    if item.note:
        parts.append(item.note)
    return "; ".join(parts)


def row_texts(item: HistoryItem) -> list[str]:
    """The five cells of one history row, as the agent reads them."""
    number = display_number(item.number, item.number) if item.number.startswith("+") else item.number
    return [
        item.at.astimezone().strftime(WHEN_FORMAT),
        number,
        history_result(item),
        format_duration(item.duration_s),
        history_details(item),
    ]


class HistoryTree(QTreeWidget):
    """Calls as rows; a call's answers as its folded children."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(5)
        self.setHeaderLabels(
            [_tr("When (your time)"), _tr("Number"), _tr("Result"), _tr("Length"), _tr("Details")]
        )
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.setEditTriggers(QTreeWidget.EditTrigger.NoEditTriggers)
        header = self.header()
        for column in (HIST_WHEN, HIST_NUMBER, HIST_RESULT, HIST_DURATION):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def show_items(self, items: Sequence[HistoryItem]) -> None:
        """Calls in the order given (newest first), each with its answers (oldest first) folded under it."""
        self.clear()
        calls = [item for item in items if item.kind != "answer"]
        answers = sorted((item for item in items if item.kind == "answer"), key=lambda item: item.at)
        rows: dict[int, QTreeWidgetItem] = {}
        for call in calls:
            row = self._row(call)
            self.addTopLevelItem(row)
            if call.attempt_id is not None:
                rows[call.attempt_id] = row
        loose: list[HistoryItem] = []
        for answer in answers:
            parent = rows.get(answer.attempt_id) if answer.attempt_id is not None else None
            if parent is None:
                loose.append(answer)
            else:
                parent.addChild(self._row(answer))
        if loose:
            group = QTreeWidgetItem(["", "", _tr("Script answers"), "", _tr("given outside a call")])
            self.addTopLevelItem(group)
            group.addChildren([self._row(answer) for answer in loose])
        for row in self.top_rows():
            if row.childCount():
                count = row.childCount()
                hint = _tr("{n} script answers") if count != 1 else _tr("{n} script answer")
                row.setToolTip(HIST_RESULT, hint.format(n=count))

    def _row(self, item: HistoryItem) -> QTreeWidgetItem:
        row = QTreeWidgetItem(row_texts(item))
        if not item.allowed:
            for column in range(self.columnCount()):
                row.setForeground(column, QBrush(QColor(style.DANGER)))
        if item.kind == "answer":
            for column in range(self.columnCount()):
                row.setForeground(column, QBrush(QColor(style.MUTED)))
        details = row.text(HIST_DETAILS)
        if details:
            row.setToolTip(HIST_DETAILS, details)
        return row

    def texts(self) -> list[str]:
        """Each row as one line, as the agent reads it: calls, then (indented) the answers under them."""
        lines = []
        for row in self.top_rows():
            lines.append(" | ".join(row.text(column) for column in range(self.columnCount())))
            for answer in (row.child(child) for child in range(row.childCount())):
                if answer is not None:
                    lines.append(
                        "  " + " | ".join(answer.text(column) for column in range(self.columnCount()))
                    )
        return lines

    def call_rows_in_sight(self) -> list[str]:
        """The call rows the viewport shows right now (for tests: answers never push them out)."""
        shown = []
        for row in self.top_rows():
            rect = self.visualItemRect(row)
            # Whole rows top to bottom (a long Details cell may run past the right edge).
            if rect.isValid() and rect.top() >= 0 and rect.bottom() <= self.viewport().height():
                shown.append(row.text(HIST_WHEN))
        return shown

    def top_rows(self) -> list[QTreeWidgetItem]:
        rows = (self.topLevelItem(index) for index in range(self.topLevelItemCount()))
        return [row for row in rows if row is not None]
