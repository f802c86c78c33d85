"""A database URL whose port is not a number or out of range, or with an unclosed IPv6 bracket, is a
one-line refusal with exit 2 for any command (`--db URL`) and for the team commands that take a URL,
never an "unexpected error" (exit 70, details in the log)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli.test_scripts_cli import dialdesk

MALFORMED = [
    "postgresql+psycopg://ann@db.example.com:54x2/team",
    "postgresql+psycopg://ann@[::1/team",
    "postgresql+psycopg://ann@db.example.com:99999/team",
    "postgresql+psycopg://ann@db.example.com:-1/team",
]


def _one_line_refusal(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("url", MALFORMED)
@pytest.mark.parametrize(
    "command", [("queue",), ("team", "login", "URL"), ("team", "init", "URL"), ("team", "add-agent", "ann")]
)
def test_a_malformed_server_url_is_a_clear_error(url: str, command: tuple[str, ...]) -> None:
    args = tuple(url if part == "URL" else part for part in command)
    result = dialdesk(url, *args)  # type: ignore[arg-type]
    _one_line_refusal(result)
    assert "not a database URL" in result.stderr, result.stderr


@pytest.mark.parametrize("url", MALFORMED[:2])
def test_from_the_environment_too(url: str) -> None:
    env = {**os.environ, "DIALDESK_DB": url}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "queue"], capture_output=True, text=True, env=env, timeout=120
    )
    _one_line_refusal(result)
