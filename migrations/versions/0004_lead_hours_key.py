"""Leads carry their calling-hours key and a cached permanent gate block

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hours_key", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("gate_block", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_leads_hours_key"), ["hours_key"], unique=False)
    # Existing leads get their key computed by the application at start-up (it needs the rule book).


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_hours_key"))
        batch_op.drop_column("gate_block")
        batch_op.drop_column("hours_key")
