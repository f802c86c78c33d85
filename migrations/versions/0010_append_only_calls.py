"""Call records are append-only: a completed call is never changed; a correction is a new record

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06

`attempts.corrects_id` lets a later record refer to the call it corrects (the old one stays as it
was). The trigger `attempts_append_only` refuses, inside SQLite itself, any change to a call that
has an outcome: whatever the code path (an edit, a merge, a restore's upgrade), a completed call's
outcome, times, note and identity stay as recorded. A call without an outcome yet (in progress, or
blocked by the gate) can still be completed.

A later migration that rebuilds `attempts` with batch_alter_table drops this trigger with the table
and must create it again (`APPEND_ONLY` here), like the report triggers of 0007.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns that make a call's record; `corrects_id` too (a record never changes what it corrects).
_RECORD = (
    "lead_id, phone_id, number, agent_id, backend, allowed, reasons, started_at, ended_at, duration_s,"
    " outcome, note, origin_db, origin_id, corrects_id"
)
APPEND_ONLY = (
    f"CREATE TRIGGER attempts_append_only BEFORE UPDATE OF {_RECORD} ON attempts"
    " WHEN OLD.outcome IS NOT NULL"
    " BEGIN SELECT RAISE(ABORT, 'a completed call is never changed: record a correction that refers to it');"
    " END"
)
KEEP_COMPLETED = (
    "CREATE TRIGGER attempts_kept BEFORE DELETE ON attempts WHEN OLD.outcome IS NOT NULL"
    " BEGIN SELECT RAISE(ABORT, 'a completed call is never deleted'); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.add_column("attempts", sa.Column("corrects_id", sa.Integer(), sa.ForeignKey("attempts.id")))
        return
    # ALTER TABLE, not batch_alter_table: a batch copy of attempts would drop the report triggers of 0007.
    op.execute("ALTER TABLE attempts ADD COLUMN corrects_id INTEGER REFERENCES attempts (id)")
    op.execute(APPEND_ONLY)
    op.execute(KEEP_COMPLETED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS attempts_kept")
        op.execute("DROP TRIGGER IF EXISTS attempts_append_only")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_column("corrects_id")
