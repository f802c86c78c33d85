"""Reports and merges: a covering index for report scans, merged calls' origin, a database id

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

- `attempts.origin_db`, `attempts.origin_id`: where a call merged from a colleague's database was
  made (its database id and its id there); unique with the agent, so merging twice adds nothing.
- `ix_attempts_report`, `ix_attempts_lead`, `ix_attempts_agent`: covering indexes for the report
  queries, one per order they walk (docs/reports.md); they replace the single-column indexes on
  `started_at` and `lead_id`, whose columns they start with.
- the setting `database_id`: this database's identity in merges. A database that already holds
  calls or leads gets one derived from its first call and first lead, so an old file merged before
  its owner upgraded (the merge upgrades a temporary copy) gets the same id as after the upgrade.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One covering index per order the report queries walk (docs/reports.md).
REPORT_INDEXES = {
    "ix_attempts_report": ["started_at", "allowed", "outcome", "duration_s", "lead_id", "agent_id"],
    "ix_attempts_lead": ["lead_id", "started_at", "allowed", "outcome", "duration_s", "agent_id"],
    "ix_attempts_agent": ["agent_id", "allowed", "outcome", "started_at", "duration_s", "lead_id"],
}
DATABASE_ID_NAMESPACE = uuid.UUID("6f1c7d3e-2b1a-4c55-9b0e-5d1f0a7c9e21")


def _database_id(connection: sa.Connection) -> str:
    first_call = connection.execute(
        sa.text("SELECT id, started_at, number FROM attempts ORDER BY id LIMIT 1")
    ).first()
    first_lead = connection.execute(
        sa.text("SELECT id, created_at, identity_key FROM leads ORDER BY id LIMIT 1")
    ).first()
    if first_call is None and first_lead is None:
        return str(uuid.uuid4())
    seed = "|".join(str(value) for row in (first_call, first_lead) for value in (row or ("",)))
    return str(uuid.uuid5(DATABASE_ID_NAMESPACE, seed))


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_db", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("origin_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_attempts_origin", ["origin_db", "origin_id", "agent_id"], unique=True)
        for name, columns in REPORT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
        # The covering indexes start with these columns: the single-column indexes are redundant.
        batch_op.drop_index("ix_attempts_started_at")
        batch_op.drop_index("ix_attempts_lead_id")
    connection = op.get_bind()
    exists = connection.execute(sa.text("SELECT 1 FROM settings WHERE key = 'database_id'")).first()
    if exists is None:
        connection.execute(
            sa.text("INSERT INTO settings (key, value) VALUES ('database_id', :value)"),
            {"value": json.dumps(_database_id(connection))},
        )


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index("ix_attempts_lead_id", ["lead_id"], unique=False)
        batch_op.create_index("ix_attempts_started_at", ["started_at"], unique=False)
        for name in REPORT_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_index("ix_attempts_origin")
        batch_op.drop_column("origin_id")
        batch_op.drop_column("origin_db")
    # The database id stays: it is this file's identity in colleagues' databases.
