"""Tools → Outcome rules…: a changed delay is saved and used by the next outcome."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox


def test_edit_retry_delay_in_the_dialog(qtbot, window, ui_workspace):  # type: ignore[no-untyped-def]
    from desktop.ui.settings.outcome_rules_dialog import OutcomeRulesDialog

    dialog = OutcomeRulesDialog(ui_workspace, window)
    qtbot.addWidget(dialog)
    attempt, contact, terminal, retry = dialog.rows["voicemail"]
    retry.setValue(72)
    assert not dialog.rows["do_not_call"][2].isEnabled()  # "ends the sequence" is locked for DNC
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    rule = ui_workspace.calling.outcome_rules.get("voicemail")
    assert rule.retry_after is not None and rule.retry_after.total_seconds() == 72 * 3600
    assert ui_workspace.outcome_rules_service.overrides() == {"voicemail": {"retry_hours": 72.0}}
