"""The PyInstaller bundle runs with no Python: CLI, window, click-to-call links and the hand-off.

Needs the bundle in dist/dialdesk (`make bundle`; `make test` builds it before pytest). Each run
uses a clean environment (`env -i`-like: a fresh HOME, no venv on PATH, no PYTHONPATH).
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.packaging.conftest import REPO
from tests.packaging.test_installer_files import project_version

pytestmark = pytest.mark.slow
BUNDLE = REPO / "dist" / "dialdesk"


@pytest.fixture(scope="module")
def executable() -> Path:
    path = BUNDLE / "dialdesk"
    if not path.exists():
        message = f"needs the bundle in {BUNDLE}: run `make bundle`"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (make test builds it first)")
        pytest.skip(message)
    return path


def run(
    executable: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(executable), *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_the_bundle_needs_no_python(executable: Path, clean_env: dict[str, str]) -> None:
    interpreters = [path for path in BUNDLE.rglob("python*") if path.is_file() and os.access(path, os.X_OK)]
    assert interpreters == []
    env = {**clean_env, "PATH": "/nonexistent"}  # not even /usr/bin: no python3 to fall back on
    assert run(executable, env, "--version").stdout.strip() == f"dialdesk {project_version()}"


def test_cli_and_window_from_the_same_executable(executable: Path, clean_env: dict[str, str]) -> None:
    sample = BUNDLE / "_internal" / "desktop" / "_resources" / "samples" / "leads-sample.csv"
    imported = run(executable, clean_env, "leads", "import", str(sample))
    assert imported.returncode == 0 and "Imported" in imported.stdout, imported.stderr
    # Who is offered depends on the hour (calling hours); how many leads are queued does not.
    assert "20 leads in the queue" in run(executable, clean_env, "queue").stdout
    check = run(executable, clean_env, "check", "+12125550134")
    assert check.returncode in (0, 1) and "+12125550134" in check.stdout, check.stderr
    shown = run(executable, {**clean_env, "DIALDESK_EXIT_AFTER_START": "1"})
    assert shown.returncode == 0 and "window shown" in shown.stdout, shown.stderr
    assert (Path(clean_env["HOME"]) / ".local" / "share" / "dialdesk" / "dialdesk.db").is_file()


def test_a_first_start_without_baresip_or_espeak_says_what_to_install(
    executable: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """The welcome page's advice, read where an installed copy leaves it for support: the log."""
    empty = tmp_path / "no-programs"
    empty.mkdir()
    env = {**clean_env, "PATH": str(empty), "DIALDESK_EXIT_AFTER_START": "1"}
    shown = run(executable, env)
    assert shown.returncode == 0 and "window shown" in shown.stdout, shown.stderr
    log = (Path(clean_env["HOME"]) / ".local" / "state" / "dialdesk" / "log" / "dialdesk.log").read_text()
    note = next(line for line in log.splitlines() if "not installed: " in line)
    assert (
        "For calls through the built-in softphone (SIP), install baresip: sudo apt-get install baresip-core"
        in note
    )
    # pyttsx3 speaks through the espeak-ng library alone: only a machine without it is told to install it.
    assert ("sudo apt-get install espeak-ng" in note) == (ctypes.util.find_library("espeak-ng") is None)


def test_a_tel_link_is_handed_to_the_running_window(executable: Path, clean_env: dict[str, str]) -> None:
    sample = BUNDLE / "_internal" / "desktop" / "_resources" / "samples" / "leads-sample.csv"
    assert run(executable, clean_env, "leads", "import", str(sample)).returncode == 0
    log = Path(clean_env["HOME"]) / ".local" / "state" / "dialdesk" / "log" / "dialdesk.log"
    window = subprocess.Popen(
        [str(executable)], env=clean_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while "window opened" not in (log.read_text() if log.exists() else ""):
            assert window.poll() is None, window.stderr.read() if window.stderr else ""
            assert time.monotonic() < deadline, "the first window did not open"
            time.sleep(0.2)
        handed = run(executable, clean_env, "tel:+1-212-555-0134", timeout=60)
        assert handed.returncode == 0, handed.stderr
        while "link opened: lead" not in log.read_text():
            assert time.monotonic() < deadline, "the running window did not take the link"
            time.sleep(0.2)
        assert window.poll() is None  # the second start handed over and left; the first still runs
    finally:
        window.terminate()
        window.wait(timeout=30)


def needed_libraries(binary: Path) -> set[str]:
    """The shared libraries `binary` names (its DT_NEEDED entries)."""
    dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dynamic))


def depends_closure(packages: set[str]) -> set[str]:
    """`packages` and, on this machine, every package they depend on, however indirectly."""
    seen: set[str] = set()
    todo = list(packages)
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        fields = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", package], capture_output=True, text=True
        ).stdout
        todo += [name.split(":")[0] for name in re.findall(r"(?:^|[,|]\s*)([a-z0-9][a-z0-9+.:-]+)", fields)]
    return seen


def control_field(field: str) -> set[str]:
    """The package names in a relationship field of packaging/linux/control.in (alternatives included)."""
    control = (REPO / "packaging" / "linux" / "control.in").read_text()
    found = re.search(rf"^{field}: (.+)$", control, re.MULTILINE)
    assert found is not None, field
    return {name.strip().split(" ")[0] for name in re.split(r"[,|]", found.group(1))}


def owning_packages(library: str, loader_cache: str) -> set[str]:
    """The Debian packages of this machine that hold the library the dynamic loader finds for `library`."""
    found = re.search(rf"^\s+{re.escape(library)} \([^)]*x86-64[^)]*\) => (\S+)$", loader_cache, re.MULTILINE)
    if found is None:
        return set()
    real_name = Path(os.path.realpath(found.group(1))).name
    owners = subprocess.run(["dpkg", "-S", f"*/{real_name}"], capture_output=True, text=True).stdout
    return {
        name.strip().split(":")[0] for line in owners.splitlines() for name in line.split(": ")[0].split(",")
    }


# Parts of the bundle a user can do without, whose libraries the .deb may only recommend: the Wayland
# platform (Qt falls back to X11 without its libraries) and Python's ssl (team mode only: libpq5).
OPTIONAL_PARTS = ("wayland", "wlshell", "/lib-dynload/_ssl.")


def test_every_library_the_bundle_needs_is_in_it_or_comes_with_the_deb(executable: Path) -> None:
    """What the bundle leaves to the system (C++ runtime, D-Bus, GL, OpenSSL…) is what the .deb names:
    its Depends (however indirectly), or its Recommends when only an optional part needs it."""
    if shutil.which("dpkg") is None or shutil.which("readelf") is None:
        pytest.skip("needs dpkg and readelf (binutils): a Debian/Ubuntu build machine")
    binaries = [
        path
        for path in BUNDLE.rglob("*")
        if path.is_file() and not path.is_symlink() and path.read_bytes()[:4] == b"\x7fELF"
    ]
    bundled = {path.name for path in BUNDLE.rglob("*.so*")}
    needed_by: dict[str, list[str]] = {}
    for binary in binaries:
        for library in needed_libraries(binary) - bundled:
            needed_by.setdefault(library, []).append(str(binary.relative_to(BUNDLE)))
    required = depends_closure(control_field("Depends"))
    recommended = depends_closure(control_field("Recommends")) | required
    cache = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    unprovided = {}
    for library, users in sorted(needed_by.items()):
        optional = all(any(part in "/" + user.lower() for part in OPTIONAL_PARTS) for user in users)
        if not owning_packages(library, cache) & (recommended if optional else required):
            unprovided[library] = users[:3]
    assert unprovided == {}, "needed by the bundle, left out of it, and not from a package the .deb names"
