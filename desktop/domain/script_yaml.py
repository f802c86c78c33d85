"""Reading script files at the YAML level: located problems and a node reader that collects them.

Reading goes through PyYAML's node tree rather than plain `safe_load`, for three reasons: nodes
carry line numbers; a key given twice is an error instead of silently winning; and text fields take
the text as written, so a choice called `no` or a title `Yes` stays a word instead of turning into a
YAML 1.1 boolean.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from desktop.domain.scripts import CallScript

ERROR = "error"
WARNING = "warning"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DURATION_PATTERN = re.compile(r"^\s*(\d+)\s*(h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScriptProblem:
    """One thing wrong with a script file, located: `file:line: field: message`."""

    file: str
    line: int
    field: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        kind = "warning: " if self.severity == WARNING else ""
        return f"{self.file}:{self.line}: {kind}{where}{self.message}"


class ScriptFormatError(ValueError):
    """A script file that cannot be used; `problems` lists every error found (and any warnings)."""

    def __init__(self, problems: Iterable[ScriptProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems if problem.severity == ERROR))

    @property
    def errors(self) -> tuple[ScriptProblem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == ERROR)


@dataclass(frozen=True)
class CheckedScript:
    """The result of checking a file: the script when usable, and every problem found."""

    script: CallScript | None
    problems: tuple[ScriptProblem, ...]

    @property
    def errors(self) -> tuple[ScriptProblem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == ERROR)

    @property
    def warnings(self) -> tuple[ScriptProblem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == WARNING)


def line_of(node: Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def item_path(base: str, index: int, node: Node) -> str:
    """How a list item is named in errors: by its `id` when it has one (`stages[discovery]`), else by
    its position (`stages[2]`)."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                ident = str(value.value).strip()
                if ident and ID_PATTERN.match(ident):
                    return f"{base}[{ident}]"
    return f"{base}[{index}]"


# libyaml's parser when PyYAML was built with it (several times faster; the same nodes, resolvers and
# line marks), else the pure-Python one.
_NODE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# A script is a page or two of text. Aliases let a few kilobytes stand for billions of nodes when
# the tree is walked, so the tree's size with every alias expanded is bounded too.
MAX_SCRIPT_CHARS = 1_000_000
MAX_EXPANDED_NODES = 200_000


def expanded_size(root: Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """The number of nodes a walk of `root` visits (aliases expanded), counting stops past `limit`.

    Each node's size is computed once (aliases share node objects), so this costs the size of the
    document, not of its expansion. A node that contains itself counts as past the limit.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            return limit + 1
        in_progress.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                break
        in_progress.discard(key)
        sizes[key] = min(total, limit + 1)
        return sizes[key]

    return size(root)


def parse_nodes(text: str, reader: NodeReader) -> Node | None:
    """The YAML node tree of `text`; None (with the problem recorded) when it is not one YAML document."""
    if len(text) > MAX_SCRIPT_CHARS:
        reader.error(1, "", f"the file is longer than {MAX_SCRIPT_CHARS} characters; a script is far shorter")
        return None
    try:
        loader = _NODE_LOADER(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(part for part in (error.context, error.problem) if part) or "not valid YAML"
        reader.error(line, "", f"not valid YAML: {' '.join(message.split())}")
        return None
    except yaml.reader.ReaderError as error:
        # A character YAML does not allow (NUL, most controls): placed on its line, said in one line.
        line = text.count("\n", 0, error.position) + 1
        character = f"#x{error.character:04x}"
        reader.error(line, "", f"not valid YAML: character {character} is not allowed ({error.reason})")
        return None
    except yaml.YAMLError as error:
        reader.error(1, "", f"not valid YAML: {' '.join(str(error).split())}")
        return None
    except RecursionError:
        # "[[[[…" or "- - - …" some thousand levels deep: PyYAML recurses once per level.
        reader.error(1, "", "not valid YAML: lists or mappings nested too deeply")
        return None
    if root is None:
        reader.error(1, "", "the file is empty; a script starts with `name:`, `title:` and `stages:`")
        return None
    try:
        too_big = expanded_size(root) > MAX_EXPANDED_NODES
    except RecursionError:
        too_big = True
    if too_big:
        reader.error(
            1, "", f"aliases (*name) expand this script past {MAX_EXPANDED_NODES} items; write it out instead"
        )
        return None
    return root


class NodeReader:
    """Reads typed values out of YAML nodes, collecting problems instead of stopping at the first."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[ScriptProblem] = []

    def error(self, line: int, field: str, message: str) -> None:
        self.problems.append(ScriptProblem(self.source, line, field, message))

    def warn(self, line: int, field: str, message: str) -> None:
        self.problems.append(ScriptProblem(self.source, line, field, message, WARNING))

    def in_line_order(self) -> tuple[ScriptProblem, ...]:
        return tuple(sorted(self.problems, key=lambda problem: problem.line))

    def has_errors(self) -> bool:
        return any(problem.severity == ERROR for problem in self.problems)

    def mapping(
        self, node: Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.error(line_of(node), path, f"expected a mapping of `key: value` lines, got {describe(node)}")
            return None
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(line_of(key_node), path, "a key must be a plain word")
                continue
            key = str(key_node.value)
            where = f"{path}.{key}" if path else key
            if key in found:
                self.error(line_of(key_node), where, f"given twice (first at line {line_of(found[key])})")
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean `{close[0]}`?" if close else f"; known fields: {', '.join(allowed)}"
                self.error(line_of(key_node), where, f"unknown field{hint}")
                continue
            found[key] = value_node
        for key in required:
            if key not in found or is_null(found[key]):
                self.error(line_of(node), f"{path}.{key}" if path else key, "required field is missing")
        return found

    def sequence(self, node: Node | None, path: str) -> list[Node]:
        if node is None or is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(
                line_of(node), path, f"expected a list (lines starting with `- `), got {describe(node)}"
            )
            return []
        return list(node.value)

    def text(self, node: Node | None, path: str, default: str = "") -> str:
        if node is None or is_null(node):
            return default
        if not isinstance(node, ScalarNode):
            self.error(line_of(node), path, f"expected text, got {describe(node)}")
            return default
        return str(node.value).strip()

    def lines(self, node: Node | None, path: str) -> tuple[str, ...]:
        """Text given as one string or as a list of paragraphs."""
        if node is None or is_null(node):
            return ()
        if isinstance(node, SequenceNode):
            return tuple(
                text for index, item in enumerate(node.value) if (text := self.text(item, f"{path}[{index}]"))
            )
        text = self.text(node, path)
        return (text,) if text else ()

    def number(self, node: Node | None, path: str) -> float | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, ScalarNode) and node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return float(yaml.safe_load(node.value))
        self.error(line_of(node), path, f"expected a number, got {describe(node)}")
        return None

    def whole(self, node: Node | None, path: str, default: int) -> int:
        value = self.number(node, path)
        if value is None:
            return default
        if value != int(value) or value < 1:
            self.error(
                line_of(node) if node else 0, path, f"expected a whole number of 1 or more, got {value:g}"
            )
            return default
        return int(value)

    def flag(self, node: Node | None, path: str) -> bool:
        if node is None or is_null(node):
            return False
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return bool(yaml.safe_load(node.value))
        self.error(line_of(node), path, f"expected true or false, got {describe(node)}")
        return False

    def ident(self, node: Node | None, path: str, pattern: re.Pattern[str] = ID_PATTERN) -> str:
        text = self.text(node, path)
        if text and not pattern.match(text):
            rule = (
                "lower-case letters, digits and hyphens"
                if pattern is NAME_PATTERN
                else "lower-case letters, digits and underscores"
            )
            self.error(line_of(node) if node else 0, path, f"{text!r} is not a valid id ({rule})")
        return text

    def one_of(self, node: Node | None, path: str, options: tuple[str, ...], default: str) -> str:
        text = self.text(node, path)
        if not text:
            return default
        if text not in options:
            self.error(
                line_of(node) if node else 0, path, f"expected one of {', '.join(options)}; got {text!r}"
            )
            return default
        return text

    def duration(self, node: Node | None, path: str) -> timedelta | None:
        text = self.text(node, path)
        if not text:
            return None
        match = DURATION_PATTERN.match(text)
        if match is None:
            self.error(
                line_of(node) if node else 0,
                path,
                f"expected a time such as `3 days`, `4 hours` or `1 week`; got {text!r}",
            )
            return None
        amount, unit = int(match.group(1)), match.group(2)[0].lower()
        return {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]

    def idents(self, node: Node | None, path: str) -> tuple[str, ...]:
        """One id or a list of ids (advice cards an answer brings up)."""
        if node is None or is_null(node):
            return ()
        if isinstance(node, SequenceNode):
            return tuple(
                ident
                for index, item in enumerate(node.value)
                if (ident := self.ident(item, f"{path}[{index}]"))
            )
        ident = self.ident(node, path)
        return (ident,) if ident else ()


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if is_null(node):
        return "nothing"
    return f"{node.value!r}"
