"""Indexes that make "next lead" one lookup per queue bucket: due callbacks and warm leads

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_due_reason", ["due_reason", "next_due_at"], unique=False)
        batch_op.create_index("ix_leads_warmth", ["warmth", "next_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_warmth")
        batch_op.drop_index("ix_leads_due_reason")
