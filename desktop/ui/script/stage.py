"""The body of the script panel: one stage of a `ScriptSession` as the agent reads it.

From the top: the objection card the agent opened (F2), the stage's title and text (the lead's
fields filled in, missing ones marked), its hint, the questions (the current one open), Continue
for a stage without questions, the outcome the script suggests at its end, and the advice cards
the answers brought up (right under the text in an advice stage). The view only shows and emits;
the panel holds the session and calls the script service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.domain.outcomes import OutcomeRules
from desktop.domain.script_answers import AnswerError
from desktop.domain.script_engine import ObjectionView, Position, QuestionView, ScriptSession, after_answer
from desktop.ui.script.cards import AdviceCard, EndBanner, ObjectionCard
from desktop.ui.script.inputs import QuestionBlock, block_shape
from desktop.ui.script.widgets import KeyButton, pieces_html, wrapping_label

# Where the advice box goes in the layout: after the text in an advice stage, else after the banner.
_ADVICE_AFTER_TEXT = 2
_ADVICE_AT_END = 5


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScriptPanel", text)


def clear_layout(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()
            widget.deleteLater()


def add_shown(layout: QVBoxLayout, widget: QWidget) -> None:
    """Add a widget and show it now (not on the next event loop turn), so focus can go to it at once."""
    layout.addWidget(widget)
    parent = layout.parentWidget()
    if parent is not None and parent.isVisible():
        widget.show()


def route_previews(session: ScriptSession, question_id: str) -> list[str]:
    """Where each choice (or yes / no) of a question leads, "" where it just goes on."""
    question = session.script.question(question_id)
    if question.kind == "choice":
        raws = [choice.id for choice in question.choices]
    elif question.kind == "yes_no":
        raws = ["yes", "no"]
    else:
        return []
    try:
        targets = [session.preview(raw, question_id) for raw in raws]
    except (AnswerError, KeyError):
        return []
    stage_id = session.script.locate_question(question_id)[0].id
    # Where an answer goes when its branch says nothing: not worth an arrow.
    plain = after_answer(session.script, Position(stage_id, question_id), question.route.next)
    labels = {session.render(choice.label).casefold() for choice in question.choices}
    names = []
    for target in targets:
        title = session.render(session.script.stage(target.stage_id).title)
        if target == plain or title.casefold() in labels:
            names.append("")
        elif target.stage_id == stage_id and target.question_id:
            ask = session.render(session.script.question(target.question_id).ask)
            names.append(_tr("question “{ask}”").format(ask=ask if len(ask) < 36 else ask[:34] + "…"))
        else:
            names.append(title)
    return names


class StageView(QWidget):
    """One stage, its questions and cards; rebuilt by `show_stage` after every move of the call."""

    answerSubmitted = Signal(str, object)  # (question id, raw answer)
    continueRequested = Signal()
    outcomeRequested = Signal(str)
    adviceScheduleRequested = Signal(str)  # advice card id
    objectionCallbackRequested = Signal(str)  # objection card id
    objectionCloseRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScriptContent")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # a subclass paints its sheet
        self.setStyleSheet("QWidget#ScriptContent { background: white; }")
        # Wrapped labels claim the height they need at their narrowest; the scroll area should go by
        # the height at the width they have (heightForWidth), so no scroll bar shows when all fits.
        self.setMinimumHeight(1)
        self.blocks: list[QuestionBlock] = []
        self.advice_cards: dict[str, AdviceCard] = {}
        self.objection_card: ObjectionCard | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 4, 6, 8)
        self.layout_.setSpacing(10)

        self.objection_layout = QVBoxLayout()
        self.layout_.addLayout(self.objection_layout)
        stage_box = QVBoxLayout()
        stage_box.setSpacing(4)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("StageKind")
        stage_box.addWidget(self.kind_label)
        self.title_label = wrapping_label("", "StageTitle")
        stage_box.addWidget(self.title_label)
        self.say_layout = QVBoxLayout()
        self.say_layout.setSpacing(8)
        stage_box.addLayout(self.say_layout)
        self.hint_label = wrapping_label("", "Hint")
        stage_box.addWidget(self.hint_label)
        self.layout_.addLayout(stage_box)
        self.questions_layout = QVBoxLayout()
        self.questions_layout.setSpacing(8)
        self.layout_.addLayout(self.questions_layout)
        self.continue_row = QWidget()
        continue_row = QHBoxLayout(self.continue_row)
        continue_row.setContentsMargins(0, 0, 0, 0)
        self.continue_button = KeyButton(self.tr("Continue ▸"))
        self.continue_button.setObjectName("PrimaryButton")
        self.continue_button.setToolTip(self.tr("Go on to the next stage (Enter)"))
        self.continue_button.clicked.connect(self.continueRequested)
        continue_row.addWidget(self.continue_button)
        continue_row.addStretch(1)
        self.layout_.addWidget(self.continue_row)
        self.end_banner = EndBanner()
        self.end_banner.outcomeRequested.connect(self.outcomeRequested)
        self.layout_.addWidget(self.end_banner)
        self.advice_box = QWidget()
        advice_box = QVBoxLayout(self.advice_box)
        advice_box.setContentsMargins(0, 0, 0, 0)
        advice_box.setSpacing(8)
        self.advice_title = QLabel()
        self.advice_title.setObjectName("SectionTitle")
        advice_box.addWidget(self.advice_title)
        self.advice_layout = QVBoxLayout()
        self.advice_layout.setSpacing(8)
        advice_box.addLayout(self.advice_layout)
        self.layout_.addWidget(self.advice_box)
        self.layout_.addStretch(1)

    def show_stage(
        self,
        session: ScriptSession,
        rules: OutcomeRules,
        fresh_advice: set[str],
        advice_feedback: Mapping[str, str],
    ) -> None:
        """Show the session's current stage (the objection card, if any, stays as it is)."""
        view = session.stage_view()
        kind = view.kind.replace("_", " ")
        self.kind_label.setText(kind.upper())
        self.kind_label.setVisible(kind.casefold() != view.title.casefold())
        self.title_label.setText(view.title)
        self._show_lines([pieces_html(pieces) for pieces in view.line_pieces])
        self.hint_label.setText("\N{INFORMATION SOURCE} " + view.hint if view.hint else "")
        self.hint_label.setVisible(bool(view.hint))

        self.blocks = self._question_blocks(session, view.questions)
        self.continue_row.setVisible(not session.finished and session.position.question_id is None)
        if view.end or session.finished:
            self.end_banner.show_outcome(view.outcome if view.end else None, session.finished, rules)
        else:
            self.end_banner.hide()

        clear_layout(self.advice_layout)
        self.advice_cards = {}
        advice = session.triggered_advice()
        self.advice_title.setText(self.tr("FREE ADVICE TO OFFER ({n})").format(n=len(advice)))
        self.advice_box.setVisible(bool(advice))
        self.layout_.removeWidget(self.advice_box)
        place = _ADVICE_AFTER_TEXT if view.kind == "advice" else _ADVICE_AT_END
        self.layout_.insertWidget(place, self.advice_box)
        for card in reversed(advice):  # newest first: the one the last answer brought up
            widget = AdviceCard(card, fresh=card.id in fresh_advice)
            widget.scheduleRequested.connect(self.adviceScheduleRequested)
            if card.id in advice_feedback:
                widget.show_feedback(advice_feedback[card.id])
            add_shown(self.advice_layout, widget)
            self.advice_cards[card.id] = widget

    def _question_blocks(
        self, session: ScriptSession, questions: Sequence[QuestionView]
    ) -> list[QuestionBlock]:
        """The stage's question blocks: the ones shown are refilled when the questions have the same
        shape (the next lead's first stage), else made anew."""
        made = [
            (number, question, route_previews(session, question.id))
            for number, question in enumerate(questions, start=1)
        ]
        items = (self.questions_layout.itemAt(index) for index in range(self.questions_layout.count()))
        shown = [item.widget() if item is not None else None for item in items]
        if len(shown) == len(made) and all(
            isinstance(block, QuestionBlock) and block.shape == block_shape(number, question, session.today)
            for block, (number, question, previews) in zip(shown, made, strict=True)
        ):
            blocks = [block for block in shown if isinstance(block, QuestionBlock)]
            for block, (_number, question, previews) in zip(blocks, made, strict=True):
                block.show_question(question, previews)
            return blocks
        clear_layout(self.questions_layout)
        blocks = []
        for number, question, previews in made:
            block = QuestionBlock(number, question, session.today, previews)
            block.submitted.connect(self.answerSubmitted)
            add_shown(self.questions_layout, block)
            blocks.append(block)
        return blocks

    def _show_lines(self, texts: list[str]) -> None:
        """The stage's lines to say. The labels are kept and only their text changes when the count is
        the same (the next lead's first stage): making and styling new labels costs a frame."""
        items = [self.say_layout.itemAt(index) for index in range(self.say_layout.count())]
        labels = [item.widget() for item in items if item is not None]
        if len(labels) == len(texts) and all(isinstance(label, QLabel) for label in labels):
            for label, text in zip(labels, texts, strict=True):
                if isinstance(label, QLabel) and label.text() != text:
                    label.setText(text)
            return
        clear_layout(self.say_layout)
        for text in texts:
            add_shown(self.say_layout, wrapping_label(text, "SayLine", rich=True))

    def show_objection(self, objection: ObjectionView | None, rules: OutcomeRules) -> None:
        clear_layout(self.objection_layout)
        self.objection_card = None
        if objection is None:
            return
        card = ObjectionCard(objection, rules)
        card.outcomeRequested.connect(self.outcomeRequested)
        card.callbackRequested.connect(self.objectionCallbackRequested)
        card.closeRequested.connect(self.objectionCloseRequested)
        add_shown(self.objection_layout, card)
        self.objection_card = card

    def current_block(self) -> QuestionBlock | None:
        return next((block for block in self.blocks if block.question.current), None)

    def block(self, question_id: str) -> QuestionBlock | None:
        return next((block for block in self.blocks if block.question.id == question_id), None)

    def focus_target(self) -> QWidget | None:
        """Where the keyboard goes: the current question, else Continue, else the end banner."""
        block = self.current_block()
        if block is not None:
            return block
        if not self.continue_row.isHidden():
            return self.continue_button
        if not self.end_banner.isHidden() and not self.end_banner.button.isHidden():
            return self.end_banner.button
        return None

    def newest_advice(self) -> QWidget | None:
        item = self.advice_layout.itemAt(0)
        return item.widget() if item is not None else None
