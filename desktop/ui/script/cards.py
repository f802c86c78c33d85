"""Cards of the script panel: advice to offer, an objection's soft response, the suggested outcome,
and the objection picker (F2).

Cards only show and ask: the panel calls the script service and the window records outcomes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.outcomes import OutcomeRules
from desktop.domain.script_engine import AdviceView, ObjectionView
from desktop.ui.common import style
from desktop.ui.common.labels import outcome_label
from desktop.ui.script.widgets import KeyButton, after_text, set_flag, wrapping_label


def outcome_words(rules: OutcomeRules, code: str) -> tuple[str, str]:
    """(label, key) of an outcome code, e.g. ("Not interested", "5")."""
    try:
        rule = rules.get(code)
    except ValueError:
        return code, ""
    return outcome_label(rule), rule.key


class _CardWithFeedback(QFrame):
    """A card with a line under its buttons saying what its last action did (or why it failed)."""

    def _add_feedback(self, layout: QVBoxLayout) -> None:
        self.feedback = wrapping_label("", "Feedback")
        self.feedback.hide()
        layout.addWidget(self.feedback)

    def show_feedback(self, text: str, error: bool = False) -> None:
        self.feedback.setText(text)
        set_flag(self.feedback, "error", error)
        self.feedback.show()
        if not error:
            self._action_done()

    def _action_done(self) -> None:
        """The card's action succeeded: its button should not be pressed twice."""


class AdviceCard(_CardWithFeedback):
    """Free advice the answers brought up, with its one-click callback and what became of it."""

    scheduleRequested = Signal(str)  # advice id

    def __init__(self, advice: AdviceView, fresh: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.advice = advice
        self.setObjectName("AdviceCard")
        self.setProperty("fresh", fresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        title = wrapping_label(advice.title, "CardTitle")
        layout.addWidget(title)
        layout.addWidget(wrapping_label(advice.text, "CardText"))
        if advice.hint:
            layout.addWidget(wrapping_label(advice.hint, "Hint"))
        self.schedule_button: KeyButton | None = None
        if advice.callback_after is not None:
            row = QHBoxLayout()
            self.schedule_button = KeyButton(
                self.tr("Schedule callback in {after}").format(after=after_text(advice.callback_after))
            )
            self.schedule_button.setToolTip(advice.callback_note)
            self.schedule_button.clicked.connect(lambda: self.scheduleRequested.emit(self.advice.id))
            row.addWidget(self.schedule_button)
            row.addStretch(1)
            layout.addLayout(row)
        self._add_feedback(layout)

    def _action_done(self) -> None:
        if self.schedule_button is not None:
            self.schedule_button.setText(self.tr("Callback scheduled"))
            self.schedule_button.setEnabled(False)


class ObjectionCard(_CardWithFeedback):
    """What the prospect said, the soft response to read, and the outcome it usually leads to."""

    outcomeRequested = Signal(str)
    callbackRequested = Signal(str)  # objection id
    closeRequested = Signal()

    def __init__(self, card: ObjectionView, rules: OutcomeRules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setObjectName("ObjectionCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(wrapping_label(self.tr("THEY SAID"), "SectionTitle"), 1)
        close = QToolButton()
        close.setText("\N{MULTIPLICATION SIGN}")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Close the card"))
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.closeRequested)
        head.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        layout.addWidget(wrapping_label(f"“{card.says}”", "Says"))
        layout.addWidget(wrapping_label(card.response, "CardText"))
        if card.hint:
            layout.addWidget(wrapping_label(card.hint, "Hint"))
        self.outcome_button: KeyButton | None = None
        self.callback_button: KeyButton | None = None
        self.suggestion = QLabel()
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.setWordWrap(True)
        buttons = QHBoxLayout()
        if card.outcome:
            label, key = outcome_words(rules, card.outcome)
            text = self.tr("Suggested outcome: <b>{label}</b> — key {key}").format(
                label=html.escape(label), key=html.escape(key)
            )
            self.suggestion.setText(text)
            layout.addWidget(self.suggestion)
            self.outcome_button = KeyButton(self.tr("Record “{label}” ({key})").format(label=label, key=key))
            self.outcome_button.clicked.connect(lambda: self.outcomeRequested.emit(card.outcome or ""))
            buttons.addWidget(self.outcome_button)
        if card.callback_after is not None and card.outcome != "do_not_call":
            self.callback_button = KeyButton(
                self.tr("Callback in {after}").format(after=after_text(card.callback_after))
            )
            self.callback_button.clicked.connect(lambda: self.callbackRequested.emit(card.id))
            buttons.addWidget(self.callback_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._add_feedback(layout)

    def _action_done(self) -> None:
        if self.callback_button is not None:
            self.callback_button.setEnabled(False)


class EndBanner(QFrame):
    """The script is done (or at its last stage): the outcome it suggests, recorded in one click."""

    outcomeRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EndBanner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        self.label = wrapping_label("", "CardText", rich=True)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        self.button = KeyButton()
        self.button.clicked.connect(self.on_button_clicked)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        self.code = ""

    def show_outcome(self, code: str | None, finished: bool, rules: OutcomeRules) -> None:
        self.code = code or ""
        if not code:
            self.setVisible(finished)
            self.label.setText(html.escape(self.tr("End of the script.")))
            self.button.hide()
            return
        label, key = outcome_words(rules, code)
        head = self.tr("End of the script.") if finished else self.tr("Last stage.")
        self.label.setText(
            html.escape(head)
            + " "
            + self.tr("Suggested outcome: <b>{label}</b> — press <b>{key}</b>").format(
                label=html.escape(label), key=html.escape(key)
            )
        )
        self.button.setText(self.tr("Record “{label}” ({key})").format(label=label, key=key))
        self.button.show()
        self.show()

    def on_button_clicked(self) -> None:
        if self.code:
            self.outcomeRequested.emit(self.code)


class ObjectionPicker(QDialog):
    """ "What did they say?": the objection cards, filtered as you type; Enter shows the response."""

    def __init__(self, cards: tuple[ObjectionView, ...], rules: OutcomeRules, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Objections"))
        self.setMinimumSize(440, 380)
        self.cards = cards
        self.chosen: ObjectionView | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        intro = QLabel(self.tr("What did they say? Type to filter, Enter shows the soft response."))
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("e.g. busy, e-mail, advisor"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.on_filter_edit_changed)
        self.filter_edit.installEventFilter(self)
        self.filter_edit.returnPressed.connect(self.on_choice_made)
        layout.addWidget(self.filter_edit)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(False)
        self.list.setStyleSheet(
            f"QListWidget {{ background: white; border: 1px solid {style.LINE}; border-radius: 6px; }}"
            f"QListWidget::item {{ padding: 7px 6px; border-bottom: 1px solid #eef2f6; }}"
            f"QListWidget::item:selected {{ background: #dbe7fb; color: {style.INK}; }}"
        )
        for card in cards:
            label, key = outcome_words(rules, card.outcome) if card.outcome else ("", "")
            text = f"“{card.says}”"
            if label:
                text += "   " + self.tr("→ {label} ({key})").format(label=label, key=key)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, card.id)
            item.setToolTip(card.response)
            self.list.addItem(item)
        self.list.itemActivated.connect(self.on_choice_made)
        layout.addWidget(self.list, 1)
        if cards:
            self.list.setCurrentRow(0)

    def visible_ids(self) -> list[str]:
        return [
            str(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
            if not self.list.item(row).isHidden()
        ]

    def on_filter_edit_changed(self, text: str) -> None:
        words = text.casefold().split()
        first_visible = None
        for row, card in enumerate(self.cards):
            haystack = f"{card.says} {card.response} {card.id.replace('_', ' ')}".casefold()
            hidden = not all(word in haystack for word in words)
            self.list.item(row).setHidden(hidden)
            if not hidden and first_visible is None:
                first_visible = row
        if first_visible is not None:
            self.list.setCurrentRow(first_visible)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up and Down in the filter box move through the list, so the hands stay on the keys.
        if (
            watched is self.filter_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._step(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)

    def _step(self, delta: int) -> None:
        rows = [row for row in range(self.list.count()) if not self.list.item(row).isHidden()]
        if not rows:
            return
        current = self.list.currentRow()
        position = rows.index(current) if current in rows else -1
        self.list.setCurrentRow(rows[max(0, min(len(rows) - 1, position + delta))])

    def on_choice_made(self) -> None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return
        card_id = item.data(Qt.ItemDataRole.UserRole)
        self.chosen = next((card for card in self.cards if card.id == card_id), None)
        self.accept()
