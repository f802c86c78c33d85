"""The agent's next lead stays an index lookup while a list is worked from the top (PostgreSQL).

A list is called in id order: the leads already called are the lowest ids. The "new leads" look-up
asked `ORDER BY id`; PostgreSQL, estimating almost every lead new, walked the primary key and filtered
out every lead already called, so each take grew slower with every call (3-5 ms after 7,500 calls).
Ordered as the index (status, next_due_at, id) is, it is a lookup however far the list has gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text, update

from desktop.services.clock import ManualClock
from desktop.services.workspace import open_workspace
from desktop.storage.models import Lead
from tests.postgres_support import PostgresServer

MOMENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York
AREAS = ("212", "646", "718")


def _list(path: Path, count: int) -> Path:
    lines = ["First Name,Last Name,Company,Phone,Type,State"]
    for n in range(count):
        lines.append(f"A{n},B{n},Co {n},+1{AREAS[n // 9000]}555{1000 + n % 9000:04d},business,NY")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rows_filtered_out(plan: Any) -> int:
    """The most rows any node of an EXPLAIN (ANALYZE, FORMAT JSON) plan read and threw away."""
    if isinstance(plan, dict):
        here = int(plan.get("Rows Removed by Filter", 0))
        return max([here, *(_rows_filtered_out(value) for value in plan.values())])
    if isinstance(plan, list):
        return max([0, *(_rows_filtered_out(value) for value in plan)])
    return 0


@pytest.mark.postgresql
def test_taking_a_new_lead_does_not_walk_past_the_leads_already_called(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    with postgres_server.database() as url:
        workspace = open_workspace(url, clock=ManualClock(MOMENT))
        try:
            workspace.imports.run(_list(tmp_path / "list.csv", 20_000))
            with workspace.engine.begin() as connection:
                first = int(connection.execute(text("SELECT min(id) FROM leads")).scalar_one())
                # The top of the list called (tried again tomorrow), then the planner's statistics.
                connection.execute(
                    update(Lead)
                    .where(Lead.id < first + 2_000)
                    .values(status="active", next_due_at=MOMENT + timedelta(days=1), attempt_count=1)
                )
            with workspace.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE leads"))
            taken: list[tuple[str, Any]] = []

            def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
                if "FOR UPDATE" in statement and "SKIP LOCKED" in statement:
                    taken.append((statement, parameters))

            event.listen(workspace.engine, "before_cursor_execute", keep)
            claim = workspace.claims.claim_next("Ann")
            event.remove(workspace.engine, "before_cursor_execute", keep)
            assert claim is not None and claim.lead_id == first + 2_000
            assert taken
            raw = workspace.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in taken:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    assert _rows_filtered_out(plan) < 100, json.dumps(plan)[:2000]
                raw.rollback()
            finally:
                raw.close()
        finally:
            workspace.close()
