"""What can be checked here of the installers for every system: files parse and agree with each other.

The Windows installer and the macOS app cannot be built on this Linux machine (packaging/README.md);
their scripts are still parsed here, and everything they name must exist in the repository.
"""

from __future__ import annotations

import configparser
import plistlib
import re
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_tool
from tests.packaging.conftest import REPO

sys.path.insert(0, str(REPO / "packaging"))
import bundle_layout  # noqa: E402

LINK_SCHEMES = {"tel", "callto", "sip"}
METAINFO = REPO / "packaging" / "linux" / "io.dialdesk.Dialdesk.metainfo.xml"
DESKTOP_ENTRY = REPO / "packaging" / "dialdesk.desktop"
ISS = REPO / "packaging" / "windows" / "dialdesk.iss"
WORKFLOW = REPO / ".github" / "workflows" / "installers.yml"


def project_version() -> str:
    return str(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def desktop_entry() -> configparser.SectionProxy:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP_ENTRY, encoding="utf-8")
    return entry["Desktop Entry"]


def test_the_macos_plist_parses_and_claims_the_link_schemes() -> None:
    plist = plistlib.loads((REPO / "packaging" / "macos" / "Info.plist").read_bytes())
    schemes = {scheme for url_type in plist["CFBundleURLTypes"] for scheme in url_type["CFBundleURLSchemes"]}
    assert schemes == LINK_SCHEMES
    assert plist["CFBundleIdentifier"] == ElementTree.parse(METAINFO).getroot().findtext("id")
    assert bundle_layout.info_plist(REPO) == plist  # what the spec hands PyInstaller


def parse_iss(text: str) -> dict[str, list[str]]:
    """Inno Setup's file: [Sections] of `Key=Value` (Setup) or `Name: "value"; Name: …` entry lines."""
    sections: dict[str, list[str]] = {}
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#") or line.startswith("  #"):
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", line):
            current = line[1:-1]
            sections[current] = []
            continue
        assert current is not None, f"line {number}: outside a section"
        if current == "Setup":
            assert re.fullmatch(r"[A-Za-z0-9]+=.*", line), f"line {number}: not Key=Value: {line}"
        else:
            parts = re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]+)\s*(?:;|$)', line)
            assert parts and parts[0][0] in {"Name", "Source", "Root", "Filename"}, f"line {number}: {line}"
        sections[current].append(line)
    return sections


def test_the_inno_setup_script_parses_and_registers_the_links() -> None:
    sections = parse_iss(ISS.read_text(encoding="utf-8"))
    assert {"Setup", "Files", "Icons", "Registry", "Run"} <= set(sections)
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["AppName"] == "Dialdesk"
    icon = (ISS.parent / setup["SetupIconFile"].replace("\\", "/")).resolve()
    assert icon.is_file() and icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an .ico file
    registry = "\n".join(sections["Registry"])
    for scheme in LINK_SCHEMES:
        assert f'Subkey: "Software\\Classes\\{scheme}\\shell\\open\\command"' in registry
        assert (
            f'Subkey: "Software\\Classes\\{scheme}"; ValueType: string; ValueName: "URL Protocol"' in registry
        )
    assert registry.count('""%1""') == len(LINK_SCHEMES)
    assert any("dist\\dialdesk\\*" in line for line in sections["Files"])
    assert re.search(r'#define AppVersion "([^"]+)"', ISS.read_text()).group(1) == project_version()  # type: ignore[union-attr]


def test_the_installers_workflow_is_valid_and_names_real_files() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert {"windows", "macos"} <= set(workflow["jobs"])
    for name, job in workflow["jobs"].items():
        assert job["runs-on"].startswith(name if name == "windows" else "macos")
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
        text = "\n".join(step.get("run", "") for step in job["steps"])
        assert "packaging/dialdesk.spec" in text and "DIALDESK_EXIT_AFTER_START=1" in text
    for path in re.findall(r"packaging/[\w./-]+\.(?:spec|iss)", WORKFLOW.read_text()):
        assert (REPO / path).is_file(), path


def test_desktop_entry_and_metainfo_agree() -> None:
    section = desktop_entry()
    assert section["Icon"] == "dialdesk"
    root = ElementTree.parse(METAINFO).getroot()
    assert root.findtext("launchable") == DESKTOP_ENTRY.name
    provided = {node.text for node in root.iter("mediatype")}
    assert provided == set(filter(None, section["MimeType"].split(";")))
    assert root.find("releases/release").get("version") == project_version()  # type: ignore[union-attr]
    assert root.find("screenshots/screenshot/image") is not None


def test_desktop_entry_validates() -> None:
    tool = require_tool("desktop-file-validate", "desktop-file-utils")
    done = subprocess.run([tool, str(DESKTOP_ENTRY)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_validates() -> None:
    tool = require_tool("appstreamcli", "appstream")
    done = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_icon_size_is_a_png_of_that_size() -> None:
    icons = REPO / "resources" / "icons"
    folders = sorted(path for path in icons.iterdir() if path.is_dir())
    assert {folder.name for folder in folders} >= {"16x16", "32x32", "48x48", "128x128", "256x256"}
    for folder in folders:
        width, _, height = folder.name.partition("x")
        assert png_size(folder / "dialdesk.png") == (int(width), int(height))
    svg = ElementTree.parse(icons / "dialdesk.svg").getroot()
    assert svg.get("viewBox") == "0 0 256 256"


@pytest.mark.parametrize(
    "needed",
    [
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Charts.so.6",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/lib/libicudata.so.73",
    ],
)
def test_slimming_the_bundle_keeps_what_the_window_loads(needed: str) -> None:
    entry = (needed, "/src/" + needed, "BINARY")
    assert bundle_layout.slim([entry]) == [entry]


@pytest.mark.parametrize(
    "unused",
    [
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "libcairo.so.2",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/plugins/imageformats/libqtiff.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    ],
)
def test_slimming_the_bundle_leaves_out_what_dialdesk_never_loads(unused: str) -> None:
    assert bundle_layout.slim([(unused, "/src/" + unused, "BINARY")]) == []


def test_a_library_only_a_left_out_plugin_needed_goes_too() -> None:
    plugin = ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY")
    module = ("PySide6/QtCore.abi3.so", "/src/QtCore.abi3.so", "EXTENSION")
    needed_by_plugin = ("libxcb-icccm.so.4", "/src/libxcb-icccm.so.4", "BINARY")
    needed_by_qt = ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY")
    orphan = ("libgio-2.0.so.0", "/src/libgio-2.0.so.0", "BINARY")
    python = ("libpython3.11.so.1.0", "/src/libpython3.11.so.1.0", "BINARY")
    needs = {
        "/src/libqxcb.so": {"libxcb-icccm.so.4", "libQt6Core.so.6"},
        "/src/QtCore.abi3.so": {"libQt6Core.so.6"},
    }
    kept = bundle_layout.without_orphans(
        [plugin, module, needed_by_plugin, needed_by_qt, orphan, python],
        lambda source: needs.get(source, set()),
    )
    assert kept == [plugin, module, needed_by_plugin, needed_by_qt, python]


def test_the_bundle_carries_every_data_file() -> None:
    shipped = {Path(source) for source, _target in bundle_layout.data_files(REPO)}
    for folder in ("resources", "migrations"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path in shipped, path


def test_the_launcher_runs_a_module_as_python_m_would(tmp_path: Path) -> None:
    """The frozen executable serves `-m desktop.…` (the import helper starts itself that way)."""
    done = subprocess.run(
        [sys.executable, str(REPO / "packaging" / "dialdesk_main.py"), "-m", "desktop", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"dialdesk {project_version()}", done.stderr


def test_the_manual_page_names_every_command_and_formats_cleanly() -> None:
    import argparse

    from desktop.cli import build_parser

    page = (REPO / "packaging" / "linux" / "dialdesk.1").read_text(encoding="utf-8")
    [commands] = [
        action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)
    ]
    named = set(re.findall(r"^\.TP\n\.B (\S+)$", page, re.MULTILINE))
    assert set(commands.choices) <= named, "commands missing from packaging/linux/dialdesk.1"
    require_tool("man", "man-db")
    formatted = subprocess.run(
        ["man", "--warnings", "-l", str(REPO / "packaging" / "linux" / "dialdesk.1")],
        capture_output=True,
        text=True,
        env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert formatted.returncode == 0 and formatted.stderr == "", formatted.stderr
