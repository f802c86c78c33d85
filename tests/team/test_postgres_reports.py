"""Reports on PostgreSQL read the calls themselves (the summaries are SQLite triggers): the same calls
in an SQLite file and in a PostgreSQL database give the same report, figure for figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.clock import ManualClock
from desktop.services.reports import report_service_for
from desktop.services.workspace import open_workspace
from desktop.storage import rollups
from tests.postgres_support import PostgresServer
from tests.services.test_report_summaries import (
    FILTERS,
    answers_and_assignments,
    assert_same,
    random_calls,
)

pytestmark = pytest.mark.postgresql


@pytest.mark.parametrize("seed", [4, 7])
def test_the_same_calls_give_the_same_reports_on_both_databases(
    postgres_server: PostgresServer, db_path: Path, clock: ManualClock, seed: int
) -> None:
    with postgres_server.database() as team_url:
        reports = {}
        for name, url in (("sqlite", str(db_path)), ("postgresql", team_url)):
            workspace = open_workspace(url, clock=clock)
            try:
                random_calls(workspace.uow, seed)
                answers_and_assignments(workspace, seed)
                with workspace.engine.connect() as connection:
                    assert rollups.supported(connection) == (name == "sqlite")
                service = report_service_for(workspace)
                reports[name] = {key: service.build(flt).to_json() for key, flt in FILTERS.items()}
            finally:
                workspace.close()
    for key in FILTERS:
        assert reports["postgresql"][key]["dials"] > 0 or key == "one script", key
        assert_same(reports["postgresql"][key], reports["sqlite"][key], key)
