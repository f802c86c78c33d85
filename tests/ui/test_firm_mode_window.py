"""Firm mode in the window: the script menu disables unapproved scripts and says why, a call with one is
refused with the reason on screen, and a principal approves a version in the Scripts window."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop.ui.calling.session import ON_CALL
from desktop.ui.script.approvals import ApproveDialog
from tests.ui.test_script_editor import dialog  # noqa: F401 - the Scripts window fixture

pytestmark = pytest.mark.gui
SCRIPT = "question-led-discovery"  # Maria Lopez's script


def firm_mode(window) -> None:  # type: ignore[no-untyped-def]
    workspace = window.workspace
    workspace.save_settings(replace(workspace.current_settings(), firm_mode=True))


def menu_entries(window) -> dict[str, tuple[bool, str]]:  # type: ignore[no-untyped-def]
    panel = window.script_panel
    panel.on_script_menu_about_to_show()
    return {
        action.text(): (action.isEnabled(), action.toolTip())
        for action in panel.script_menu.actions()
        if "(en)" in action.text() or "(ru)" in action.text()
    }


def test_the_script_menu_disables_unapproved_scripts_in_firm_mode(qtbot, window):  # type: ignore[no-untyped-def]
    assert all(enabled for enabled, _ in menu_entries(window).values())  # firm mode off: all offered
    firm_mode(window)
    window.workspace.script_versions.approve("advice-first-401k", 1, "Jane Principal")
    entries = menu_entries(window)
    approved = [text for text, (enabled, _) in entries.items() if enabled]
    assert approved == ["Advice-first: 401(k) fee review  (en)"]
    disabled = {text: tip for text, (enabled, tip) in entries.items() if not enabled}
    assert len(disabled) == len(entries) - 1
    assert all(text.endswith("— not approved") for text in disabled)
    assert all("is not approved by a principal" in tip for tip in disabled.values())


def test_a_call_with_an_unapproved_script_is_refused_on_screen(qtbot, window):  # type: ignore[no-untyped-def]
    firm_mode(window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state != ON_CALL
    qtbot.waitUntil(window.dial_bar.banner.isVisible)
    assert f"version 1 of script '{SCRIPT}' is not approved" in window.dial_bar.banner.text()
    window.workspace.script_versions.approve(SCRIPT, 1, "Jane Principal")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL


def test_a_principal_approves_the_version_in_the_scripts_window(qtbot, dialog, ui_clock):  # type: ignore[no-untyped-def]  # noqa: F811
    line = dialog.version_line
    assert line.label.text() == "Version 1 · not approved by a principal"
    line.approve_button.click()
    approve = line.dialog
    assert isinstance(approve, ApproveDialog)
    qtbot.waitUntil(approve.isVisible)
    ok = approve.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()  # no name: refused, said in the dialog
    assert approve.isVisible() and "needs the name of the principal" in approve.error_label.text()
    approve.by_edit.setText("Jane Principal")
    approve.note_edit.setPlainText("Reviewed under FINRA 2210")
    ok.click()
    qtbot.waitUntil(lambda: not approve.isVisible())
    when = f"{ui_clock():%Y-%m-%d %H:%M}"  # the workspace clock's moment, in UTC
    assert line.label.text() == f"Version 1 · approved by Jane Principal on {when} UTC"
    [info] = dialog.workspace.script_versions.versions(SCRIPT)
    assert [(a.approved_by, a.note) for a in info.approvals] == [
        ("Jane Principal", "Reviewed under FINRA 2210")
    ]


def test_settings_take_firm_mode_and_refuse_a_caller_id_that_cannot_be_called_back(qtbot, window):  # type: ignore[no-untyped-def]
    settings_dialog = window.file_actions.open_settings_dialog()
    qtbot.waitUntil(settings_dialog.isVisible)
    settings_dialog.firm_mode_check.setChecked(True)
    settings_dialog.firm_address_edit.setText("1 Main St, New York, NY")
    for bad in ("555-01", "+1 900 555 0199"):
        settings_dialog.caller_id_edit.setText(bad)
        settings_dialog.accept()
        assert settings_dialog.isVisible()
        assert f"the caller ID '{bad}'" in settings_dialog.error_label.text()
        assert (
            settings_dialog.caller_id_edit.property("invalid") is True
            and settings_dialog.caller_id_edit.toolTip()
        )
        assert window.workspace.current_settings().firm_mode is False  # nothing saved
    settings_dialog.caller_id_edit.setText("+1 212 555 0100")
    settings_dialog.accept()
    qtbot.waitUntil(lambda: not settings_dialog.isVisible())
    saved = window.workspace.settings.load()
    assert (saved.firm_mode, saved.caller_id, saved.firm_address) == (
        True,
        "+1 212 555 0100",
        "1 Main St, New York, NY",
    )
    assert window.workspace.sip_settings.load().caller_id_number == "+1 212 555 0100"
