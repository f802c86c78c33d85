"""Typed answers to script questions: what the agent typed or clicked, checked and normalised.

Every answer is stored as text (`Answer.value`): a choice id, "yes"/"no", a number in plain
decimal notation, an ISO date, or free text. `Answer.label` is what a person reads in the lead's
history, so the record stays readable even if the script changes later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from desktop.domain.scripts import CHOICE, DATE, NUMBER, TEXT, YES_NO, Question, Route

_YES_WORDS = {"yes", "y", "true", "1", "да", "д"}
_NO_WORDS = {"no", "n", "false", "0", "нет", "н"}
# 1,234,567.89: commas that group thousands (a lone comma is read as a decimal comma: 2,5).
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class AnswerError(ValueError):
    """An answer that does not fit its question; the message says what would."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A validated answer: the stored value, a readable label, and the typed value when there is one."""

    question_id: str
    kind: str
    value: str
    label: str
    number: float | None = None
    day: date | None = None


def parse_answer(question: Question, raw: object) -> Answer:
    """Check `raw` (text from a field, a bool, a number or a date) against the question's kind."""
    if question.kind == CHOICE:
        return _choice(question, raw)
    if question.kind == YES_NO:
        return _yes_no(question, raw)
    if question.kind == NUMBER:
        return _number(question, raw)
    if question.kind == DATE:
        return _date(question, raw)
    if question.kind == TEXT:
        return _text(question, raw)
    raise AnswerError(f"question {question.id!r} has an unknown answer kind {question.kind!r}")


def _choice(question: Question, raw: object) -> Answer:
    text = str(raw).strip()
    folded = text.casefold()
    for choice in question.choices:
        if folded in (choice.id.casefold(), choice.label.casefold()):
            return Answer(question.id, question.kind, choice.id, choice.label)
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        choice = question.choices[int(text) - 1]
        return Answer(question.id, question.kind, choice.id, choice.label)
    known = ", ".join(choice.id for choice in question.choices)
    raise AnswerError(f"{text!r} is not one of the answers to {question.id!r}: {known}")


def _yes_no(question: Question, raw: object) -> Answer:
    if isinstance(raw, bool):
        yes = raw
    else:
        word = str(raw).strip().casefold()
        if word in _YES_WORDS:
            yes = True
        elif word in _NO_WORDS:
            yes = False
        else:
            raise AnswerError(f"answer {question.id!r} with yes or no, not {str(raw)!r}")
    return Answer(question.id, question.kind, "yes" if yes else "no", "yes" if yes else "no")


def parse_number(raw: object) -> Decimal:
    """A number as people type it: spaces, $, % and thousands separators are allowed."""
    if isinstance(raw, bool):
        raise AnswerError("a number is needed, not yes/no")
    if isinstance(raw, int | float | Decimal):
        return Decimal(str(raw))
    text = re.sub(r"[\s_$%\u00a0]", "", str(raw))
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise AnswerError(f"{str(raw).strip()!r} is not a number") from None
    if not number.is_finite():
        raise AnswerError(f"{str(raw).strip()!r} is not a number")
    return number


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if text != "-0" else "0"


def _number(question: Question, raw: object) -> Answer:
    number = parse_number(raw)
    if question.integer and number != number.to_integral_value():
        raise AnswerError(f"{question.id!r} takes a whole number, not {_plain(number)}")
    if question.minimum is not None and number < Decimal(str(question.minimum)):
        raise AnswerError(f"{question.id!r} must be at least {question.minimum:g}, not {_plain(number)}")
    if question.maximum is not None and number > Decimal(str(question.maximum)):
        raise AnswerError(f"{question.id!r} must be at most {question.maximum:g}, not {_plain(number)}")
    value = _plain(number)
    label = f"{value} {question.unit}".strip()
    return Answer(question.id, question.kind, value, label, number=float(number))


def _date(question: Question, raw: object) -> Answer:
    if isinstance(raw, date):
        day = raw
    else:
        text = str(raw).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise AnswerError(f"give {question.id!r} as a date such as 2026-12-01, not {text!r}") from None
    return Answer(question.id, question.kind, day.isoformat(), day.isoformat(), day=day)


def _text(question: Question, raw: object) -> Answer:
    text = " ".join(str(raw).split()) if raw is not None else ""
    if not text:
        raise AnswerError(f"the answer to {question.id!r} is empty (skip the question instead)")
    if len(text) > question.max_length:
        raise AnswerError(f"the answer to {question.id!r} is longer than {question.max_length} characters")
    return Answer(question.id, question.kind, text, text)


def answer_from_stored(question: Question, value: str) -> Answer:
    """An answer read back from the database, re-validated against the script as it is now."""
    return parse_answer(question, value)


def days_from(today: date, day: date) -> int:
    return (day - today).days


def route_for(question: Question, answer: Answer, today: date) -> Route:
    """Where this answer leads and the advice it brings up: its branch first, then the question's own."""
    branch = _branch(question, answer, today)
    advice = tuple(dict.fromkeys(question.route.advice + branch.advice))
    return Route(next=branch.next or question.route.next, advice=advice, line=branch.line or question.line)


def _branch(question: Question, answer: Answer, today: date) -> Route:
    if question.kind == CHOICE:
        choice = question.choice(answer.value)
        return choice.route if choice is not None else Route()
    if question.kind == YES_NO:
        return question.if_yes if answer.value == "yes" else question.if_no
    measure: float | None = None
    if question.kind == NUMBER:
        measure = answer.number
    elif question.kind == DATE and answer.day is not None:
        measure = float(days_from(today, answer.day))
    if measure is not None:
        for band in question.ranges:
            if band.contains(measure):
                return band.route
    return Route()


def sample_answers(question: Question, today: date) -> list[str]:
    """One valid answer for each distinct way the question can branch (used to walk every path)."""
    if question.kind == CHOICE:
        return [choice.id for choice in question.choices]
    if question.kind == YES_NO:
        return ["yes", "no"]
    if question.kind == TEXT:
        return ["a short note"]
    points: set[float] = {0.0}
    for bound in (question.minimum, question.maximum):
        if bound is not None:
            points.add(bound)
    for band in question.ranges:
        for edge in (band.lower, band.upper):
            if edge is not None:
                points.update((edge - 1, edge - 0.5, edge, edge + 0.5, edge + 1))
    samples: dict[tuple[str | None, tuple[str, ...]], str] = {}
    for point in sorted(points):
        raw = (today + timedelta(days=int(point))).isoformat() if question.kind == DATE else f"{point:g}"
        if question.kind == DATE and point != int(point):
            continue
        try:
            answer = parse_answer(question, raw)
        except AnswerError:
            continue
        route = route_for(question, answer, today)
        samples.setdefault((route.next, route.advice), raw)
    return list(samples.values())
