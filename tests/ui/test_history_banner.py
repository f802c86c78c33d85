"""The window shows a red banner when the history was changed outside Dialdesk, and none otherwise."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.services.workspace import Workspace
from desktop.ui.common.banners import DANGER
from desktop.ui.data.history_banner import HISTORY_BANNER

pytestmark = pytest.mark.gui


def banner_text(window) -> str | None:  # type: ignore[no-untyped-def]
    banner = window.banners._banners.get(HISTORY_BANNER)
    if banner is None or not window.banners.isVisible():
        return None
    assert banner.property("kind") == DANGER
    return str(banner.text())


def test_intact_history_shows_no_banner(make_window, ui_workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    ui_workspace.imports.import_sample()
    ui_workspace.dnc.add("212-555-0199")
    window = make_window()
    assert banner_text(window) is None


def test_altered_event_shows_the_red_banner_naming_it(  # type: ignore[no-untyped-def]
    make_window, ui_workspace: Workspace, tmp_path: Path
) -> None:
    ui_workspace.imports.import_sample()
    ui_workspace.dnc.add("212-555-0199")
    # An attacker edits the newest event (not yet verified) with plain sqlite3, triggers dropped.
    connection = sqlite3.connect(tmp_path / "t.db")
    connection.executescript(
        "DROP TRIGGER events_append_only;"
        "UPDATE events SET payload = replace(payload, '0199', '0198') WHERE kind = 'dnc_add';"
    )
    connection.close()
    window = make_window()
    text = banner_text(window)
    assert text is not None and "event seq 2 " in text and "altered" in text
