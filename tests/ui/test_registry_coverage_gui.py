"""Registry coverage in the window: the status bar and the registry page name the area codes, the
oldest copy and the area codes that go stale next; the page imports with "Also covers" area codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt

from desktop.ui.compliance.dnc_page import TAB_REGISTRIES
from desktop.ui.compliance.registry_import import REG_AREAS, REG_AS_OF
from desktop.ui.compliance.registry_status import STALE

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # the GUI tests' moment


def registry_file(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="ascii")
    return path


def test_status_bar_and_page_show_coverage(qtbot, ui_workspace, make_window, tmp_path):  # type: ignore[no-untyped-def]
    ui_workspace.imports.import_sample()
    registry = ui_workspace.registry_service
    registry.import_file(
        registry_file(tmp_path / "646.txt", ["646,5550101"]), "national", as_of=date(2026, 10, 20)
    )
    registry.import_file(
        registry_file(tmp_path / "212.txt", ["212,5550101"]), "national", as_of=date(2026, 11, 28)
    )
    window = make_window()
    label = window.registry_label
    # The copy is as old as its oldest area code: 646 is 42 days old, so residential calls there stop.
    assert label.text() == "National DNC: 42 days old" and label.level == STALE
    tooltip = label.toolTip()
    assert "2 area codes (212, 646)" in tooltip and "stale: 646" in tooltip
    assert "stale next: 212 on 2026-12-30" in tooltip and "never downloaded are blocked" in tooltip

    page = window.compliance.open_dnc_page()
    qtbot.waitUntil(page.isVisible)
    page.tabs.setCurrentIndex(TAB_REGISTRIES)
    tab = page.registries
    [row] = tab.registry_rows()
    assert row[REG_AS_OF] == "2026-10-20"
    assert row[REG_AREAS] == "2 area codes (212, 646) · stale: 646 · stale next: 212 on 2026-12-30"

    # Import 646 again through the page, naming 718 (no registered number) as covered too.
    tab.file_edit.setText(str(registry_file(tmp_path / "646b.txt", ["646,5550101"])))
    tab.as_of_edit.setDate(QDate(2026, 12, 1))
    tab.area_codes_edit.setText("718")
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None and tab.result_label.isVisible(), timeout=10_000)
    assert "Area codes as of 2026-12-01: 646, 718." in tab.result_label.text()
    [row] = tab.registry_rows()
    assert row[REG_AS_OF] == "2026-11-28"
    assert row[REG_AREAS] == "3 area codes (212, 646, 718) · stale next: 212 on 2026-12-30"
    assert window.registry_label.text() == "National DNC: 3 days old"

    tab.area_codes_edit.setText("12")
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    assert tab.result_label.text().startswith("Also covers: area code '12' is not three digits")
    page.close()
