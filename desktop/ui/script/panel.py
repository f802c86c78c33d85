"""The call script on the right of the window: where the agent lives during a call.

Shows the lead's script one stage at a time (`ScriptSession` from the script service): the text to
say with the lead's fields filled in and missing ones marked «first name?», the questions with an
input for each kind of answer, the advice cards the answers bring up (with their one-click
callback), the objection cards (F2) and the outcome the script suggests at its end. Every answer is
saved to the lead the moment it is given (ScriptService.answer); the window shows it on the lead
card through `answersChanged`.

Keyboard: Ctrl+J puts the cursor on the current question; letters pick a choice (Y/N for yes/no),
numbers and text are typed, Enter saves and moves to the next question, Tab walks the questions;
Alt+Up / Alt+Down go back / skip; F2 opens the objections; Ctrl+R reads the stage aloud. The
window's digits 1–0 still record outcomes unless the cursor is in a text field.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.outcomes import OutcomeRules
from desktop.domain.script_answers import AnswerError
from desktop.domain.script_engine import ObjectionView, ScriptSession
from desktop.domain.scripts import answer_text
from desktop.services.script_versions import ScriptVersionError, ScriptVersionService
from desktop.services.scripts import SavedAnswer, ScriptError, ScriptService
from desktop.ui.common import style
from desktop.ui.script.audio import PLAYING, READY, RENDERING, ReadAloud
from desktop.ui.script.cards import AdviceCard, EndBanner, ObjectionCard, ObjectionPicker
from desktop.ui.script.data import onward_stages
from desktop.ui.script.inputs import QuestionBlock
from desktop.ui.script.stage import StageView
from desktop.ui.script.widgets import SCRIPT_STYLE, StepBar, set_flag, wrapping_label

OBJECTIONS_KEY = "F2"
FOCUS_KEY = "Ctrl+J"
BACK_KEY = "Alt+Up"
SKIP_KEY = "Alt+Down"
READ_KEY = "Ctrl+R"


class ScriptPanel(QWidget):
    """Walks the current lead through its script and saves each answer at once."""

    outcomeRequested = Signal(str)  # an outcome code the agent chose from a card or the end banner
    callbackScheduled = Signal(str)  # a message for the status bar; the lead's callback changed
    answersChanged = Signal(object)  # list[SavedAnswer] of the lead on screen
    editorRequested = Signal()

    def __init__(
        self,
        scripts: ScriptService,
        rules: OutcomeRules,
        parent: QWidget | None = None,
        versions: ScriptVersionService | None = None,
        firm_mode: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(parent)
        self.scripts = scripts
        # Firm mode: the script menu offers only approved versions (the others disabled, with why).
        self.versions = versions
        self.firm_mode = firm_mode
        self.rules = rules
        self.lead_id: int | None = None
        self.session: ScriptSession | None = None
        self.picker: ObjectionPicker | None = None
        self._fresh_advice: set[str] = set()
        self._advice_feedback: dict[str, str] = {}
        self._objection: ObjectionView | None = None
        self._shown_stage = ""
        self.read_aloud = ReadAloud(parent=self)
        self.read_aloud.stateChanged.connect(self.on_read_aloud_state_changed)
        self.setStyleSheet(SCRIPT_STYLE)
        self.setMinimumWidth(260)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._build()
        self.show_lead(None)

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 8)
        outer.setSpacing(6)

        head = QHBoxLayout()
        title = QLabel(self.tr("SCRIPT"))
        title.setObjectName("PanelTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.script_button = QToolButton()
        self.script_button.setObjectName("ScriptChooser")
        self.script_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.script_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.script_button.setToolTip(self.tr("The script this lead gets; choose another for this lead"))
        self.script_menu = QMenu(self)
        self.script_menu.aboutToShow.connect(self.on_script_menu_about_to_show)
        self.script_button.setMenu(self.script_menu)
        head.addWidget(self.script_button)
        outer.addLayout(head)

        self.step_button = QToolButton()
        self.step_button.setObjectName("StepButton")
        self.step_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.step_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_button.setToolTip(self.tr("Jump to another stage (when the prospect skips ahead)"))
        self.stage_menu = QMenu(self)
        self.stage_menu.aboutToShow.connect(self.on_stage_menu_about_to_show)
        self.step_button.setMenu(self.stage_menu)
        outer.addWidget(self.step_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.step_bar = StepBar()
        outer.addWidget(self.step_bar)
        self.feedback_label = wrapping_label("", "Feedback", rich=True)
        self.feedback_label.linkActivated.connect(self.on_feedback_link_activated)
        self.feedback_label.hide()
        outer.addWidget(self.feedback_label)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stage = StageView()
        self.stage.answerSubmitted.connect(self.on_block_submitted)
        self.stage.continueRequested.connect(self.on_skip_triggered)
        self.stage.outcomeRequested.connect(self.outcomeRequested)
        self.stage.adviceScheduleRequested.connect(self.on_advice_schedule_requested)
        self.stage.objectionCallbackRequested.connect(self.on_objection_callback_requested)
        self.stage.objectionCloseRequested.connect(self.on_objection_close_requested)
        self.scroll_area.setWidget(self.stage)
        outer.addWidget(self.scroll_area, 1)

        self.empty_label = wrapping_label("", "Hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.empty_label, 1)

        self.audio_row = QWidget()
        audio = QHBoxLayout(self.audio_row)
        audio.setContentsMargins(0, 0, 0, 0)
        self.audio_label = wrapping_label("", "StepLabel")
        audio.addWidget(self.audio_label, 1)
        self.open_audio_button = QToolButton()
        self.open_audio_button.setText(self.tr("Open the recording"))
        self.open_audio_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_audio_button.clicked.connect(self.on_open_audio_clicked)
        audio.addWidget(self.open_audio_button)
        self.audio_row.hide()
        outer.addWidget(self.audio_row)

        footer = QHBoxLayout()
        footer.setSpacing(2)
        self.back_button = self._footer_button(self.tr("◂ Back"), self.tr("Back one step ({key})"), BACK_KEY)
        self.back_button.clicked.connect(self.on_back_triggered)
        self.skip_button = self._footer_button(
            self.tr("Skip ▸"), self.tr("Skip this question ({key})"), SKIP_KEY
        )
        self.skip_button.clicked.connect(self.on_skip_triggered)
        self.read_button = self._footer_button(
            self.tr("Read"), self.tr("Read this stage aloud ({key})"), READ_KEY
        )
        self.read_button.clicked.connect(self.on_read_triggered)
        self.objections_button = self._footer_button(
            self.tr("{key} Objections").format(key=OBJECTIONS_KEY),
            self.tr("What did they say? The soft responses ({key})"),
            OBJECTIONS_KEY,
        )
        self.objections_button.clicked.connect(self.on_objections_triggered)
        for button in (self.back_button, self.skip_button):
            footer.addWidget(button)
        footer.addStretch(1)
        for button in (self.read_button, self.objections_button):
            footer.addWidget(button)
        self.footer = QWidget()
        self.footer.setLayout(footer)
        footer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.footer)

    def _footer_button(self, text: str, tip: str, key: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName("FooterButton")
        button.setText(text)
        button.setToolTip(tip.format(key=key))
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def fill_menu(self, menu: QMenu) -> list[QAction]:
        """The panel's keyboard actions, in the window's Script menu (their shortcuts live there)."""
        actions = []
        for text, key, handler in (
            (self.tr("&Objections…"), OBJECTIONS_KEY, self.on_objections_triggered),
            (self.tr("&Answer the current question"), FOCUS_KEY, self.on_focus_triggered),
            (self.tr("&Back one step"), BACK_KEY, self.on_back_triggered),
            (self.tr("&Skip this step"), SKIP_KEY, self.on_skip_triggered),
            (self.tr("&Read this stage aloud"), READ_KEY, self.on_read_triggered),
        ):
            action = QAction(text, menu)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(handler)
            menu.addAction(action)
            actions.append(action)
        menu.addSeparator()
        edit = QAction(self.tr("&Edit scripts…"), menu)
        edit.triggered.connect(self.editorRequested)
        menu.addAction(edit)
        actions.append(edit)
        return actions

    # -- the lead --------------------------------------------------------------------------------

    def show_lead(self, lead_id: int | None) -> None:
        """Start (or re-start, after settings changed) the script of `lead_id`; None clears the panel.

        Showing the same lead again keeps its place in the script; its fields are filled again. The
        lead's answers are read once, for the session and for `answersChanged`.
        """
        previous, same = self.session, lead_id is not None and lead_id == self.lead_id
        if not same:
            self.read_aloud.stop()
            self._fresh_advice.clear()
            self._advice_feedback.clear()
            self._objection = None
            self._set_feedback("")
        self.lead_id = lead_id
        self.session = None
        answers = self.scripts.answers_for_lead(lead_id) if lead_id is not None else []
        if lead_id is not None:
            try:
                self.session = self.scripts.start_session(lead_id, answers=answers)
            except ScriptError as error:
                self.empty_label.setText(str(error))
        if same and previous is not None and self.session is not None:
            self._restore_place(previous)
        self._render()
        if lead_id is not None:
            self._emit_answers(answers)

    def reload(self) -> None:
        """Start the lead's script again from its place (after scripts or assignments changed)."""
        self.show_lead(self.lead_id)

    def _restore_place(self, previous: ScriptSession) -> None:
        session = self.session
        if session is None or previous.script.name != session.script.name:
            return
        script = session.script
        places = [*previous.history, previous.position]
        if all(
            script.has_stage(place.stage_id)
            and (place.question_id is None or script.has_question(place.question_id))
            for place in places
        ):
            session.history = list(previous.history)
            session.position = previous.position
        for card_id in previous.advice_ids:
            if card_id not in session.advice_ids and any(card.id == card_id for card in script.advice):
                session.advice_ids.append(card_id)

    def _emit_answers(self, given: list[SavedAnswer] | None = None) -> None:
        """Tell the window the lead's answers (`given` when just read, else read now)."""
        if self.lead_id is None:
            return
        # The service fills questions and choice labels in for the lead (once: a name holding
        # "{company}" stays as typed); only yes/no is translated here.
        saved_answers = self.scripts.answers_for_lead(self.lead_id) if given is None else given
        answers = [replace(saved, label=self._answer_label(saved)) for saved in saved_answers]
        self.answersChanged.emit(answers)

    def _answer_label(self, saved: SavedAnswer) -> str:
        if saved.kind == "yes_no":
            return self.tr("Yes") if saved.value == "yes" else self.tr("No")
        return saved.label

    # -- showing the stage -----------------------------------------------------------------------

    def _at_bare_end(self) -> bool:
        """At an end stage with nothing left to ask: the script is as good as finished."""
        session = self.session
        return (
            session is not None
            and not session.finished
            and session.position.question_id is None
            and session.stage.end
        )

    def _render(self) -> None:
        if self._at_bare_end() and self.session is not None:
            self.session.advance()  # nothing to "continue" to: finish, so the outcome is suggested
        session = self.session
        has_script = session is not None
        for widget in (self.scroll_area, self.footer, self.step_button, self.step_bar, self.script_button):
            widget.setVisible(has_script)
        self.empty_label.setVisible(not has_script)
        if session is None:
            if self.lead_id is None:
                self.empty_label.setText(self.tr("The script for the lead on screen shows here."))
            self.stage.blocks = []  # no lead: nothing to answer (the hidden body keeps its widgets)
            self.audio_row.hide()
            return
        script = session.script
        view = session.stage_view()
        self.script_button.setText(self._elided(script.title, 200))
        self.script_button.setToolTip(
            self.tr("Script: {title}. Click to choose another for this lead.").format(title=script.title)
        )
        visited: list[str] = []
        for place in session.history:
            if place.stage_id not in visited and place.stage_id != view.id:
                visited.append(place.stage_id)
        visited.append(view.id)
        ahead = [stage for stage in onward_stages(script, view.id) if stage not in visited]
        total = len(visited) + (0 if session.finished else len(ahead))
        self.step_button.setText(
            self.tr("Step {n} of {total} · {title} ▾").format(n=len(visited), total=total, title=view.title)
        )
        self.step_bar.set_steps(len(visited) - 1, total, session.finished)

        focus = QApplication.focusWidget()
        if focus is not None and self.scroll_area.isAncestorOf(focus):
            # Park the keyboard on the panel while the stage is rebuilt: a focused widget that is
            # removed hands its focus on, and the scroll area would scroll after it.
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        if view.id != self._shown_stage:
            self._shown_stage = view.id
            self.scroll_area.verticalScrollBar().setValue(0)  # a new stage is read from its top
        self.stage.show_objection(self._objection, self.rules)
        self.stage.show_stage(session, self.rules, self._fresh_advice, self._advice_feedback)

        self.back_button.setEnabled(bool(session.history))
        self.skip_button.setEnabled(not session.finished)
        self.skip_button.setText(self.tr("Skip ▸") if session.question is not None else self.tr("Next ▸"))

    # What the body shows, for the window, the handlers and the tests.
    @property
    def blocks(self) -> list[QuestionBlock]:
        return self.stage.blocks

    @property
    def advice_cards(self) -> dict[str, AdviceCard]:
        return self.stage.advice_cards

    @property
    def objection_card(self) -> ObjectionCard | None:
        return self.stage.objection_card

    @property
    def end_banner(self) -> EndBanner:
        return self.stage.end_banner

    def _elided(self, text: str, width: int) -> str:
        return self.script_button.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)

    def _set_feedback(self, text: str, error: bool = False, link: str = "") -> None:
        shown = html.escape(text, quote=False)
        if link:
            shown += f' <a href="#advice" style="color:{style.ACCENT};">{html.escape(link)}</a>'
        self.feedback_label.setText(shown)
        set_flag(self.feedback_label, "error", error)
        self.feedback_label.setVisible(bool(text))

    def current_block(self) -> QuestionBlock | None:
        return self.stage.current_block()

    def focus_current(self) -> None:
        """Put the keyboard on the current question (or on Continue between stages)."""
        target = self.stage.focus_target()
        if isinstance(target, QuestionBlock):
            target.input.focus_input()
        elif target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        # Scroll once the widgets just built have their places (after this turn of the event loop).
        QTimer.singleShot(0, self.on_scroll_timer_timeout)

    @Slot()
    def on_scroll_timer_timeout(self) -> None:
        """Bring what the keyboard is on into view, keeping a new stage's text in sight when it fits."""
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # places first, then scroll
        target = self.stage.focus_target()
        if target is not None and target.isVisible():
            self.scroll_area.ensureWidgetVisible(target, 0, 24)

    def plain_text(self) -> str:
        """The stage as the agent reads it: title, lines, hint and questions (for tests and copying)."""
        if self.session is None:
            return self.empty_label.text()
        view = self.session.stage_view()
        lines = [view.title, *view.lines]
        if view.hint:
            lines.append(view.hint)
        lines.extend(block.plain_text() for block in self.blocks)
        return "\n".join(lines)

    def stage_reading(self) -> str:
        """What "Read aloud" says: the stage's lines and its questions."""
        if self.session is None:
            return ""
        view = self.session.stage_view()
        return "\n".join([*view.lines, *(question.ask for question in view.questions)])

    # -- answering -------------------------------------------------------------------------------

    @Slot(str, object)
    def on_block_submitted(self, question_id: str, raw: object) -> None:
        session, lead_id = self.session, self.lead_id
        if session is None or lead_id is None:
            return
        block = self.stage.block(question_id)
        try:
            step = self.scripts.answer(session, lead_id, raw, question_id)
        except (AnswerError, ScriptError) as error:
            if block is not None:
                block.show_error(str(error))
                block.input.focus_input()
            return
        self._fresh_advice = {card.id for card in step.new_advice}
        # The label is the script's template ("{first_name} is on the line"): said as shown.
        shown = answer_text(step.answer.kind, step.answer.label, step.answer.value, session.values)
        message = self.tr("✓ Saved: {answer}").format(answer=shown)
        link = ""
        if step.new_advice:
            titles = ", ".join(f"“{card.title}”" for card in step.new_advice)
            message += " · " + self.tr("new advice: {titles}").format(titles=titles)
            link = self.tr("show")
        self._set_feedback(message, link=link)
        self._render()
        self._emit_answers()
        if step.moved:
            self.focus_current()
        else:
            again = self.stage.block(question_id)
            if again is not None:
                again.set_open(True)  # answered out of turn: stays open where the agent is
                again.input.focus_input()

    @Slot(str)
    def on_feedback_link_activated(self, _link: str) -> None:
        """Scroll to the newest advice card (the one the last answer brought up)."""
        newest = self.stage.newest_advice()
        if newest is not None:
            self.scroll_area.ensureWidgetVisible(newest, 0, 20)

    @Slot()
    def on_focus_triggered(self) -> None:
        if self.session is not None:
            self.focus_current()

    @Slot()
    def on_back_triggered(self) -> None:
        if self.session is not None and self.session.history:
            self.session.back()
            while self._at_bare_end() and self.session.history:
                self.session.back()  # past the end stage finished on arrival
            self._set_feedback("")
            self._render()
            self.focus_current()

    @Slot()
    def on_skip_triggered(self) -> None:
        if self.session is not None and not self.session.finished:
            self.session.advance()
            self._set_feedback("")
            self._render()
            self.focus_current()

    @Slot()
    def on_stage_menu_about_to_show(self) -> None:
        self.stage_menu.clear()
        session = self.session
        if session is None:
            return
        for stage in session.script.stages:
            action = self.stage_menu.addAction(session.render(stage.title))
            action.setCheckable(True)
            action.setChecked(stage.id == session.position.stage_id)
            action.triggered.connect(lambda _checked=False, target=stage.id: self.go_to(target))

    def go_to(self, target: str) -> None:
        if self.session is not None:
            self.session.go_to(target)
            self._set_feedback("")
            self._render()
            self.focus_current()

    # -- advice and objections -------------------------------------------------------------------

    @Slot(str)
    def on_advice_schedule_requested(self, advice_id: str) -> None:
        session, lead_id = self.session, self.lead_id
        card = self.advice_cards.get(advice_id)
        if session is None or lead_id is None or card is None:
            return
        try:
            scheduled = self.scripts.schedule_advice_callback(lead_id, session.script.name, advice_id)
        except ScriptError as error:
            card.show_feedback(str(error), error=True)
            return
        when = scheduled.due_at.astimezone().strftime("%a %d %b %H:%M")
        text = self.tr("✓ Callback on {when}: {note}").format(when=when, note=scheduled.note)
        self._advice_feedback[advice_id] = text
        card.show_feedback(text)
        self.focus_current()  # the button is spent; the keyboard goes back to the script
        self.callbackScheduled.emit(
            self.tr("Callback scheduled for {when}: {note}").format(when=when, note=scheduled.note)
        )

    @Slot()
    def on_objections_triggered(self) -> None:
        session = self.session
        if session is None or self.picker is not None:
            return
        picker = ObjectionPicker(session.objection_cards(), self.rules, self.window())
        picker.setWindowModality(Qt.WindowModality.WindowModal)
        picker.accepted.connect(self.on_picker_accepted)
        picker.finished.connect(self.on_picker_finished)
        self.picker = picker
        picker.open()
        picker.activateWindow()
        picker.filter_edit.setFocus()

    @Slot()
    def on_picker_accepted(self) -> None:
        if self.picker is not None and self.picker.chosen is not None:
            self._objection = self.picker.chosen
            self.stage.show_objection(self._objection, self.rules)
            self.scroll_area.verticalScrollBar().setValue(0)
            if self.objection_card is not None:
                button = self.objection_card.outcome_button or self.objection_card.callback_button
                if button is not None:
                    button.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def on_picker_finished(self) -> None:
        self.window().activateWindow()
        if self.picker is not None:
            self.picker.deleteLater()
        self.picker = None

    @Slot()
    def on_objection_close_requested(self) -> None:
        self._objection = None
        self.stage.show_objection(None, self.rules)
        self.focus_current()

    @Slot(str)
    def on_objection_callback_requested(self, objection_id: str) -> None:
        card, lead_id = self._objection, self.lead_id
        if card is None or lead_id is None or card.callback_after is None or self.objection_card is None:
            return
        note = self.tr("They said: “{says}”").format(says=card.says)
        try:
            scheduled = self.scripts.schedule_callback(lead_id, card.callback_after, note)
        except ScriptError as error:
            self.objection_card.show_feedback(str(error), error=True)
            return
        when = scheduled.due_at.astimezone().strftime("%a %d %b %H:%M")
        self.objection_card.show_feedback(self.tr("✓ Callback on {when}").format(when=when))
        self.focus_current()
        self.callbackScheduled.emit(
            self.tr("Callback scheduled for {when}: {note}").format(when=when, note=note)
        )

    # -- choosing the script ---------------------------------------------------------------------

    @Slot()
    def on_script_menu_about_to_show(self) -> None:
        menu = self.script_menu
        menu.clear()
        session, lead_id = self.session, self.lead_id
        if session is None or lead_id is None:
            return
        own = any(item.scope == "lead" and item.target == str(lead_id) for item in self.scripts.assignments())
        heading = menu.addAction(self.tr("Use for this lead:"))
        heading.setEnabled(False)
        firm_mode = self.firm_mode() and self.versions is not None
        menu.setToolTipsVisible(True)
        for info in self.scripts.catalog():
            action = menu.addAction(f"{info.title}  ({info.language})")
            action.setCheckable(True)
            action.setChecked(info.name == session.script.name)
            refusal = self._firm_mode_refusal(info.name) if firm_mode else None
            if refusal is not None:
                action.setText(
                    self.tr("{title}  ({language}) — not approved").format(
                        title=info.title, language=info.language
                    )
                )
                action.setToolTip(refusal)
                action.setStatusTip(refusal)
                action.setEnabled(False)
            action.triggered.connect(lambda _checked=False, name=info.name: self.use_script(name))
        menu.addSeparator()
        back = menu.addAction(self.tr("Use the script of the lead's list"))
        back.setEnabled(own)
        back.triggered.connect(lambda: self.use_script(None))
        menu.addAction(self.tr("Edit scripts…")).triggered.connect(self.editorRequested)

    def _firm_mode_refusal(self, name: str) -> str | None:
        """Why firm mode forbids this script on calls (its version in force is unapproved), or None."""
        if self.versions is None:
            return None
        try:
            _info, refusal = self.versions.usable(name, firm_mode=True)
        except ScriptVersionError as error:
            return str(error)
        return refusal

    def use_script(self, name: str | None) -> None:
        """Give the lead on screen its own script (None: back to its list's, warmth's or default)."""
        if self.lead_id is None:
            return
        try:
            self.scripts.assign("lead", self.lead_id, name)
        except ScriptError as error:
            self._set_feedback(str(error), error=True)
            return
        lead_id, self.lead_id = self.lead_id, None
        self.show_lead(lead_id)
        if self.session is not None:
            self._set_feedback(
                self.tr("This lead now gets “{title}”.").format(title=self.session.script.title)
            )

    # -- reading aloud ---------------------------------------------------------------------------

    @Slot()
    def on_read_triggered(self) -> None:
        if self.session is None:
            return
        if self.read_aloud.state in (PLAYING, RENDERING):
            self.read_aloud.stop()
            return
        self.read_aloud.speak(self.stage_reading(), self.session.script.language)

    @Slot(str, str)
    def on_read_aloud_state_changed(self, state: str, message: str) -> None:
        busy = state in (PLAYING, RENDERING)
        self.read_button.setText(self.tr("■ Stop") if busy else self.tr("Read"))
        self.audio_label.setText(message)
        self.open_audio_button.setVisible(state == READY)
        self.audio_row.setVisible(bool(message))

    @Slot()
    def on_open_audio_clicked(self) -> None:
        self.read_aloud.open_recording()

    def set_audio_dir(self, path: Path) -> None:
        self.read_aloud.audio_dir = path

    def shutdown(self) -> None:
        self.read_aloud.stop()
        task = self.read_aloud.task
        if task is not None:
            task.wait(10)
