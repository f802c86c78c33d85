"""Checks across a whole script file: ids and references, ends, loops, objections, the disclosures an
opening must make, translations.

The reader (desktop.domain.script_format) records every id and reference in `References` as it
goes; these checks run once the whole file is read, so a `next` may name a stage further down.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from desktop.domain.script_engine import ScriptLoop, enter, explore
from desktop.domain.script_yaml import NodeReader
from desktop.domain.scripts import (
    FIELD_NAMES,
    REQUIRED_OBJECTION_OUTCOMES,
    STANDARD_OBJECTIONS,
    CallScript,
    ObjectionCard,
    Route,
    Stage,
    template_fields,
)

# Any day works for the structural walk: date branches are relative to "today".
_WALK_DAY = date(2026, 1, 1)


@dataclass
class References:
    """Every id and reference met while reading, to check them once the whole file is read."""

    targets: dict[str, int]  # stage and question ids share one namespace: `next` names either
    advice: dict[str, int]
    objections: dict[str, int]
    next_refs: list[tuple[str, int, str]]  # (target, line, field)
    advice_refs: list[tuple[str, int, str]]
    texts: list[tuple[str, int, str]]  # (text, line, field) to check for unknown {fields}


def register_id(reader: NodeReader, ids: dict[str, int], ident: str, line: int, path: str, what: str) -> None:
    if not ident:
        return
    if ident in ids:
        reader.error(line, path, f"duplicate id {ident!r}: a {what} with this id is at line {ids[ident]}")
    else:
        ids[ident] = line


def check_references(reader: NodeReader, refs: References) -> None:
    for target, line, path in refs.next_refs:
        if target not in refs.targets:
            close = difflib.get_close_matches(target, list(refs.targets), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reader.error(line, path, f"there is no stage or question {target!r}{hint}")
    for card, line, path in refs.advice_refs:
        if card not in refs.advice:
            close = difflib.get_close_matches(card, list(refs.advice), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reader.error(line, path, f"there is no advice card {card!r}{hint}")
    for text, line, path in refs.texts:
        for name in template_fields(text):
            if name not in FIELD_NAMES:
                close = difflib.get_close_matches(name, FIELD_NAMES, n=1)
                hint = f"did you mean {{{close[0]}}}?" if close else f"known: {', '.join(FIELD_NAMES)}"
                reader.error(line, path, f"unknown placeholder {{{name}}}; {hint}")
    used = {card for card, _, _ in refs.advice_refs}
    for card, line in refs.advice.items():
        if card not in used:
            reader.warn(line, f"advice[{card}]", "no answer brings this advice card up")


def check_stages(reader: NodeReader, stages: list[Stage]) -> None:
    if stages and not stages[-1].end and not stages[-1].next:
        last = stages[-1]
        reader.error(last.line, f"stages[{last.id}]", "the last stage needs `end: true` or a `next`")
    if stages and not any(stage.end for stage in stages):
        reader.error(stages[0].line, "stages", "no stage has `end: true`: the call never ends")


def check_objections(reader: NodeReader, objections: list[ObjectionCard]) -> None:
    for card in objections:
        required = REQUIRED_OBJECTION_OUTCOMES.get(card.id)
        if required is not None and card.outcome != required:
            reader.error(
                card.line,
                f"objections[{card.id}].outcome",
                f"must be {required}: a request to stop calling is honoured, never argued with",
            )
    present = {card.id for card in objections}
    missing = [ident for ident in STANDARD_OBJECTIONS if ident not in present]
    if missing:
        line = objections[0].line if objections else 1
        reader.warn(line, "objections", f"no card for the common objections: {', '.join(missing)}")


def check_flow(reader: NodeReader, script: CallScript) -> None:
    """Every route ends: no loops, and stages nobody can reach are pointed out."""
    try:
        walk = explore(script, _WALK_DAY)
    except ScriptLoop as loop:
        reader.error(loop.line, "next", str(loop))
        return
    reached = {position.stage_id for position in walk.positions}
    for stage in script.stages:
        if stage.id not in reached:
            reader.warn(stage.line, f"stages[{stage.id}]", "no route leads to this stage")
    # Stages reachable only by a jump are still checked, so a loop hidden there is caught too.
    for stage in script.stages:
        if stage.id not in reached:
            try:
                explore(script, _WALK_DAY, enter(script, stage.id))
            except ScriptLoop as loop:
                reader.error(loop.line, "next", str(loop))
                return


# -- disclosures (FINRA Rule 3230(a)(4)) ------------------------------------------------------------

# What the caller must say at once, and the placeholders (filled from the settings) that say it: any of
# the alternatives will do. The purpose of the call is the stage's `purpose:` line.
DISCLOSURE_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("the caller's name ({agent_name})", ("agent_name",)),
    ("the firm's name ({firm_name})", ("firm_name", "firm")),
    (
        "a callback number or address ({callback_number} or {firm_address})",
        ("callback_number", "firm_address"),
    ),
)
PURPOSE_DISCLOSURE = "the purpose of the call, that it is a solicitation (a `purpose:` line)"


def opening_stage(script: CallScript) -> Stage:
    """The stage that opens the call: the start stage, else the first stage of kind "opening"."""
    start = script.stage(script.start) if script.has_stage(script.start) else script.stages[0]
    if start.kind == "opening":
        return start
    return next((stage for stage in script.stages if stage.kind == "opening"), start)


def missing_disclosures(script: CallScript) -> tuple[str, ...]:
    """What the opening does not disclose, in plain words (empty: everything FINRA 3230 asks is said)."""
    opening = opening_stage(script)
    used = {name for line in opening.say for name in template_fields(line)}
    missing = [what for what, names in DISCLOSURE_FIELDS if not used.intersection(names)]
    if not opening.purpose:
        missing.append(PURPOSE_DISCLOSURE)
    return tuple(missing)


def check_disclosures(reader: NodeReader, script: CallScript) -> None:
    """A warning, not an error: a script written before this check still loads and can be fixed; a
    principal cannot approve it until it is (desktop/services/script_versions.py)."""
    missing = missing_disclosures(script)
    if missing:
        opening = opening_stage(script)
        reader.warn(
            opening.line,
            f"stages[{opening.id}]",
            "the opening lacks what FINRA Rule 3230 requires a caller to disclose: " + "; ".join(missing),
        )


# -- translations ---------------------------------------------------------------------------------


def structure_of(script: CallScript) -> list[str]:
    """The shape of a script without its words: ids, kinds and routes, one line per item."""
    shape = [f"start {script.start}"]
    for stage in script.stages:
        shape.append(
            f"stage {stage.id} {stage.kind} next={stage.next} end={stage.end} outcome={stage.outcome}"
        )
        for question in stage.questions:
            shape.append(f"  question {question.id} {question.kind} {_route_shape(question.route)}")
            shape.extend(f"    choice {c.id} {_route_shape(c.route)}" for c in question.choices)
            shape.append(f"    yes {_route_shape(question.if_yes)} no {_route_shape(question.if_no)}")
            shape.extend(
                f"    range {band.describe()} {_route_shape(band.route)}" for band in question.ranges
            )
            shape.append(f"    bounds {question.minimum} {question.maximum} {question.integer}")
    shape.extend(f"advice {card.id} {card.callback_after}" for card in script.advice)
    shape.extend(f"objection {card.id} {card.outcome} {card.callback_after}" for card in script.objections)
    return shape


def _route_shape(route: Route) -> str:
    return f"->{route.next} +{','.join(route.advice)}"


def structure_differences(original: CallScript, translation: CallScript) -> list[str]:
    """How a translation's shape differs from its original (empty: only the words differ)."""
    return [
        line
        for line in difflib.unified_diff(structure_of(original), structure_of(translation), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
