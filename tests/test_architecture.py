"""The package's shape, checked by reading its source with `ast` (nothing is imported or run).

- No module of `desktop/` takes part in an import circle — imports inside functions and under
  `if TYPE_CHECKING:` count, and so do the package `__init__` files an import runs.
- Inside `desktop/ui/`, a feature package imports only `ui/common/` and itself (the window wires
  features together); `ui/common/` imports no feature; no folder holds more than 15 modules.
- `desktop/ui/`, `desktop/commands/` and `desktop/cli.py` import nothing from `desktop/telephony/`.
- Only `services/calling.py` calls a dialer's `dial()`, and only services play a voicemail
  (`drop_voicemail()`): no widget or command reaches a dialer around the gate.
- `desktop/logging_setup.py` reaches neither the services nor the storage, even indirectly.

Each checker is also run on a small made-up package, so a checker that stopped seeing is caught too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_FOLDER_LIMIT = 15
UI_FEATURES = ("queue", "lead", "script", "calling", "compliance", "reports", "data", "settings")
VOICEMAIL_METHOD = "drop_voicemail"
# The layers (docs/architecture.md): what each part of desktop/ may import besides itself and the
# root package. Lower layers never import higher ones; the window and the command line reach
# storage and telephony only through services.
ALLOWED_LAYERS: dict[str, set[str]] = {
    "domain": set(),
    "paths": set(),
    "telephony": set(),
    "speech": set(),
    "exports": set(),
    "logging_setup": {"paths"},
    # Printing user data to a terminal safely (control, escape and bidi characters shown escaped).
    "terminal": set(),
    "storage": {"domain", "paths"},
    "services": {"domain", "storage", "telephony", "speech", "exports", "paths", "logging_setup", "terminal"},
    "commands": {"domain", "services", "exports", "speech", "terminal"},
    "ui": {"domain", "services", "exports", "speech", "paths", "logging_setup"},
    "cli": {"commands", "services", "ui", "logging_setup", "terminal"},
    "__main__": {"cli"},
}


@dataclass
class Source:
    """The modules of one top-level package and what each imports (only modules of that package)."""

    modules: dict[str, Path]
    imports: dict[str, set[str]] = field(default_factory=dict)
    trees: dict[str, ast.Module] = field(default_factory=dict)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _targets(name: str, node: ast.Import | ast.ImportFrom, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        package = name.split(".") if is_package else name.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    yield base
    for alias in node.names:
        yield f"{base}.{alias.name}"  # `from pkg import module` imports the module


def read_package(root: Path, package: str) -> Source:
    """Every module under `root/package` and the package modules each one's imports run."""
    modules = {module_name(root, path): path for path in (root / package).rglob("*.py")}
    source = Source(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        source.trees[name] = tree
        found: set[str] = set()
        for node in ast.walk(tree):  # every import: top level, in functions, under TYPE_CHECKING
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(name, node, path.name == "__init__.py"):
                # Importing a.b.c runs a/__init__ and a/b/__init__ first: those run too.
                pieces = target.split(".")
                for end in range(1, len(pieces) + 1):
                    candidate = ".".join(pieces[:end])
                    if candidate in modules and candidate != name:
                        found.add(candidate)
        source.imports[name] = found
    return source


def import_cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(imports):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(imports[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


def feature_of(name: str) -> str | None:
    """`desktop.ui.<feature>.…` → feature (common included); None for the window's own modules."""
    parts = name.split(".")
    if len(parts) >= 3 and parts[:2] == ["desktop", "ui"] and parts[2] in (*UI_FEATURES, "common"):
        return parts[2]
    return None


def feature_trespasses(source: Source) -> list[str]:
    """Imports from a ui feature (or ui/common) into another feature or into the window's modules."""
    found = []
    for name, targets in source.imports.items():
        own = feature_of(name)
        if own is None:
            continue
        for target in targets:
            if not target.startswith("desktop.ui.") or target == "desktop.ui":
                continue
            other = feature_of(target)
            allowed = other == own or (other == "common" and own != "common")
            if own == "common":
                allowed = other == "common"
            if not allowed:
                found.append(f"{name} imports {target}")
    return sorted(found)


def telephony_imports(source: Source, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{name} imports {target}"
        for name, targets in source.imports.items()
        if name.startswith(prefixes) or name in prefixes
        for target in targets
        if target == "desktop.telephony" or target.startswith("desktop.telephony.")
    )


def method_calls(source: Source, method: str) -> set[str]:
    """Modules that call `<anything>.method(…)` or fetch it with getattr(…, "method")."""
    callers = set()
    for name, tree in source.trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == method:
                callers.add(name)
            elif (
                isinstance(func, ast.Name)
                and func.id == "getattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == method
            ):
                callers.add(name)
    return callers


def layer_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_breaches(source: Source) -> list[str]:
    found = []
    for name, targets in source.imports.items():
        own = layer_of(name)
        for target in targets:
            other = layer_of(target)
            if target != "desktop" and other != own and other not in ALLOWED_LAYERS.get(own, set()):
                found.append(f"{name} imports {target}")
    return sorted(found)


def reachable(source: Source, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        for target in source.imports.get(name, ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.fixture(scope="module")
def desktop() -> Source:
    return read_package(ROOT, "desktop")


# -- the rules, on the real package ------------------------------------------------------------------


def test_no_module_of_desktop_is_part_of_an_import_circle(desktop: Source) -> None:
    assert len(desktop.modules) > 150  # the reader found the package
    assert import_cycles(desktop.imports) == []


def test_every_layer_imports_only_the_layers_below_it(desktop: Source) -> None:
    assert {layer_of(name) for name in desktop.modules} - {"desktop"} == set(ALLOWED_LAYERS)
    assert layer_breaches(desktop) == []


def test_ui_features_share_only_ui_common(desktop: Source) -> None:
    features = {feature_of(name) for name in desktop.modules} - {None}
    assert features == {*UI_FEATURES, "common"}
    assert feature_trespasses(desktop) == []


def test_no_ui_folder_holds_more_than_15_modules() -> None:
    folders = [
        ROOT / "desktop" / "ui",
        *(path.parent for path in (ROOT / "desktop" / "ui").rglob("__init__.py")),
    ]
    sizes = {str(folder.relative_to(ROOT)): len(list(folder.glob("*.py"))) for folder in set(folders)}
    assert len(sizes) >= 10
    assert {folder: size for folder, size in sizes.items() if size > UI_FOLDER_LIMIT} == {}


def test_ui_commands_and_cli_import_nothing_from_telephony(desktop: Source) -> None:
    assert telephony_imports(desktop, ("desktop.ui", "desktop.commands", "desktop.cli")) == []


def test_only_the_calling_service_dials_and_only_services_play_a_voicemail(desktop: Source) -> None:
    telephony = {name for name in desktop.modules if name.startswith("desktop.telephony")}
    assert method_calls(desktop, "dial") - telephony == {"desktop.services.calling"}
    players = method_calls(desktop, VOICEMAIL_METHOD) - telephony
    assert players and all(name.startswith("desktop.services.") for name in players), players


def test_logging_setup_reaches_neither_services_nor_storage(desktop: Source) -> None:
    reached = reachable(desktop, "desktop.logging_setup")
    assert not {name for name in reached if name.startswith(("desktop.storage", "desktop.services"))}


# -- the checkers see what they are meant to see -----------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_circle_through_a_type_checking_or_function_import_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "desktop/__init__.py": "",
            "desktop/ui/__init__.py": "",
            "desktop/ui/window.py": "from desktop.ui.calling import power\n",
            "desktop/ui/calling/__init__.py": "",
            "desktop/ui/calling/power.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from desktop.ui.window import W\n"
            ),
            "desktop/a.py": "def f():\n    from . import b\n",
            "desktop/b.py": "import desktop.a\n",
            "desktop/c.py": "import desktop.a\n",
        },
    )
    source = read_package(tmp_path, "desktop")
    assert import_cycles(source.imports) == [
        ["desktop.a", "desktop.b"],
        ["desktop.ui.calling.power", "desktop.ui.window"],
    ]
    assert feature_trespasses(source) == ["desktop.ui.calling.power imports desktop.ui.window"]


def test_a_package_init_that_imports_back_is_a_circle(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "desktop/__init__.py": "",
            "desktop/ui/__init__.py": "from desktop.ui.main import run\n",
            "desktop/ui/main.py": "from desktop.ui.common.style import X\n",
            "desktop/ui/common/__init__.py": "",
            "desktop/ui/common/style.py": "X = 1\n",
        },
    )
    # main imports desktop.ui.common.style, which runs desktop/ui/__init__ first, which imports main.
    assert import_cycles(read_package(tmp_path, "desktop").imports) == [["desktop.ui", "desktop.ui.main"]]


def test_feature_telephony_and_dial_checkers_catch_a_shortcut(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "desktop/__init__.py": "",
            "desktop/telephony/__init__.py": "",
            "desktop/telephony/sip.py": "class D:\n    def dial(self): ...\n",
            "desktop/ui/__init__.py": "",
            "desktop/ui/common/__init__.py": "",
            "desktop/ui/common/style.py": "from desktop.ui.script import cards\n",
            "desktop/ui/script/__init__.py": "",
            "desktop/ui/script/cards.py": "from desktop.ui.calling.bar import label\n",
            "desktop/ui/calling/__init__.py": "",
            "desktop/ui/calling/bar.py": (
                "def go(d):\n    from desktop.telephony.sip import D\n    d.dial()\n"
                "    getattr(d, 'drop_voicemail')('x.wav')\n"
            ),
            "desktop/commands/__init__.py": "",
            "desktop/commands/call.py": "from ..telephony import sip\n",
        },
    )
    source = read_package(tmp_path, "desktop")
    assert feature_trespasses(source) == [
        "desktop.ui.common.style imports desktop.ui.script",
        "desktop.ui.common.style imports desktop.ui.script.cards",
        "desktop.ui.script.cards imports desktop.ui.calling",
        "desktop.ui.script.cards imports desktop.ui.calling.bar",
    ]
    assert telephony_imports(source, ("desktop.ui", "desktop.commands")) == [
        "desktop.commands.call imports desktop.telephony",
        "desktop.commands.call imports desktop.telephony.sip",
        "desktop.ui.calling.bar imports desktop.telephony",
        "desktop.ui.calling.bar imports desktop.telephony.sip",
    ]
    assert method_calls(source, "dial") == {"desktop.ui.calling.bar"}
    assert method_calls(source, VOICEMAIL_METHOD) == {"desktop.ui.calling.bar"}
    assert "desktop.telephony.sip" in reachable(source, "desktop.ui.calling.bar")
    assert layer_breaches(source) == [
        "desktop.commands.call imports desktop.telephony",
        "desktop.commands.call imports desktop.telephony.sip",
        "desktop.ui.calling.bar imports desktop.telephony",
        "desktop.ui.calling.bar imports desktop.telephony.sip",
    ]
