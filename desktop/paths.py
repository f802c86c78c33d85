"""Where Dialdesk keeps things: the user's data directory and the files shipped with the program."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "dialdesk"
# The repository (or unpacked source) root: desktop/, resources/ and migrations/ sit side by side.
_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def project_file(*parts: str) -> Path:
    """A file shipped beside the package (resources/, migrations/)."""
    path = _SOURCE_ROOT.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing program file {path}: is the installation complete?")
    return path


def resource(*parts: str) -> Path:
    return project_file("resources", *parts)


def user_data_dir() -> Path:
    path = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def default_database_path() -> Path:
    return user_data_dir() / "dialdesk.db"


def user_log_dir() -> Path:
    path = Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
