"""The CRM record id in the window: on the lead card, and File → Export outcomes in Reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.crm_export import SALESFORCE_TASK_COLUMNS
from tests.services.test_crm_external_id import FIRST


@pytest.mark.gui
def test_the_card_and_the_reports_window(qtbot, make_window, ui_workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The record id is on the lead card; File → Export outcomes writes the CRM tasks."""
    path = tmp_path / "crm.csv"
    path.write_text(FIRST, encoding="utf-8")
    ui_workspace.imports.run(path, list_name="CRM")
    window = make_window()
    maria = next(r["id"] for r in ui_workspace.leads.export_records() if r["first_name"] == "Maria")
    window.show_lead(maria)
    card_text = window.lead_panel.contact_label.text
    qtbot.waitUntil(lambda: "CRM id: 0035g00000AbCdE" in card_text(), timeout=5_000)
    assert window.lead_panel.contact_label.isVisible()

    from desktop.ui.reports.window import ReportsWindow

    reports = ReportsWindow(ui_workspace)
    qtbot.addWidget(reports)
    assert reports.export_outcomes_action.text().replace("&", "").startswith("Export outcomes for the CRM")
    out = tmp_path / "tasks.csv"
    reports.report_actions.export_outcomes(out)
    qtbot.waitUntil(lambda: reports.report_actions.task is None, timeout=20_000)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(SALESFORCE_TASK_COLUMNS)
    assert "calls as CRM tasks" in reports.status_label.text()
    reports.close()
