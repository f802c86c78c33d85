"""`dialdesk COMMAND --help` explains every option and argument of every command and sub-command."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from desktop.cli import build_parser


def every_parser(
    parser: argparse.ArgumentParser, path: str = "dialdesk"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_parser(sub, f"{path} {name}")


PARSERS = dict(every_parser(build_parser()))


def test_the_walk_reaches_the_nested_commands() -> None:
    assert {"dialdesk record", "dialdesk dnc add", "dialdesk scripts approve", "dialdesk db purge"} <= set(
        PARSERS
    )


@pytest.mark.parametrize("path", sorted(PARSERS))
def test_every_option_and_argument_has_help_text(path: str) -> None:
    parser = PARSERS[path]
    silent = [
        "/".join(action.option_strings) or action.dest
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not (action.help or "").strip()
    ]
    assert silent == [], f"`{path} --help` shows these without a word of help"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            quiet = [choice.dest for choice in action._choices_actions if not (choice.help or "").strip()]
            assert quiet == [], f"`{path} --help` lists these commands without help"
    # The help renders (a stray % in a help text makes argparse fail only when --help is asked for).
    assert parser.format_help().startswith("usage: ")
