"""Revision 0008 (registry coverage per area code) on databases that already hold registry copies:
each copy is taken to cover the area codes it has numbers in, at its own as-of date."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from desktop.services.clock import ManualClock
from desktop.services.registry import RegistryLookup, RegistryService
from desktop.storage.engine import database_url, make_engine
from desktop.storage.migrate import alembic_config, upgrade
from desktop.storage.uow import UnitOfWorkFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLOCK = ManualClock(datetime(2026, 12, 1, 14, tzinfo=UTC))


def coverage_rows(engine) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT source, area_code, as_of, count, snapshot_id FROM registry_coverage "
                    "ORDER BY source, area_code"
                )
            )
        ]


@pytest.mark.parametrize("fixture", ["schema-0006.db", "schema-0007.db"])
def test_the_fixtures_copies_cover_their_area_codes(tmp_path: Path, fixture: str) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / fixture, db)
    engine = make_engine(database_url(str(db)))
    upgrade(engine)
    # national (slot 1): 212, 305, 415 as of 2026-01-03; state:TX (slot 2): 512, 972 as of 2025-12-15.
    assert coverage_rows(engine) == [
        ("national", 212, "2026-01-03", 1, 2),
        ("national", 305, "2026-01-03", 1, 2),
        ("national", 415, "2026-01-03", 1, 2),
        ("state:TX", 512, "2025-12-15", 1, 3),
        ("state:TX", 972, "2025-12-15", 1, 3),
    ]
    engine.dispose()


def test_0008_upgrades_with_data_downgrades_and_the_next_import_keeps_the_rest(tmp_path: Path) -> None:
    engine = make_engine(database_url(str(tmp_path / "old.db")))
    upgrade(engine, "0007")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO registry_snapshots (id, source, kind, file_name, as_of, imported_at, added,"
                " removed, total, rejected, slot) VALUES (1, 'national', 'full', 'n.zip', '2026-11-10',"
                " '2026-11-11 10:00:00.000000', 3, 0, 3, 0, 4)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO registry_sources (name, slot, count, as_of, snapshot_id)"
                " VALUES ('national', 4, 3, '2026-11-10', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO registry_numbers (number_key) VALUES (42125550101), (42125550102), (46465550103)"
            )
        )
    upgrade(engine, "0008")
    assert coverage_rows(engine) == [
        ("national", 212, "2026-11-10", 2, 1),
        ("national", 646, "2026-11-10", 1, 1),
    ]
    command.downgrade(alembic_config(engine), "0007")
    assert "registry_coverage" not in set(inspect(engine).get_table_names())
    upgrade(engine)
    # A later download of 212 alone replaces 212 and leaves the migrated 646 copy as it was.
    path = tmp_path / "212.txt"
    path.write_text("212,5550199\n", encoding="ascii")
    service = RegistryService(UnitOfWorkFactory(engine), CLOCK)
    report = service.import_file(path, "national", as_of=date(2026, 11, 30))
    assert (report.added, report.removed, report.total) == (1, 2, 2)
    lookup = RegistryLookup(engine)
    assert lookup.sources_for("+16465550103") == {"national"}
    assert lookup.sources_for("+12125550101") == frozenset()
    assert {code: copy.as_of for code, copy in lookup.coverage()["national"].items()} == {
        212: date(2026, 11, 30),
        646: date(2026, 11, 10),
    }
    lookup.close()
    engine.dispose()
