"""Settings for the built-in softphone: the password goes to the keyring and never into the database
file; a missing baresip or keyring is said plainly, and Manual dialling keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt

from desktop.services.sip_settings import KEYRING_SERVICE
from desktop.ui.calling.session import IDLE, ON_CALL
from tests.keyring_support import MemoryKeyring

pytestmark = pytest.mark.gui

PASSWORD = "Tr0ub4dor-SIP-9x"


def database_bytes(window) -> bytes:  # type: ignore[no-untyped-def]
    path = Path(window.workspace.describe())
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def fill_softphone_page(dialog, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    dialog.backend_combo.setCurrentIndex(dialog.backend_combo.findData("sip"))
    box = dialog.sip_box
    assert dialog.tabs.currentWidget() is box
    box.address_edit.setText("alice@127.0.0.1:5999")
    box.caller_name_edit.setText("Harbor Advisors")
    dialog.caller_id_edit.setText("+1 212 555 0100")
    box.audio_source_edit.setText("aufile,/dev/null")
    box.audio_player_edit.setText("aufile,/dev/null")
    box.password_edit.setText(password)


def test_sip_settings_keep_the_password_in_the_keyring_not_in_the_database(qtbot, window, use_keyring):  # type: ignore[no-untyped-def]
    memory = use_keyring(MemoryKeyring())
    dialog = window.file_actions.open_settings_dialog()
    qtbot.waitUntil(dialog.isVisible)
    box = dialog.sip_box
    assert box.install_note.isHidden() and box.keyring_note.isHidden()
    assert box.ring_spin.value() == 20 and dialog.countdown_spin.value() == 3
    box.ring_spin.setValue(10)
    assert box.ring_spin.value() == 15  # never under 15 seconds
    fill_softphone_page(dialog)
    dialog.caller_id_edit.clear()

    dialog.accept()

    assert dialog.isVisible()
    assert "caller ID number (the law requires sending it)" in dialog.error_label.text()
    assert window.workspace.current_settings().backend == "manual"  # nothing saved half-way
    dialog.caller_id_edit.setText("+1 212 555 0100")
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    assert memory.passwords == {(KEYRING_SERVICE, "alice@127.0.0.1:5999"): PASSWORD}
    stored = database_bytes(window)
    assert b"alice@127.0.0.1:5999" in stored and b"Harbor Advisors" in stored
    assert PASSWORD.encode() not in stored
    assert "Built-in softphone" in window.backend_label.text()
    softphone = window.softphone
    assert softphone.dialer is not None and softphone.dialer.account.password == PASSWORD
    assert softphone.dialer.account.display_name == "Harbor Advisors"
    qtbot.waitUntil(lambda: "ready" in softphone.status_label.text(), timeout=10000)

    again = window.file_actions.open_settings_dialog()
    assert again.sip_box.password_edit.text() == ""  # never shown back
    assert "stored in the keyring" in again.sip_box.password_edit.placeholderText()
    again.reject()


def test_without_baresip_settings_say_how_to_install_and_manual_keeps_working(  # type: ignore[no-untyped-def]
    qtbot, window, use_keyring, monkeypatch, tmp_path
):
    use_keyring(MemoryKeyring())
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    dialog = window.file_actions.open_settings_dialog()
    assert not dialog.sip_box.install_note.isHidden()
    assert "sudo apt-get install baresip-core" in dialog.sip_box.install_note.text()
    assert "Manual and Hand-off dialling keep working" in dialog.sip_box.install_note.text()
    fill_softphone_page(dialog)
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "baresip is not installed" in window.softphone.status_label.text()

    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == IDLE
    assert "sudo apt-get install baresip-core" in window.dial_bar.banner_text

    settings = window.workspace.current_settings()
    settings.backend = "manual"
    window.workspace.save_settings(settings)
    window.on_settings_saved()
    window.softphone.on_settings_saved()
    assert not window.softphone.status_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.dial_bar.state == ON_CALL


def test_without_a_keyring_the_password_is_kept_for_this_session_only(qtbot, window, use_keyring):  # type: ignore[no-untyped-def]
    use_keyring(fail.Keyring())
    dialog = window.file_actions.open_settings_dialog()
    note = dialog.sip_box.keyring_note
    assert not note.isHidden() and "no system keyring is available" in note.text()
    assert "kept only until Dialdesk closes" in note.text()
    fill_softphone_page(dialog)
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    assert dialog.password_in_keyring is False
    service = window.workspace.sip_settings
    assert service.password(service.load()) == PASSWORD
    assert PASSWORD.encode() not in database_bytes(window)
    assert window.softphone.dialer is not None
