"""The script editor's data layer: YAML text <-> dicts for the forms, copies, locating problems."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.script_format import check_script, load_script
from desktop.paths import resource
from desktop.ui.script.data import (
    DataError,
    Place,
    dump_data,
    from_paragraphs,
    load_data,
    main_route,
    new_script_text,
    place_of,
    renamed_text,
    unique_name,
)

SHIPPED = sorted(Path(resource("scripts")).glob("*.yaml"))


def comparable(value: Any) -> Any:
    """A script's content without line numbers and source text (which a rewrite changes)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (field.name, comparable(getattr(value, field.name)))
            for field in dataclasses.fields(value)
            if field.name not in ("line", "source") and not field.name.startswith("_")
        )
    if isinstance(value, tuple):
        return tuple(comparable(item) for item in value)
    return value


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_forms_rewrite_a_script_without_changing_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rewritten = dump_data(load_data(text))
    assert check_script(rewritten).errors == ()
    assert comparable(load_script(rewritten)) == comparable(load_script(text))


def test_words_stay_words() -> None:
    data = load_data("id: no\nwhen: 2026-12-01\nend: true\nmin: 0\n")
    assert data == {"id": "no", "when": "2026-12-01", "end": True, "min": 0}
    assert "id: 'no'" in dump_data({"stages": [{"id": "no"}]}), "written so that it reads back as text"
    with pytest.raises(DataError, match="not valid YAML"):
        load_data("title: [unclosed\n")
    with pytest.raises(DataError, match="a mapping"):
        load_data("- just a list\n")


def test_paragraphs_and_new_scripts() -> None:
    assert from_paragraphs("One line\nwrapped.\n\nSecond.") == ["One line wrapped.", "Second."]
    assert from_paragraphs("  ") is None
    checked = check_script(new_script_text("my-script", "My script"))
    assert checked.script is not None and checked.errors == ()
    assert main_route(checked.script) == ["opening", "discovery", "next_step", "meeting_booked"]
    assert unique_name("my-script", {"my-script", "my-script-2"}) == "my-script-3"


def test_a_copy_keeps_comments_and_layout() -> None:
    text = (Path(resource("scripts")) / "question-led-discovery.yaml").read_text(encoding="utf-8")
    copy = renamed_text(text, "discovery-copy", 'Discovery "copy"')
    assert copy.startswith("# Question-led discovery")
    assert "\nname: discovery-copy\n" in copy and '\ntitle: "Discovery \\"copy\\""\n' in copy
    script = load_script(copy)
    assert (script.name, script.title) == ("discovery-copy", 'Discovery "copy"')


def test_problems_point_at_the_item_they_are_about() -> None:
    assert place_of("stages[discovery].questions[has_plan].if_no.next") == Place(
        "stages", "discovery", "has_plan", "if_no.next"
    )
    assert place_of("objections[take_me_off_list].outcome") == Place(
        "objections", "take_me_off_list", None, "outcome"
    )
    assert place_of("start") == Place("script", field="start")
    assert place_of("") == Place("script")
