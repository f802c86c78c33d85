"""The import dialog: guessed mapping preview, import off the GUI thread, summary with rejected rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.ui.data.import_dialog import PAGE_FAILED, PAGE_PREVIEW, PAGE_PROGRESS, PAGE_RESULT

pytestmark = pytest.mark.gui

CALL_LIST = """Contact,Firm,Telephone,Comments,Shoe size,Type
Ada Park,Park Optics,(212) 555-0170,"met at fair
wants a call in spring",41,business
Ben Ortiz,Ortiz Tiles,555-0100,,44,business
Cleo Young,Young Legal,call me maybe,prefers email,38,business
Dan Reyes,Reyes Bakery,(646) 555-0131,,43,business
"""


def test_preview_guesses_the_mapping_and_import_reports_rejections(qtbot, make_window, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "fair-leads.csv"
    path.write_text(CALL_LIST, encoding="utf-8")
    window = make_window()

    dialog = window.file_actions.open_import_dialog(str(path))
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.pages.currentIndex() == PAGE_PREVIEW
    assert [combo.currentData() for combo in dialog.mapping_combos] == [
        "full_name",
        "company",
        "phone",
        "notes",
        "",
        "kind",
    ]
    assert [combo.currentText() for combo in dialog.mapping_combos][:3] == ["Full name", "Company", "Phone"]
    assert dialog.preview_table.item(1, 0).text() == "Ada Park"
    assert dialog.list_name_edit.text() == "fair-leads"
    assert dialog.region_edit.text() == "US"
    assert dialog.import_button.isEnabled()
    assert "CSV" in dialog.format_label.text()

    # Unmapping the phone column is caught before anything is written.
    phone_combo = dialog.mapping_combos[2]
    phone_combo.setCurrentIndex(phone_combo.findData(""))
    assert not dialog.import_button.isEnabled()
    assert "Phone" in dialog.problems_label.text()
    phone_combo.setCurrentIndex(phone_combo.findData("phone"))
    assert dialog.import_button.isEnabled()

    dialog.list_name_edit.setText("Trade fair")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_RESULT, timeout=10_000)

    assert dialog.summary_label.text() == "Imported 4 leads into “Trade fair”"
    assert "4 rows read" in dialog.summary_details.text()
    assert "2 values rejected" in dialog.summary_details.text()
    rows = dialog.rejected_rows()
    assert rows == [
        # Rows as a spreadsheet shows them (Ada's two-line note is one row), and the file's lines.
        ("row 3 (line 4)", "Telephone", "555-0100", "local number without an area code"),
        ("row 4 (line 5)", "Telephone", "call me maybe", "not a phone number (no digits)"),
    ]
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.file_actions.import_dialog is None)

    # The window moved from the welcome page to the first lead of the new list.
    assert window.lead_panel.name_label.text() == "Ada Park"
    assert window.queue_panel.counts_label.text().startswith("2 leads")
    assert "Imported 4 leads into “Trade fair”" in window.statusBar().currentMessage()


def test_a_file_that_cannot_be_imported_says_why(qtbot, make_window, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    window = make_window()
    dialog = window.file_actions.open_import_dialog(str(path))
    assert dialog.pages.currentIndex() == PAGE_FAILED
    assert dialog.failure_label.text()
    assert window.leads.count() == 0


def test_cancel_rolls_the_import_back(qtbot, make_window, tmp_path: Path):  # type: ignore[no-untyped-def]
    lines = ["Name,Phone"] + [f"Person {n},(212) 3{n // 10000:02d}-{n % 10000:04d}" for n in range(20_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    window = make_window()
    dialog = window.file_actions.open_import_dialog(str(path))

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == PAGE_PROGRESS
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_PREVIEW, timeout=20_000)
    assert dialog.note_label.text() == "Import cancelled: nothing was imported."
    assert window.leads.count() == 0
