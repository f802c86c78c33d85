"""Report summaries (desktop/storage/rollups.py, migration 0007) against the call record itself.

Random call records, changed the ways Dialdesk changes them (an outcome recorded after the dial, a
call moved to another lead, a lead's hours key worked out again), must leave the trigger-kept
summaries equal to summaries rebuilt from scratch, and every report read from them equal to the
same report read from the calls.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update

from desktop.services import reports_rollups
from desktop.services.clock import ManualClock
from desktop.services.reports import ReportFilter, ReportService, report_service_for
from desktop.services.reports_figures import CONVERSATION_MIN_S
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage import rollups
from desktop.storage.bulk import bulk_insert
from desktop.storage.models import Agent, Attempt, Lead, ScriptAnswer
from desktop.storage.rollups import SUMMARY_TABLES
from desktop.storage.uow import UnitOfWorkFactory

FIRST_DAY = date(2026, 3, 1)
DAYS = 6
HOURS_KEYS = [
    "America/New_York|NY",
    "America/Chicago|IL",
    "America/Los_Angeles America/Denver|",
    "Asia/Kolkata|",  # half an hour off UTC: local hours are read from the calls
    "Not/AZone|",
    None,
]
OUTCOMES = [None, "no_answer", "busy", "voicemail", "meeting", "callback", "not_interested", "legacy_code"]
RECORDS = [
    json.dumps({"reasons": [{"code": "calling_hours", "detail": "x"}], "notes": []}),
    json.dumps({"reasons": [{"code": "dnc_national", "detail": "y"}, {"code": "dnc_internal"}], "notes": []}),
    json.dumps({"reasons": [{"code": "dnc_national"}, {"code": "dnc_national"}], "notes": []}),
    json.dumps([{"code": "state_rule", "detail": "early bare list"}]),
    json.dumps({"reasons": [{"code": ""}, {"code": 5}, {"detail": "no code"}, "text"], "notes": []}),
    json.dumps({"reasons": "not a list"}),
    json.dumps({"reasons": [{"code": 'odd"code', "detail": "escaped"}], "notes": []}),
    "not json at all",
    "[]",
    "",
]


def _moment(rng: random.Random) -> datetime:
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC)
    if rng.random() < 0.1:  # exactly on an hour: the edges of windows and buckets
        return start + timedelta(hours=rng.randrange(DAYS * 24))
    return start + timedelta(microseconds=rng.randrange(DAYS * 86_400_000_000))


def _attempt(rng: random.Random, leads: list[int], agents: list[int]) -> dict[str, Any]:
    allowed = rng.random() < 0.8
    outcome = rng.choice(OUTCOMES) if allowed else None
    started = _moment(rng)
    duration = rng.choice([None, 5.5, 59.999, CONVERSATION_MIN_S, 61.25, 300.0]) if outcome else None
    return {
        "lead_id": rng.choice([*leads, None]),
        "agent_id": rng.choice([*agents, None]),
        "number": "+12125550100",
        "allowed": allowed,
        "reasons": rng.choice(RECORDS) if not allowed else "[]",
        "started_at": started,
        "duration_s": duration,
        "outcome": outcome,
    }


def random_calls(uow_factory: UnitOfWorkFactory, seed: int, calls: int = 160, changes: int = 120) -> None:
    """Agents, leads and calls written and changed one at a time, as the triggers see them in use."""
    rng = random.Random(seed)
    with uow_factory() as uow:
        session = uow.session
        # The summaries must follow any change, even those append-only records now refuse (migration
        # 0010): the trigger that refuses them is lifted while the calls change, then put back.
        # (On PostgreSQL, tests/team/test_postgres_reports.py, the trigger is disabled instead.)
        on_sqlite = session.get_bind().dialect.name == "sqlite"
        append_only = None
        if on_sqlite:
            append_only = session.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'attempts_append_only'")
            )
            session.execute(text("DROP TRIGGER IF EXISTS attempts_append_only"))
        else:
            session.execute(text("ALTER TABLE attempts DISABLE TRIGGER attempts_append_only"))
        agents = [Agent(name=f"Agent {n}") for n in range(3)]
        session.add_all(agents)
        leads = [
            Lead(
                first_name=f"F{n}",
                last_name=f"L{n}",
                list_name=rng.choice(["Fair", "Web"]),
                kind=rng.choice(["business", "residential"]),
                hours_key=rng.choice(HOURS_KEYS),
                identity_key=f"lead{n}",
            )
            for n in range(14)
        ]
        session.add_all(leads)
        session.flush()
        lead_ids, agent_ids = [lead.id for lead in leads], [agent.id for agent in agents]
        attempt_ids = []
        for _ in range(calls):
            attempt = Attempt(**_attempt(rng, lead_ids, agent_ids))
            session.add(attempt)
            session.flush()
            attempt_ids.append(attempt.id)
        for _ in range(changes):
            kind = rng.random()
            if kind < 0.15:
                key = rng.choice(HOURS_KEYS)
                session.execute(update(Lead).where(Lead.id == rng.choice(lead_ids)).values(hours_key=key))
                continue
            attempt = session.get(Attempt, rng.choice(attempt_ids))
            assert attempt is not None
            if kind < 0.3 and attempt.outcome is not None:
                # An undo (services/outcome_undo.py): a correction record; now and then a second one
                # for the same call (a merge can bring one), which must take nothing away again.
                session.add(
                    Attempt(
                        lead_id=attempt.lead_id,
                        agent_id=attempt.agent_id,
                        number=attempt.number,
                        allowed=attempt.allowed,
                        reasons="[]",
                        started_at=_moment(rng),
                        duration_s=0.0,
                        outcome="undone",
                        corrects_id=attempt.id,
                    )
                )
                session.flush()
                continue
            if kind < 0.55:  # the outcome of a call, recorded after the dial
                attempt.outcome = rng.choice(OUTCOMES[1:]) if attempt.allowed else None
                attempt.duration_s = rng.choice([3.0, 75.5, 600.0]) if attempt.allowed else None
            elif kind < 0.7:
                attempt.lead_id = rng.choice([*lead_ids, None])
            elif kind < 0.8:
                attempt.agent_id = rng.choice([*agent_ids, None])
            elif kind < 0.9:
                attempt.started_at = _moment(rng)
            else:
                fields = _attempt(rng, lead_ids, agent_ids)
                for name in ("allowed", "reasons", "outcome", "duration_s"):
                    setattr(attempt, name, fields[name])
            session.flush()
        if append_only:
            session.execute(text(append_only))
        if not on_sqlite:
            session.execute(text("ALTER TABLE attempts ENABLE TRIGGER attempts_append_only"))
        uow.commit()


# The columns of each summary that count calls (the others are keys and seconds).
COUNT_COLUMNS = {
    "report_hours": (4, 6),
    "report_days": (4, 6),
    "report_hour_totals": (2, 3, 4, 5, 6),
    "report_zone_hours": (3, 4),
    "report_blocked": (3,),
    "report_lead_stats": (1, 2, 3, 4, 5),
}


def summary_rows(workspace: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every summary table's non-empty rows, in key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with workspace.engine.connect() as connection:
        for table in SUMMARY_TABLES:
            rows = connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").all()
            counts = COUNT_COLUMNS[table]
            # A row whose counts fell back to zero (its seconds maybe to a rounding residue) stays
            # where calls moved away: it holds no figure.
            tables[table] = [tuple(row) for row in rows if any(row[index] for index in counts)]
    return tables


def assert_same(ours: Any, theirs: Any, where: str = "report") -> None:
    """Equal, with floats equal to rounding (sums of seconds may add up in another order)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for key in ours:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(ours, list | tuple) and isinstance(theirs, list | tuple):
        assert len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(ours, float) or isinstance(theirs, float):
        assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-6), f"{where}: {ours} != {theirs}"
    else:
        assert ours == theirs, where


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How often each summary read ran."""
    counts: dict[str, int] = {}
    for name in ("buckets", "agent_outcomes", "blocked", "zone_hours", "lead_figures"):
        original = getattr(reports_rollups, name)

        def counting(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            counts[_name] = counts.get(_name, 0) + 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(reports_rollups, name, counting)
    yield counts


def answers_and_assignments(workspace: Workspace, seed: int) -> None:
    """Script answers given in some calls, a list's script and two leads' own scripts."""
    rng = random.Random(seed)
    with workspace.uow() as uow:
        calls = uow.session.execute(
            select(Attempt.id, Attempt.lead_id, Attempt.started_at)
            .where(Attempt.allowed.is_(True), Attempt.outcome.is_not(None), Attempt.lead_id.is_not(None))
            # In id order: the same sample on every database (PostgreSQL returns rows in its own order).
            .order_by(Attempt.id)
        ).all()
        for attempt_id, lead_id, started in rng.sample(calls, min(12, len(calls))):
            uow.session.add(
                ScriptAnswer(
                    lead_id=lead_id,
                    script_name=rng.choice(["question-led-discovery", "advice-first-401k"]),
                    question_id="pain",
                    value="fees",
                    answered_at=started,
                    attempt_id=attempt_id,
                )
            )
        leads = sorted({lead_id for _id, lead_id, _at in calls})
        uow.commit()
    workspace.scripts.assign_list("Web", "advice-first-401k")
    for lead_id in leads[:2]:
        workspace.scripts.assign_lead(lead_id, "question-led-discovery")


def both_ways(workspace: Workspace, flt: ReportFilter) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report read from the summaries and read from the calls."""
    service = report_service_for(workspace)
    from_summaries = service.build(flt).to_json()
    service.use_summaries = False
    from_calls = service.build(flt).to_json()
    return from_summaries, from_calls


LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
FILTERS = {
    "every call": ReportFilter(FIRST_DAY - timedelta(days=1), LAST_DAY + timedelta(days=1)),
    "part of the days": ReportFilter(FIRST_DAY + timedelta(days=1), FIRST_DAY + timedelta(days=3)),
    "one agent": ReportFilter(FIRST_DAY, LAST_DAY, agent="Agent 1"),
    "New York days": ReportFilter(FIRST_DAY, LAST_DAY, zone="America/New_York"),
    "Kolkata days": ReportFilter(FIRST_DAY, LAST_DAY, zone="Asia/Kolkata"),
    "one list": ReportFilter(FIRST_DAY - timedelta(days=1), LAST_DAY + timedelta(days=1), list_name="Web"),
    "one script": ReportFilter(FIRST_DAY, LAST_DAY, script="advice-first-401k"),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_triggers_keep_the_summaries_equal_to_a_rebuild(workspace: Workspace, seed: int) -> None:
    with workspace.engine.begin() as connection:
        assert rollups.ensure_current(connection, rollups.rule_flags(workspace.calling.outcome_rules))
    random_calls(workspace.uow, seed)
    kept = summary_rows(workspace)
    assert any(kept.values())
    with workspace.engine.begin() as connection:
        rollups.rebuild(connection, rollups.rule_flags(workspace.calling.outcome_rules))
    rebuilt = summary_rows(workspace)
    assert_same(kept, rebuilt, "summaries")


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("name", list(FILTERS))
def test_every_report_reads_the_same_from_summaries_and_from_calls(
    workspace: Workspace, clock: ManualClock, counted_reads: dict[str, int], seed: int, name: str
) -> None:
    report_service_for(workspace).build(FILTERS["every call"])  # summaries built before the calls
    random_calls(workspace.uow, seed)
    answers_and_assignments(workspace, seed)
    clock.set(datetime(2026, 3, 8, tzinfo=UTC))
    counted_reads.clear()
    ours, theirs = both_ways(workspace, FILTERS[name])
    assert_same(ours, theirs)
    assert len(ours["scripts"]) >= 2 or name == "one script"
    # The summaries were read where they hold the figures, not only by the first report: local
    # hours too unless a lead lives half an hour off UTC (Kolkata).
    times = {"buckets", "agent_outcomes", "blocked"}
    with workspace.uow() as uow:
        keys = set(uow.session.scalars(select(Lead.hours_key)))
    if "Asia/Kolkata|" not in keys:
        times.add("zone_hours")
    expected = {
        "every call": {*times, "lead_figures"},
        "part of the days": times,
        "one agent": times,
        "New York days": times,
        "Kolkata days": set(),
        "one list": {"lead_figures"},
        "one script": set(),
    }[name]
    assert set(counted_reads) == expected


def test_local_hours_come_from_the_summaries_when_every_zone_is_whole_hours(
    workspace: Workspace, counted_reads: dict[str, int]
) -> None:
    random_calls(workspace.uow, 6)
    with workspace.uow() as uow:
        uow.session.execute(
            update(Lead).where(Lead.hours_key == "Asia/Kolkata|").values(hours_key="America/Chicago|IL")
        )
        uow.commit()
    ours, theirs = both_ways(workspace, FILTERS["every call"])
    assert_same(ours, theirs)
    assert counted_reads.get("zone_hours") == 1
    assert ours["local_hour_unknown"] > 0  # leads with no key or an unknown zone, calls with no lead


def test_changed_outcome_rules_rebuild_the_summaries(workspace: Workspace) -> None:
    random_calls(workspace.uow, 7)
    service = report_service_for(workspace)
    before = service.build(FILTERS["every call"]).to_json()
    rules = workspace.outcome_rules_service.save({"voicemail": {"counts_as_contact": True}})
    with workspace.engine.connect() as connection:  # rebuilt with the rules, in the same commit
        assert rollups.stored_rules(connection)["voicemail"] == (True, True)
    kept = summary_rows(workspace)
    with workspace.engine.begin() as connection:
        rollups.rebuild(connection, rollups.rule_flags(rules))
    assert_same(kept, summary_rows(workspace), "summaries")
    # A report with other rules than the stored ones (another copy of Dialdesk) rebuilds first.
    rules = workspace.outcome_rules_service.combine(
        {"voicemail": {"counts_as_contact": True}, "busy": {"counts_as_attempt": False}}
    )
    changed = ReportService(workspace.uow, workspace.clock, rules, workspace.scripts)
    ours = changed.build(FILTERS["every call"]).to_json()
    changed.use_summaries = False
    assert_same(ours, changed.build(FILTERS["every call"]).to_json())
    assert ours["connects"] > before["connects"]
    with workspace.engine.connect() as connection:
        assert rollups.stored_rules(connection)["busy"] == (False, False)


def test_rules_saved_elsewhere_while_a_report_builds_never_mix_two_rule_sets(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    random_calls(workspace.uow, 15)
    service = report_service_for(workspace)
    service.build(FILTERS["every call"])
    other = open_workspace(str(workspace.url).removeprefix("sqlite:///"), clock=workspace.clock)
    original = ReportService.scope

    def then_another_copy_saves_rules(self: ReportService, flt: ReportFilter) -> Any:
        scope = original(self, flt)  # checked the summaries' rules; the passes read later
        other.outcome_rules_service.save({"voicemail": {"counts_as_contact": True}})
        return scope

    monkeypatch.setattr(ReportService, "scope", then_another_copy_saves_rules)
    try:
        ours = service.build(FILTERS["every call"]).to_json()
    finally:
        other.close()
    monkeypatch.setattr(ReportService, "scope", original)
    service.use_summaries = False
    assert_same(ours, service.build(FILTERS["every call"]).to_json())


def test_a_database_that_cannot_be_written_now_is_reported_from_the_calls(
    workspace: Workspace, counted_reads: dict[str, int]
) -> None:
    random_calls(workspace.uow, 18, calls=60, changes=10)
    rules = workspace.outcome_rules_service.combine({"busy": {"counts_as_attempt": False}})
    service = ReportService(workspace.uow, workspace.clock, rules, workspace.scripts)  # needs a rebuild
    other = workspace.engine.connect()
    other.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        # New connections that give up waiting for it after 50 ms instead of 5 s.
        workspace.engine.dispose()
        event.listen(
            workspace.engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout = 50")
        )
        ours = service.build(FILTERS["every call"]).to_json()
    finally:
        other.rollback()
        other.close()
    assert counted_reads == {}
    service.use_summaries = False
    assert_same(ours, service.build(FILTERS["every call"]).to_json())


def test_an_open_reports_service_follows_rules_saved_in_the_window(workspace: Workspace) -> None:
    random_calls(workspace.uow, 16)
    service = report_service_for(workspace)  # as the Reports window holds it
    before = service.build(FILTERS["every call"]).to_json()
    workspace.save_outcome_rules({"voicemail": {"counts_as_contact": True}})
    ours = service.build(FILTERS["every call"]).to_json()
    assert ours["connects"] > before["connects"]
    with workspace.engine.connect() as connection:  # not rebuilt back to the rules it started with
        assert rollups.stored_rules(connection)["voicemail"] == (True, True)
    service.use_summaries = False
    assert_same(ours, service.build(FILTERS["every call"]).to_json())


def test_local_hours_of_a_half_hour_report_zone_keep_to_its_window(workspace: Workspace) -> None:
    """A Kolkata day starts at 18:30 UTC: a call at 18:10 UTC belongs to the day before."""
    random_calls(workspace.uow, 17)
    one_day = FIRST_DAY + timedelta(days=2)
    with workspace.uow() as uow:
        uow.session.execute(update(Lead).values(hours_key="America/Chicago|IL"))
        lead_id = uow.session.scalars(select(Lead.id)).first()
        edge = datetime.combine(one_day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=5, minutes=30)
        for moment in (edge - timedelta(minutes=20), edge + timedelta(days=1, minutes=10)):  # just outside
            uow.session.add(Attempt(lead_id=lead_id, number="+13125550100", allowed=True, started_at=moment))
        uow.commit()
    for flt in (FILTERS["Kolkata days"], ReportFilter(one_day, one_day, zone="Asia/Kolkata")):
        data = report_service_for(workspace).build(flt).to_json()
        local = sum(hour["dials"] for hour in data["by_local_hour"].values()) + data["local_hour_unknown"]
        assert local == data["dials"]


def test_a_bulk_load_rebuilds_once_and_a_failed_one_keeps_the_triggers(workspace: Workspace) -> None:
    random_calls(workspace.uow, 8, calls=40, changes=10)
    flags = rollups.rule_flags(workspace.calling.outcome_rules)
    rng = random.Random(8)
    with workspace.uow() as uow:
        leads = list(uow.session.scalars(select(Lead.id)))
        agents = list(uow.session.scalars(select(Agent.id)))
    rows = [{**_attempt(rng, leads, agents), "backend": "manual", "note": ""} for _ in range(300)]
    with pytest.raises(RuntimeError), workspace.engine.begin() as connection:
        with rollups.summaries_deferred(connection, flags):
            assert not rollups.supported(connection)  # the triggers are gone inside
            bulk_insert(connection, Attempt, rows)
            raise RuntimeError("the load failed")
    with workspace.engine.begin() as connection:
        assert rollups.supported(connection)  # back with the rollback
        with rollups.summaries_deferred(connection, flags):
            bulk_insert(connection, Attempt, rows)
    loaded = summary_rows(workspace)
    with workspace.engine.begin() as connection:
        rollups.rebuild(connection, flags)
    assert_same(loaded, summary_rows(workspace), "summaries")
    assert_same(*both_ways(workspace, FILTERS["every call"]))


def test_without_the_triggers_reports_read_the_calls(
    workspace: Workspace, counted_reads: dict[str, int]
) -> None:
    random_calls(workspace.uow, 9, calls=50, changes=10)
    expected = report_service_for(workspace).build(FILTERS["every call"]).to_json()
    with workspace.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER report_attempt_added")
    counted_reads.clear()
    assert_same(report_service_for(workspace).build(FILTERS["every call"]).to_json(), expected)
    assert counted_reads == {}


def test_an_sqlite_too_old_for_the_triggers_drops_them_and_calls_are_still_recorded(
    db_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_workspace(str(db_path), clock=clock).close()  # upgraded, with its triggers, elsewhere
    monkeypatch.setattr(rollups, "library_can_keep", lambda connection: False)
    workspace = open_workspace(str(db_path), clock=clock)
    try:
        with workspace.engine.connect() as connection:
            assert not rollups.supported(connection)
        random_calls(workspace.uow, 14, calls=60, changes=20)  # a trigger that cannot run would refuse these
        with workspace.uow() as uow:
            dials = select(func.count()).select_from(Attempt).where(Attempt.corrects_id.is_(None))
            assert uow.session.scalar(dials) == 60
        assert_same(*both_ways(workspace, FILTERS["every call"]))
    finally:
        workspace.close()


def test_the_long_call_threshold_is_the_same_everywhere() -> None:
    import importlib.util

    from desktop.storage.migrate import migrations_dir

    # 0012 makes the triggers of 0007 again (undone calls left out) and adds one.
    for name in ("0007_report_rollups.py", "0012_undone_calls_and_external_ids.py"):
        path = migrations_dir() / "versions" / name
        spec = importlib.util.spec_from_file_location("migration_" + name[:4], path)
        assert spec is not None and spec.loader is not None
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        assert migration.LONG_CALL_S == rollups.LONG_CALL_S == CONVERSATION_MIN_S
    assert set(migration.TRIGGERS) == set(rollups.TRIGGERS)


def _columns_added_since(connection: Any) -> list[tuple[str, str, str]]:
    """The columns today's models have that the old database's tables lack (table, column, SQL type):
    lent to the old tables while the ORM writes calls, so the test follows every later revision."""
    from desktop.storage.models import Base

    lent = []
    for table in Base.metadata.sorted_tables:
        present = {row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({table.name})")}
        if not present:
            continue  # a table of a later revision: the ORM writes nothing to it here
        for column in table.columns:
            if column.name not in present:
                lent.append((table.name, column.name, column.type.compile(dialect=connection.dialect)))
    return lent


def test_an_upgraded_database_gets_its_summaries_when_it_opens(tmp_path: Path) -> None:
    from desktop.storage.engine import database_url, make_engine
    from desktop.storage.migrate import upgrade

    path = tmp_path / "old.db"
    engine = make_engine(database_url(str(path)))
    upgrade(engine, "0006")  # calls written before the summaries existed
    with engine.begin() as connection:  # the ORM writes today's columns: lent to the old table meanwhile
        lent = _columns_added_since(connection)
        for table, column, sql_type in lent:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
    random_calls(UnitOfWorkFactory(engine), 10, calls=60, changes=20)
    with engine.begin() as connection:
        for table, column, _sql_type in lent:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    with engine.begin() as connection:  # as other tools may have left them: '' and no fraction
        first_outcome = "SELECT min(id) FROM attempts WHERE outcome IS NOT NULL"
        connection.exec_driver_sql(f"UPDATE attempts SET outcome = '' WHERE id = ({first_outcome})")
        connection.exec_driver_sql("UPDATE attempts SET started_at = '2026-03-03 00:00:00' WHERE id = 2")
    engine.dispose()
    workspace = open_workspace(str(path), clock=ManualClock(datetime(2026, 3, 8, tzinfo=UTC)))
    try:
        kept = summary_rows(workspace)
        assert len(kept["report_hours"]) > 0 and len(kept["report_lead_stats"]) > 0
        with workspace.engine.connect() as connection:
            assert rollups.stored_rules(connection) == rollups.rule_flags(workspace.calling.outcome_rules)
            assert (
                connection.exec_driver_sql("SELECT count(*) FROM attempts WHERE outcome = ''").scalar() == 0
            )
            assert connection.exec_driver_sql("SELECT started_at FROM attempts WHERE id = 2").scalar() == (
                "2026-03-03 00:00:00.000000"
            )
        assert_same(*both_ways(workspace, FILTERS["every call"]))
        assert_same(*both_ways(workspace, ReportFilter(date(2026, 3, 3), date(2026, 3, 3))))
    finally:
        workspace.close()


@pytest.mark.parametrize("their_calls", [40, 1200])  # call by call; many: one rebuild at the end
def test_a_merge_keeps_the_summaries(
    tmp_path: Path, clock: ManualClock, counted_reads: dict[str, int], their_calls: int
) -> None:
    from desktop.services.merge import merge_service_for
    from desktop.services.settings import Settings

    spaces = []
    for name, seed, calls in (("Sue", 11, 100), ("Bob", 12, their_calls)):
        space = open_workspace(str(tmp_path / f"{name}.db"), clock=clock)
        space.save_settings(Settings(agent_name=name))
        random_calls(space.uow, seed, calls=calls, changes=calls // 3)
        spaces.append(space)
    sue, bob = spaces
    try:
        report_service_for(sue).build(FILTERS["every call"])  # Sue's summaries, built
        with bob.engine.begin() as connection:  # an empty code, as a tool outside Dialdesk may write
            trigger = "SELECT sql FROM sqlite_master WHERE name = 'attempts_append_only'"
            append_only = connection.exec_driver_sql(trigger).scalar()
            connection.exec_driver_sql("DROP TRIGGER attempts_append_only")  # (a tool that lifts it)
            connection.exec_driver_sql(
                "UPDATE attempts SET outcome = '' WHERE id % 7 = 0 AND outcome IS NOT NULL"
            )
            connection.exec_driver_sql(append_only)
            their_records = connection.exec_driver_sql("SELECT count(*) FROM attempts").scalar()
        bob.close()
        assert rollups.worth_deferring(their_calls, 100) == (their_calls > 1000)
        report = merge_service_for(sue).merge(tmp_path / "Bob.db")
        assert report.attempts_added == their_records  # their calls and their undo corrections
        kept = summary_rows(sue)
        with sue.engine.begin() as connection:
            assert rollups.supported(connection)
            rollups.rebuild(connection, rollups.rule_flags(sue.calling.outcome_rules))
        assert_same(kept, summary_rows(sue), "summaries")
        counted_reads.clear()
        assert_same(*both_ways(sue, FILTERS["every call"]))
        assert "lead_figures" in counted_reads
        with sue.engine.connect() as connection:
            assert (
                connection.exec_driver_sql("SELECT count(*) FROM attempts WHERE outcome = ''").scalar() == 0
            )
    finally:
        sue.close()
