"""Team mode: an index of the leads agents hold (`leads.claimed_by`, `claimed_until`)

Revision ID: 0017b
Revises: 0016a
Create Date: 2026-12-06

An agent's "next lead" first looks for the lead it already holds, and the live team view lists every
live claim: on a list of 1,000,000 leads both scanned the table (about 150 ms on PostgreSQL, per
"next lead"). A partial index on the held leads only (`WHERE claimed_by IS NOT NULL`: a handful of
rows, whatever the list's size) makes them lookups. Same index on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017b"
down_revision: str | None = "0016a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = "claimed_by IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_leads_claims",
        "leads",
        ["claimed_by", "claimed_until"],
        sqlite_where=sa.text(HELD),
        postgresql_where=sa.text(HELD),
    )


def downgrade() -> None:
    op.drop_index("ix_leads_claims", table_name="leads")
