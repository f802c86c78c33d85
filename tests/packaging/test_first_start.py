"""First start of an installed copy: the welcome page, and what to install for which feature."""

from __future__ import annotations

import pytest

from desktop.services.optional_programs import install_advice, missing_programs
from desktop.ui.pages import WelcomePage


def test_nothing_missing_means_no_advice() -> None:
    found = missing_programs(which=lambda program: f"/usr/bin/{program}", find_library=lambda name: None)
    assert found == [] and install_advice(found) == ""


def test_each_missing_program_names_its_feature_and_package() -> None:
    missing = missing_programs(which=lambda program: None, find_library=lambda name: None, platform="linux")
    advice = install_advice(missing).splitlines()
    assert advice[0] == (
        "For calls through the built-in softphone (SIP), install baresip: sudo apt-get install baresip-core"
    )
    assert advice[1].startswith("For spoken voicemail") and advice[1].endswith(
        "sudo apt-get install espeak-ng"
    )


def test_espeak_library_alone_is_enough_for_speech() -> None:
    """pyttsx3 loads libespeak-ng itself: the library without the program still speaks."""
    missing = missing_programs(
        which=lambda program: None, find_library=lambda name: "libespeak-ng.so.1", platform="linux"
    )
    assert [program.program for program in missing] == ["baresip"]


def test_other_systems_are_not_told_to_use_apt() -> None:
    assert (
        missing_programs(which=lambda program: None, find_library=lambda name: None, platform="win32") == []
    )


@pytest.mark.gui
def test_the_welcome_page_says_what_to_install(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("shutil.which", lambda program, *args, **kwargs: None)
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    monkeypatch.setattr("sys.platform", "linux")
    page = WelcomePage()
    qtbot.addWidget(page)
    page.show()
    assert page.programs_note.isVisible()
    assert "sudo apt-get install baresip-core" in page.programs_note.text()
    assert "sudo apt-get install espeak-ng" in page.programs_note.text()
