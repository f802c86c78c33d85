"""One version: pyproject.toml, as installed, is what `dialdesk --version` and Help → About show."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from PySide6.QtWidgets import QMessageBox

import desktop
from desktop.cli import main
from tests.packaging.test_installer_files import project_version


def test_the_installed_metadata_is_the_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert version("dialdesk") == project_version() == desktop.__version__
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"dialdesk {project_version()}"


@pytest.mark.gui
def test_help_about_shows_the_version(qtbot, window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.on_about_triggered()
    assert shown and f"Dialdesk {project_version()}" in shown[0]
