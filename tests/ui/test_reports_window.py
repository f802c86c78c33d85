"""The Reports window on a seeded database: the figures a supervisor sees, charts, exports, merging."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.services.clock import ManualClock
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace, open_workspace
from tests.conftest import require_tool
from tests.services.test_reports_seed import FIRST, LAST, NOW, seed_known_answers

pytestmark = pytest.mark.gui


@pytest.fixture
def seeded(ui_workspace: Workspace, ui_clock: ManualClock) -> Workspace:
    seed_known_answers(ui_workspace)
    ui_clock.set(NOW)
    return ui_workspace


@pytest.fixture
def reports(qtbot, seeded: Workspace):  # type: ignore[no-untyped-def]
    from desktop.ui.app import make_application
    from desktop.ui.reports.window import ReportsWindow

    make_application([])
    window = ReportsWindow(seeded)
    qtbot.addWidget(window)
    window.show()
    window.set_period(FIRST, LAST)
    window.zone_combo.setCurrentText("UTC")
    yield window
    window.close()


def show(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.task is None and window.report is not None, timeout=20_000)


def figures(window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {key: label.text() for key, label in window.figure_values.items()}


def test_the_window_shows_the_figures(qtbot, reports) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, reports)
    shown = figures(reports)
    assert shown["dials"] == "11"
    assert shown["blocked_dials"] == "2"
    assert shown["connects"] == "3"
    assert shown["contact_rate"] == "27.3%"
    assert shown["conversations"] == "2"
    assert shown["meetings"] == "1"
    assert shown["meeting_rate"] == "9.1%"
    assert shown["meeting_rate_per_contact"] == "33.3%"
    assert shown["avg_attempts_to_contact"] == "2.0"
    assert shown["reached_4_share"] == "25.0%" and shown["reached_18_share"] == "0.0%"
    assert shown["talk_time_s"] == "0 h 07 min"  # 435 s
    assert (shown["callbacks_kept"], shown["callbacks_missed"]) == ("1", "2")
    assert "11 dials" in reports.status_label.text()

    by_agent = reports.table_models["by-agent"]
    assert by_agent.rowCount() == 2
    assert [by_agent.data(by_agent.index(0, c)) for c in range(4)] == ["Ann", "8", "1", "1"]
    assert by_agent.headerData(4, Qt.Orientation.Horizontal) == "contact rate"
    blocked = reports.table_models["blocked"]
    assert [blocked.value(r, 0) for r in range(blocked.rowCount())] == ["calling_hours", "dnc_internal"]
    assert set(reports.chart_views) == {"outcomes", "per_day", "local_hour", "attempts", "scripts"}
    assert reports.chart_views["outcomes"].chart().series()[0].count() == 6  # outcomes that happened
    # Two columns of equal width, whatever each chart's legend asks for.
    grid = reports.charts_grid
    assert grid.columnStretch(0) == grid.columnStretch(1) > 0


def test_filters_change_the_figures(qtbot, reports) -> None:  # type: ignore[no-untyped-def]
    assert reports.agent_combo.itemText(0) == "All agents"
    reports.agent_combo.setCurrentIndex(reports.agent_combo.findData("Bob"))
    show(qtbot, reports)
    assert figures(reports)["dials"] == "3" and figures(reports)["meetings"] == "1"
    reports.agent_combo.setCurrentIndex(0)
    reports.list_combo.setCurrentIndex(reports.list_combo.findData("Web"))
    reports.zone_combo.setCurrentText("America/New_York")
    reports.report = None
    show(qtbot, reports)
    assert figures(reports)["dials"] == "8"  # a6 a7 a8 a8b a8c a8d a9, and a11 (the 3rd in New York)


def test_exports_run_off_the_gui_thread(qtbot, reports, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, reports)
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    actions = reports.report_actions
    actions.export_csv(tmp_path / "calls.csv")
    qtbot.waitUntil(lambda: actions.task is None, timeout=20_000)
    assert {p.name for p in tmp_path.iterdir()} == {"calls.csv", "calls-by-day.csv", "calls-by-agent.csv"}
    assert "Wrote calls.csv" in reports.status_label.text()
    actions.export_xlsx(tmp_path / "report.xlsx")
    qtbot.waitUntil(lambda: actions.task is None, timeout=20_000)
    assert (tmp_path / "report.xlsx").stat().st_size > 0
    actions.export_pdf(tmp_path / "report.pdf", reports.report)
    qtbot.waitUntil(lambda: actions.task is None, timeout=20_000)
    assert "pages to report.pdf" in reports.status_label.text()
    pdftotext = require_tool("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Calling report" in text and "Period: 2026-03-02 to 2026-03-03" in text


def test_merge_from_the_window(
    qtbot, reports, seeded: Workspace, ui_clock: ManualClock, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    colleague = open_workspace(str(tmp_path / "eve.db"), clock=ui_clock)
    try:
        colleague.save_settings(Settings(agent_name="Eve"))
        colleague.dnc.add("(646) 555-0131", reason="asked")
    finally:
        colleague.close()
    merged: list[object] = []
    reports.merged.connect(merged.append)
    reports.report_actions.merge(tmp_path / "eve.db")
    qtbot.waitUntil(lambda: bool(merged) and reports.task is None, timeout=20_000)
    assert merged[0].dnc_added == 1  # type: ignore[attr-defined]
    assert seeded.dnc.is_listed("+16465550131")
    assert reports.agent_combo.findData("Eve") >= 0  # agents are re-read after a merge


def test_reports_opens_from_the_main_window(qtbot, make_window, seeded: Workspace) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    assert "Reports" in [action.text().replace("&", "") for action in window.menuBar().actions()]
    window.reports_action.trigger()
    reports = window.reports_window
    qtbot.waitUntil(lambda: reports is not None and reports.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: reports.task is None and reports.report is not None, timeout=20_000)
    # The default period: the week ending on the last day with calls (2026-03-04).
    assert reports.report.filter.last_day == date(2026, 3, 4)
    window.reports_action.trigger()
    assert window.reports_window is reports  # one window, raised again


def merge_dialog(qtbot, reports, old: str, new: str):  # type: ignore[no-untyped-def]
    """File → Merge two agents…, with `old` and `new` picked; returns the open dialog."""
    reports.merge_agents_action.trigger()
    dialog = reports.merge_agents_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.old_combo.setCurrentIndex(dialog.old_combo.findData(old))
    dialog.new_combo.setCurrentIndex(dialog.new_combo.findData(new))
    return dialog


def agents_merges(workspace: Workspace) -> list[str]:
    with workspace.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT detail FROM audit_events WHERE action = 'agents_merge'")
        return [str(detail) for (detail,) in rows]


def test_a_supervisor_merges_two_agents_from_the_window(qtbot, reports, seeded: Workspace) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    show(qtbot, reports)
    assert reports.table_models["by-agent"].rowCount() == 2  # Ann and Bob
    dialog = merge_dialog(qtbot, reports, "Ann", "Ann")
    assert not dialog.merge_button.isEnabled()  # a name is never merged into itself
    dialog.new_combo.setCurrentIndex(dialog.new_combo.findData("Bob"))
    assert dialog.merge_button.isEnabled()

    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and "Ann" in box.text() and "Bob" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert agents_merges(seeded) == [] and dialog.isVisible()  # not confirmed: nothing merged

    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    [merge] = agents_merges(seeded)  # the same audited service call as `report agents merge`
    assert '"old": "Ann"' in merge and '"new": "Bob"' in merge
    qtbot.waitUntil(lambda: reports.task is None, timeout=20_000)
    assert "Ann" in reports.statusBar().currentMessage() and "Bob" in reports.statusBar().currentMessage()
    assert reports.agent_combo.findData("Ann") < 0 and reports.agent_combo.findData("Bob") >= 0
    by_agent = reports.table_models["by-agent"]
    assert by_agent.rowCount() == 1
    assert [by_agent.data(by_agent.index(0, c)) for c in range(2)] == ["Bob", "11"]


def test_a_merge_the_service_refuses_is_shown_in_the_dialog(qtbot, reports, seeded: Workspace) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from desktop.services.agents import merge_agents

    dialog = merge_dialog(qtbot, reports, "Ann", "Bob")
    merge_agents(seeded.uow, seeded.clock, "Ann", "Bob")  # meanwhile, from the command line
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "already counted as 'Bob'" in dialog.error_label.text()
    assert len(agents_merges(seeded)) == 1


def time_headers(window) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Per tab, the headers of its columns of dates or times."""
    found = {}
    for key, model in window.table_models.items():
        columns = {
            column
            for column in range(model.columnCount())
            for row in range(model.rowCount())
            if isinstance(model.value(row, column), date)  # datetimes are dates too
        }
        found[key] = [model.headerData(column, Qt.Orientation.Horizontal) for column in sorted(columns)]
    return found


def test_every_date_column_says_whose_time_it_is(qtbot, reports, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, reports)
    headers = time_headers(reports)
    assert headers["by-day"] == ["date (UTC)"]
    assert all(header.endswith("(UTC)") for shown in headers.values() for header in shown)
    # The broker's own zone is "your time".
    monkeypatch.setenv("TZ", "America/Chicago")
    reports.zone_combo.setCurrentText("America/Chicago")
    reports.report = None
    show(qtbot, reports)
    headers = time_headers(reports)
    assert headers["by-day"] == ["date (your time)"]
    assert all(header.endswith("(your time)") for shown in headers.values() for header in shown)
    # Other columns keep their names.
    assert reports.table_models["by-day"].headerData(1, Qt.Orientation.Horizontal) == "dials"
