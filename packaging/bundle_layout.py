"""What the PyInstaller spec puts in the bundle beside the frozen code (used by dialdesk.spec).

The data folders go where importlib.resources finds them in an installed copy
(`desktop/_resources`, `desktop/_migrations`, see desktop/paths.py). The Alembic scripts are data to
PyInstaller, so the modules they import are named here, read from the scripts themselves.
"""

from __future__ import annotations

import ast
import plistlib
from pathlib import Path
from typing import Any

DATA_FOLDERS = {"resources": "desktop/_resources", "migrations": "desktop/_migrations"}


def data_files(repo: Path) -> list[tuple[str, str]]:
    """(file, folder in the bundle) for every shipped data file; caches left out."""
    found = []
    for folder, target in DATA_FOLDERS.items():
        root = repo / folder
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.append((str(path), str(Path(target) / path.parent.relative_to(root))))
    return found


def hidden_imports(repo: Path) -> list[str]:
    """Modules imported by the migration scripts (loaded from files at run time, unseen by analysis)."""
    names: set[str] = {"alembic.runtime.migration", "alembic.ddl.sqlite", "sqlalchemy.dialects.sqlite"}
    for script in sorted((repo / "migrations").rglob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return sorted(names - {"__future__"})


def info_plist(repo: Path) -> dict[str, Any]:
    """The macOS Info.plist entries (URL schemes, names), kept as a real plist in packaging/macos/."""
    with (repo / "packaging" / "macos" / "Info.plist").open("rb") as handle:
        return plistlib.load(handle)


# Qt parts Dialdesk never loads, left out of the bundle (about 70 MB): QML/Quick come only with the
# virtual keyboard, the PDF library with its image plugin; the embedded-device platforms, network
# information, TLS and input-device plugins serve no desktop window. Kept: xcb and wayland, the
# offscreen/minimal platforms, image formats, the GTK/portal themes, QtCharts, QtNetwork (single instance).
UNUSED_QT = (
    "libQt6VirtualKeyboard",
    "libQt6Quick",
    "libQt6Qml",
    "libQt6Pdf",
    "libQt6EglFs",
    "libqtvirtualkeyboardplugin",
    "libqpdf.",
    "libqeglfs",
    "libqlinuxfb",
    "libqminimalegl",
    "libqvkkhrdisplay",
    "libqvnc",
    "/egldeviceintegrations/",
    "/generic/",
    "/networkinformation/",
    "/tls/",
)


def _unused(dest: str) -> bool:
    name = "/" + dest.replace("\\", "/")
    if "/translations/" in name:
        # Qt's own strings (dialog buttons) in every language; the other modules' catalogues are not used.
        return not name.rsplit("/", 1)[-1].startswith("qtbase_")
    return any(part in name for part in UNUSED_QT)


def slim(entries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A PyInstaller TOC without the Qt parts in UNUSED_QT (entries are (dest, source, kind))."""
    return [entry for entry in entries if not _unused(entry[0])]
