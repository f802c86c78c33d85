"""Team mode: a lead is claimed by one agent at a time; PostgreSQL gets the record's own guards

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

`leads.claimed_by` (an agent) and `leads.claimed_until` (UTC): while the claim runs no other agent
is offered the lead; a claim left by an agent whose window died simply expires
(desktop/services/claims.py).

On PostgreSQL only:
- every `VARCHAR(n)` becomes `TEXT`: SQLite never enforced those lengths, so Dialdesk has always
  stored longer values (hours keys, identity keys, notes of imported rows), and a team database must
  take what a file took;
- the append-only guard of revision 0010 (a completed call is never changed or deleted) as a
  PL/pgSQL trigger function, with the same message and an integrity-violation error code.

On SQLite the columns are added with plain ALTER TABLE: a batch copy of `leads` would drop the
report trigger `report_lead_rekeyed` of 0007.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns of a call's record (0014's `_RECORD`: 0010's, and the script version and caller ID).
_RECORD = (
    "lead_id, phone_id, number, agent_id, backend, allowed, reasons, started_at, ended_at, duration_s,"
    " outcome, note, origin_db, origin_id, corrects_id, script_version_id, caller_id"
)
PG_APPEND_ONLY_FUNCTION = """CREATE FUNCTION dialdesk_attempts_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a completed call is never deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RAISE EXCEPTION 'a completed call is never changed: record a correction that refers to it'
    USING ERRCODE = 'integrity_constraint_violation';
END
$$"""
PG_APPEND_ONLY = (
    f"CREATE TRIGGER attempts_append_only BEFORE UPDATE OF {_RECORD} ON attempts FOR EACH ROW"
    " WHEN (OLD.outcome IS NOT NULL) EXECUTE FUNCTION dialdesk_attempts_kept()"
)
PG_KEEP_COMPLETED = (
    "CREATE TRIGGER attempts_kept BEFORE DELETE ON attempts FOR EACH ROW"
    " WHEN (OLD.outcome IS NOT NULL) EXECUTE FUNCTION dialdesk_attempts_kept()"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE leads ADD COLUMN claimed_by INTEGER REFERENCES agents (id)")
        op.execute("ALTER TABLE leads ADD COLUMN claimed_until DATETIME")
        return
    op.add_column(
        "leads",
        sa.Column(
            "claimed_by",
            sa.Integer(),
            sa.ForeignKey("agents.id", name=op.f("fk_leads_claimed_by_agents")),
            nullable=True,
        ),
    )
    op.add_column("leads", sa.Column("claimed_until", sa.DateTime(), nullable=True))
    if bind.dialect.name != "postgresql":
        return
    rows = bind.exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND data_type = 'character varying'"
    ).all()
    for table, column in rows:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE TEXT')
    op.execute(PG_APPEND_ONLY_FUNCTION)
    op.execute(PG_APPEND_ONLY)
    op.execute(PG_KEEP_COMPLETED)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS attempts_kept ON attempts")
        op.execute("DROP TRIGGER IF EXISTS attempts_append_only ON attempts")
        op.execute("DROP FUNCTION IF EXISTS dialdesk_attempts_kept()")
    if bind.dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place (no batch copy, so the report triggers stay).
        op.execute("ALTER TABLE leads DROP COLUMN claimed_until")
        op.execute("ALTER TABLE leads DROP COLUMN claimed_by")
        return
    op.drop_column("leads", "claimed_until")
    op.drop_column("leads", "claimed_by")
