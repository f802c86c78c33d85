"""Answer inputs of the script panel, one per kind of question, and the question block around them.

Keyboard rules the inputs keep (see desktop/ui/keyboard.py for the window's single keys):
- number, date and text answers are text fields, so digits, Space and Enter are typed into them;
- choice and yes/no answers take only Enter (to pick), arrows and letters (A, B, C…; Y/N), so the
  digits 1–0 still record an outcome, Space still calls and Esc still hangs up.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.script_answers import Answer
from desktop.domain.script_engine import QuestionView
from desktop.domain.scripts import CHOICE, DATE, NUMBER, YES_NO
from desktop.ui.common import style
from desktop.ui.script.widgets import (
    CHOICE_LETTERS,
    CLAIMED_KEYS,
    ENTER_KEYS,
    pieces_html,
    set_flag,
    wrapping_label,
)


class AnswerInput(QWidget):
    """An input for one question; emits `submitted(raw)` when the agent gives an answer."""

    submitted = Signal(object)

    def set_answer(self, answer: Answer | None) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def focus_input(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)


class OptionRow(QFrame):
    """One clickable answer: its key letter, its label, and where it leads (when it branches)."""

    clicked = Signal()

    def __init__(self, letter: str, label_html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Option")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(8)
        self.key_label = QLabel(letter)
        self.key_label.setObjectName("KeyCap")
        layout.addWidget(self.key_label, 0, Qt.AlignmentFlag.AlignTop)
        self.text_label = wrapping_label(label_html, "OptionText", rich=True)
        self.text_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout.addWidget(self.text_label, 1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class OptionsInput(AnswerInput):
    """Choice and yes/no answers: a column (or row) of options; letters pick, arrows and Enter too."""

    def __init__(
        self,
        options: Sequence[tuple[str, str, str]],  # (raw value, key letter, label html)
        horizontal: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.values = [value for value, _, _ in options]
        self.letters = [letter.upper() for _, letter, _ in options]
        self.rows: list[OptionRow] = []
        layout: QHBoxLayout | QVBoxLayout = QHBoxLayout(self) if horizontal else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for index, (_, letter, label) in enumerate(options):
            row = OptionRow(letter, label)
            row.clicked.connect(lambda index=index: self.pick(index))
            layout.addWidget(row)
            self.rows.append(row)
        self.cursor_index = 0
        self.picked: int | None = None

    def set_answer(self, answer: Answer | None) -> None:
        self.picked = self.values.index(answer.value) if answer and answer.value in self.values else None
        self.cursor_index = self.picked if self.picked is not None else 0
        self._show()

    def pick(self, index: int) -> None:
        self.cursor_index = index
        self._show()
        self.submitted.emit(self.values[index])

    def _show(self) -> None:
        focused = self.hasFocus()
        for index, row in enumerate(self.rows):
            set_flag(row, "picked", index == self.picked)
            set_flag(row, "cursor", focused and index == self.cursor_index)

    def option_texts(self) -> list[str]:
        return [row.text_label.text() for row in self.rows]

    def set_option_texts(self, texts: Sequence[str]) -> None:
        """New labels for the same options (the next lead's name in a choice)."""
        for row, text in zip(self.rows, texts, strict=True):
            if row.text_label.text() != text:
                row.text_label.setText(text)

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in CLAIMED_KEYS
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        text = event.text().upper()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.cursor_index = min(self.cursor_index + 1, len(self.rows) - 1)
            self._show()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.cursor_index = max(self.cursor_index - 1, 0)
            self._show()
        elif key in CLAIMED_KEYS:
            if not event.isAutoRepeat():
                self.pick(self.cursor_index)
        elif text and text in self.letters and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            self.pick(self.letters.index(text))
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().focusInEvent(event)
        self._show()

    def focusOutEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().focusOutEvent(event)
        self._show()


class FieldInput(AnswerInput):
    """Number and text answers: a line edit (digits are typed, not outcomes), Enter saves."""

    def __init__(self, placeholder: str, suffix: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.returnPressed.connect(self.on_edit_return_pressed)
        layout.addWidget(self.edit, 1)
        if suffix:
            unit = QLabel(suffix)
            unit.setObjectName("Muted")
            layout.addWidget(unit)
        self.save_button = QToolButton()
        self.save_button.setText(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Save the answer (Enter)"))
        self.save_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_button.clicked.connect(self.on_edit_return_pressed)
        layout.addWidget(self.save_button)
        self.setFocusProxy(self.edit)

    def set_answer(self, answer: Answer | None) -> None:
        self.edit.setText(answer.value if answer is not None else "")

    def on_edit_return_pressed(self) -> None:
        self.submitted.emit(self.edit.text())

    def focus_input(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit.selectAll()


class DateField(QDateEdit):
    """A date edit whose Enter saves the answer (a spin box ignores Enter otherwise)."""

    returnPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            self.interpretText()
            self.returnPressed.emit()
            return
        super().keyPressEvent(event)


class DateInput(AnswerInput):
    """Date answers: a date with a calendar, starting on the callee's today; Enter saves."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.edit = DateField()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd  (ddd)")
        self.edit.setDate(QDate(today.year, today.month, today.day))
        self.edit.returnPressed.connect(self.on_edit_return_pressed)
        layout.addWidget(self.edit, 1)
        self.save_button = QToolButton()
        self.save_button.setText(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Save the answer (Enter)"))
        self.save_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_button.clicked.connect(self.on_edit_return_pressed)
        layout.addWidget(self.save_button)
        self.setFocusProxy(self.edit)

    def set_answer(self, answer: Answer | None) -> None:
        day = answer.day if answer is not None and answer.day is not None else self.today
        self.edit.setDate(QDate(day.year, day.month, day.day))

    def focus_input(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        # Up and Down change the day, the part people move most ("the day after tomorrow").
        self.edit.setCurrentSection(QDateTimeEdit.Section.DaySection)

    def chosen(self) -> date:
        value = self.edit.date()
        return date(value.year(), value.month(), value.day())

    def on_edit_return_pressed(self) -> None:
        self.submitted.emit(self.chosen().isoformat())


def number_hint(question: QuestionView) -> str:
    """ "1 – 100,000 employees, whole number": what a number answer may be."""
    parts = []
    low, high = question.minimum, question.maximum
    if low is not None and high is not None:
        parts.append(f"{low:,.10g} – {high:,.10g}")
    elif low is not None:
        parts.append(f"≥ {low:,.10g}")
    elif high is not None:
        parts.append(f"≤ {high:,.10g}")
    if question.integer:
        parts.append(_tr("whole number"))
    return ", ".join(parts)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScriptPanel", text)


def key_hint(question: QuestionView) -> str:
    """How to answer from the keyboard (Ctrl+J first when the cursor is elsewhere)."""
    if question.kind == CHOICE:
        last = CHOICE_LETTERS[min(len(question.choices), 26) - 1]
        return _tr("Ctrl+J, then A–{last}").format(last=last)
    if question.kind == YES_NO:
        return _tr("Ctrl+J, then Y or N")
    if question.kind == DATE:
        return _tr("Ctrl+J, ↑↓ change, Enter saves")
    return _tr("Ctrl+J, type, Enter saves")


def option_rows(question: QuestionView, previews: Sequence[str] = ()) -> list[tuple[str, str, str]] | None:
    """(raw value, key letter, label html) of a choice or yes/no question's options, None for others;
    `previews` names where each leads (or "")."""
    if question.kind == CHOICE:
        words = [
            (choice_id, CHOICE_LETTERS[index % 26], label)
            for index, (choice_id, label) in enumerate(question.choices)
        ]
    elif question.kind == YES_NO:
        words = [("yes", "Y", _tr("Yes")), ("no", "N", _tr("No"))]
    else:
        return None
    rows = []
    for index, (value, letter, word) in enumerate(words):
        text = html.escape(word, quote=False)
        goes = previews[index] if index < len(previews) else ""
        if goes:
            text += f' <span style="color:{style.MUTED};">&rarr; {html.escape(goes)}</span>'
        rows.append((value, letter, text))
    return rows


def make_input(question: QuestionView, today: date, previews: Sequence[str] = ()) -> AnswerInput:
    """The input for a question's kind; `previews` names where each choice leads (or "")."""
    options = option_rows(question, previews)
    if options is not None:
        return OptionsInput(options, horizontal=question.kind == YES_NO)
    if question.kind == NUMBER:
        return FieldInput(_tr("A number, e.g. 12 or 5,000"), question.unit)
    if question.kind == DATE:
        return DateInput(today)
    return FieldInput(_tr("Their words…"))


def answer_text(question: QuestionView) -> str:
    """The answer given, as shown: a choice by its label with the lead's fields filled in."""
    answer = question.answer
    if answer is None:
        return ""
    if question.kind == CHOICE:
        return next(
            (label for choice_id, label in question.choices if choice_id == answer.value), answer.label
        )
    if question.kind == YES_NO:
        return _tr("Yes") if answer.value == "yes" else _tr("No")
    return answer.label


def block_shape(number: int, question: QuestionView, today: date) -> object:
    """What a block is built from except its texts (to ask, of the options, where they lead) and the
    answer: two questions of one shape are shown by one block, refilled (`QuestionBlock.show_question`)."""
    choice_ids = tuple((choice_id, "") for choice_id, _label in question.choices)
    return (number, today, replace(question, ask="", ask_pieces=(), answer=None, choices=choice_ids))


class QuestionBlock(QFrame):
    """One question: its number, the text to ask, a hint, the input, and what happened to the answer.

    Only the current question is open; the others fold to one line (the question and its answer)
    with a button that opens them, to change an answer or take one the prospect gave early.
    """

    submitted = Signal(str, object)  # (question id, raw answer)

    def __init__(
        self, number: int, question: QuestionView, today: date, previews: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self.question = question
        self.number = number
        self.shape = block_shape(number, question, today)
        answered = question.answer is not None
        self.setObjectName("QuestionBlock")
        self.setProperty("current", question.current)
        self.setProperty("folded", not question.current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.number_label = QLabel("✓" if answered and not question.current else str(number))
        self.number_label.setObjectName("QuestionNumber")
        self.number_label.setProperty("current", question.current)
        self.number_label.setProperty("answered", answered and not question.current)
        head.addWidget(self.number_label, 0, Qt.AlignmentFlag.AlignTop)
        self.ask_label = wrapping_label(pieces_html(question.ask_pieces), "QuestionAsk", rich=True)
        self.ask_label.setProperty("folded", not question.current)
        head.addWidget(self.ask_label, 1)
        self.open_button = QToolButton()
        self.open_button.setObjectName("OpenButton")
        self.open_button.setText(_tr("Change") if answered else _tr("Answer"))
        self.open_button.setToolTip(_tr("Open this question to answer it now"))
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.on_open_button_clicked)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        self.answer_label = QLabel(("✓ " + answer_text(question)) if question.answer is not None else "")
        self.answer_label.setObjectName("AnswerSaved")
        self.answer_label.setWordWrap(True)
        layout.addWidget(self.answer_label)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        if question.hint:
            body.addWidget(wrapping_label(question.hint, "Hint"))
        self.input = make_input(question, today, previews)
        self.input.set_answer(question.answer)
        self.input.submitted.connect(self.on_input_submitted)
        body.addWidget(self.input)
        keys = [number_hint(question)] if question.kind == NUMBER else []
        if question.current:
            keys.append(key_hint(question))
        if any(keys):
            hint = QLabel("  ·  ".join(part for part in keys if part))
            hint.setObjectName("KeyHint")
            body.addWidget(hint)
        self.error_label = wrapping_label("", "AnswerError")
        self.error_label.hide()
        body.addWidget(self.error_label)
        layout.addWidget(self.body)
        self.set_open(question.current)

    def show_question(self, question: QuestionView, previews: Sequence[str] = ()) -> None:
        """Show `question` in this block, as a new block made for it would be: the next lead's same
        question (another name in the text, another answer or none). Making and styling a block costs
        a frame; refilling one costs a few label texts. Anything typed and not saved is dropped (a
        line edit's setText also clears its undo history, so nothing of the last lead comes back)."""
        self.question = question
        answered = question.answer is not None
        self.number_label.setText("✓" if answered and not question.current else str(self.number))
        set_flag(self.number_label, "answered", answered and not question.current)
        self.ask_label.setText(pieces_html(question.ask_pieces))
        options = option_rows(question, previews)
        if isinstance(self.input, OptionsInput) and options is not None:
            self.input.set_option_texts([text for _value, _letter, text in options])
        self.open_button.setText(_tr("Change") if answered else _tr("Answer"))
        self.answer_label.setText(("✓ " + answer_text(question)) if answered else "")
        self.input.set_answer(question.answer)
        self.show_error("")
        self.set_open(question.current)

    def set_open(self, opened: bool) -> None:
        """Show the input (the current question, or one opened to answer out of turn)."""
        # A folded question takes Tab itself, and opens: Tab walks through the stage's questions.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus if opened else Qt.FocusPolicy.TabFocus)
        self.body.setVisible(opened)
        self.open_button.setVisible(not opened)
        self.answer_label.setVisible(not opened and self.question.answer is not None)
        set_flag(self, "folded", not opened)
        set_flag(self.ask_label, "folded", not opened)

    @property
    def is_open(self) -> bool:
        return not self.body.isHidden()

    def focusInEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().focusInEvent(event)
        self.set_open(True)
        self.input.focus_input()

    def on_open_button_clicked(self) -> None:
        self.set_open(True)
        self.input.focus_input()

    def on_input_submitted(self, raw: object) -> None:
        self.submitted.emit(self.question.id, raw)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def plain_text(self) -> str:
        lines = [self.question.ask]
        if isinstance(self.input, OptionsInput):
            lines.extend(
                f"  {letter}  {value}"
                for letter, value in zip(self.input.letters, self._labels(), strict=False)
            )
        return "\n".join(lines)

    def _labels(self) -> list[str]:
        if self.question.kind == CHOICE:
            return [label for _, label in self.question.choices]
        return [_tr("Yes"), _tr("No")]
