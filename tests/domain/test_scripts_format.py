"""Script files: the shipped scripts load and every branch ends; malformed files get located errors."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.outcomes import OUTCOME_CODES
from desktop.domain.script_answers import sample_answers
from desktop.domain.script_checks import structure_differences
from desktop.domain.script_engine import Position, ScriptSession, explore
from desktop.domain.script_format import (
    ScriptFormatError,
    check_script,
    load_script,
    load_script_file,
)
from desktop.domain.scripts import ANSWER_KINDS, STANDARD_OBJECTIONS, CallScript, field_values

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "scripts"
SHIPPED = sorted(SCRIPTS_DIR.glob("*.yaml"))
TODAY = date(2026, 12, 1)


def shipped(name: str) -> CallScript:
    return load_script_file(SCRIPTS_DIR / f"{name}.yaml")


# -- the shipped scripts --------------------------------------------------------------------------


def test_the_promised_scripts_are_shipped() -> None:
    titles = {load_script_file(path).title for path in SHIPPED}
    assert "Question-led discovery (business owners)" in titles
    assert "Advice-first: 401(k) fee review" in titles
    assert "Retirement check-up (residential)" in titles
    assert {load_script_file(path).language for path in SHIPPED} == {"en", "ru"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_script_is_valid_without_warnings(path: Path) -> None:
    checked = check_script(path.read_text(encoding="utf-8"), str(path))
    assert checked.script is not None, "\n".join(map(str, checked.problems))
    assert checked.problems == ()
    assert checked.script.name == path.stem


def walk_every_path(script: CallScript, today: date) -> tuple[int, set[str]]:
    """Walk the script through the engine with one answer per branch (and a skip) at every question.

    The route from a position depends only on the position and the answer, so each position is
    walked once; returns how many complete paths there are and which end stages they reach.
    """
    paths_from: dict[Position, int] = {}
    ends: set[str] = set()

    def walk(session: ScriptSession, trail: tuple[Position, ...]) -> int:
        position = session.position
        assert position not in trail, f"{script.name}: a loop through {position}"
        assert len(trail) < 100, f"{script.name}: a path longer than 100 steps"
        if position.finished:
            ends.add(position.stage_id)
            stage = script.stage(position.stage_id)
            assert stage.end and stage.outcome in OUTCOME_CODES, f"{stage.id} ends without an outcome"
            return 1
        if position in paths_from:
            return paths_from[position]
        moves: list[ScriptSession] = []
        question = session.question
        for raw in sample_answers(question, today) if question is not None else []:
            branch = ScriptSession(script, session.values, today, position=position)
            branch.answer(raw)
            moves.append(branch)
        skipped = ScriptSession(script, session.values, today, position=position)
        skipped.advance()
        moves.append(skipped)
        total = sum(walk(branch, (*trail, position)) for branch in moves)
        paths_from[position] = total
        return total

    start = ScriptSession(script, field_values(first_name="Maria"), today)
    return walk(start, ()), ends


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_branch_of_a_shipped_script_reaches_an_end(path: Path) -> None:
    script = load_script_file(path)
    paths, ends = walk_every_path(script, TODAY)
    assert paths > 5
    assert {"meeting_booked", "respectful_exit", "wrong_number"} <= ends
    assert ends == explore(script, TODAY).end_stages
    reachable = {position.stage_id for position in explore(script, TODAY).positions}
    assert reachable == {stage.id for stage in script.stages}, "every stage can be reached"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_script_answers_the_common_objections_softly(path: Path) -> None:
    script = load_script_file(path)
    cards = {card.id: card for card in script.objections}
    assert set(STANDARD_OBJECTIONS) <= set(cards)
    assert cards["take_me_off_list"].outcome == "do_not_call"
    for card in script.objections:
        assert card.outcome in OUTCOME_CODES and card.response, card.id


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_script_leads_with_questions_and_free_advice(path: Path) -> None:
    script = load_script_file(path)
    kinds = [stage.kind for stage in script.stages]
    assert kinds[:2] == ["opening", "permission"]
    assert {"discovery", "advice", "next_step"} <= set(kinds)
    assert len(script.questions()) >= 8
    assert any(card.callback_after is not None for card in script.advice)
    triggered = {
        advice
        for question in script.questions()
        for route in (
            question.route,
            question.if_yes,
            question.if_no,
            *(c.route for c in question.choices),
            *(r.route for r in question.ranges),
        )
        for advice in route.advice
    }
    assert triggered == {card.id for card in script.advice}, "every advice card can come up"


def test_shipped_scripts_use_every_answer_type() -> None:
    used = {question.kind for path in SHIPPED for question in load_script_file(path).questions()}
    assert used == set(ANSWER_KINDS)


def test_401k_fees_dont_know_offers_a_fee_review_with_a_callback_in_3_days() -> None:
    script = shipped("advice-first-401k")
    session = ScriptSession(script, field_values(first_name="Priya", company="NS Logistics"), TODAY)
    session.go_to("knows_fees")
    step = session.answer("dont_know")
    (card,) = step.new_advice
    assert card.id == "fee_review" and card.title == "Offer a free fee review"
    assert card.callback_after is not None and card.callback_after.days == 3


def test_russian_translation_has_the_shape_of_its_original() -> None:
    original = shipped("advice-first-401k")
    russian = shipped("advice-first-401k-ru")
    assert russian.language == "ru" and russian.translation_of == original.name
    assert structure_differences(original, russian) == []
    cyrillic = re.compile("[а-яё]", re.IGNORECASE)
    texts = [line for stage in russian.stages for line in stage.say] + [q.ask for q in russian.questions()]
    assert texts and all(cyrillic.search(text) for text in texts)
    session = ScriptSession(russian, {}, TODAY)
    assert "«ваше имя?»" in session.stage_view().lines[0]


def test_structure_differences_notice_a_changed_route() -> None:
    original = shipped("advice-first-401k")
    text = (SCRIPTS_DIR / "advice-first-401k-ru.yaml").read_text(encoding="utf-8")
    changed = load_script(text.replace("next: last_benchmark\n", "next: employee_feedback\n", 1), "ru")
    assert structure_differences(original, changed)


# -- malformed files ------------------------------------------------------------------------------

GOOD = textwrap.dedent(
    """\
    format: 1
    name: tiny
    title: Tiny
    stages:
      - id: opening
        kind: opening
        title: Opening
        say: "Hi {first_name}."
        questions:
          - id: ok
            ask: "Now?"
            type: yes_no
            if_no:
              next: bye
      - id: bye
        kind: close
        title: Bye
        end: true
        outcome: not_interested
    """
)


def errors_of(text: str) -> list[str]:
    checked = check_script(text, "tiny.yaml")
    assert checked.script is None
    return [str(problem) for problem in checked.errors]


def test_the_base_of_the_malformed_cases_is_valid() -> None:
    assert load_script(GOOD, "tiny.yaml").name == "tiny"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # bad YAML: an unclosed quote
        ('say: "Hi {first_name}."', 'say: "Hi {first_name}.', r"^tiny\.yaml:\d+: not valid YAML"),
        # a plain scalar starting with { is a YAML mapping
        ('say: "Hi {first_name}."', "say: {first_name} hi", r"^tiny\.yaml:8: not valid YAML"),
        # unknown field, with a suggestion
        (
            "    kind: opening\n",
            "    knd: opening\n",
            r"^tiny\.yaml:6: stages\[opening\]\.knd: unknown field; did you mean `kind`",
        ),
        # wrong type: a list where text is expected, a word where true/false is expected
        ("title: Tiny", "title: [Tiny]", r"^tiny\.yaml:3: title: expected text, got a list"),
        (
            "end: true",
            "end: maybe",
            r"^tiny\.yaml:18: stages\[bye\]\.end: expected true or false, got 'maybe'",
        ),
        ("format: 1", "format: one", r"^tiny\.yaml:1: format: expected a number"),
        # wrong value
        (
            "type: yes_no",
            "type: multiple",
            r"^tiny\.yaml:12: stages\[opening\]\.questions\[ok\]\.type: expected one of",
        ),
        (
            "outcome: not_interested",
            "outcome: sold",
            r"^tiny\.yaml:19: stages\[bye\]\.outcome: 'sold' is not an outcome",
        ),
        # dangling next-stage reference
        (
            "next: bye",
            "next: goodbye",
            r"^tiny\.yaml:14: stages\[opening\]\.questions\[ok\]\.if_no\.next: "
            r"there is no stage or question 'goodbye'",
        ),
        # duplicate ids (a question may not share a stage's id either)
        (
            "  - id: bye\n",
            "  - id: opening\n",
            r"^tiny\.yaml:15: stages\[opening\]\.id: duplicate id 'opening'.* at line 5",
        ),
        (
            "      - id: ok\n",
            "      - id: bye\n",
            r"^tiny\.yaml:15: stages\[bye\]\.id: duplicate id 'bye'.* at line 10",
        ),
        # a key given twice
        (
            "title: Tiny\n",
            "title: Tiny\ntitle: Small\n",
            r"^tiny\.yaml:4: title: given twice \(first at line 3\)",
        ),
        # unknown {field}
        (
            "Hi {first_name}.",
            "Hi {frist_name}.",
            r"^tiny\.yaml:8: stages\[opening\]\.say: unknown placeholder \{frist_name\}; "
            r"did you mean \{first_name\}",
        ),
        # a required field missing
        ("    title: Bye\n", "", r"^tiny\.yaml:15: stages\[bye\]\.title: required field is missing"),
        # the call never ends
        (
            "    end: true\n    outcome: not_interested\n",
            "",
            r"^tiny\.yaml:15: stages\[bye\]: the last stage needs `end: true`",
        ),
        # a field of another answer type
        (
            "        type: yes_no\n",
            "        type: yes_no\n        max: 3\n",
            r"^tiny\.yaml:13: .*\.max: only for questions of type number",
        ),
        # an unreadable duration
        (
            "stages:\n",
            "advice:\n  - id: a\n    title: A\n    callback_in: soon\nstages:\n",
            r"^tiny\.yaml:7: advice\[a\]\.callback_in: expected a time",
        ),
    ],
)
def test_malformed_file_gives_a_located_error(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    errors = errors_of(GOOD.replace(old, new, 1))
    assert any(re.search(expected, error) for error in errors), "\n".join(errors)


def test_a_loop_is_refused() -> None:
    text = GOOD.replace(
        "        if_no:\n          next: bye\n",
        "        next: opening\n        if_no:\n          next: bye\n",
    )
    errors = errors_of(text)
    assert any("loop" in error and error.startswith("tiny.yaml:") for error in errors), errors


def test_several_mistakes_are_all_reported_in_line_order() -> None:
    text = GOOD.replace("kind: opening", "kind: start").replace("next: bye", "next: nowhere")
    errors = errors_of(text)
    assert len(errors) == 2
    lines = [int(error.split(":")[1]) for error in errors]
    assert lines == sorted(lines)


def test_a_request_to_be_removed_must_suggest_do_not_call() -> None:
    text = GOOD + textwrap.dedent(
        """\
        objections:
          - id: take_me_off_list
            says: "Take me off your list."
            response: "But wait, hear me out."
            outcome: callback
        """
    )
    (error,) = errors_of(text)
    assert error.startswith("tiny.yaml:21: objections[take_me_off_list].outcome: must be do_not_call")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "tiny.yaml:1: the file is empty"),
        ("- just\n- a list\n", "tiny.yaml:1: expected a mapping"),
        ("format: 1\n---\nformat: 1\n", "tiny.yaml:2: not valid YAML"),
        (
            "format: 1\nname: tiny\ntitle: T\nstages: []\n",
            "tiny.yaml:4: stages: a script needs at least one stage",
        ),
    ],
)
def test_files_that_are_not_scripts(text: str, expected: str) -> None:
    errors = errors_of(text)
    assert any(error.startswith(expected) for error in errors), errors


def test_load_script_raises_with_every_error() -> None:
    with pytest.raises(ScriptFormatError) as caught:
        load_script(GOOD.replace("next: bye", "next: nowhere"), "tiny.yaml")
    assert "tiny.yaml:14:" in str(caught.value) and len(caught.value.errors) == 1


def test_load_script_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(b"\xff\xfe not text")
    with pytest.raises(ScriptFormatError, match=r"broken\.yaml:1: not UTF-8"):
        load_script_file(path)


def test_warnings_do_not_stop_a_script() -> None:
    text = GOOD + "advice:\n  - id: unused\n    title: Never shown\n"
    checked = check_script(text, "tiny.yaml")
    assert checked.script is not None and checked.errors == ()
    assert any("no answer brings this advice card up" in str(w) for w in checked.warnings)
