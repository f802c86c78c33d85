"""The wheel works anywhere: built, installed in a fresh venv outside the checkout, used as a new user would.

Before package data, `pip install .` gave a program whose every command failed with "missing
program file …/site-packages/migrations". The test runs from a temporary folder with a fresh HOME
and no PYTHONPATH, so nothing of the checkout can stand in for what the wheel must carry.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import REPO

pytestmark = pytest.mark.slow

# Files in the data folders that are not program data.
NOT_SHIPPED = {"__pycache__"}


def _run(command: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{command} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _shipped_files(folder: str) -> set[str]:
    root = REPO / folder
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not NOT_SHIPPED & set(path.parts) and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("dialdesk-*.whl")
    return built


def test_the_wheel_carries_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, package in (("resources", "desktop/_resources"), ("migrations", "desktop/_migrations")):
        missing = {name for name in _shipped_files(folder) if f"{package}/{name}" not in names}
        assert not missing, f"{folder}/ files left out of the wheel: {sorted(missing)}"
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_installed_wheel_works_outside_the_checkout(
    wheel: Path, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    work = tmp_path / "work"
    work.mkdir()
    # pip itself needs the machine's index settings; the program runs with the clean environment only.
    pip_env = {**clean_env, "HOME": str(Path.home())}
    _run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], pip_env, work, timeout=900)
    dialdesk = str(venv / "bin" / "dialdesk")
    python = str(venv / "bin" / "python")

    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert _run([dialdesk, "--version"], clean_env, work).strip() == f"dialdesk {version}"

    sample = Path(
        _run(
            [
                python,
                "-c",
                "from desktop.paths import resource; print(resource('samples', 'leads-sample.csv'))",
            ],
            clean_env,
            work,
        ).strip()
    )
    assert sample.is_relative_to(venv) and not sample.is_relative_to(REPO)

    assert "imported" in _run([dialdesk, "leads", "import", str(sample)], clean_env, work).lower()
    queue = _run([dialdesk, "queue", "--limit", "5"], clean_env, work)
    assert "20 leads in the queue" in queue  # who is offered depends on the hour; the count does not
    check = subprocess.run(
        [dialdesk, "check", "+12125550134"],
        env=clean_env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode in (0, 1) and "+12125550134" in check.stdout, check.stderr

    window = _run([dialdesk], {**clean_env, "DIALDESK_EXIT_AFTER_START": "1"}, work)
    assert "Dialdesk" in window and "window shown" in window

    # The database went to the user data folder of the fresh HOME, and nothing was written beside it.
    database = Path(clean_env["HOME"]) / ".local" / "share" / "dialdesk" / "dialdesk.db"
    assert database.is_file()
    assert sorted(path.name for path in work.iterdir()) == []
