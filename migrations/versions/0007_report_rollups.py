"""Report summaries kept up to date by triggers: calls per hour, per day, per lead zone, blocked
reasons and per-lead sequences

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

A report over a million calls read every one of them, four times. These tables hold the same
figures summed per UTC hour (or day, or lead; `report_hour_totals` with the rules applied), so a
report reads a few tens of thousands of rows.
SQLite triggers on `attempts` and `leads` keep them equal to the call record in the same
transaction as each change; desktop/storage/rollups.py rebuilds them whole when the outcome rules
they were built with (`report_rollup_rules`) differ from the rules in force, and after bulk loads.
The tables are created empty: the first report after this upgrade fills them.

On other databases than SQLite no trigger is created and reports read the calls themselves.

A later migration that rebuilds `attempts` or `leads` (batch_alter_table on SQLite copies the
table) drops these triggers with it and must create them again (`TRIGGERS` here).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Seconds from which a connect is a conversation: reports_figures.CONVERSATION_MIN_S (a test checks).
LONG_CALL_S = 60

# The reason codes of one decision record (`{"reasons": [{"code": …}, …], …}`, or an early bare
# list), as reports_figures.reason_codes() reads them; invalid JSON has none.
_REASONS_ARRAY = """CASE WHEN json_valid({r}) THEN CASE json_type({r})
    WHEN 'array' THEN {r}
    WHEN 'object' THEN CASE json_type({r}, '$.reasons') WHEN 'array' THEN json_extract({r}, '$.reasons') END
  END END"""
_CODES = """SELECT json_extract(value, '$.code') AS code FROM json_each({array})
  WHERE type = 'object' AND json_type(value, '$.code') = 'text' AND json_extract(value, '$.code') <> ''"""


def _reason_codes(record: str) -> str:
    """Each code once, or "unknown" when the record has none."""
    codes = _CODES.format(array=_REASONS_ARRAY.format(r=record))
    return f"{codes} UNION SELECT 'unknown' WHERE NOT EXISTS ({codes})"


def _add_call(row: str, sign: str) -> str:
    """Statements that add (sign "") or take away (sign "-") one call `row` (NEW or OLD)."""
    hour, agent, outcome = (
        f"substr({row}.started_at, 1, 13)",
        f"coalesce({row}.agent_id, 0)",
        f"coalesce({row}.outcome, '')",
    )
    statements = []
    for table, time_key, length in (("report_hours", "hour", 13), ("report_days", "day", 10)):
        moment = f"substr({row}.started_at, 1, {length})"
        statements.append(
            f"""INSERT INTO {table} ({time_key}, agent_id, allowed, outcome, calls, seconds, long_calls)
  VALUES ({moment}, {agent}, {row}.allowed, {outcome}, {sign}1, {sign}coalesce({row}.duration_s, 0),
          {sign}coalesce({row}.duration_s >= {LONG_CALL_S}, 0))
  ON CONFLICT ({time_key}, agent_id, allowed, outcome) DO UPDATE SET calls = calls + excluded.calls,
    seconds = seconds + excluded.seconds,
    long_calls = long_calls + excluded.long_calls"""
        )
        if sign:
            statements.append(
                f"""DELETE FROM {table} WHERE {time_key} = {moment} AND agent_id = {agent}
  AND allowed = {row}.allowed AND outcome = {outcome} AND calls = 0"""
            )
    contact = f"coalesce((SELECT contact FROM report_rollup_rules WHERE code = {row}.outcome), 0)"
    seconds = f"coalesce({row}.duration_s, 0)"
    statements.append(
        f"""INSERT INTO report_hour_totals
    (hour, agent_id, calls, dials, connects, conversations, meetings, call_s, talk_s)
  SELECT {hour}, {agent}, {sign}1, {sign}{row}.allowed, {sign}c.contact,
    {sign}(c.contact AND coalesce({row}.duration_s >= {LONG_CALL_S}, 0)), {sign}({outcome} = 'meeting'),
    {sign}({row}.allowed * {seconds}), {sign}(c.contact * {seconds})
  FROM (SELECT {contact} AS contact) c WHERE true
  ON CONFLICT (hour, agent_id) DO UPDATE SET calls = calls + excluded.calls, dials = dials + excluded.dials,
    connects = connects + excluded.connects, conversations = conversations + excluded.conversations,
    meetings = meetings + excluded.meetings, call_s = call_s + excluded.call_s,
    talk_s = talk_s + excluded.talk_s"""
    )
    statements.append(
        f"""INSERT INTO report_zone_hours (hour, hours_key, agent_id, dials, connects)
  SELECT {hour}, coalesce((SELECT hours_key FROM leads WHERE id = {row}.lead_id), ''), {agent}, {sign}1,
    {sign}coalesce((SELECT contact FROM report_rollup_rules WHERE code = {row}.outcome), 0)
  WHERE {row}.allowed
  ON CONFLICT (hour, hours_key, agent_id) DO UPDATE SET dials = dials + excluded.dials,
    connects = connects + excluded.connects"""
    )
    statements.append(
        f"""INSERT INTO report_blocked (hour, agent_id, reason, calls)
  SELECT {hour}, {agent}, code, {sign}1 FROM ({_reason_codes(f"{row}.reasons")})
  WHERE NOT {row}.allowed
  ON CONFLICT (hour, agent_id, reason) DO UPDATE SET calls = calls + excluded.calls"""
    )
    if sign:
        statements.append(
            f"DELETE FROM report_blocked WHERE hour = {hour} AND agent_id = {agent} AND calls = 0"
            f" AND NOT {row}.allowed"
        )
    return ";\n".join(statements) + ";\n"


def _lead_sequence(lead_id: str, only_if: str = "1") -> str:
    """The statement that works out lead `lead_id`'s sequence figures again from its calls."""
    return f"""INSERT OR REPLACE INTO report_lead_stats
    (lead_id, calls, attempts, to_contact, connects, meetings, talk_s)
  SELECT s.lead_id, s.calls, s.attempts,
    CASE WHEN s.first_contact IS NULL THEN 0 ELSE (
      SELECT count(*) FROM attempts e JOIN report_rollup_rules er ON er.code = e.outcome
      WHERE e.lead_id = s.lead_id AND e.allowed AND er.counted AND e.started_at <= s.first_contact
    ) END,
    s.connects, s.meetings, s.talk_s
  FROM (
    SELECT {lead_id} AS lead_id, count(a.outcome) AS calls, coalesce(sum(r.counted), 0) AS attempts,
      min(CASE WHEN r.contact THEN a.started_at END) AS first_contact,
      coalesce(sum(r.contact), 0) AS connects, coalesce(sum(a.outcome = 'meeting'), 0) AS meetings,
      coalesce(sum(CASE WHEN r.contact THEN a.duration_s END), 0) AS talk_s
    FROM attempts a LEFT JOIN report_rollup_rules r ON r.code = a.outcome
    WHERE a.lead_id = {lead_id} AND a.allowed
  ) s
  WHERE s.lead_id IS NOT NULL AND {only_if};
"""


TRIGGERS = {
    "report_attempt_added": f"""CREATE TRIGGER report_attempt_added AFTER INSERT ON attempts
BEGIN
{_add_call("NEW", "")}{_lead_sequence("NEW.lead_id")}END""",
    "report_attempt_changed": f"""CREATE TRIGGER report_attempt_changed
AFTER UPDATE OF lead_id, agent_id, allowed, reasons, started_at, duration_s, outcome ON attempts
BEGIN
{_add_call("OLD", "-")}{_add_call("NEW", "")}{_lead_sequence("NEW.lead_id")}
{_lead_sequence("OLD.lead_id", "OLD.lead_id IS NOT NEW.lead_id")}END""",
    "report_attempt_removed": f"""CREATE TRIGGER report_attempt_removed AFTER DELETE ON attempts
BEGIN
{_add_call("OLD", "-")}{_lead_sequence("OLD.lead_id")}END""",
    # A lead's calls move to its new hours key (the zone its local hours are counted in).
    "report_lead_rekeyed": """CREATE TRIGGER report_lead_rekeyed AFTER UPDATE OF hours_key ON leads
WHEN OLD.hours_key IS NOT NEW.hours_key
BEGIN
INSERT INTO report_zone_hours (hour, hours_key, agent_id, dials, connects)
  SELECT substr(a.started_at, 1, 13), k.hours_key, coalesce(a.agent_id, 0),
    k.sign * count(*), k.sign * coalesce(sum(r.contact), 0)
  FROM attempts a LEFT JOIN report_rollup_rules r ON r.code = a.outcome,
    (SELECT coalesce(OLD.hours_key, '') AS hours_key, -1 AS sign
     UNION ALL SELECT coalesce(NEW.hours_key, ''), 1) k
  WHERE a.lead_id = NEW.id AND a.allowed
  GROUP BY 1, 2, 3, k.sign
  ON CONFLICT (hour, hours_key, agent_id) DO UPDATE SET dials = dials + excluded.dials,
    connects = connects + excluded.connects;
END""",
}


def _sqlite_can_keep_summaries(connection: sa.Connection) -> bool:
    """SQLite 3.24 or later (upsert) with its JSON functions (built in from 3.38, an option before).

    desktop/storage/rollups.py makes the same check when a database opens, and drops the triggers
    if an older SQLite opens a database upgraded elsewhere: a trigger that cannot run would refuse
    every call recorded.
    """
    version = tuple(
        int(part) for part in str(connection.exec_driver_sql("SELECT sqlite_version()").scalar()).split(".")
    )
    if version < (3, 24):
        return False
    try:
        connection.exec_driver_sql("SELECT json_valid('[]'), json_type('[]'), json_extract('{}', '$.a')")
    except sa.exc.DBAPIError:
        return False
    return True


def _summary_columns(*key: sa.Column) -> list[sa.Column]:
    return [
        *key,
        sa.Column("agent_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("long_calls", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_rollup_rules",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("contact", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_report_rollup_rules")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_hours",
        *_summary_columns(sa.Column("hour", sa.String(length=13), nullable=False)),
        sa.PrimaryKeyConstraint("hour", "agent_id", "allowed", "outcome", name=op.f("pk_report_hours")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_days",
        *_summary_columns(sa.Column("day", sa.String(length=10), nullable=False)),
        sa.PrimaryKeyConstraint("day", "agent_id", "allowed", "outcome", name=op.f("pk_report_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_hour_totals",
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("agent_id", sa.Integer(), autoincrement=False, nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in ("calls", "dials", "connects")],
        *[sa.Column(name, sa.Integer(), nullable=False) for name in ("conversations", "meetings")],
        sa.Column("call_s", sa.Float(), nullable=False),
        sa.Column("talk_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "agent_id", name=op.f("pk_report_hour_totals")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_zone_hours",
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("hours_key", sa.String(length=400), nullable=False),
        sa.Column("agent_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("dials", sa.Integer(), nullable=False),
        sa.Column("connects", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "hours_key", "agent_id", name=op.f("pk_report_zone_hours")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_blocked",
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("agent_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "agent_id", "reason", name=op.f("pk_report_blocked")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_lead_stats",
        sa.Column("lead_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("to_contact", sa.Integer(), nullable=False),
        sa.Column("connects", sa.Integer(), nullable=False),
        sa.Column("meetings", sa.Integer(), nullable=False),
        sa.Column("talk_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_report_lead_stats")),
    )
    # One spelling for "no outcome" (an empty code could only come in from outside Dialdesk), and on
    # SQLite every start time in the text form Dialdesk writes ('YYYY-MM-DD HH:MM:SS.ffffff'): the
    # summaries key calls by its first characters, and windows compare it as text.
    op.execute("UPDATE attempts SET outcome = NULL WHERE outcome = ''")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE attempts SET started_at = started_at || '.000000' WHERE length(started_at) = 19")
    if op.get_bind().dialect.name == "sqlite" and _sqlite_can_keep_summaries(op.get_bind()):
        for sql in TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in (
        "report_lead_stats",
        "report_blocked",
        "report_zone_hours",
        "report_hour_totals",
        "report_days",
        "report_hours",
        "report_rollup_rules",
    ):
        op.drop_table(table)
