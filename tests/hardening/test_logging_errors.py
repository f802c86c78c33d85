"""A log call of ours that cannot be formatted never reaches the user's terminal as a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop.logging_setup import FORMAT, PrivateRotatingFileHandler, RedactingFormatter


def test_a_bad_log_line_is_noted_in_the_log_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = PrivateRotatingFileHandler(tmp_path / "dialdesk.log", maxBytes=10_000, backupCount=1)
    handler.setFormatter(RedactingFormatter(FORMAT))
    log = logging.getLogger("tests.bad_format")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("lead %d: gate %s", None, "blocked")  # the bug class: %d given None
        log.warning("lead %s: fine", 7)
    finally:
        log.removeHandler(handler)
        handler.close()
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    text = (tmp_path / "dialdesk.log").read_text()
    assert "a log line could not be formatted" in text and "test_logging_errors.py" in text
    assert "lead 7: fine" in text and "Traceback" not in text
