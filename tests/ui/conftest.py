"""GUI test fixtures: a real workspace on a fresh SQLite file, a fixed clock, and the real MainWindow.

Independent of tests/conftest.py so the GUI tests can run on their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.services.clock import ManualClock  # noqa: E402
from desktop.services.workspace import Workspace, open_workspace  # noqa: E402
from tests.keyring_support import MemoryKeyring  # noqa: E402

# Tuesday 2026-12-01 17:00 UTC: 12:00 New York, 11:00 Chicago, 09:00 Los Angeles; all inside the
# 08:00-21:00 calling window (Honolulu, 07:00, is not).
GUI_MOMENT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.fixture
def ui_clock() -> ManualClock:
    return ManualClock(GUI_MOMENT)


@pytest.fixture
def ui_workspace(tmp_path: Path, ui_clock: ManualClock) -> Iterator[Workspace]:
    workspace = open_workspace(str(tmp_path / "t.db"), clock=ui_clock)
    yield workspace
    workspace.close()


@pytest.fixture
def make_window(qtbot, ui_workspace: Workspace):  # type: ignore[no-untyped-def]
    """Build, show and activate the real main window (after the test has prepared the database)."""
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def make() -> MainWindow:
        make_application([])
        window = MainWindow(ui_workspace)
        qtbot.addWidget(window)
        window.resize(1440, 900)
        window.show()
        window.activateWindow()
        qtbot.waitActive(window)
        qtbot.waitUntil(lambda: not window.startup_pending)  # the queue list is read after the first show
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def window(make_window, ui_workspace: Workspace):  # type: ignore[no-untyped-def]
    """The window opened on a database holding the sample list: it shows the first lead."""
    ui_workspace.imports.import_sample()
    return make_window()


@pytest.fixture
def use_keyring() -> Iterator:  # type: ignore[type-arg]
    """use_keyring(backend) makes `backend` the keyring for the test; the previous one comes back."""
    import keyring

    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(use_keyring) -> MemoryKeyring:  # type: ignore[no-untyped-def]
    """An empty in-memory keyring, in use for the test."""
    return use_keyring(MemoryKeyring())  # type: ignore[no-any-return]
