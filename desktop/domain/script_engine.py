"""Walking a call script during a call: where we are, what to say, what an answer changes.

`ScriptSession` is what a script panel holds for the lead on screen: the current stage and
question, the text filled in with the lead's fields, typed questions, the advice cards the answers
brought up and the objection cards. It saves nothing; the panel hands each accepted answer to
`desktop.services.scripts.ScriptService.record_answer` at once.

The route from a position depends only on the position and the answer given there, so
`explore()` can check every branch of a script by visiting each position once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from desktop.domain.script_answers import Answer, parse_answer, route_for, sample_answers
from desktop.domain.scripts import (
    AdviceCard,
    CallScript,
    ObjectionCard,
    Question,
    Stage,
    TextPiece,
    render_pieces,
    render_text,
)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a call is in its script: a stage, the question waiting in it (if any), or the end."""

    stage_id: str
    question_id: str | None = None
    finished: bool = False


def enter(script: CallScript, target: str) -> Position:
    """The position reached by going to a stage (its first question) or straight to a question."""
    if script.has_question(target):
        stage, question = script.locate_question(target)
        return Position(stage.id, question.id)
    stage = script.stage(target)
    return Position(stage.id, stage.questions[0].id if stage.questions else None)


def leave(script: CallScript, stage: Stage) -> Position:
    """Where a call goes when a stage is done: its `next`, else the following stage, or the end."""
    if stage.end:
        return Position(stage.id, None, finished=True)
    if stage.next:
        return enter(script, stage.next)
    following = script.following_stage(stage.id)
    if following is None:
        # Validation refuses this; a script built in code that falls off the end simply finishes.
        return Position(stage.id, None, finished=True)
    return enter(script, following.id)


def after_answer(script: CallScript, position: Position, next_id: str | None) -> Position:
    """The position after the question at `position` is answered (or skipped) with route `next_id`."""
    if next_id:
        return enter(script, next_id)
    stage = script.stage(position.stage_id)
    ids = [question.id for question in stage.questions]
    if position.question_id in ids:
        index = ids.index(position.question_id)
        if index + 1 < len(ids):
            return Position(stage.id, ids[index + 1])
    return leave(script, stage)


def skip_position(script: CallScript, position: Position) -> Position:
    """Going on without an answer: a skipped question takes its question's default route."""
    if position.finished:
        return position
    if position.question_id is None:
        return leave(script, script.stage(position.stage_id))
    question = script.question(position.question_id)
    return after_answer(script, position, question.route.next)


# -- what a panel shows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question ready to show: the text to ask and what kind of answer the input takes."""

    id: str
    ask: str
    ask_pieces: tuple[TextPiece, ...]
    kind: str
    hint: str
    choices: tuple[tuple[str, str], ...]  # (choice id, label)
    unit: str
    minimum: float | None
    maximum: float | None
    integer: bool
    current: bool
    answer: Answer | None


@dataclass(frozen=True, slots=True)
class StageView:
    """A stage ready to show: its lines filled in (as text and as pieces to highlight) and questions."""

    id: str
    kind: str
    title: str
    lines: tuple[str, ...]
    line_pieces: tuple[tuple[TextPiece, ...], ...]
    hint: str
    questions: tuple[QuestionView, ...]
    end: bool
    outcome: str | None


@dataclass(frozen=True, slots=True)
class AdviceView:
    """An advice card filled in, with the callback it suggests (None: no callback)."""

    id: str
    title: str
    text: str
    hint: str
    callback_after: timedelta | None
    callback_note: str


@dataclass(frozen=True, slots=True)
class ObjectionView:
    """An objection card filled in: what they said, what to answer, the outcome it suggests."""

    id: str
    says: str
    response: str
    hint: str
    outcome: str | None
    callback_after: timedelta | None


@dataclass(frozen=True, slots=True)
class Step:
    """What one answer did: the answer as stored, new advice cards, and where the call moved."""

    answer: Answer
    new_advice: tuple[AdviceView, ...]
    position: Position
    moved: bool


@dataclass
class ScriptSession:
    """One lead's walk through one script: the state a panel needs between clicks.

    `values` are the lead's and the agent's fields (desktop.domain.scripts.field_values); `today`
    is the callee's date, against which date answers branch ("renews within 90 days").
    """

    script: CallScript
    values: Mapping[str, str]
    today: date
    position: Position = field(default=Position(""))
    answers: dict[str, Answer] = field(default_factory=dict)
    advice_ids: list[str] = field(default_factory=list)
    history: list[Position] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.position.stage_id:
            self.position = enter(self.script, self.script.start)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def stage(self) -> Stage:
        return self.script.stage(self.position.stage_id)

    @property
    def question(self) -> Question | None:
        if self.position.finished or self.position.question_id is None:
            return None
        return self.script.question(self.position.question_id)

    @property
    def finished(self) -> bool:
        return self.position.finished

    @property
    def suggested_outcome(self) -> str | None:
        """The outcome the end stage suggests, once the call is at (or past) an end stage."""
        stage = self.stage
        return stage.outcome if stage.end else None

    def render(self, text: str) -> str:
        return render_text(text, self.values, self.script.language)

    def pieces(self, text: str) -> tuple[TextPiece, ...]:
        return render_pieces(text, self.values, self.script.language)

    def stage_view(self, stage_id: str | None = None) -> StageView:
        stage = self.script.stage(stage_id) if stage_id else self.stage
        return StageView(
            id=stage.id,
            kind=stage.kind,
            title=self.render(stage.title),
            lines=tuple(self.render(line) for line in stage.say),
            line_pieces=tuple(self.pieces(line) for line in stage.say),
            hint=self.render(stage.hint),
            questions=tuple(self.question_view(question) for question in stage.questions),
            end=stage.end,
            outcome=stage.outcome,
        )

    def question_view(self, question: Question) -> QuestionView:
        return QuestionView(
            id=question.id,
            ask=self.render(question.ask),
            ask_pieces=self.pieces(question.ask),
            kind=question.kind,
            hint=self.render(question.hint),
            choices=tuple((choice.id, self.render(choice.label)) for choice in question.choices),
            unit=question.unit,
            minimum=question.minimum,
            maximum=question.maximum,
            integer=question.integer,
            current=question.id == self.position.question_id and not self.finished,
            answer=self.answers.get(question.id),
        )

    def advice_view(self, card: AdviceCard) -> AdviceView:
        return AdviceView(
            id=card.id,
            title=self.render(card.title),
            text="\n".join(self.render(line) for line in card.say),
            hint=self.render(card.hint),
            callback_after=card.callback_after,
            callback_note=self.render(card.callback_note or card.title),
        )

    def triggered_advice(self) -> tuple[AdviceView, ...]:
        """Advice cards the answers so far brought up, oldest first."""
        return tuple(self.advice_view(self.script.advice_card(card_id)) for card_id in self.advice_ids)

    def objection_view(self, card: ObjectionCard) -> ObjectionView:
        return ObjectionView(
            id=card.id,
            says=self.render(card.says),
            response="\n".join(self.render(line) for line in card.response),
            hint=self.render(card.hint),
            outcome=card.outcome,
            callback_after=card.callback_after,
        )

    def objection_cards(self) -> tuple[ObjectionView, ...]:
        return tuple(self.objection_view(card) for card in self.script.objections)

    # -- moving ----------------------------------------------------------------------------------

    def preview(self, raw: object, question_id: str | None = None) -> Position:
        """Where an answer would lead, without taking it (raises AnswerError when it is invalid)."""
        question = self._question_for(question_id)
        answer = parse_answer(question, raw)
        return after_answer(
            self.script, self._position_of(question), route_for(question, answer, self.today).next
        )

    def answer(self, raw: object, question_id: str | None = None) -> Step:
        """Take an answer (raises AnswerError when invalid). Moves on only when it answers the
        current question; answering an earlier question again updates it and its advice in place."""
        question = self._question_for(question_id)
        answer = parse_answer(question, raw)
        self.answers[question.id] = answer
        route = route_for(question, answer, self.today)
        new_ids = [card_id for card_id in route.advice if card_id not in self.advice_ids]
        self.advice_ids.extend(new_ids)
        new_advice = tuple(self.advice_view(self.script.advice_card(card_id)) for card_id in new_ids)
        moved = question.id == self.position.question_id and not self.finished
        if moved:
            self.history.append(self.position)
            self.position = after_answer(self.script, self.position, route.next)
        return Step(answer=answer, new_advice=new_advice, position=self.position, moved=moved)

    def advance(self) -> Position:
        """Go on without answering: past a stage that has no question, or skipping the current one."""
        if not self.finished:
            self.history.append(self.position)
            self.position = skip_position(self.script, self.position)
        return self.position

    def back(self) -> Position:
        """Return to where the call was before the last move (answers given stay given)."""
        if self.history:
            self.position = self.history.pop()
        return self.position

    def go_to(self, target: str) -> Position:
        """Jump to a stage or question, e.g. when the prospect skips ahead."""
        position = enter(self.script, target)
        self.history.append(self.position)
        self.position = position
        return position

    def _question_for(self, question_id: str | None) -> Question:
        if question_id is not None:
            return self.script.question(question_id)
        question = self.question
        if question is None:
            raise ValueError("there is no question to answer here; advance() to go on")
        return question

    def _position_of(self, question: Question) -> Position:
        stage, _ = self.script.locate_question(question.id)
        return Position(stage.id, question.id)


# -- checking every branch ------------------------------------------------------------------------


class ScriptLoop(Exception):
    """A route leads back to a position it came from: the call could go round forever."""

    def __init__(self, cycle: list[Position], line: int) -> None:
        names = " → ".join(position.question_id or position.stage_id for position in cycle)
        super().__init__(f"the routes go round in a loop: {names}")
        self.cycle = cycle
        self.line = line


@dataclass(frozen=True)
class Exploration:
    """What walking every branch found: positions visited, ends reached, how many distinct paths."""

    positions: frozenset[Position]
    end_stages: frozenset[str]
    path_count: int
    longest_path: int


def successors(script: CallScript, position: Position, today: date) -> list[tuple[Position, int]]:
    """Every position one move away (one per distinct answer, or the step on), with the line to blame."""
    if position.finished:
        return []
    if position.question_id is None:
        stage = script.stage(position.stage_id)
        return [(leave(script, stage), stage.line)]
    question = script.question(position.question_id)
    found: list[tuple[Position, int]] = []
    for raw in sample_answers(question, today):
        route = route_for(question, parse_answer(question, raw), today)
        found.append((after_answer(script, position, route.next), route.line or question.line))
    found.append((skip_position(script, position), question.line))
    unique: dict[Position, int] = {}
    for target, line in found:
        unique.setdefault(target, line)
    return list(unique.items())


def explore(script: CallScript, today: date, start: Position | None = None) -> Exploration:
    """Visit every branch from the start; raises ScriptLoop when a route comes back on itself."""
    first = start or enter(script, script.start)
    paths: dict[Position, int] = {}
    longest: dict[Position, int] = {}
    ends: set[str] = set()
    on_path: list[Position] = []

    def visit(position: Position) -> None:
        if position in paths:
            return
        if position.finished:
            ends.add(position.stage_id)
            paths[position], longest[position] = 1, 0
            return
        on_path.append(position)
        total, deepest = 0, 0
        for target, line in successors(script, position, today):
            if target in on_path:
                raise ScriptLoop(on_path[on_path.index(target) :] + [target], line)
            visit(target)
            total += paths[target]
            deepest = max(deepest, longest[target] + 1)
        on_path.pop()
        paths[position], longest[position] = total, deepest

    visit(first)
    return Exploration(frozenset(paths), frozenset(ends), paths[first], longest[first])


def reading_text(script: CallScript, values: Mapping[str, str]) -> str:
    """The whole script as one text to read aloud in rehearsal: stages, questions, cards, in file order."""
    language = script.language

    def fill(text: str) -> str:
        return render_text(text, values, language)

    parts: list[str] = []
    for stage in script.stages:
        parts.append(fill(stage.title) + ".")
        parts.extend(fill(line) for line in stage.say)
        parts.extend(fill(question.ask) for question in stage.questions)
    for card in script.advice:
        parts.append(fill(card.title) + ".")
        parts.extend(fill(line) for line in card.say)
    for objection in script.objections:
        parts.append(fill(objection.says))
        parts.extend(fill(line) for line in objection.response)
    # The «» around placeholders would be read out as symbols by some voices.
    return "\n".join(part for part in parts if part.strip()).replace("«", "").replace("»", "")
