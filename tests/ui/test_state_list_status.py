"""The registry page and the status bar judge a state list by its own age rule, as one statewide list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from desktop.services.workspace import Workspace
from desktop.ui.compliance.registry_status import AGEING, FRESH, STALE, coverage_text, status_level
from tests.ui.conftest import GUI_MOMENT

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(("age", "level"), [(60, FRESH), (88, AGEING), (93, STALE)])
def test_a_quarterly_state_list_ages_by_its_own_rule(
    ui_workspace: Workspace, tmp_path: Path, age: int, level: str
) -> None:
    path = tmp_path / "tx.txt"
    path.write_text("512,5550101\n214,5550102\n", encoding="ascii")
    as_of = GUI_MOMENT.date() - timedelta(days=age)
    ui_workspace.registry_service.import_file(path, "state:TX", as_of=as_of)
    [status] = ui_workspace.registry_service.status()
    rules = ui_workspace.rulebook
    # Texas publishes quarterly: 92 days, warned as many days ahead as the national 31 (from 86).
    assert status_level(status, rules.registry_warn_days, rules.registry_max_age_days) == level
    text = coverage_text(status)
    assert text.startswith("statewide list") and "area code" not in text
    if level != STALE:
        assert text == f"statewide list · stale on {as_of + timedelta(days=93)}"
