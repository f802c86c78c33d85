"""Shared fixtures: a fresh SQLite file per test, a movable clock, the sample files, no real display."""

from __future__ import annotations

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

if TYPE_CHECKING:
    from tests.telephony.sipp_peer import SippPeer

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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(README_MOMENT)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dialdesk.db"


@pytest.fixture
def workspace(db_path: Path, clock: ManualClock) -> Workspace:
    ws = open_workspace(str(db_path), clock=clock)
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


@pytest.fixture
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runtime and cache folders (baresip's, the voicemail cache) inside the test's own folder."""
    for name in ("XDG_RUNTIME_DIR", "XDG_CACHE_HOME"):
        folder = tmp_path / name.lower()
        folder.mkdir(mode=0o700)
        monkeypatch.setenv(name, str(folder))
    return tmp_path


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
