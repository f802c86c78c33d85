"""The script engine: filling in fields, typed answers, branching, advice and objection cards."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta

import pytest

from desktop.domain.script_answers import AnswerError, parse_answer, sample_answers
from desktop.domain.script_engine import Position, ScriptSession, explore, reading_text
from desktop.domain.script_format import load_script
from desktop.domain.scripts import (
    CallScript,
    ScriptAssignments,
    callback_due,
    choose_script_name,
    field_values,
    placeholder,
    render_pieces,
    render_text,
)

TODAY = date(2026, 12, 1)

# A small script that uses every answer type and every kind of route.
FIXTURE = textwrap.dedent(
    """\
    format: 1
    name: fixture
    title: "Fixture"
    language: en
    audience: business
    stages:
      - id: opening
        kind: opening
        title: Opening
        say: "Hi {first_name}, this is {agent_name} with {firm}."
        questions:
          - id: ok_to_talk
            ask: "Is now a good time?"
            type: yes_no
            if_no:
              next: call_later
      - id: discovery
        kind: discovery
        title: Discovery
        questions:
          - id: fees_known
            ask: "Do you know what the 401(k) costs?"
            type: choice
            choices:
              - id: knows
                label: "Knows"
              - id: dont_know
                label: "Doesn't know"
                advice: fee_review
                next: renewal
          - id: fee_figure
            ask: "How much, in percent?"
            type: number
            min: 0
            max: 10
            unit: "%"
            ranges:
              - from: 1
                advice: fee_review
          - id: renewal
            ask: "When does the provider contract renew?"
            type: date
            ranges:
              - from: 0
                below: 91
                advice: renewal_check
          - id: employees
            ask: "How many employees?"
            type: number
            integer: true
            min: 1
          - id: notes
            ask: "Anything else?"
            type: text
            max_length: 20
      - id: close
        kind: next_step
        title: Next step
        say: "Shall we meet next week?"
        end: true
        outcome: meeting
      - id: call_later
        kind: close
        title: Later
        say: "When is better?"
        end: true
        outcome: callback
    advice:
      - id: fee_review
        title: "Free fee review for {company}"
        say: "I'll compare your fees and call you back."
        callback_in: 3 days
        callback_note: "Fee review"
      - id: renewal_check
        title: "Review before renewal"
    objections:
      - id: take_me_off_list
        says: "Take me off your list."
        response: "Of course, {first_name}."
        outcome: do_not_call
    """
)

VALUES = field_values(first_name="Maria", last_name="Lopez", company="Lopez Dental", agent_name="Alex")


@pytest.fixture
def script() -> CallScript:
    return load_script(FIXTURE, "fixture.yaml")


def session(script: CallScript) -> ScriptSession:
    return ScriptSession(script, VALUES, TODAY)


# -- rendering ------------------------------------------------------------------------------------


def test_fields_are_filled_in() -> None:
    assert render_text("Hi {first_name}, {company}.", VALUES) == "Hi Maria, Lopez Dental."


def test_missing_field_shows_a_visible_placeholder() -> None:
    assert render_text("with {firm}", VALUES) == "with «your firm?»"
    assert render_text("Hi {first_name}", {"first_name": "   "}) == "Hi «first name?»"


def test_placeholder_speaks_the_scripts_language() -> None:
    assert render_text("{first_name}", {}, language="ru") == "«имя?»"
    assert placeholder("company", "xx") == "«company?»"


def test_unknown_fields_and_stray_braces_never_crash() -> None:
    assert render_text("Hello {nickname}", VALUES) == "Hello «nickname?»"
    assert render_text("a { b } c {1} {{first_name}} }{", VALUES) == "a { b } c {1} {first_name} }{"
    assert render_text("{", {}) == "{"


def test_pieces_mark_filled_and_missing_fields() -> None:
    pieces = render_pieces("Hi {first_name} from {firm}!", VALUES)
    assert [(p.text, p.field, p.missing) for p in pieces] == [
        ("Hi ", None, False),
        ("Maria", "first_name", False),
        (" from ", None, False),
        ("«your firm?»", "firm", True),
        ("!", None, False),
    ]


def test_full_name_is_built_from_first_and_last() -> None:
    assert field_values(first_name="Maria", last_name="Lopez")["full_name"] == "Maria Lopez"
    assert field_values(last_name="Lopez")["full_name"] == "Lopez"


# -- typed answers --------------------------------------------------------------------------------


def test_choice_accepts_id_label_or_number(script: CallScript) -> None:
    question = script.question("fees_known")
    assert parse_answer(question, "dont_know").value == "dont_know"
    assert parse_answer(question, "doesn't KNOW").value == "dont_know"
    assert parse_answer(question, "1").value == "knows"
    with pytest.raises(AnswerError, match="not one of"):
        parse_answer(question, "maybe")


def test_yes_no_accepts_words_and_booleans(script: CallScript) -> None:
    question = script.question("ok_to_talk")
    assert parse_answer(question, True).value == "yes"
    assert parse_answer(question, " No ").value == "no"
    assert parse_answer(question, "да").value == "yes"
    with pytest.raises(AnswerError, match="yes or no"):
        parse_answer(question, "perhaps")


def test_number_is_read_as_people_type_it(script: CallScript) -> None:
    fee = script.question("fee_figure")
    assert parse_answer(fee, "1.25%").value == "1.25"
    assert parse_answer(fee, "0,8").value == "0.8"
    assert parse_answer(fee, 2).label == "2 %"
    employees = script.question("employees")
    assert parse_answer(employees, "1,200").value == "1200"
    with pytest.raises(AnswerError, match="whole number"):
        parse_answer(employees, "2.5")
    with pytest.raises(AnswerError, match="at least 1"):
        parse_answer(employees, "0")
    with pytest.raises(AnswerError, match="at most 10"):
        parse_answer(fee, "12")
    with pytest.raises(AnswerError, match="not a number"):
        parse_answer(fee, "a lot")
    with pytest.raises(AnswerError, match="not a number"):
        parse_answer(fee, "nan")


def test_date_and_text_answers(script: CallScript) -> None:
    renewal = script.question("renewal")
    assert parse_answer(renewal, date(2027, 1, 15)).value == "2027-01-15"
    assert parse_answer(renewal, " 2027-01-15 ").day == date(2027, 1, 15)
    with pytest.raises(AnswerError, match="date such as"):
        parse_answer(renewal, "next spring")
    notes = script.question("notes")
    assert parse_answer(notes, "  likes   Tuesdays ").value == "likes Tuesdays"
    with pytest.raises(AnswerError, match="empty"):
        parse_answer(notes, "   ")
    with pytest.raises(AnswerError, match="longer than 20"):
        parse_answer(notes, "x" * 21)


# -- walking a script -----------------------------------------------------------------------------


def test_session_starts_at_the_first_question_with_text_filled_in(script: CallScript) -> None:
    walk = session(script)
    view = walk.stage_view()
    assert view.title == "Opening"
    assert view.lines == ("Hi Maria, this is Alex with «your firm?».",)
    assert walk.question is not None and walk.question.id == "ok_to_talk"
    assert [q.current for q in view.questions] == [True]


def test_an_answer_chooses_the_next_stage(script: CallScript) -> None:
    walk = session(script)
    step = walk.answer("no")
    assert step.moved and step.position == Position("call_later")
    assert walk.stage.id == "call_later"
    walk.advance()
    assert walk.finished and walk.suggested_outcome == "callback"


def test_an_answer_can_skip_to_a_question(script: CallScript) -> None:
    walk = session(script)
    walk.answer("yes")
    assert walk.position == Position("discovery", "fees_known")
    assert walk.preview("dont_know") == Position("discovery", "renewal")
    assert walk.position == Position("discovery", "fees_known"), "preview changes nothing"
    walk.answer("dont_know")
    assert walk.position == Position("discovery", "renewal")


def test_without_a_route_the_next_question_follows(script: CallScript) -> None:
    walk = session(script)
    walk.answer("yes")
    walk.answer("knows")
    assert walk.position == Position("discovery", "fee_figure")


def test_advice_card_is_triggered_by_an_answer(script: CallScript) -> None:
    walk = session(script)
    walk.answer("yes")
    step = walk.answer("dont_know")
    assert [card.id for card in step.new_advice] == ["fee_review"]
    card = step.new_advice[0]
    assert card.title == "Free fee review for Lopez Dental"
    assert card.callback_after == timedelta(days=3)
    assert card.callback_note == "Fee review"
    # The same card is not brought up twice.
    walk.go_to("fee_figure")
    assert walk.answer("1.5").new_advice == ()
    assert [card.id for card in walk.triggered_advice()] == ["fee_review"]


def test_number_and_date_ranges_trigger_advice(script: CallScript) -> None:
    walk = session(script)
    walk.go_to("fee_figure")
    assert walk.answer("0.5").new_advice == ()
    walk.go_to("renewal")
    assert walk.answer(TODAY + timedelta(days=200)).new_advice == ()
    step = walk.answer(TODAY + timedelta(days=30), "renewal")
    assert [card.id for card in step.new_advice] == ["renewal_check"]
    assert not step.moved, "answering again updates the answer in place"
    assert walk.answers["renewal"].value == (TODAY + timedelta(days=30)).isoformat()


def test_invalid_answer_changes_nothing(script: CallScript) -> None:
    walk = session(script)
    with pytest.raises(AnswerError):
        walk.answer("later maybe")
    assert walk.position == Position("opening", "ok_to_talk") and walk.answers == {}


def test_skip_back_and_jump(script: CallScript) -> None:
    walk = session(script)
    walk.advance()  # skip ok_to_talk: its default route is the next stage
    assert walk.position == Position("discovery", "fees_known")
    walk.back()
    assert walk.position == Position("opening", "ok_to_talk")
    walk.go_to("close")
    assert walk.stage.id == "close" and walk.question is None
    walk.advance()
    assert walk.finished and walk.suggested_outcome == "meeting"
    assert walk.advance() == walk.position, "nothing moves after the end"


def test_answering_without_a_question_is_refused(script: CallScript) -> None:
    walk = session(script)
    walk.go_to("close")
    with pytest.raises(ValueError, match="no question"):
        walk.answer("yes")


def test_objection_cards_are_rendered(script: CallScript) -> None:
    (card,) = session(script).objection_cards()
    assert card.response == "Of course, Maria." and card.outcome == "do_not_call"


def test_question_view_describes_the_input(script: CallScript) -> None:
    walk = session(script)
    walk.go_to("discovery")
    view = walk.stage_view()
    kinds = {q.id: q.kind for q in view.questions}
    assert kinds == {
        "fees_known": "choice",
        "fee_figure": "number",
        "renewal": "date",
        "employees": "number",
        "notes": "text",
    }
    fees = view.questions[0]
    assert fees.choices == (("knows", "Knows"), ("dont_know", "Doesn't know"))
    assert view.questions[1].unit == "%" and view.questions[1].maximum == 10


def test_sample_answers_cover_every_route(script: CallScript) -> None:
    assert sample_answers(script.question("fees_known"), TODAY) == ["knows", "dont_know"]
    fee_samples = sample_answers(script.question("fee_figure"), TODAY)
    assert len(fee_samples) == 2  # below 1 % and from 1 %
    renewal_samples = sample_answers(script.question("renewal"), TODAY)
    assert len(renewal_samples) == 2  # within 90 days, and outside


def test_explore_reaches_every_end(script: CallScript) -> None:
    walk = explore(script, TODAY)
    assert walk.end_stages == {"close", "call_later"}
    assert walk.path_count == 3  # no → later; yes → knows → …; yes → dont_know → renewal …


def test_reading_text_has_no_placeholder_marks(script: CallScript) -> None:
    text = reading_text(script, {"first_name": "Maria"})
    assert "Hi Maria, this is your name? with your firm?." in text
    assert "«" not in text and "Take me off your list." in text


# -- choosing a script and promising callbacks ----------------------------------------------------

AVAILABLE = {"question-led-discovery", "retirement-checkup-residential", "warm-script", "list-script"}


def test_script_resolution_order() -> None:
    assignments = ScriptAssignments(
        by_lead={7: "warm-script"}, by_list={"Chamber": "list-script"}, by_warmth={"warm": "warm-script"}
    )
    assert choose_script_name(7, "Chamber", "cold", "business", assignments, AVAILABLE) == "warm-script"
    assert choose_script_name(8, "Chamber", "warm", "business", assignments, AVAILABLE) == "list-script"
    assert choose_script_name(8, "Other", "warm", "business", assignments, AVAILABLE) == "warm-script"
    assert (
        choose_script_name(8, "Other", "cold", "business", assignments, AVAILABLE) == "question-led-discovery"
    )
    assert (
        choose_script_name(8, "Other", "cold", "residential", assignments, AVAILABLE)
        == "retirement-checkup-residential"
    )


def test_resolution_passes_over_a_missing_script() -> None:
    assignments = ScriptAssignments(by_lead={7: "deleted"}, default="list-script")
    assert choose_script_name(7, "", "cold", "business", assignments, AVAILABLE) == "list-script"
    assert choose_script_name(7, "", "cold", "business", ScriptAssignments(), set()) is None
    assert choose_script_name(7, "", "cold", "business", ScriptAssignments(), {"zeta", "alpha"}) == "alpha"


def test_callback_in_days_lands_on_a_weekday_in_the_callees_zone() -> None:
    thursday = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 10:00 in New York
    due = callback_due(thursday, timedelta(days=3), "America/New_York")
    assert due == datetime(2026, 12, 7, 15, 0, tzinfo=UTC), "Sunday moves to Monday, same local time"
    assert callback_due(thursday, timedelta(days=1), None) == thursday + timedelta(days=1)
    friday_evening = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    assert callback_due(friday_evening, timedelta(hours=4), "America/New_York") == friday_evening + timedelta(
        hours=4
    ), "a promise in hours is kept as made"
    assert callback_due(thursday, timedelta(days=2), "Not/AZone").weekday() == 0
