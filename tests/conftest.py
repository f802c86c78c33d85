"""Shared fixtures: a fresh SQLite file per test, a movable clock, the sample files, no real display."""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.services.clock import ManualClock  # noqa: E402
from desktop.services.workspace import Workspace, open_workspace  # noqa: E402
from tests.postgres_support import PostgresServer, running_server  # noqa: E402

if TYPE_CHECKING:
    from tests.telephony.sipp_peer import SippPeer

# The real user's folders, as they were when the tests started (before any fixture moved them).
REAL_STATE_HOME = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
REAL_DATA_HOME = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
BUNDLED_SAMPLE = REPO / "resources" / "samples" / "leads-sample.csv"
# 2026-12-01T14:00Z, a Tuesday: 09:00 New York, 08:00 Chicago, 06:00 Los Angeles, 04:00 Honolulu.
README_MOMENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def require_tool(tool: str, package: str) -> str:
    """The path of a system tool; skips with the package name on a user's machine, fails under CI."""
    path = shutil.which(tool)
    if path is None:
        message = f"needs `{tool}`: sudo apt-get install {package}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must install it)")
        pytest.skip(message)
    return path


# What libfaketime leaves in the environment of a process it runs: a `faketime MOMENT` started from
# such a process (the suite under `make pytest-clock-shift`) would shift MOMENT again.
FAKETIME_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED", "DYLD_INSERT_LIBRARIES")


def at_moment(moment: str, command: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """`command` and `env` to run it under libfaketime starting at `moment`, whatever clock the test
    itself runs on."""
    clean = {name: value for name, value in env.items() if name not in FAKETIME_VARIABLES}
    require_tool("faketime", "faketime")  # the package that ships libfaketime
    # libfaketime preloaded directly, not through the `faketime` wrapper: the wrapper makes a
    # semaphore named by its pid and leaks it when the test kills the process, and with pids reused
    # (pid_max 32768) a later run fails at sem_open before the command even starts.
    datetime.strptime(moment, "%Y-%m-%d %H:%M:%S")  # the one form FAKETIME's "@" takes
    return list(command), {**clean, "LD_PRELOAD": _libfaketime(), "FAKETIME": "@" + moment}


def _libfaketime() -> str:
    """The libfaketime shared library of Debian's `faketime` package (any architecture)."""
    for pattern in ("/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1"):
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    message = "needs libfaketime.so.1: sudo apt-get install faketime"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI must install it)")
    pytest.skip(message)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(README_MOMENT)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dialdesk.db"


# Test modules whose database tests run a second time on a real PostgreSQL server (team mode): each
# test that uses `db_url` (the `workspace` fixture does) runs once per backend. Chosen to cover
# migrations, imports, the queue and gate, calling, callbacks, meetings, scripts, reports, exports and
# merges in a few minutes; a test that only makes sense on SQLite files is marked `sqlite_only`.
POSTGRES_MODULES = frozenset(
    {
        "tests/storage/test_engine_and_migrations.py",
        "tests/storage/test_queue_statements.py",
        "tests/services/test_callbacks.py",
        "tests/services/test_calling.py",
        "tests/services/test_compliance_services.py",
        "tests/services/test_imports.py",
        "tests/services/test_meetings.py",
        "tests/services/test_outcome_undo.py",
        "tests/services/test_queue_gate.py",
        "tests/services/test_registry.py",
        "tests/services/test_registry_repeats.py",
        "tests/services/test_reports.py",
        "tests/services/test_reports_exports.py",
        "tests/services/test_scripts_service.py",
        "tests/services/test_script_versions.py",
        "tests/cli/test_report_cli.py",
        "tests/cli/test_audit_backends.py",
        "tests/team/test_claims.py",
        "tests/team/test_team_cli.py",
        "tests/team/test_shared_lists.py",
        "tests/team/test_team_watch.py",
        "tests/team/test_queue_claims.py",
        "tests/team/test_outcome_claims.py",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = Path(metafunc.definition.path).relative_to(REPO).as_posix()
    if "backend" not in metafunc.fixturenames or module not in POSTGRES_MODULES:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize(
        "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
    )


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on: "sqlite" unless parametrised (POSTGRES_MODULES)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test's own fresh database: the SQLite file `db_path`, or a migrated PostgreSQL database."""
    if backend == "sqlite":
        yield str(db_path)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield url


@pytest.fixture
def workspace(db_url: str, clock: ManualClock) -> Iterator[Workspace]:
    ws = open_workspace(db_url, clock=clock)
    yield ws
    ws.close()


@pytest.fixture
def dnc_sample() -> Path:
    """The shared sample registry file when present beside the checkout, else the test copy."""
    shared = SHARED_DATA / "dnc-national-sample.txt"
    return shared if shared.exists() else REPO / "tests" / "fixtures" / "dnc-national-sample.txt"


@pytest.fixture
def sample_csv() -> Path:
    """The shared sample call list when present beside the checkout, else the bundled copy."""
    shared = SHARED_DATA / "leads-sample.csv"
    return shared if shared.exists() else BUNDLED_SAMPLE


# The user folders platformdirs (and so Dialdesk) reads on Linux; every test gets its own.
USER_FOLDER_VARIABLES = (
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR",
)
# Variables that would point a test at the user's own database or log.
USER_CHOICE_VARIABLES = ("DIALDESK_DB", "DIALDESK_LOG_DIR", "DIALDESK_SIP_ACCOUNT", "DIALDESK_AGENT")


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data, config, state (the log), cache and runtime folders inside the test's own folder, for the
    test and every process it starts: no test reads or writes the real user's folders."""
    for name in USER_FOLDER_VARIABLES:
        folder = tmp_path / name.lower()
        folder.mkdir(mode=0o700, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    for name in USER_CHOICE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def private_dirs(private_user_folders: Path) -> Path:
    """The test's own folder, holding its private runtime and cache folders (baresip's, the voicemail
    cache): kept as a name for the tests that place files beside them."""
    return private_user_folders


@pytest.fixture
def sip_tools() -> None:
    require_tool("baresip", "baresip-core")
    require_tool("sipp", "sip-tester")


@pytest.fixture
def sipp(sip_tools: None, tmp_path: Path) -> Iterator[Callable[[str], SippPeer]]:
    """Start sipp peers on 127.0.0.1; every one is killed (by process group) at the end."""
    from tests.telephony.sipp_peer import SippPeer

    peers: list[SippPeer] = []

    def start(scenario: str) -> SippPeer:
        peer = SippPeer(scenario, tmp_path)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        peer.stop()


# Fixtures that start the real SIP stack (baresip, sipp): their tests wait on real timers and are not
# run under a shifted clock (`make pytest-clock-shift`).
SIP_FIXTURES = frozenset({"sipp", "sip_tools"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SIP_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.sip)
