"""Where Dialdesk keeps things: the user's data directory and the files shipped with the program.

The shipped files live in the repository's top-level `resources/` and `migrations/` folders; the
build maps them into the package as `desktop._resources` and `desktop._migrations` (pyproject.toml,
setup.py), so an editable install, a wheel and the PyInstaller bundle all read them the same way:
through `importlib.resources`, never through a path relative to the source tree.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_DIR_NAME = "dialdesk"
RESOURCES_PACKAGE = "desktop._resources"
MIGRATIONS_PACKAGE = "desktop._migrations"


def _package_folder(package: str) -> Path:
    """The folder of a data package on disk (Alembic and file dialogs need real paths)."""
    try:
        folder = resources.files(package)
    except ModuleNotFoundError:
        raise FileNotFoundError(f"missing program data {package}: is the installation complete?") from None
    if not isinstance(folder, Path):
        # Only a zipped install gives a non-file Traversable; Dialdesk is always installed as files.
        raise FileNotFoundError(f"program data {package} is not a folder on disk: {folder}")
    return folder


def resource(*parts: str) -> Path:
    """A file shipped with the program: rules, samples, scripts, area codes, icons."""
    path = _package_folder(RESOURCES_PACKAGE).joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing program file {path}: is the installation complete?")
    return path


def migrations_dir() -> Path:
    """The Alembic script folder (env.py, versions/) shipped with the program."""
    folder = _package_folder(MIGRATIONS_PACKAGE)
    if not (folder / "env.py").exists():
        raise FileNotFoundError(f"missing program file {folder / 'env.py'}: is the installation complete?")
    return folder


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


def user_config_dir() -> Path:
    """The per-user settings folder (window placement); XDG_CONFIG_HOME/dialdesk on Linux."""
    path = Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path
