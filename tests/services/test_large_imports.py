"""What makes large imports fast must not change what they import: the parse helper process, the
indexes built after the load, the paused cycle collector and the shipped area-code table."""

from __future__ import annotations

import csv
import gc
import sqlite3
import time
from pathlib import Path

import phonenumbers
import pytest

from desktop.domain import phones
from desktop.domain.phones import (
    ParsedPhone,
    describe_location,
    parse_phone,
    use_area_code_table,
    write_area_code_table,
)
from desktop.paths import resource
from desktop.services import imports as imports_module
from desktop.services import parse_ahead
from desktop.services.imports import ImportCancelled
from desktop.services.parse_ahead import ParseAhead
from desktop.services.tables import open_table
from desktop.services.workspace import open_workspace

# Cells a real list holds: every layout, repeats, extensions, junk, other countries, empty cells.
_PHONE_SHAPES = (
    "(212) 555-{n:04d}",
    "305.555.{n:04d}",
    "+1 415 555 {n:04d}",
    "1-773-555-{n:04d}",
    "808555{n:04d}",
    "+44 20 7946 {n:04d}",
    "555-{n:04d}",
    "(212) 555-{n:04d} ext. 12",
    "call me",
    "",
    "(212) 555-0100",
)


def _write_list(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Company", "Phone", "Mobile", "State"])
        for index in range(rows):
            # Every 50th row repeats the row before it: merged, not added.
            person = index - 1 if index % 50 == 49 else index
            phone = _PHONE_SHAPES[person % len(_PHONE_SHAPES)].format(n=person % 10_000)
            mobile = _PHONE_SHAPES[(person * 7) % len(_PHONE_SHAPES)].format(n=(person * 3) % 10_000)
            writer.writerow(
                [f"First{person}", f"Last{person}", f"Company {person // 4}", phone, mobile, "NY"]
            )
    return path


def _contents(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(db) as connection:
        leads = connection.execute(
            "SELECT id, first_name, last_name, company, status, hours_key, identity_key"
            " FROM leads ORDER BY id"
        ).fetchall()
        numbers = connection.execute(
            "SELECT lead_id, position, raw, e164, extension, number_type, region, time_zones, valid, problem"
            " FROM phones ORDER BY lead_id, position"
        ).fetchall()
    return leads, numbers


def _indexes(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        ).fetchall()


def test_helper_answers_every_cell_as_local_parsing_would(tmp_path: Path) -> None:
    source = open_table(_write_list(tmp_path / "list.csv", 12_000))
    cells = [raw for _line, row, _pos in source.rows() for index in (3, 4) if (raw := row[index].strip())]
    ahead = ParseAhead(source, [3, 4], "US")
    # The first cells are asked for at once, before the helper has started: parsed here.
    early = [ahead.parsed(raw) for raw in cells[:2500]]
    assert ahead.ready(timeout=60)

    def like_an_import(raw: str) -> ParsedPhone:
        # As the import does: the helper's answer when it has one, else parse here. An import does
        # much more per row than parse; the pause stands for that, so the helper gets ahead.
        answer = ahead.parsed(raw)
        if answer is None:
            time.sleep(0.001)
            answer = parse_phone(raw, "US")
        return answer

    late = [like_an_import(raw) for raw in cells[2500:]]
    ahead.close()
    assert ahead.answered > 0, "once the helper is ahead, its answers are taken"
    for raw, answer in zip(cells, early + late, strict=True):
        if answer is not None:
            assert answer == parse_phone(raw, "US")


def test_helper_out_of_step_is_dropped_not_trusted(tmp_path: Path) -> None:
    source = open_table(_write_list(tmp_path / "list.csv", 500))
    ahead = ParseAhead(source, [3, 4], "US")
    assert ahead.ready(timeout=60)
    # The file changed between the helper's reading and ours: the first cell differs.
    assert ahead.parsed("(999) 000-0000") is None
    assert not ahead.active
    assert ahead.parsed("(212) 555-0000") is None  # stays off for the rest of the import


def test_helper_killed_midway_leaves_local_parsing(tmp_path: Path) -> None:
    source = open_table(_write_list(tmp_path / "list.csv", 500))
    ahead = ParseAhead(source, [3, 4], "US")
    ahead._process.kill()
    ahead._process.wait(timeout=60)
    deadline = time.monotonic() + 5
    while ahead.active and time.monotonic() < deadline:
        assert ahead.parsed("not the cell") is None or not ahead.active
    ahead.close()
    assert not ahead.active


@pytest.mark.parametrize("rows", [4000])
def test_large_import_is_the_same_with_or_without_the_speed_ups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    path = _write_list(tmp_path / "list.csv", rows)
    plain_db, fast_db = tmp_path / "plain.db", tmp_path / "fast.db"

    with monkeypatch.context() as plain:
        plain.setattr(parse_ahead, "MIN_FILE_BYTES", 10**12)
        plain.setattr(imports_module, "_DEFER_INDEXES_FROM_ROWS", 10**12)
        workspace = open_workspace(str(plain_db))
        plain_report = workspace.imports.run(path, region="US").to_json()
        workspace.close()

    helpers: list[ParseAhead] = []
    original_start = imports_module.start_parse_ahead

    def start_and_wait(*args: object) -> ParseAhead | None:
        # Let the helper get ahead first, so the import really takes answers from it.
        ahead = original_start(*args)  # type: ignore[arg-type]
        assert ahead is not None and ahead.ready(timeout=60)
        helpers.append(ahead)
        return ahead

    monkeypatch.setattr(parse_ahead, "MIN_FILE_BYTES", 0)
    monkeypatch.setattr(imports_module, "_DEFER_INDEXES_FROM_ROWS", 1)
    monkeypatch.setattr(imports_module, "start_parse_ahead", start_and_wait)
    workspace = open_workspace(str(fast_db))
    indexes_before = _indexes(fast_db)
    fast_report = workspace.imports.run(path, region="US").to_json()
    workspace.close()

    assert helpers and helpers[0].answered > 0
    assert fast_report == plain_report
    assert fast_report["merged_duplicates"] > 0 and fast_report["rejected"]
    assert _contents(fast_db) == _contents(plain_db)
    assert _indexes(fast_db) == indexes_before, "every index is back, exactly as the migrations made it"
    with sqlite3.connect(fast_db) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_cancelled_large_import_keeps_indexes_and_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_list(tmp_path / "list.csv", 3000)
    monkeypatch.setattr(imports_module, "_DEFER_INDEXES_FROM_ROWS", 1)
    workspace = open_workspace(str(tmp_path / "db.db"))
    before = _indexes(tmp_path / "db.db")
    assert gc.isenabled()
    with pytest.raises(ImportCancelled):
        workspace.imports.run(path, cancelled=lambda: True)
    assert gc.isenabled(), "the cycle collector runs again after a cancelled import"
    assert workspace.leads.queue_counts().total == 0
    workspace.close()
    assert _indexes(tmp_path / "db.db") == before


def test_small_files_start_no_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(parse_ahead, "ParseAhead", lambda *args: started.append(args))
    path = _write_list(tmp_path / "list.csv", 50)
    assert parse_ahead.start_parse_ahead(open_table(path), [3, 4], "US") is None
    assert started == []


def _geocoder_states(prefix: str) -> tuple[str, ...]:
    description = describe_location(prefix + "5550100")
    if not description:
        return ()
    return (description.rsplit(", ", 1)[-1].strip(),)


@pytest.fixture
def fresh_area_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """number_states() with nothing remembered, restored after the test."""
    monkeypatch.setattr(phones, "_AREA_CODE_STATES", {})
    monkeypatch.setattr(phones, "_AREA_CODE_TABLE_IN_USE", False)


def test_area_code_table_gives_the_geocoders_answers(tmp_path: Path, fresh_area_codes: None) -> None:
    table = tmp_path / "area_codes.json"
    write_area_code_table(table)
    assert use_area_code_table(table)
    for npa in range(1000):
        prefix = f"+1{npa:03d}"
        assert phones.number_states(prefix + "5550100") == _geocoder_states(prefix), prefix


def test_area_code_table_of_another_release_is_ignored(tmp_path: Path, fresh_area_codes: None) -> None:
    table = tmp_path / "area_codes.json"
    write_area_code_table(table)
    table.write_text(table.read_text().replace(phonenumbers.__version__, "0.0.1"))
    assert not use_area_code_table(table)
    assert not use_area_code_table(tmp_path / "missing.json")
    assert phones.number_states("+13055550100") == _geocoder_states("+1305")


def test_shipped_area_code_table_is_current_or_ignored(fresh_area_codes: None) -> None:
    shipped = resource("phone", "area_code_states.json")
    if use_area_code_table(shipped):
        for prefix, states in phones._AREA_CODE_STATES.items():
            assert states == _geocoder_states(prefix), f"{prefix}: run `make area-codes`"
    else:
        assert phonenumbers.__version__ not in shipped.read_text(), "a table for this release must load"
