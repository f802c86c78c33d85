"""Call scripts: stages, typed questions, advice and objection cards, and how their text is filled in.

A script is data the user can edit (see `desktop.domain.script_format` for the file format and
`desktop.domain.script_engine` for walking it during a call). This module holds the model, the
rendering of `{field}` placeholders and the choice of a script for a lead. Pure Python: no database,
no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# What an answer can be; each kind has its own validation (desktop.domain.script_answers).
CHOICE = "choice"
YES_NO = "yes_no"
NUMBER = "number"
DATE = "date"
TEXT = "text"
ANSWER_KINDS: tuple[str, ...] = (CHOICE, YES_NO, NUMBER, DATE, TEXT)

# The parts of a soft-selling call, in the order they usually come. "close" is a wrap-up that ends
# the call politely (a thank-you, a promised e-mail); "objection" a stage that answers a concern
# the flow expects (objections that can come at any moment are cards, see ObjectionCard).
STAGE_KINDS: tuple[str, ...] = (
    "opening",
    "permission",
    "discovery",
    "advice",
    "objection",
    "next_step",
    "close",
)

AUDIENCES: tuple[str, ...] = ("business", "residential", "any")

# The objections every shipped script answers, by card id. A request to be taken off the list is
# the law, not an objection to overcome: its card must suggest the do-not-call outcome.
STANDARD_OBJECTIONS: tuple[str, ...] = (
    "not_interested",
    "send_email",
    "how_got_number",
    "have_advisor",
    "call_later",
    "sales_call",
    "take_me_off_list",
)
REQUIRED_OBJECTION_OUTCOMES: Mapping[str, str] = {"take_me_off_list": "do_not_call"}

# Fields a script text may use, and how a missing one is shown («first name?»), per language.
FIELD_NAMES: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "state",
    "source",
    "agent_name",
    "firm",
    "firm_name",
    "firm_address",
    "callback_number",
)
PLACEHOLDER_LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "first_name": "first name",
        "last_name": "last name",
        "full_name": "name",
        "company": "company",
        "title": "title",
        "state": "state",
        "source": "where the lead came from",
        "agent_name": "your name",
        "firm": "your firm",
        "firm_name": "your firm",
        "firm_address": "firm address",
        "callback_number": "callback number",
    },
    "ru": {
        "first_name": "имя",
        "last_name": "фамилия",
        "full_name": "имя и фамилия",
        "company": "компания",
        "title": "должность",
        "state": "штат",
        "source": "откуда контакт",
        "agent_name": "ваше имя",
        "firm": "ваша фирма",
        "firm_name": "ваша фирма",
        "firm_address": "адрес фирмы",
        "callback_number": "номер для обратного звонка",
    },
}

# Shipped scripts a lead gets when nothing is assigned, by the lead's kind.
DEFAULT_SCRIPT_BY_KIND: Mapping[str, str] = {
    "business": "question-led-discovery",
    "residential": "retirement-checkup-residential",
}


# -- the model ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """Where an answer leads (a stage or question id; None: straight on) and the advice it brings up."""

    next: str | None = None
    advice: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer of a choice question, with its own route."""

    id: str
    label: str
    route: Route = Route()


@dataclass(frozen=True, slots=True)
class ValueRange:
    """A band of a number answer (or of days from today for a date answer): from ≤ value < below."""

    lower: float | None
    upper: float | None
    route: Route = Route()

    def contains(self, value: float) -> bool:
        return (self.lower is None or value >= self.lower) and (self.upper is None or value < self.upper)

    def describe(self) -> str:
        if self.lower is not None and self.upper is not None:
            return f"from {self.lower:g} below {self.upper:g}"
        if self.lower is not None:
            return f"from {self.lower:g}"
        if self.upper is not None:
            return f"below {self.upper:g}"
        return "any value"


@dataclass(frozen=True, slots=True)
class Question:
    """A specific question to ask, the kind of answer it takes and where each answer leads.

    `route` applies to every answer (its advice always comes up; its `next` is the default when
    the matching choice, yes/no branch or range says nothing).
    """

    id: str
    ask: str
    kind: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    if_yes: Route = Route()
    if_no: Route = Route()
    ranges: tuple[ValueRange, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    unit: str = ""
    max_length: int = 500
    route: Route = Route()
    line: int = 0

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)


@dataclass(frozen=True, slots=True)
class Stage:
    """One part of the call: what to say, the questions to ask, and where to go afterwards.

    Without `next` the call goes on with the following stage in the file; an `end` stage finishes
    the script and may suggest the outcome to record.
    """

    id: str
    kind: str
    title: str
    say: tuple[str, ...] = ()
    hint: str = ""
    questions: tuple[Question, ...] = ()
    next: str | None = None
    end: bool = False
    outcome: str | None = None
    line: int = 0
    # The line that says why we call (FINRA Rule 3230: that it is a solicitation); also the last of `say`.
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class AdviceCard:
    """Free advice to offer when an answer shows a need; may come with a callback to promise.

    `callback_after` is how long after the call to call back (e.g. three days to come back with the
    research); the panel offers to schedule it with one click.
    """

    id: str
    title: str
    say: tuple[str, ...] = ()
    hint: str = ""
    callback_after: timedelta | None = None
    callback_note: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class ObjectionCard:
    """What the prospect may say at any moment, a soft response, and the outcome it usually leads to."""

    id: str
    says: str
    response: tuple[str, ...] = ()
    hint: str = ""
    outcome: str | None = None
    callback_after: timedelta | None = None
    line: int = 0


@dataclass(frozen=True)
class CallScript:
    """A whole script, as loaded and validated from its file."""

    name: str
    title: str
    language: str
    audience: str
    start: str
    stages: tuple[Stage, ...]
    advice: tuple[AdviceCard, ...] = ()
    objections: tuple[ObjectionCard, ...] = ()
    description: str = ""
    translation_of: str | None = None
    source: str = ""
    _stages: dict[str, Stage] = field(init=False, repr=False, compare=False)
    _questions: dict[str, tuple[Stage, Question]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stages", {stage.id: stage for stage in self.stages})
        object.__setattr__(
            self,
            "_questions",
            {question.id: (stage, question) for stage in self.stages for question in stage.questions},
        )

    def stage(self, stage_id: str) -> Stage:
        try:
            return self._stages[stage_id]
        except KeyError:
            raise KeyError(f"script {self.name!r} has no stage {stage_id!r}") from None

    def has_stage(self, stage_id: str) -> bool:
        return stage_id in self._stages

    def question(self, question_id: str) -> Question:
        return self.locate_question(question_id)[1]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions

    def locate_question(self, question_id: str) -> tuple[Stage, Question]:
        try:
            return self._questions[question_id]
        except KeyError:
            raise KeyError(f"script {self.name!r} has no question {question_id!r}") from None

    def following_stage(self, stage_id: str) -> Stage | None:
        """The stage after `stage_id` in file order (where a stage without `next` goes)."""
        ids = [stage.id for stage in self.stages]
        index = ids.index(stage_id)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None

    def advice_card(self, advice_id: str) -> AdviceCard:
        card = next((card for card in self.advice if card.id == advice_id), None)
        if card is None:
            raise KeyError(f"script {self.name!r} has no advice card {advice_id!r}")
        return card

    def objection(self, objection_id: str) -> ObjectionCard:
        card = next((card for card in self.objections if card.id == objection_id), None)
        if card is None:
            raise KeyError(f"script {self.name!r} has no objection card {objection_id!r}")
        return card

    def questions(self) -> tuple[Question, ...]:
        return tuple(question for stage in self.stages for question in stage.questions)


# -- filling in fields ----------------------------------------------------------------------------

# `{field}` is a field, `{{` and `}}` are literal braces; any other brace is shown as it is.
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class TextPiece:
    """A run of rendered text: literal, a filled field, or the placeholder of a missing one."""

    text: str
    field: str | None = None
    missing: bool = False


def placeholder(field_name: str, language: str = "en") -> str:
    """How a missing field is shown so the agent notices it before reading it out: «first name?»."""
    labels = PLACEHOLDER_LABELS.get(language, PLACEHOLDER_LABELS["en"])
    label = labels.get(field_name) or PLACEHOLDER_LABELS["en"].get(field_name) or field_name.replace("_", " ")
    return f"«{label}?»"


def render_pieces(template: str, values: Mapping[str, str], language: str = "en") -> tuple[TextPiece, ...]:
    """The text split into literal runs and fields, for a panel that highlights what was filled in."""
    pieces: list[TextPiece] = []
    literal: list[str] = []
    position = 0

    def flush() -> None:
        if literal:
            pieces.append(TextPiece("".join(literal)))
            literal.clear()

    for match in _TOKEN.finditer(template):
        literal.append(template[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        name = match.group(1)
        value = str(values.get(name) or "").strip()
        flush()
        if value:
            pieces.append(TextPiece(value, field=name))
        else:
            pieces.append(TextPiece(placeholder(name, language), field=name, missing=True))
    literal.append(template[position:])
    flush()
    return tuple(piece for piece in pieces if piece.text)


def render_text(template: str, values: Mapping[str, str], language: str = "en") -> str:
    """The text with fields filled in; a missing or unknown field shows as «field?», never an error."""
    return "".join(piece.text for piece in render_pieces(template, values, language))


def answer_text(kind: str, label: str, value: object, values: Mapping[str, str]) -> str:
    """An answer as shown anywhere. A choice's label is the script's template ("{first_name} is on
    the line"): filled in for the lead. Any other label is what was typed or counted, shown as it is
    (braces a broker typed are not fields); without a label, the value."""
    if not label:
        return str(value)
    return render_text(label, values) if kind == CHOICE else label


def template_fields(template: str) -> tuple[str, ...]:
    """The field names a text uses, in order (what the validator checks against FIELD_NAMES)."""
    return tuple(match.group(1) for match in _TOKEN.finditer(template) if match.group(1))


def field_values(
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    title: str = "",
    state: str = "",
    source: str = "",
    agent_name: str = "",
    firm: str = "",
    firm_address: str = "",
    callback_number: str = "",
) -> dict[str, str]:
    """The values a script can use, from a lead and the agent's settings ({firm_name} is {firm})."""
    full_name = " ".join(part for part in (first_name.strip(), last_name.strip()) if part)
    return {
        "first_name": first_name,
        "last_name": last_name,
        "full_name": full_name,
        "company": company,
        "title": title,
        "state": state,
        "source": source,
        "agent_name": agent_name,
        "firm": firm,
        "firm_name": firm,
        "firm_address": firm_address,
        "callback_number": callback_number,
    }


# Values used to rehearse a script without a lead, so it is read as it would be said.
REHEARSAL_VALUES: Mapping[str, Mapping[str, str]] = {
    "en": field_values(
        "Maria",
        "Lopez",
        "Lopez Dental Group",
        "Owner",
        "NY",
        "the chamber of commerce list",
        "Alex",
        "Harbor Advisors",
        "1 Harbor Plaza, New York",
        "212 555 0100",
    ),
    "ru": field_values(
        "Анна",
        "Смирнова",
        "Смирнова и партнёры",
        "владелец",
        "NY",
        "список торговой палаты",
        "Алексей",
        "Харбор Эдвайзерс",
        "Нью-Йорк, Харбор Плаза, 1",
        "212 555 0100",
    ),
}


# -- which script a lead gets ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptAssignments:
    """Which script to use: per lead (overrides everything), per call list, per warmth, by default."""

    by_lead: Mapping[int, str] = field(default_factory=dict)
    by_list: Mapping[str, str] = field(default_factory=dict)
    by_warmth: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None


def choose_script_name(
    lead_id: int,
    list_name: str,
    warmth: str,
    kind: str,
    assignments: ScriptAssignments,
    available: Collection[str],
) -> str | None:
    """The script in force for a lead: its own, its list's, its warmth's, the default, then by kind.

    An assignment to a script that no longer exists is passed over, so a deleted script never
    leaves a lead without one. None only when no script at all is available.
    """
    candidates = (
        assignments.by_lead.get(lead_id),
        assignments.by_list.get(list_name),
        assignments.by_warmth.get(warmth),
        assignments.default,
        DEFAULT_SCRIPT_BY_KIND.get(kind),
        DEFAULT_SCRIPT_BY_KIND["business"],
    )
    for name in candidates:
        if name and name in available:
            return name
    return min(available) if available else None


# -- promised callbacks ---------------------------------------------------------------------------


def callback_due(now: datetime, after: timedelta, zone_name: str | None = None) -> datetime:
    """When a callback promised `after` from `now` falls due.

    A promise of whole days ("I'll call you back in three days") lands on a weekday in the
    callee's time zone: Saturday and Sunday move to Monday at the same local time, because a
    business owner promised research expects the call at work.
    """
    due = now + after
    if after < timedelta(days=1):
        return due
    try:
        zone = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    local = due.astimezone(zone) if zone is not None else due
    if local.weekday() >= 5:
        local = local + timedelta(days=7 - local.weekday())
    return local.astimezone(due.tzinfo)
