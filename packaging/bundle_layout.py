"""What the PyInstaller spec puts in the bundle beside the frozen code (used by dialdesk.spec).

The data folders go where importlib.resources finds them in an installed copy
(`desktop/_resources`, `desktop/_migrations`, see desktop/paths.py). The Alembic scripts are data to
PyInstaller, so the modules they import are named here, read from the scripts themselves.
"""

from __future__ import annotations

import ast
import plistlib
from collections.abc import Callable, Iterable
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


# Qt parts Dialdesk never loads, left out of the bundle: QML/Quick come only with the virtual
# keyboard, the PDF library with its image plugin; the embedded-device platforms, network
# information, TLS and input-device plugins serve no desktop window. The GTK 3 theme plugin goes
# with the GTK/Cairo/Pango stack it drags in (it only loads where GTK 3 is installed anyway, and the
# XDG portal theme gives native file dialogs); image formats Dialdesk never reads go too. Kept: xcb
# and wayland, the offscreen/minimal platforms, PNG (built in) and SVG, the portal theme, QtCharts,
# QtNetwork (single instance).
UNUSED_QT = (
    "libQt6VirtualKeyboard",
    "libQt6Quick",
    "libQt6Qml",
    "libQt6Pdf",
    "libQt6EglFs",
    "libQt6EglFS",
    "libqtvirtualkeyboardplugin",
    "libqpdf.",
    "libqeglfs",
    "libqlinuxfb",
    "libqminimalegl",
    "libqvkkhrdisplay",
    "libqvnc",
    "libqgtk3",
    "libqicns",
    "libqgif",
    "libqjpeg",
    "libqico",
    "libqtga",
    "libqtiff",
    "libqwbmp",
    "libqwebp",
    "/egldeviceintegrations/",
    "/generic/",
    "/networkinformation/",
    "/tls/",
)
# The GTK 3 theme plugin's own libraries (nothing else in the bundle links them: tests/packaging
# checks every library's dependencies resolve).
GTK_STACK = (
    "libgtk-3",
    "libgdk-3",
    "libgdk_pixbuf",
    "libatk-",
    "libatk-bridge",
    "libcairo",
    "libpango",
    "libharfbuzz",
    "libthai",
    "libdatrie",
    "libfribidi",
    "libgraphite2",
    "libpixman",
    "libepoxy",
)

# OpenSSL comes from the system (Linux): Python's ssl module is there only for psycopg's pure-Python
# libpq wrapper, and the system's libpq5 depends on the system's libssl3 anyway. A copy from the build
# machine could also be older than the one that libpq was built against. Elsewhere no ssl ships.
SYSTEM_LIBRARIES = ("libssl.so.", "libcrypto.so.")
# Libraries every Linux desktop has, taken from the system too (the .deb depends on their packages:
# tests/packaging/test_bundle.py checks each library the bundle needs is in it or in a dependency).
# The C++ runtime: a distribution's own OpenGL drivers need the system's, and an older bundled copy,
# loaded first, would break them. D-Bus with what Debian's libdbus links (systemd's library and
# its gcrypt, lz4, libcap): the bus is the desktop's own. 5 MB in all.
SYSTEM_LIBRARIES += (
    "libstdc++.so.",
    "libgcc_s.so.",
    "libdbus-1.so.",
    "libsystemd.so.",
    "libgcrypt.so.",
    "libgpg-error.so.",
    "liblz4.so.",
    "libcap.so.",
)


def _unused(dest: str) -> bool:
    name = "/" + dest.replace("\\", "/")
    if "/translations/" in name:
        # Qt's own catalogues (6 MB): Dialdesk installs no QTranslator, so none is ever loaded. When
        # the first Dialdesk translation ships, keep qtbase_<its language> here.
        return True
    leaf = name.rsplit("/", 1)[-1]
    return any(part in name for part in UNUSED_QT) or leaf.startswith(GTK_STACK + SYSTEM_LIBRARIES)


def slim(entries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A PyInstaller TOC without the Qt parts in UNUSED_QT, the GTK stack and the system's OpenSSL.

    Entries are (dest, source, kind).
    """
    return [entry for entry in entries if not _unused(entry[0])]


# Loaded by the bootloader itself (dlopen), so no binary names it.
_ALWAYS_KEPT = ("libpython",)


def _plain_library(dest: str) -> bool:
    """A shared library the bundle carries for others (not a Python extension module or Qt plugin)."""
    leaf = dest.replace("\\", "/").rsplit("/", 1)[-1]
    folder = dest.replace("\\", "/").rpartition("/")[0]
    extension = ".abi3.so" in leaf or ".cpython-" in leaf
    return leaf.startswith("lib") and ".so" in leaf and not extension and folder in ("", "PySide6/Qt/lib")


def without_orphans(
    binaries: list[tuple[str, str, str]], needs: Callable[[str], Iterable[str]]
) -> list[tuple[str, str, str]]:
    """`binaries` without the shared libraries no kept binary needs: what only a left-out plugin pulled in.

    `needs(source)` names every library a binary loads, directly or through others (PyInstaller's
    `bindepend.get_imports`). Python extension modules, Qt plugins and libpython are the roots.
    """
    roots = [entry for entry in binaries if not _plain_library(entry[0]) or entry[0].startswith(_ALWAYS_KEPT)]
    needed: set[str] = set()
    for _dest, source, _kind in roots:
        needed.update(needs(source))
    return [
        entry
        for entry in binaries
        if not _plain_library(entry[0]) or entry[0].startswith(_ALWAYS_KEPT) or Path(entry[0]).name in needed
    ]
