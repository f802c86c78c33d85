"""Undone calls leave the report summaries; leads keep their CRM record id; agents can be merged

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

An undone outcome (desktop/services/outcome_undo.py) is a correction record (outcome `undone`,
`corrects_id` → the call); the call itself stays. Neither is a dial: the report triggers of 0007
counted both. Here they are made again so that a correction record adds nothing and takes the call
it undoes away from every summary, and every per-lead figure leaves undone calls out. The
summaries are emptied of their rules so the next start rebuilds them from the calls
(desktop/storage/rollups.py, which leaves out the same calls).

`ix_attempts_corrects` (partial: only corrections) finds the undone calls without a table walk.

`leads.external_id`: the lead's id in the CRM it was imported from (a "Record ID" column), indexed:
re-imports match on it and the outcomes export is keyed by it.

`agents.merged_into_id`: reports count an agent's calls as another's (a name typed two ways, the
default name before "Your name" was set); the calls keep their agent.

ALTER TABLE, not batch_alter_table: a batch copy would drop the triggers of 0007 and 0010.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONG_CALL_S = 60
UNDONE = "'undone'"
# The ids of undone calls (a correction with outcome `undone` refers to them).
UNDONE_IDS = f"SELECT corrects_id FROM attempts WHERE corrects_id IS NOT NULL AND outcome = {UNDONE}"
# A call that counts in reports: not a correction, not undone (`a` is the call's alias).
STANDS = "{a}.outcome IS NOT " + UNDONE + " AND {a}.id NOT IN (" + UNDONE_IDS + ")"

_REASONS_ARRAY = """CASE WHEN json_valid({r}) THEN CASE json_type({r})
    WHEN 'array' THEN {r}
    WHEN 'object' THEN CASE json_type({r}, '$.reasons') WHEN 'array' THEN json_extract({r}, '$.reasons') END
  END END"""
_CODES = """SELECT json_extract(value, '$.code') AS code FROM json_each({array})
  WHERE type = 'object' AND json_type(value, '$.code') = 'text' AND json_extract(value, '$.code') <> ''"""


def _reason_codes(record: str) -> str:
    codes = _CODES.format(array=_REASONS_ARRAY.format(r=record))
    return f"{codes} UNION SELECT 'unknown' WHERE NOT EXISTS ({codes})"


def _add_call(row: str, sign: str, source: str = "(SELECT 1)", where: str = "1") -> str:
    """Statements that add (sign "") or take away (sign "-") one call: `row` is NEW, OLD or an alias
    of `attempts` in `source`, the call being the row of `source` that meets `where`."""
    agent, outcome = f"coalesce({row}.agent_id, 0)", f"coalesce({row}.outcome, '')"
    hour = f"substr({row}.started_at, 1, 13)"
    statements = []
    for table, time_key, length in (("report_hours", "hour", 13), ("report_days", "day", 10)):
        moment = f"substr({row}.started_at, 1, {length})"
        statements.append(
            f"""INSERT INTO {table} ({time_key}, agent_id, allowed, outcome, calls, seconds, long_calls)
  SELECT {moment}, {agent}, {row}.allowed, {outcome}, {sign}1, {sign}coalesce({row}.duration_s, 0),
         {sign}coalesce({row}.duration_s >= {LONG_CALL_S}, 0)
  FROM {source} WHERE {where}
  ON CONFLICT ({time_key}, agent_id, allowed, outcome) DO UPDATE SET calls = calls + excluded.calls,
    seconds = seconds + excluded.seconds,
    long_calls = long_calls + excluded.long_calls"""
        )
        if sign:
            statements.append(
                f"""DELETE FROM {table} WHERE calls = 0 AND EXISTS (SELECT 1 FROM {source} WHERE {where}
  AND {table}.{time_key} = {moment} AND {table}.agent_id = {agent} AND {table}.allowed = {row}.allowed
  AND {table}.outcome = {outcome})"""
            )
    contact = f"coalesce((SELECT contact FROM report_rollup_rules WHERE code = {row}.outcome), 0)"
    seconds = f"coalesce({row}.duration_s, 0)"
    statements.append(
        f"""INSERT INTO report_hour_totals
    (hour, agent_id, calls, dials, connects, conversations, meetings, call_s, talk_s)
  SELECT {hour}, {agent}, {sign}1, {sign}{row}.allowed, {sign}{contact},
    {sign}({contact} AND coalesce({row}.duration_s >= {LONG_CALL_S}, 0)), {sign}({outcome} = 'meeting'),
    {sign}({row}.allowed * {seconds}), {sign}({contact} * {seconds})
  FROM {source} WHERE {where}
  ON CONFLICT (hour, agent_id) DO UPDATE SET calls = calls + excluded.calls, dials = dials + excluded.dials,
    connects = connects + excluded.connects, conversations = conversations + excluded.conversations,
    meetings = meetings + excluded.meetings, call_s = call_s + excluded.call_s,
    talk_s = talk_s + excluded.talk_s"""
    )
    statements.append(
        f"""INSERT INTO report_zone_hours (hour, hours_key, agent_id, dials, connects)
  SELECT {hour}, coalesce((SELECT hours_key FROM leads WHERE id = {row}.lead_id), ''), {agent}, {sign}1,
    {sign}{contact}
  FROM {source} WHERE {where} AND {row}.allowed
  ON CONFLICT (hour, hours_key, agent_id) DO UPDATE SET dials = dials + excluded.dials,
    connects = connects + excluded.connects"""
    )

    # The reason codes come from a subquery that cannot see `source`'s row: its values go in as scalars.
    def one(value: str) -> str:
        return f"(SELECT {value} FROM {source} WHERE {where})"

    statements.append(
        f"""INSERT INTO report_blocked (hour, agent_id, reason, calls)
  SELECT {one(hour)}, {one(agent)}, r.code, {sign}1 FROM ({_reason_codes(one(f"{row}.reasons"))}) r
  WHERE EXISTS (SELECT 1 FROM {source} WHERE {where} AND NOT {row}.allowed)
  ON CONFLICT (hour, agent_id, reason) DO UPDATE SET calls = calls + excluded.calls"""
    )
    if sign:
        statements.append(
            f"""DELETE FROM report_blocked WHERE calls = 0 AND EXISTS (SELECT 1 FROM {source} WHERE {where}
  AND NOT {row}.allowed AND report_blocked.hour = {hour} AND report_blocked.agent_id = {agent})"""
        )
    return ";\n".join(statements) + ";\n"


def _lead_sequence(lead_id: str, only_if: str = "1") -> str:
    """The statement that works out lead `lead_id`'s sequence figures again from its standing calls."""
    return f"""INSERT OR REPLACE INTO report_lead_stats
    (lead_id, calls, attempts, to_contact, connects, meetings, talk_s)
  SELECT s.lead_id, s.calls, s.attempts,
    CASE WHEN s.first_contact IS NULL THEN 0 ELSE (
      SELECT count(*) FROM attempts e JOIN report_rollup_rules er ON er.code = e.outcome
      WHERE e.lead_id = s.lead_id AND e.allowed AND er.counted AND e.started_at <= s.first_contact
        AND {STANDS.format(a="e")}
    ) END,
    s.connects, s.meetings, s.talk_s
  FROM (
    SELECT {lead_id} AS lead_id, count(a.outcome) AS calls, coalesce(sum(r.counted), 0) AS attempts,
      min(CASE WHEN r.contact THEN a.started_at END) AS first_contact,
      coalesce(sum(r.contact), 0) AS connects, coalesce(sum(a.outcome = 'meeting'), 0) AS meetings,
      coalesce(sum(CASE WHEN r.contact THEN a.duration_s END), 0) AS talk_s
    FROM attempts a LEFT JOIN report_rollup_rules r ON r.code = a.outcome
    WHERE a.lead_id = {lead_id} AND a.allowed AND {STANDS.format(a="a")}
  ) s
  WHERE s.lead_id IS NOT NULL AND {only_if};
"""


_UNDOES = f"NEW.corrects_id IS NOT NULL AND NEW.outcome = {UNDONE}"
# The call a new correction undoes, unless an earlier correction undid it already.
_UNDONE_CALL = (
    f"o.id = NEW.corrects_id AND NOT EXISTS (SELECT 1 FROM attempts u WHERE u.corrects_id = o.id"
    f" AND u.outcome = {UNDONE} AND u.id <> NEW.id)"
)

TRIGGERS = {
    "report_attempt_added": f"""CREATE TRIGGER report_attempt_added AFTER INSERT ON attempts
WHEN NEW.outcome IS NOT {UNDONE}
BEGIN
{_add_call("NEW", "")}{_lead_sequence("NEW.lead_id")}END""",
    "report_attempt_undone": f"""CREATE TRIGGER report_attempt_undone AFTER INSERT ON attempts
WHEN {_UNDOES}
BEGIN
{_add_call("o", "-", "attempts o", _UNDONE_CALL)}\
{_lead_sequence("(SELECT lead_id FROM attempts WHERE id = NEW.corrects_id)")}END""",
    # Only a call without an outcome changes (append-only, 0010); should a tool lift that, a
    # correction or an undone call still counts on neither side.
    "report_attempt_changed": f"""CREATE TRIGGER report_attempt_changed
AFTER UPDATE OF lead_id, agent_id, allowed, reasons, started_at, duration_s, outcome ON attempts
BEGIN
{_add_call("OLD", "-", where=STANDS.format(a="OLD"))}
{_add_call("NEW", "", where=STANDS.format(a="NEW"))}{_lead_sequence("NEW.lead_id")}
{_lead_sequence("OLD.lead_id", "OLD.lead_id IS NOT NEW.lead_id")}END""",
    "report_attempt_removed": f"""CREATE TRIGGER report_attempt_removed AFTER DELETE ON attempts
WHEN {STANDS.format(a="OLD")}
BEGIN
{_add_call("OLD", "-")}{_lead_sequence("OLD.lead_id")}END""",
    "report_lead_rekeyed": f"""CREATE TRIGGER report_lead_rekeyed AFTER UPDATE OF hours_key ON leads
WHEN OLD.hours_key IS NOT NEW.hours_key
BEGIN
INSERT INTO report_zone_hours (hour, hours_key, agent_id, dials, connects)
  SELECT substr(a.started_at, 1, 13), k.hours_key, coalesce(a.agent_id, 0),
    k.sign * count(*), k.sign * coalesce(sum(r.contact), 0)
  FROM attempts a LEFT JOIN report_rollup_rules r ON r.code = a.outcome,
    (SELECT coalesce(OLD.hours_key, '') AS hours_key, -1 AS sign
     UNION ALL SELECT coalesce(NEW.hours_key, ''), 1) k
  WHERE a.lead_id = NEW.id AND a.allowed AND {STANDS.format(a="a")}
  GROUP BY 1, 2, 3, k.sign
  ON CONFLICT (hour, hours_key, agent_id) DO UPDATE SET dials = dials + excluded.dials,
    connects = connects + excluded.connects;
END""",
}


def _triggers_kept(connection: sa.Connection) -> bool:
    """Whether 0007 made the report triggers here (an SQLite that can run them)."""
    row = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'report_attempt_added'"
    ).scalar()
    return bool(row)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("ALTER TABLE leads ADD COLUMN external_id VARCHAR(200) NOT NULL DEFAULT ''")
        op.execute("ALTER TABLE agents ADD COLUMN merged_into_id INTEGER REFERENCES agents (id)")
    else:
        op.add_column("leads", sa.Column("external_id", sa.String(200), nullable=False, server_default=""))
        op.add_column("agents", sa.Column("merged_into_id", sa.Integer(), sa.ForeignKey("agents.id")))
    op.create_index("ix_leads_external_id", "leads", ["external_id"])
    op.create_index(
        "ix_attempts_corrects",
        "attempts",
        ["corrects_id", "outcome"],
        sqlite_where=sa.text("corrects_id IS NOT NULL"),
        postgresql_where=sa.text("corrects_id IS NOT NULL"),
    )
    if sqlite and _triggers_kept(op.get_bind()):
        for name in ("report_attempt_added", "report_attempt_changed", "report_attempt_removed"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TRIGGER IF EXISTS report_lead_rekeyed")
        for sql in TRIGGERS.values():
            op.execute(sql)
        # Built counting undone calls: the next start rebuilds them.
        op.execute("DELETE FROM report_rollup_rules")


def downgrade() -> None:
    # Without their triggers the summaries are not read (rollups.supported): reports read the calls.
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DELETE FROM report_rollup_rules")
    op.drop_index("ix_attempts_corrects", table_name="attempts")
    op.drop_index("ix_leads_external_id", table_name="leads")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("external_id")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("merged_into_id")
