"""Helpers for the packaging tests: a clean environment for an installed copy, the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """What a new user's session gives an installed program: a fresh HOME, no venv, no PYTHONPATH."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        # Keyring lookups with no desktop session must not wait for a Secret Service.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **({"TMPDIR": os.environ["TMPDIR"]} if "TMPDIR" in os.environ else {}),
    }
