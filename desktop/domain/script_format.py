"""The script file format (YAML): reading a file into a `CallScript`, with every problem located.

The format is described for people in resources/scripts/README.md. Each error names the file, the
line and the field (`stages[discovery].questions[has_plan].if_no.next`), and reading goes on after
an error so that one run reports every mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from yaml.nodes import Node, ScalarNode, SequenceNode

from desktop.domain.outcomes import OUTCOME_CODES
from desktop.domain.script_checks import (
    References,
    check_disclosures,
    check_flow,
    check_objections,
    check_references,
    check_stages,
    register_id,
)
from desktop.domain.script_yaml import (
    NAME_PATTERN,
    CheckedScript,
    NodeReader,
    ScriptFormatError,
    ScriptProblem,
    is_null,
    item_path,
    line_of,
    parse_nodes,
)
from desktop.domain.scripts import (
    ANSWER_KINDS,
    AUDIENCES,
    CHOICE,
    DATE,
    NUMBER,
    STAGE_KINDS,
    TEXT,
    YES_NO,
    AdviceCard,
    CallScript,
    Choice,
    ObjectionCard,
    Question,
    Route,
    Stage,
    ValueRange,
)

__all__ = [
    "CheckedScript",
    "ScriptFormatError",
    "ScriptProblem",
    "check_script",
    "load_script",
    "load_script_file",
]

FORMAT_VERSION = 1
SCRIPT_SUFFIXES = (".yaml", ".yml")
T = TypeVar("T")


def load_script(text: str, source: str = "<script>") -> CallScript:
    """The script in `text`; raises ScriptFormatError listing every error with its line."""
    checked = check_script(text, source)
    if checked.script is None or checked.errors:
        raise ScriptFormatError(checked.problems)
    return checked.script


def load_script_file(path: Path) -> CallScript:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScriptFormatError(
            [ScriptProblem(str(path), 1, "", f"not UTF-8 text ({error.reason})")]
        ) from None
    return load_script(text, str(path))


def check_script(text: str, source: str = "<script>") -> CheckedScript:
    """Read and validate a script without raising: what the `scripts validate` command reports."""
    reader = NodeReader(source)
    root = parse_nodes(text, reader)
    if root is None:
        return CheckedScript(None, reader.in_line_order())
    script = _read_script(reader, root, text)
    if script is not None and not reader.has_errors():
        check_flow(reader, script)
        check_disclosures(reader, script)
    if reader.has_errors():
        return CheckedScript(None, reader.in_line_order())
    return CheckedScript(script, reader.in_line_order())


# -- the schema -----------------------------------------------------------------------------------

SCRIPT_KEYS = (
    "format",
    "name",
    "title",
    "language",
    "translation_of",
    "audience",
    "description",
    "start",
    "stages",
    "advice",
    "objections",
)
STAGE_KEYS = ("id", "kind", "title", "say", "purpose", "hint", "questions", "next", "end", "outcome")
_ROUTE_KEYS = ("next", "advice")
_QUESTION_KEYS = (
    "id",
    "ask",
    "type",
    "hint",
    "next",
    "advice",
    "choices",
    "if_yes",
    "if_no",
    "ranges",
    "min",
    "max",
    "integer",
    "unit",
    "max_length",
)
# Fields that only some answer types take (the validator refuses them on the others; the form
# editor hides them).
TYPE_FIELDS = {
    "choices": (CHOICE,),
    "if_yes": (YES_NO,),
    "if_no": (YES_NO,),
    "ranges": (NUMBER, DATE),
    "min": (NUMBER,),
    "max": (NUMBER,),
    "integer": (NUMBER,),
    "unit": (NUMBER,),
    "max_length": (TEXT,),
}
ADVICE_KEYS = ("id", "title", "say", "hint", "callback_in", "callback_note")
OBJECTION_KEYS = ("id", "says", "response", "hint", "outcome", "callback_in")


def _read_script(reader: NodeReader, root: Node, text: str) -> CallScript | None:
    top = reader.mapping(root, "", SCRIPT_KEYS, required=("format", "name", "title", "stages"))
    if top is None:
        return None
    refs = References({}, {}, {}, [], [], [])
    version = reader.number(top.get("format"), "format")
    if version is not None and version != FORMAT_VERSION:
        reader.error(
            line_of(top["format"]), "format", f"this Dialdesk reads format {FORMAT_VERSION}, not {version:g}"
        )
    name = reader.ident(top.get("name"), "name", NAME_PATTERN)
    title = reader.text(top.get("title"), "title")
    language = reader.text(top.get("language"), "language", "en")
    if not re.match(r"^[a-z]{2}$", language):
        reader.error(
            line_of(top["language"]),
            "language",
            f"expected a two-letter code such as en or ru, got {language!r}",
        )
    translation_of = reader.ident(top.get("translation_of"), "translation_of", NAME_PATTERN) or None
    audience = reader.one_of(top.get("audience"), "audience", AUDIENCES, "any")
    stages = _read_stages(reader, top, refs)
    advice = _read_cards(reader, top.get("advice"), "advice", ADVICE_KEYS, refs.advice, _advice_card, refs)
    objections = _read_cards(
        reader, top.get("objections"), "objections", OBJECTION_KEYS, refs.objections, _objection_card, refs
    )
    start = reader.text(top.get("start"), "start") or (stages[0].id if stages else "")
    if "start" in top and start not in refs.targets:
        reader.error(line_of(top["start"]), "start", f"there is no stage or question {start!r}")
    check_references(reader, refs)
    check_stages(reader, stages)
    check_objections(reader, objections)
    if reader.has_errors() or not stages:
        return None
    return CallScript(
        name=name,
        title=title,
        language=language,
        audience=audience,
        start=start,
        stages=tuple(stages),
        advice=tuple(advice),
        objections=tuple(objections),
        description=reader.text(top.get("description"), "description"),
        translation_of=translation_of,
        source=text,
    )


def _note_texts(refs: References, fields: dict[str, Node], path: str, keys: tuple[str, ...]) -> None:
    """Remember the texts of `keys`, each with its own line, to check their {fields} later."""
    for key in keys:
        node = fields.get(key)
        if isinstance(node, ScalarNode):
            refs.texts.append((str(node.value), line_of(node), f"{path}.{key}"))
        elif isinstance(node, SequenceNode):
            refs.texts.extend(
                (str(item.value), line_of(item), f"{path}.{key}[{index}]")
                for index, item in enumerate(node.value)
                if isinstance(item, ScalarNode)
            )


def _read_stages(reader: NodeReader, top: dict[str, Node], refs: References) -> list[Stage]:
    stages: list[Stage] = []
    nodes = reader.sequence(top["stages"], "stages") if "stages" in top else []
    if "stages" in top and not nodes:
        reader.error(line_of(top["stages"]), "stages", "a script needs at least one stage")
    for index, node in enumerate(nodes):
        path = item_path("stages", index, node)
        fields = reader.mapping(node, path, STAGE_KEYS, required=("id", "title"))
        if fields is None:
            continue
        stage_id = reader.ident(fields.get("id"), f"{path}.id")
        register_id(reader, refs.targets, stage_id, line_of(node), f"{path}.id", "stage or question")
        title = reader.text(fields.get("title"), f"{path}.title")
        say = reader.lines(fields.get("say"), f"{path}.say")
        # The purpose of the call is read out after the stage's other lines.
        purpose = reader.text(fields.get("purpose"), f"{path}.purpose").strip()
        hint = reader.text(fields.get("hint"), f"{path}.hint")
        _note_texts(refs, fields, path, ("title", "say", "purpose", "hint"))
        questions = tuple(
            question
            for q_index, q_node in enumerate(reader.sequence(fields.get("questions"), f"{path}.questions"))
            if (
                question := _read_question(
                    reader, q_node, item_path(f"{path}.questions", q_index, q_node), refs
                )
            )
            is not None
        )
        next_id = reader.text(fields.get("next"), f"{path}.next") or None
        if next_id:
            refs.next_refs.append((next_id, line_of(fields["next"]), f"{path}.next"))
        end = reader.flag(fields.get("end"), f"{path}.end")
        outcome = reader.text(fields.get("outcome"), f"{path}.outcome") or None
        if outcome is not None and outcome not in OUTCOME_CODES:
            reader.error(
                line_of(fields["outcome"]),
                f"{path}.outcome",
                f"{outcome!r} is not an outcome code; known: {', '.join(OUTCOME_CODES)}",
            )
        if end and next_id:
            reader.error(line_of(fields["next"]), f"{path}.next", "an end stage has no `next`")
        if outcome and not end:
            reader.error(
                line_of(fields["outcome"]),
                f"{path}.outcome",
                "only an end stage (`end: true`) suggests an outcome",
            )
        stages.append(
            Stage(
                id=stage_id,
                kind=reader.one_of(fields.get("kind"), f"{path}.kind", STAGE_KINDS, "discovery"),
                title=title,
                say=say + ((purpose,) if purpose else ()),
                hint=hint,
                questions=questions,
                next=next_id,
                end=end,
                outcome=outcome,
                line=line_of(node),
                purpose=purpose,
            )
        )
    return stages


def _read_route(reader: NodeReader, fields: dict[str, Node], path: str, line: int, refs: References) -> Route:
    next_id = reader.text(fields.get("next"), f"{path}.next") or None
    if next_id:
        refs.next_refs.append((next_id, line_of(fields["next"]), f"{path}.next"))
    advice = reader.idents(fields.get("advice"), f"{path}.advice")
    if advice:
        refs.advice_refs.extend((card, line_of(fields["advice"]), f"{path}.advice") for card in advice)
    return Route(next=next_id, advice=advice, line=line)


def _read_question(reader: NodeReader, node: Node, path: str, refs: References) -> Question | None:
    fields = reader.mapping(node, path, _QUESTION_KEYS, required=("id", "ask", "type"))
    if fields is None:
        return None
    question_id = reader.ident(fields.get("id"), f"{path}.id")
    register_id(reader, refs.targets, question_id, line_of(node), f"{path}.id", "stage or question")
    kind = reader.one_of(fields.get("type"), f"{path}.type", ANSWER_KINDS, TEXT)
    for key, kinds in TYPE_FIELDS.items():
        if key in fields and kind not in kinds:
            reader.error(
                line_of(fields[key]), f"{path}.{key}", f"only for questions of type {' or '.join(kinds)}"
            )
    ask = reader.text(fields.get("ask"), f"{path}.ask")
    hint = reader.text(fields.get("hint"), f"{path}.hint")
    _note_texts(refs, fields, path, ("ask", "hint"))
    choices: list[Choice] = []
    if kind == CHOICE:
        seen: dict[str, int] = {}
        choice_nodes = (
            reader.sequence(fields.get("choices"), f"{path}.choices") if "choices" in fields else []
        )
        for c_index, c_node in enumerate(choice_nodes):
            choice = _read_choice(reader, c_node, item_path(f"{path}.choices", c_index, c_node), refs, seen)
            if choice is not None:
                choices.append(choice)
        if len(choice_nodes) < 2:
            reader.error(
                line_of(fields.get("choices", node)),
                f"{path}.choices",
                "a choice question needs at least two choices",
            )
    if_yes = _read_branch(reader, fields.get("if_yes"), f"{path}.if_yes", refs)
    if_no = _read_branch(reader, fields.get("if_no"), f"{path}.if_no", refs)
    ranges = tuple(
        band
        for r_index, r_node in enumerate(reader.sequence(fields.get("ranges"), f"{path}.ranges"))
        if (band := _read_range(reader, r_node, f"{path}.ranges[{r_index}]", refs)) is not None
    )
    _check_ranges(reader, ranges, f"{path}.ranges")
    minimum = reader.number(fields.get("min"), f"{path}.min")
    maximum = reader.number(fields.get("max"), f"{path}.max")
    if minimum is not None and maximum is not None and minimum > maximum:
        reader.error(line_of(fields["max"]), f"{path}.max", f"max {maximum:g} is below min {minimum:g}")
    return Question(
        id=question_id,
        ask=ask,
        kind=kind,
        hint=hint,
        choices=tuple(choices),
        if_yes=if_yes,
        if_no=if_no,
        ranges=ranges,
        minimum=minimum,
        maximum=maximum,
        integer=reader.flag(fields.get("integer"), f"{path}.integer"),
        unit=reader.text(fields.get("unit"), f"{path}.unit"),
        max_length=reader.whole(fields.get("max_length"), f"{path}.max_length", 500),
        route=_read_route(reader, fields, path, line_of(node), refs),
        line=line_of(node),
    )


def _read_choice(
    reader: NodeReader, node: Node, path: str, refs: References, seen: dict[str, int]
) -> Choice | None:
    fields = reader.mapping(node, path, ("id", "label", *_ROUTE_KEYS), required=("id", "label"))
    if fields is None:
        return None
    choice_id = reader.ident(fields.get("id"), f"{path}.id")
    register_id(reader, seen, choice_id, line_of(node), f"{path}.id", "choice")
    label = reader.text(fields.get("label"), f"{path}.label")
    _note_texts(refs, fields, path, ("label",))
    return Choice(choice_id, label, _read_route(reader, fields, path, line_of(node), refs))


def _read_branch(reader: NodeReader, node: Node | None, path: str, refs: References) -> Route:
    if node is None or is_null(node):
        return Route()
    fields = reader.mapping(node, path, _ROUTE_KEYS)
    return Route() if fields is None else _read_route(reader, fields, path, line_of(node), refs)


def _read_range(reader: NodeReader, node: Node, path: str, refs: References) -> ValueRange | None:
    fields = reader.mapping(node, path, ("from", "below", *_ROUTE_KEYS))
    if fields is None:
        return None
    lower = reader.number(fields.get("from"), f"{path}.from")
    upper = reader.number(fields.get("below"), f"{path}.below")
    if lower is None and upper is None:
        reader.error(line_of(node), path, "a range needs `from`, `below` or both")
    elif lower is not None and upper is not None and lower >= upper:
        reader.error(line_of(node), path, f"`from` {lower:g} must be less than `below` {upper:g}")
    return ValueRange(lower, upper, _read_route(reader, fields, path, line_of(node), refs))


def _check_ranges(reader: NodeReader, ranges: tuple[ValueRange, ...], path: str) -> None:
    inf = float("inf")
    for index, band in enumerate(ranges):
        for other in ranges[:index]:
            low, high = (
                band.lower if band.lower is not None else -inf,
                band.upper if band.upper is not None else inf,
            )
            o_low = other.lower if other.lower is not None else -inf
            o_high = other.upper if other.upper is not None else inf
            if low < o_high and o_low < high:
                reader.error(
                    band.route.line, f"{path}[{index}]", f"overlaps the range at line {other.route.line}"
                )


def _read_cards(
    reader: NodeReader,
    node: Node | None,
    path: str,
    keys: tuple[str, ...],
    ids: dict[str, int],
    build: Callable[[NodeReader, dict[str, Node], str, int, References], T],
    refs: References,
) -> list[T]:
    cards: list[T] = []
    for index, item in enumerate(reader.sequence(node, path) if node is not None else []):
        required = ("id", "title") if path == "advice" else ("id", "says", "response")
        card_path = item_path(path, index, item)
        fields = reader.mapping(item, card_path, keys, required=required)
        if fields is None:
            continue
        card_id = reader.ident(fields.get("id"), f"{card_path}.id")
        register_id(reader, ids, card_id, line_of(item), f"{card_path}.id", path.rstrip("s") + " card")
        cards.append(build(reader, fields, card_path, line_of(item), refs))
    return cards


def _advice_card(
    reader: NodeReader, fields: dict[str, Node], path: str, line: int, refs: References
) -> AdviceCard:
    card = AdviceCard(
        id=reader.text(fields.get("id"), f"{path}.id"),
        title=reader.text(fields.get("title"), f"{path}.title"),
        say=reader.lines(fields.get("say"), f"{path}.say"),
        hint=reader.text(fields.get("hint"), f"{path}.hint"),
        callback_after=reader.duration(fields.get("callback_in"), f"{path}.callback_in"),
        callback_note=reader.text(fields.get("callback_note"), f"{path}.callback_note"),
        line=line,
    )
    _note_texts(refs, fields, path, ("title", "say", "hint", "callback_note"))
    return card


def _objection_card(
    reader: NodeReader, fields: dict[str, Node], path: str, line: int, refs: References
) -> ObjectionCard:
    outcome = reader.text(fields.get("outcome"), f"{path}.outcome") or None
    if outcome is not None and outcome not in OUTCOME_CODES:
        reader.error(
            line_of(fields["outcome"]),
            f"{path}.outcome",
            f"{outcome!r} is not an outcome code; known: {', '.join(OUTCOME_CODES)}",
        )
    card = ObjectionCard(
        id=reader.text(fields.get("id"), f"{path}.id"),
        says=reader.text(fields.get("says"), f"{path}.says"),
        response=reader.lines(fields.get("response"), f"{path}.response"),
        hint=reader.text(fields.get("hint"), f"{path}.hint"),
        outcome=outcome,
        callback_after=reader.duration(fields.get("callback_in"), f"{path}.callback_in"),
        line=line,
    )
    _note_texts(refs, fields, path, ("says", "response", "hint"))
    return card
