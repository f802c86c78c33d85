"""A command that fails on its input leaves no database (nor folder) behind; data is never taken away."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.commands.common import CliError
from tests.conftest import BUNDLED_SAMPLE

# Commands that open the database and then fail on what they were given (exit 2).
FAILING_COMMANDS = [
    ["leads", "import", "/no/such/file.csv"],
    ["dnc", "add", "not a number"],
    ["record", "999", "no_answer"],
    ["check", "+12125550134", "--at", "not a time"],
    ["audit", "export", "--from", "2026-13-01", "--to", "x", "--out", "a"],
]


def _files_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("command", FAILING_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_failed_command_leaves_no_new_database_or_folder(tmp_path: Path, command: list[str]) -> None:
    database = tmp_path / "new" / "nested" / "dialdesk.db"
    code = main(["--db", str(database), *command])
    assert code != 0
    assert _files_under(tmp_path / "new") == []
    assert not (tmp_path / "new").exists()


def test_a_failed_command_keeps_an_existing_database(tmp_path: Path) -> None:
    database = tmp_path / "dialdesk.db"
    assert main(["--db", str(database), "leads", "import", str(BUNDLED_SAMPLE)]) == 0
    assert main(["--db", str(database), "leads", "import", "/no/such/file.csv"]) == 2
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM leads").fetchone()[0] > 0


def test_a_new_database_the_command_wrote_to_stays_even_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that wrote a row and then failed keeps it: only an untouched new file goes."""
    database = tmp_path / "dialdesk.db"

    real_print = print

    def failing_print(*args: object, **kwargs: object) -> None:
        if "file" in kwargs:  # the error line itself goes to stderr as usual
            real_print(*args, **kwargs)  # type: ignore[call-overload]
            return
        raise CliError("the report of it could not be printed")

    # `dnc add` commits the number, then prints: the print fails after the row is written.
    monkeypatch.setattr("builtins.print", failing_print)
    code = main(["--db", str(database), "dnc", "add", "+12125550135", "--reason", "asked"])
    monkeypatch.undo()
    assert code == 2
    with sqlite3.connect(database) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = sum(
            connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in tables
            if "dnc" in name
        )
    assert rows == 1


def test_a_gate_refusal_is_an_answer_and_keeps_the_new_database(tmp_path: Path) -> None:
    """`check` exits 1 when the gate refuses: that is a result, and the database stays for the next run."""
    database = tmp_path / "dialdesk.db"
    assert main(["--db", str(database), "check", "+12125550134"]) == 1
    assert database.is_file()
