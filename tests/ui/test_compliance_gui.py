"""The compliance gate in the window: the do-not-call page, registry imports and their age in the
status bar, consent on the lead card, checking the list, and why the queue holds a lead back.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from desktop.storage.models import AuditEvent
from desktop.ui.calling.session import IDLE, ON_CALL
from desktop.ui.common import style
from desktop.ui.compliance.dnc_page import TAB_REGISTRIES
from desktop.ui.compliance.registry_status import AGEING, FRESH, MISSING, STALE
from desktop.ui.queue.model import COL_NAME, DetailRole

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
SHARED_SAMPLE = REPO.parent / "shared" / "data" / "dnc-national-sample.txt"
REGISTRY_SAMPLE = (
    SHARED_SAMPLE if SHARED_SAMPLE.exists() else REPO / "tests" / "fixtures" / "dnc-national-sample.txt"
)
IMPORTED_AT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # GUI_MOMENT, when the tests start
TODAY = IMPORTED_AT.date()


def lead_id(window, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(row.lead_id for row in window.leads.queue_page(0, 100) if row.name == name)


def activate(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Give the keys back to the main window (a non-modal page had them)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def choose_number(window, digits: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the number containing `digits` in the dial bar, as the agent does with the combo box."""
    combo = window.dial_bar.number_combo
    index = next(i for i in range(combo.count()) if digits in combo.itemText(i).replace("-", ""))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def open_page(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    page = window.compliance.dnc_page
    assert page is not None
    qtbot.waitUntil(page.isVisible)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    return page


def test_internal_number_added_in_the_page_is_refused_then_allowed_once_removed(  # type: ignore[no-untyped-def]
    qtbot, window, monkeypatch
):
    assert window.lead_panel.name_label.text() == "Maria Lopez"
    page = open_page(qtbot, window)
    assert page.internal.internal_numbers() == []
    assert page.internal.empty_label.text() == "The internal list is empty."

    # A number the gate could not read is refused with the reason, and nothing is added.
    qtbot.keyClicks(page.internal.number_edit, "555-0100")
    qtbot.mouseClick(page.internal.add_button, Qt.MouseButton.LeftButton)
    assert (
        "Not added" in page.internal.add_message.text()
        and "without an area code" in page.internal.add_message.text()
    )
    assert page.internal.internal_numbers() == []

    page.internal.number_edit.clear()
    qtbot.keyClicks(page.internal.number_edit, "(212) 555-0134")
    qtbot.keyClicks(page.internal.reason_edit, "asked on the phone")
    qtbot.keyClick(page.internal.reason_edit, Qt.Key.Key_Return)
    assert page.internal.internal_numbers() == ["+12125550134"]
    assert page.internal.add_message.text().startswith("+1 212-555-0134 is on the do-not-call list")
    assert page.internal.internal_table.item(0, 1).text() == "asked on the phone"
    assert page.internal.internal_count_label.text() == "1 number on the list"
    # The card on screen is re-read at once: the number is marked and the preview warns.
    assert "on the do-not-call list" in window.lead_panel.phones_label.text()
    assert "internal do-not-call list" in window.lead_panel.gate_label.text()

    page.close()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == IDLE
    assert window.dial_bar.banner_text.startswith("Blocked:")
    assert "internal do-not-call list" in window.dial_bar.banner_text

    page = open_page(qtbot, window)
    qtbot.keyClicks(page.internal.search_edit, "0134")
    page.internal.refresh_internal()  # what the search box does after a pause in typing
    assert page.internal.internal_numbers() == ["+12125550134"]
    assert not page.internal.remove_button.isEnabled()
    page.internal.internal_table.selectRow(0)
    asked: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.compliance.dnc_internal.confirm_removal",
        lambda parent, number: asked.append(number) is None and False,
    )
    qtbot.mouseClick(page.internal.remove_button, Qt.MouseButton.LeftButton)
    assert asked == ["+1 212-555-0134"]
    assert page.internal.internal_numbers() == ["+12125550134"]  # the agent said no

    monkeypatch.setattr("desktop.ui.compliance.dnc_internal.confirm_removal", lambda parent, number: True)
    qtbot.mouseClick(page.internal.remove_button, Qt.MouseButton.LeftButton)
    assert page.internal.internal_numbers() == []
    assert "taken off the list" in page.internal.add_message.text()
    assert "OK to call now" in window.lead_panel.gate_label.text()
    with window.workspace.uow() as uow:
        actions = [event.action for event in uow.session.query(AuditEvent).order_by(AuditEvent.id)]
    # Other history (a script version first used by the refused call) may come between: DNC changes only.
    assert [action for action in actions if action.startswith("dnc_")][-2:] == ["dnc_add", "dnc_remove"]

    page.close()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL


def test_registry_import_through_the_page_blocks_the_listed_number_only(qtbot, window):  # type: ignore[no-untyped-def]
    assert window.registry_label.text() == "No DNC registry imported"
    assert window.registry_label.level == MISSING
    assert style.DANGER in window.registry_label.styleSheet()
    assert "blocked" in window.registry_label.toolTip()

    page = open_page(qtbot, window)
    page.tabs.setCurrentIndex(TAB_REGISTRIES)
    assert page.registries.registry_rows() == []
    assert "No registry copy imported yet" in page.registries.registry_empty.text()
    assert not page.registries.import_button.isEnabled()
    page.registries.file_edit.setText(str(REGISTRY_SAMPLE))
    page.registries.as_of_edit.setDate(QDate(2026, 12, 1))
    # James's mobile (917) is in an area code with no listed number: the download names it.
    page.registries.area_codes_edit.setText("917")
    assert page.registries.source_combo.currentData() == "national"
    qtbot.mouseClick(page.registries.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None and page.registries.result_label.isVisible(), timeout=10_000)

    assert page.registries.result_label.text().startswith(
        "Imported the full list into the National DNC, as of 2026-12-01: 7 added, 0 removed, 7 numbers"
    )
    [row] = page.registries.registry_rows()
    assert row[:4] == ("National DNC", "2026-12-01", "today's copy", "7")
    assert window.registry_label.text() == "National DNC: today's copy"
    assert window.registry_label.level == FRESH
    # The new copy changes who may be called: the list is checked again, off the GUI thread.
    qtbot.waitUntil(lambda: "scrub" in window.banners.keys(), timeout=10_000)
    expected = window.workspace.scrub.report().summary()
    assert window.banners.banner("scrub").text() == f"Checked all lists: {expected}"
    page.close()

    activate(qtbot, window)
    james = lead_id(window, "James O'Neil")
    window.show_lead(james)
    assert "National Do Not Call Registry" in window.lead_panel.gate_label.text()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == IDLE
    assert "National Do Not Call Registry" in window.dial_bar.banner_text
    refused = window.leads.card(james).history[0]
    assert (refused.number, [code for code, _ in refused.reasons]) == ("+12125550199", ["dnc_national"])

    choose_number(window, "9175550142")
    assert "OK to call now" in window.lead_panel.gate_label.text()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL
    assert window.leads.card(james).history[0].number == "+19175550142"


def test_status_bar_shows_the_registry_age_in_colour(qtbot, ui_workspace, ui_clock, make_window):  # type: ignore[no-untyped-def]
    ui_workspace.imports.import_sample()
    ui_workspace.registry_service.import_file(REGISTRY_SAMPLE, "national", as_of=TODAY)
    window = make_window()
    label = window.registry_label

    expectations = [
        (10, "National DNC: 10 days old", FRESH, style.MUTED),
        (26, "National DNC: 26 days old", AGEING, "#b7791f"),
        (40, "National DNC: 40 days old", STALE, style.DANGER),
    ]
    for days, text, level, colour in expectations:
        ui_clock.set(IMPORTED_AT + timedelta(days=days))
        window.compliance.refresh_registry_status()  # what the status timer does
        assert (label.text(), label.level) == (text, level)
        assert f"color: {colour}" in label.styleSheet()
    assert label.toolTip().startswith("Residential calls are blocked")
    # The gate agrees with the colour: a residential call is refused for the stale copy.
    james = lead_id(window, "James O'Neil")
    window.show_lead(james)
    assert "40 days old" in window.lead_panel.gate_label.text()


def test_consent_added_on_the_card_changes_the_gate_preview(qtbot, ui_workspace, make_window, monkeypatch):  # type: ignore[no-untyped-def]
    ui_workspace.imports.import_sample()
    ui_workspace.registry_service.import_file(REGISTRY_SAMPLE, "national", as_of=TODAY)
    window = make_window()
    james = lead_id(window, "James O'Neil")
    window.show_lead(james)
    panel = window.lead_panel
    assert "National Do Not Call Registry" in panel.gate_label.text()
    assert "No consent recorded" in panel.consent_label.text()

    qtbot.mouseClick(panel.consent_button, Qt.MouseButton.LeftButton)
    dialog = window.compliance.consent_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Consent: James O'Neil"
    assert dialog.empty_label.isVisible()

    # Evidence is required: a clear error, nothing stored.
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "Say what the evidence is" in dialog.message_label.text()
    assert dialog.rows() == []

    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("written"))
    dialog.date_edit.setDate(QDate(2026, 11, 20))
    qtbot.keyClicks(dialog.evidence_edit, "Signed form #A-17")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.rows() == ["Written consent 2026-11-20 (Signed form #A-17)"]
    assert "OK to call now" in panel.gate_label.text()
    assert "Written consent 2026-11-20 (Signed form #A-17)" in panel.consent_label.text()

    monkeypatch.setattr(
        "desktop.ui.compliance.consent_dialog.confirm_consent_removal", lambda parent, record: True
    )
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.rows() == []
    assert "National Do Not Call Registry" in panel.gate_label.text()
    assert "No consent recorded" in panel.consent_label.text()
    dialog.close()


def test_check_the_list_shows_who_would_be_skipped(qtbot, window):  # type: ignore[no-untyped-def]
    window.compliance.on_check_triggered()
    dialog = window.compliance.scrub_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    report = window.workspace.scrub.report()
    assert dialog.summary_label.text() == report.summary()
    assert dialog.summary_label.text().startswith(
        f"{report.skipped} of {report.checked} leads would be skipped"
    )
    table = dialog.groups_table
    shown = {table.item(row, 0).text(): int(table.item(row, 1).text()) for row in range(table.rowCount())}
    assert shown == {group[:1].upper() + group[1:]: n for group, n in report.by_group.items()}
    assert sum(shown.values()) == report.skipped
    # No registry copy: every residential lead is held back for it, and the groups say so (never
    # "out of date": nothing was imported).
    assert shown["No registry copy of the area code"] >= 5
    assert "Registry out of date" not in shown
    dialog.close()


def test_queue_rows_say_why_a_lead_waits_and_until_when(qtbot, window):  # type: ignore[no-untyped-def]
    model = window.queue_model

    def detail(name: str) -> str:
        return str(model.index(model.row_for_lead(lead_id(window, name)), COL_NAME).data(DetailRole))

    assert detail("James O'Neil") == "No DNC registry copy of this area code"
    assert detail("Aiko Tanaka") == "Outside calling hours · from 08:00 their time, in 1 h 00 min"
    assert detail("Maria Lopez") == "Lopez Dental Group"


def test_registry_import_can_be_cancelled_and_a_bad_file_is_refused(qtbot, window, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    page = open_page(qtbot, window)
    page.tabs.setCurrentIndex(TAB_REGISTRIES)
    bad = tmp_path / "notes.txt"
    bad.write_text("call Bob on Monday\nnothing here\n", encoding="utf-8")
    page.registries.file_edit.setText(str(bad))
    page.registries.as_of_edit.setDate(QDate(2026, 12, 1))
    qtbot.mouseClick(page.registries.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None and page.registries.result_label.isVisible(), timeout=10_000)
    assert page.registries.result_label.text().startswith(
        "Not imported: notes.txt: no phone numbers found in 2 lines"
    )
    assert page.registries.registry_rows() == []

    # A long import: the progress bar runs, Cancel stops it and the previous copy stays.
    from desktop.services.registry import RegistryImportCancelled

    def slow_import(path, source, as_of=None, progress=None, cancelled=None, area_codes=()):  # type: ignore[no-untyped-def]
        progress(1, 4)
        while not cancelled():
            time.sleep(0.001)  # the worker thread waits for the Cancel button; the GUI stays live
        raise RegistryImportCancelled("cancelled")

    monkeypatch.setattr(window.workspace.registry_service, "import_file", slow_import)
    page.registries.file_edit.setText(str(REGISTRY_SAMPLE))
    page.registries.as_of_edit.setDate(QDate(2026, 12, 1))
    qtbot.mouseClick(page.registries.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.registries.progress_bar.value() == 250)
    assert page.registries.cancel_button.isVisible() and not page.registries.import_button.isEnabled()
    assert page.registries.progress_label.text() == "25% read"
    qtbot.mouseClick(page.registries.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=10_000)
    assert page.registries.result_label.text() == "Import cancelled: the previous copy is unchanged."
    assert not page.registries.progress_bar.isVisible() and page.registries.import_button.isEnabled()
    assert window.registry_label.text() == "No DNC registry imported"
    page.close()


@pytest.mark.parametrize(("age_days", "dials"), [(30, True), (32, False)])
def test_call_pressed_with_a_real_aged_registry_copy(  # type: ignore[no-untyped-def]
    qtbot, ui_workspace, make_window, age_days, dials
):
    """A real registry copy imported as of `age_days` before the call: at 32 days (past the FTC's 31)
    pressing Call on a residential lead whose number is not listed dials nothing and records why; at
    30 days the same press dials, so the refusal is the copy's age and nothing else."""
    ui_workspace.imports.import_sample()
    ui_workspace.registry_service.import_file(
        REGISTRY_SAMPLE, "national", as_of=TODAY - timedelta(days=age_days)
    )
    window = make_window()
    omar = lead_id(window, "Omar Farouk")  # residential, Atlanta: 12:00 there, not on the registry
    window.show_lead(omar)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    latest = window.leads.card(omar).history[0]
    assert latest.number == "+14045550107"
    if dials:
        assert window.dial_bar.state == ON_CALL
        assert latest.reasons == [] or all(code != "registry_stale" for code, _ in latest.reasons)
        return
    assert window.dial_bar.state == IDLE
    assert [code for code, _ in latest.reasons] == ["registry_stale"]
    assert f"{age_days} days old" in window.dial_bar.banner_text
