"""The window's side of data safety: File → Back up now…, Restore from backup…, Check database and
Help → Open log folder; the daily backup off the GUI thread; an error dialog (copyable report, no
personal data) that never closes the window during a call; a clear dialog for a busy database; and
one window per database, which takes click-to-call links from later starts."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.services.backup import BackupService
from desktop.services.clock import ManualClock
from desktop.services.instance import server_name
from desktop.services.workspace import Workspace, open_workspace
from desktop.ui.calling.session import ON_CALL
from desktop.ui.main_window import MainWindow
from tests.hardening.conftest import PYTHON, REPO, SAMPLE, query
from tests.ui.test_calling_flow import answer_stray_question

pytestmark = pytest.mark.gui
MOMENT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 12:00 in New York


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user data and log folders of this test (backups and logs go there, not to $HOME)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


@pytest.fixture
def workspace(tmp_path: Path, private_home: Path) -> Iterator[Workspace]:
    ws = open_workspace(str(tmp_path / "window.db"), clock=ManualClock(MOMENT))
    ws.imports.run(SAMPLE, list_name="Sample", region="US")
    yield ws
    ws.close()


@pytest.fixture
def window(qtbot, workspace: Workspace) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    from desktop.ui.app import make_application

    make_application([])
    main = MainWindow(workspace)
    qtbot.addWidget(main)
    main.resize(1440, 900)
    main.show()
    main.activateWindow()
    qtbot.waitActive(main)
    qtbot.waitUntil(lambda: not main.startup_pending)  # the queue list is read after the first show
    yield main
    main.close()


def menu_texts(window: MainWindow, title: str) -> list[str]:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            return [item.text().replace("&", "") for item in action.menu().actions() if item.text()]
    raise AssertionError(f"no {title} menu")


def trigger(window: MainWindow, title: str, text: str) -> None:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            for item in action.menu().actions():
                if item.text().replace("&", "") == text:
                    item.trigger()
                    return
    raise AssertionError(f"no {title} → {text}")


def test_menus_offer_backup_restore_check_and_the_log_folder(
    window: MainWindow, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop.ui.common.log_folder_dialog as log_folder_dialog

    assert {"Back up now…", "Restore from backup…", "Check database"} <= set(menu_texts(window, "File"))
    assert "Open log folder" in menu_texts(window, "Help")
    opened: list[str] = []
    monkeypatch.setattr(
        log_folder_dialog.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile())
    )
    trigger(window, "Help", "Open log folder")
    assert opened == [str(private_home / "state" / "dialdesk" / "log")]


def test_check_and_back_up_from_the_file_menu(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actions = window.data_actions
    with qtbot.waitSignal(actions.checked, timeout=20000) as checked:
        trigger(window, "File", "Check database")
    assert checked.args[0].ok
    assert actions.message_box is not None and actions.message_box.text().startswith("OK: ")

    target = tmp_path / "menu-backup.db"
    actions.ask_save_path = lambda suggested: str(target)  # type: ignore[method-assign]
    with qtbot.waitSignal(actions.backupSaved, timeout=20000):
        trigger(window, "File", "Back up now…")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert query(target, "SELECT count(*) FROM leads") == [(window.leads.count(),)]
    assert "backed up to" in actions.message_box.text()


def test_restore_from_the_file_menu_asks_then_reloads_the_window(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    backup = tmp_path / "before.db"
    BackupService(window.workspace.url, tmp_path / "backups").backup_to(backup)
    window.show_lead(1)
    qtbot.keyClick(window, Qt.Key.Key_1)  # an outcome that the restore will take back
    answer_stray_question(qtbot, window, Qt.Key.Key_Return)  # no call placed here: it asks first
    assert window.leads.card(1).attempts == 1
    actions = window.data_actions

    window.show_lead(3)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL
    actions.ask_open_path = lambda: str(backup)  # type: ignore[method-assign]
    trigger(window, "File", "Restore from backup…")
    assert actions.confirm_box is None and "A call is in progress" in actions.message_box.text()
    actions.message_box.done(0)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert not window.session.live

    trigger(window, "File", "Restore from backup…")
    qtbot.waitUntil(
        lambda: actions.confirm_box is not None and actions.confirm_box.isVisible(), timeout=20000
    )
    assert "before.db" in actions.confirm_box.text()
    with qtbot.waitSignal(actions.restored, timeout=20000) as restored:
        actions.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    assert restored.args[0].kept_copy is not None
    assert window.leads.card(1).attempts == 0
    assert window.current_card is not None
    assert "Restored" in actions.message_box.text()


def test_daily_backup_at_start_runs_off_the_gui_thread(qtbot, window: MainWindow, private_home: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.app import WindowGuards

    threads: list[bool] = []
    service = window.data_actions.service
    original = service.take_daily_backup

    def spy():  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread() is threading.main_thread())
        return original()

    service.take_daily_backup = spy  # type: ignore[method-assign]
    with qtbot.waitSignal(window.data_actions.dailyBackupFinished, timeout=20000) as finished:
        guards = WindowGuards(window, window.workspace, daily_backup=True)
    guards.stop()
    assert threads == [False]
    backup = finished.args[0]
    assert backup.path.parent == private_home / "data" / "dialdesk" / "backups"
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert "Daily backup saved" in window.statusBar().currentMessage()
    # The next start the same day takes none.
    assert not service.daily_backup_due()


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_error_shows_a_report_and_the_call_goes_on(qtbot, window: MainWindow, caplog) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.common.error_dialog import ErrorHandler

    handler = ErrorHandler(window, window.workspace.describe()).install()
    try:
        window.show_lead(1)
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert window.session.live

        def broken_slot() -> None:
            name, number, email = (
                "Maria " + "Lopez",
                "+1212" + "5550134",
                "maria" + "@" + "lopezdental.example",
            )
            raise RuntimeError(f"could not show {name!r} at {number} ({email})")

        with caplog.at_level(logging.ERROR):
            QTimer.singleShot(0, broken_slot)
            qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible(), timeout=10000)
        report = handler.dialog.report_text()
        assert "RuntimeError" in report and "Dialdesk 0.1.0" in report and "Python" in report
        assert "Maria" not in report and "5550134" not in report and "lopezdental" not in report
        assert "unexpected error in the window" in caplog.text
        # The window and the call are still there; the outcome is recorded as always.
        assert window.isVisible() and window.session.live
        handler.dialog.copy_button.click()
        from PySide6.QtGui import QGuiApplication

        assert "RuntimeError" in QGuiApplication.clipboard().text()
        handler.dialog.close()  # read, copied, closed: back to the call
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        qtbot.keyClick(window, Qt.Key.Key_1)
        assert window.leads.card(1).attempts == 1
    finally:
        handler.uninstall()


@pytest.mark.qt_no_exception_capture
def test_a_busy_database_in_the_window_is_a_clear_dialog(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from desktop.ui.common.error_dialog import ErrorHandler

    engine = window.workspace.engine
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=200"))
    engine.dispose()
    handler = ErrorHandler(window, window.workspace.describe()).install()
    writer = sqlite3.connect(window.workspace.describe(), isolation_level=None)
    try:
        window.show_lead(1)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE leads SET notes = 'a colleague' WHERE id = 2")
        qtbot.keyClick(window, Qt.Key.Key_1)
        answer_stray_question(qtbot, window, Qt.Key.Key_Return)  # no call placed here: it asks first
        qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible(), timeout=10000)
        text = handler.dialog.summary_label.text()
        assert "busy (another Dialdesk window or program is writing)" in text
        assert not handler.dialog.report_edit.isVisible()
        writer.execute("ROLLBACK")
        assert window.isVisible() and window.current_card is not None and window.current_card.id == 1
        qtbot.keyClick(window, Qt.Key.Key_1)  # the same key again, now that the database is free
        answer_stray_question(qtbot, window, Qt.Key.Key_Return)
        assert window.leads.card(1).attempts == 1
    finally:
        writer.close()
        handler.uninstall()


def test_a_second_start_hands_its_link_to_the_running_window(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.single_instance import InstanceServer, attach

    server = InstanceServer(server_name(window.workspace.url))
    assert server.listen()
    links = attach(window, server, None)
    window.show_lead(4)
    calls_before = query(Path(window.workspace.describe()), "SELECT count(*) FROM attempts")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "DIALDESK_DB": ""}
    env["XDG_STATE_HOME"] = str(tmp_path / "second-state")
    second = subprocess.Popen(
        [PYTHON, "-m", "desktop", "--db", window.workspace.describe(), "tel:+1-212-555-0134"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with qtbot.waitSignal(links.handled, timeout=30000) as handled:
            pass
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=30000)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, second.stderr.read() if second.stderr else ""
    target = handled.args[0]
    assert (target.lead_id, target.e164) == (1, "+12125550134")
    assert window.current_card is not None and window.current_card.id == 1
    assert window.dial_bar.selected_phone_id() == target.phone_id
    # Nothing was dialled: no new gate decision, no call; the user presses Call.
    assert query(Path(window.workspace.describe()), "SELECT count(*) FROM attempts") == calls_before
    assert window.dial_bar.state != ON_CALL

    unknown = links.open_link("callto://+1 (646) 555-0199")
    assert unknown.lead_id is None and unknown.e164 == "+16465550199"
    assert "+1 646-555-0199" in window.dial_bar.banner_text
    sip = links.open_link("sip:+14155550101@pbx.example.com;user=phone")
    assert sip.lead_id == 3 and window.current_card.id == 3
    bad = links.open_link("tel:not-a-number")
    assert bad.problem is not None and "no number" in window.dial_bar.banner_text
    server.close()


def test_a_window_that_cannot_open_says_why_in_a_message_box(
    qtbot, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from desktop.cli import main

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(os.urandom(20_000))
    assert main(["--db", str(damaged)]) == 2  # no command: the window
    assert "dialdesk db restore" in capsys.readouterr().err
    assert len(shown) == 1 and str(damaged) in shown[0] and "damaged" in shown[0]
