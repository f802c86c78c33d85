"""Script files as editable data: YAML text <-> plain dicts for the script editor's forms.

The editor's forms work on the file's own structure (dicts and lists, as written), not on the
validated `CallScript`, so a script with a mistake in it can still be shown and fixed in the forms,
and each located error can point at the stage or question it is about. Pure Python, no Qt: it
could move to `desktop/domain/` if the CLI ever needs it.

Reading keeps words as words: `id: no` stays the text "no" (YAML 1.1 would make it false) and
`2026-12-01` stays text; only `true`/`false` are booleans, as the script format reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from desktop.domain.script_engine import enter, leave
from desktop.domain.script_format import ADVICE_KEYS, OBJECTION_KEYS, SCRIPT_KEYS, STAGE_KEYS
from desktop.domain.scripts import CallScript

# The editor writes questions' keys in reading order (limits before routes), unlike the schema's list.
QUESTION_KEYS = (
    "id",
    "ask",
    "type",
    "hint",
    "min",
    "max",
    "integer",
    "unit",
    "max_length",
    "next",
    "advice",
    "choices",
    "if_yes",
    "if_no",
    "ranges",
)
CHOICE_KEYS = ("id", "label", "next", "advice")
RANGE_KEYS = ("from", "below", "next", "advice")

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: much faster


class _TextLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader where only true/false are booleans and dates stay text (see the module doc)."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_TextLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class _Dumper(yaml.SafeDumper):
    """Indented lists (as the shipped files are written) and multi-line texts as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


class DataError(ValueError):
    """The text is not one YAML mapping, so the forms cannot show it (the YAML tab still can)."""


def load_data(text: str) -> dict[str, Any]:
    """The file's structure as dicts and lists; raises DataError when it is not a YAML mapping."""
    try:
        data = yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise DataError(f"not valid YAML: {error}") from None
    except RecursionError:
        raise DataError("not valid YAML: lists or mappings nested too deeply") from None
    if not isinstance(data, dict):
        raise DataError("a script file is a mapping that starts with `format:`, `name:` and `title:`")
    return data


def _ordered(mapping: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The mapping with known keys in the documented order, unknown ones after, empty ones dropped."""
    order = list(keys)
    result: dict[str, Any] = {}
    for key in [*order, *(key for key in mapping if key not in order)]:
        if key in mapping and mapping[key] not in (None, "", [], {}):
            result[key] = mapping[key]
    return result


def _route_holder(mapping: Any, keys: tuple[str, ...]) -> Any:
    return _ordered(mapping, keys) if isinstance(mapping, dict) else mapping


def _tidy_question(question: Any) -> Any:
    if not isinstance(question, dict):
        return question
    tidy = dict(question)
    for key in ("choices",):
        if isinstance(tidy.get(key), list):
            tidy[key] = [_route_holder(item, CHOICE_KEYS) for item in tidy[key]]
    if isinstance(tidy.get("ranges"), list):
        tidy["ranges"] = [_route_holder(item, RANGE_KEYS) for item in tidy["ranges"]]
    for key in ("if_yes", "if_no"):
        if isinstance(tidy.get(key), dict):
            tidy[key] = _ordered(tidy[key], ("next", "advice"))
    return _ordered(tidy, QUESTION_KEYS)


def tidy(data: dict[str, Any]) -> dict[str, Any]:
    """The data in the documented key order, without empty fields (what `dump_data` writes)."""
    top = dict(data)
    if isinstance(top.get("stages"), list):
        stages = []
        for stage in top["stages"]:
            if isinstance(stage, dict):
                stage = dict(stage)
                if isinstance(stage.get("questions"), list):
                    stage["questions"] = [_tidy_question(question) for question in stage["questions"]]
                stage = _ordered(stage, STAGE_KEYS)
            stages.append(stage)
        top["stages"] = stages
    for key, keys in (("advice", ADVICE_KEYS), ("objections", OBJECTION_KEYS)):
        if isinstance(top.get(key), list):
            top[key] = [_route_holder(card, keys) for card in top[key]]
    return _ordered(top, SCRIPT_KEYS)


def dump_data(data: dict[str, Any]) -> str:
    """YAML text for the data, laid out like the shipped files (blank line between stages and cards)."""
    text = yaml.dump(
        tidy(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    lines: list[str] = []
    for line in text.splitlines():
        starts_section = re.match(r"^(stages|advice|objections):", line) is not None
        starts_item = line.startswith("  - ") and lines and not lines[-1].endswith(":")
        if (starts_section or starts_item) and lines and lines[-1] != "":
            lines.append("")
        lines.append(line)
    return "\n".join(lines) + "\n"


def as_lines(value: Any) -> list[str]:
    """A `say`/`response` field (one text or a list) as a list of paragraphs."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def from_paragraphs(text: str) -> str | list[str] | None:
    """Text typed in a form (paragraphs separated by a blank line) as a `say` field."""
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text) if part.strip()]
    if not paragraphs:
        return None
    return paragraphs[0] if len(paragraphs) == 1 else paragraphs


def to_paragraphs(value: Any) -> str:
    return "\n\n".join(as_lines(value))


def id_list(value: Any) -> list[str]:
    """An `advice:` field (one id or a list) as a list of ids."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def ids_field(text: str) -> str | list[str] | None:
    ids = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not ids:
        return None
    return ids[0] if len(ids) == 1 else ids


# -- new scripts and copies -----------------------------------------------------------------------

NEW_SCRIPT = """\
# A new call script. Lead with questions and free advice; take "no" for an answer.
format: 1
name: {name}
title: "{title}"
language: en
audience: any
description: "What this script is for and who it is for."
start: opening

stages:
  - id: opening
    kind: opening
    title: Opening
    say:
      - "Hi {{first_name}}, this is {{agent_name}} with {{firm}}."
    hint: "Say your name slowly, then pause."
    questions:
      - id: good_time
        ask: "Is now a good moment for two quick questions?"
        type: yes_no
        if_no:
          next: call_later

  - id: discovery
    kind: discovery
    title: Discovery
    say:
      - "Thank you. How are you handling this today?"
    questions:
      - id: current_setup
        ask: "What do they do today?"
        type: text
    next: next_step

  - id: next_step
    kind: next_step
    title: Next step
    say:
      - "Would it help to take twenty minutes next week to go through it together?"
    questions:
      - id: wants_meeting
        ask: "Do they want a meeting?"
        type: yes_no
        if_yes:
          next: meeting_booked
        if_no:
          next: respectful_exit

  - id: meeting_booked
    kind: close
    title: Meeting booked
    say: "Thank you, {{first_name}}. I'll send a short invitation."
    end: true
    outcome: meeting

  - id: call_later
    kind: close
    title: Better another time
    say: "No problem. When would be a better time to call you back?"
    end: true
    outcome: callback

  - id: respectful_exit
    kind: close
    title: Respectful exit
    say: "Understood, and thank you for your time. Have a good day."
    end: true
    outcome: not_interested

objections:
  - id: take_me_off_list
    says: "Take me off your list."
    response: "Of course. I'm removing your number now, and you won't hear from us again."
    outcome: do_not_call
"""


def new_script_text(name: str, title: str) -> str:
    return NEW_SCRIPT.format(name=name, title=title.replace('"', "'"))


def unique_name(base: str, taken: Iterable[str]) -> str:
    """`base`, else `base-2`, `base-3`…: a script name nobody uses yet."""
    used = set(taken)
    if base not in used:
        return base
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"


def renamed_text(text: str, name: str, title: str) -> str:
    """The file text with a new top-level `name:` and `title:`; comments and layout stay."""

    def replace(source: str, key: str, value: str) -> tuple[str, int]:
        return re.subn(rf"(?m)^{key}:[^\n]*$", f"{key}: {value}", source, count=1)

    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    result, named = replace(text, "name", name)
    result, titled = replace(result, "title", quoted)
    if named and titled:
        return result
    # A file written in another layout (flow style, a title over several lines): go through the data.
    data = load_data(text)
    data["name"], data["title"] = name, title
    return dump_data(data)


# -- locating a problem in the forms --------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """What a problem's field path points at: a section, the item in it, a question, a field."""

    section: str  # "script" | "stages" | "advice" | "objections"
    item: str | None = None  # the id (or the index, as text) of the stage or card
    question: str | None = None
    field: str = ""


_PART = re.compile(r"^(\w+)(?:\[([^\]]+)\])?$")


def place_of(field_path: str) -> Place:
    """Where `stages[discovery].questions[has_plan].if_no.next` lives in the forms."""
    parts = [part for part in field_path.split(".") if part]
    if not parts:
        return Place("script")
    first = _PART.match(parts[0])
    if first is None or first.group(1) not in ("stages", "advice", "objections"):
        return Place("script", field=parts[0])
    section, item = first.group(1), first.group(2)
    question = None
    rest = parts[1:]
    if section == "stages" and rest:
        second = _PART.match(rest[0])
        if second is not None and second.group(1) == "questions" and second.group(2):
            question = second.group(2)
            rest = rest[1:]
    return Place(section, item, question, ".".join(rest))


def find_item(items: Any, key: str | None) -> int | None:
    """The index of the list item whose `id` is `key` (or whose position is `key`)."""
    if not isinstance(items, list) or key is None:
        return None
    for index, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id", "")) == key:
            return index
    if key.isdigit() and int(key) < len(items):
        return int(key)
    return None


# -- the usual route through a script, for the progress bar ---------------------------------------


def onward_stages(script: CallScript, stage_id: str) -> list[str]:
    """The stages after `stage_id` when every question takes its default route, up to an end."""
    stages: list[str] = []
    stage = script.stage(stage_id)
    while not stage.end:
        position = leave(script, stage)
        if position.finished or position.stage_id in stages or position.stage_id == stage_id:
            break
        stages.append(position.stage_id)
        stage = script.stage(position.stage_id)
    return stages


def main_route(script: CallScript) -> list[str]:
    start = enter(script, script.start).stage_id
    return [start, *onward_stages(script, start)]
