"""Revision 0012 on a database written by 0010 (the committed fixture): its summaries counted an
undone call and its correction as two dials; after the upgrade and the rebuild at open, neither
counts, read from the summaries or from the calls; and its new columns start empty."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from desktop.services.clock import ManualClock
from desktop.services.reports import ReportFilter, report_service_for
from desktop.services.workspace import open_workspace

FIXTURE = Path(__file__).parent / "fixtures" / "schema-0010.db"


def test_the_upgrade_leaves_the_undone_call_out_of_the_summaries(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, path)
    workspace = open_workspace(str(path), clock=ManualClock(datetime(2026, 1, 9, tzinfo=UTC)))
    try:
        service = report_service_for(workspace)
        day = ReportFilter(date(2026, 1, 5), date(2026, 1, 5), zone="UTC")
        from_summaries = service.build(day).to_json()
        service.use_summaries = False
        from_calls = service.build(day).to_json()
        # That day: call 1 (no answer, undone by record 11) and call 10 (blocked by the gate).
        for figures in (from_summaries, from_calls):
            assert (figures["dials"], figures["blocked_dials"]) == (0, 1)
            assert figures["outcomes"]["no_answer"] == 0 and "undone" not in figures["outcomes"]
        with workspace.engine.connect() as connection:
            hour = connection.exec_driver_sql(
                "SELECT coalesce(sum(calls), 0) FROM report_hour_totals WHERE hour = '2026-01-05 15'"
            ).scalar()
            assert hour == 0
            assert (
                connection.exec_driver_sql("SELECT count(*) FROM leads WHERE external_id <> ''").scalar() == 0
            )
            assert (
                connection.exec_driver_sql(
                    "SELECT count(*) FROM agents WHERE merged_into_id IS NOT NULL"
                ).scalar()
                == 0
            )
    finally:
        workspace.close()
