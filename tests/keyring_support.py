"""An in-memory keyring for tests: CI machines have no Secret Service to keep SIP passwords in."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, for tests only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


class FileKeyring(KeyringBackend):
    """A keyring in a JSON file named by $DIALDESK_TEST_KEYRING, for tests that run `dialdesk` as a
    process: chosen with PYTHON_KEYRING_BACKEND=tests.keyring_support.FileKeyring (keyring's own
    switch), so the product's real keyring code runs and the user's keyring is never touched."""

    priority = 1  # type: ignore[assignment]

    @staticmethod
    def _path() -> Path:
        return Path(os.environ["DIALDESK_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._load()
        stored[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(stored), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        stored.pop(f"{service}\n{username}", None)
        self._path().write_text(json.dumps(stored), encoding="utf-8")


def file_keyring_env(path: Path) -> dict[str, str]:
    """The environment that makes a `dialdesk` process keep its secrets in the file `path`."""
    return {
        "PYTHON_KEYRING_BACKEND": "tests.keyring_support.FileKeyring",
        "DIALDESK_TEST_KEYRING": str(path),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
