"""The window at start, with the team server away: it says so in one line and offers the local copy
`team checkout` wrote; the agent works on that copy, or cancels and nothing opens."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text

from desktop.cli import open_for
from desktop.services.clock import ManualClock
from desktop.services.team_checkout import offline_copy_path
from desktop.services.workspace import ServerUnreachable, open_workspace
from tests.team.tcp_server import free_port
from tests.team.team_support import business_list


def window_args() -> argparse.Namespace:
    """What `dialdesk --db URL` (no command: the window) parses to, on a server nobody listens on."""
    return argparse.Namespace(db=f"postgresql+psycopg://ann@127.0.0.1:{free_port()}/team", command=None)


def answer_with(button: QMessageBox.StandardButton, seen: list[str]) -> Callable[[], None]:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        box.button(button).click()

    return answer


@pytest.fixture
def offline_copy(tmp_path: Path, ui_clock: ManualClock) -> Path:
    path = offline_copy_path()
    workspace = open_workspace(str(path), clock=ui_clock)
    try:
        workspace.imports.run(business_list(tmp_path / "mine.csv", 2))
    finally:
        workspace.close()
    return path


def test_the_window_offers_the_local_copy_when_the_server_is_away(qtbot, offline_copy: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    QTimer.singleShot(0, answer_with(QMessageBox.StandardButton.Open, seen))
    workspace = open_for(window_args())
    try:
        assert workspace.describe() == str(offline_copy)
        with workspace.engine.connect() as connection:  # the agent's leads, ready to work
            assert connection.execute(text("SELECT count(*) FROM leads")).scalar() == 2
    finally:
        workspace.close()
    assert len(seen) == 1 and "cannot be reached" in seen[0] and str(offline_copy) in seen[0]
    assert "Traceback" not in seen[0]


def test_cancel_opens_nothing_and_without_a_copy_nothing_is_asked(qtbot, offline_copy: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    QTimer.singleShot(0, answer_with(QMessageBox.StandardButton.Cancel, seen))
    with pytest.raises(ServerUnreachable, match="cannot be reached"):
        open_for(window_args())
    assert len(seen) == 1
    offline_copy.unlink()
    with pytest.raises(ServerUnreachable, match="team checkout"):
        open_for(window_args())  # no box: there is no copy to offer
    assert len(seen) == 1
    command = window_args()
    command.command = "queue"
    with pytest.raises(ServerUnreachable):  # a command says it in one line; it never asks
        open_for(command)


def test_a_server_lost_while_the_window_is_open_is_one_line_not_a_report(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The server goes away under the window (a real libpq failure): the error dialog says so in one
    line, with what to do, instead of "something went wrong" and a traceback to copy."""
    import psycopg
    from PySide6.QtWidgets import QWidget

    from desktop.ui.common.error_dialog import ErrorHandler

    url = window_args().db
    port = url.rsplit(":", 1)[1].split("/")[0]
    with pytest.raises(psycopg.OperationalError) as lost:
        psycopg.connect(host="127.0.0.1", port=int(port), user="ann", dbname="team", connect_timeout=5)
    parent = QWidget()
    qtbot.addWidget(parent)
    handler = ErrorHandler(parent, url)
    handler.on_error_raised(lost.value)
    assert handler.dialog is not None
    shown = handler.dialog.summary_label.text()
    assert "cannot be reached" in shown and "team checkout" in shown and "Traceback" not in shown
    assert handler.dialog.report_edit.isHidden()
