"""Tools → Check the list names who would be skipped and why (lead, number, reason code and words),
and exports exactly those leads as CSV."""

from __future__ import annotations

import csv
import stat

from PySide6.QtCore import Qt

from desktop.services.leads import display_number


def open_check(qtbot, window):  # type: ignore[no-untyped-def]
    window.compliance.on_check_triggered()
    dialog = window.compliance.scrub_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    return dialog


def shown_rows(dialog) -> list[list[str]]:  # type: ignore[no-untyped-def]
    model = dialog.skipped_view.model()
    return [[str(model.index(row, column).data()) for column in range(4)] for row in range(model.rowCount())]


def test_the_check_lists_each_skipped_lead_with_its_reason(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    dialog = open_check(qtbot, window)
    expected = [row for row in window.workspace.scrub.rows() if not row.decision.allowed]
    assert len(expected) == dialog.report.skipped >= 5
    rows = shown_rows(dialog)
    assert dialog.skipped_view.isVisible()
    assert [(name, number) for name, number, _code, _why in rows] == [
        (row.name, display_number(row.number, row.number) if row.number else "(no number)")
        for row in expected
    ]
    for (_name, _number, code, why), row in zip(rows, expected, strict=True):
        assert code == " ".join(row.decision.codes) and code
        assert why == "; ".join(reason.detail for reason in row.decision.reasons) and why
    assert "James O'Neil" in [name for name, *_rest in rows]  # residential, no registry copy
    assert "Maria Lopez" not in [name for name, *_rest in rows]  # callable now

    target = tmp_path / "skipped.csv"
    dialog.ask_export_path = lambda: str(target)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with target.open(newline="", encoding="utf-8") as stream:
        records = list(csv.DictReader(stream))
    assert [int(record["lead_id"]) for record in records] == [row.lead_id for row in expected]
    assert all(record["allowed"] == "no" and record["reason_codes"] for record in records)
    assert dialog.export_label.text() == f"{len(expected)} leads written to {target}"
    dialog.close()


def test_nothing_to_list_when_every_lead_may_be_called(qtbot, make_window, ui_workspace, tmp_path):  # type: ignore[no-untyped-def]
    listing = tmp_path / "callable.csv"
    listing.write_text("First Name,Last Name,Phone,Type\nAda,Park,(212) 555-0150,business\n")
    ui_workspace.imports.run(listing, region="US")
    window = make_window()
    dialog = open_check(qtbot, window)
    assert dialog.report.skipped == 0
    assert shown_rows(dialog) == []
    assert not dialog.skipped_view.isVisible() and not dialog.export_button.isEnabled()
    dialog.close()


def test_at_1366_by_768_ten_leads_show_and_every_reason_can_be_read_whole(qtbot, window):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from desktop.ui.compliance.skipped_leads import COL_REASON

    dialog = open_check(qtbot, window)
    screen = QRect(0, 0, 1366, 768)
    dialog.fit_to_screen(screen)
    QApplication.processEvents()
    assert screen.contains(dialog.geometry()) and dialog.width() >= 0.75 * screen.width()
    view = dialog.skipped_view
    model = view.model()
    assert model.rowCount() >= 10
    viewport = view.viewport().height()
    shown = [
        row
        for row in range(model.rowCount())
        if 0 <= view.rowViewportPosition(row) <= viewport - view.rowHeight(row)
    ]
    assert len(shown) >= 10, (viewport, view.rowHeight(0))
    # Every reason is the tooltip of its cell and, for the selected lead, a wrapped line shown whole.
    longest = max(range(model.rowCount()), key=lambda row: len(model.index(row, COL_REASON).data()))
    for row in (0, longest):
        why = model.index(row, COL_REASON).data()
        assert model.index(row, COL_REASON).data(Qt.ItemDataRole.ToolTipRole) == why
        view.setCurrentIndex(model.index(row, 0))
        QApplication.processEvents()
        label = dialog.reason_label
        assert label.isVisible() and label.wordWrap() and why in label.text()
        assert label.height() >= label.heightForWidth(label.width())
        assert view.viewport().height() >= 10 * view.rowHeight(0)
    dialog.close()
