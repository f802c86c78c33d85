"""do-not-call registries: registry snapshots, loaded sources and the compact number table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_snapshots")),
    )
    with op.batch_alter_table("registry_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_snapshots_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_snapshots_imported_at"), ["imported_at"], unique=False)

    op.create_table(
        "registry_sources",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["registry_snapshots.id"],
            name=op.f("fk_registry_sources_snapshot_id_registry_snapshots"),
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_registry_sources")),
        sa.UniqueConstraint("slot", name=op.f("uq_registry_sources_slot")),
    )
    # One integer primary key: SQLite's rowid table (INTEGER), PostgreSQL's BIGINT. Keys reach 2.6e12.
    op.create_table(
        "registry_numbers",
        sa.Column(
            "number_key",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("number_key", name=op.f("pk_registry_numbers")),
    )


def downgrade() -> None:
    op.drop_table("registry_numbers")
    op.drop_table("registry_sources")
    with op.batch_alter_table("registry_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_snapshots_imported_at"))
        batch_op.drop_index(batch_op.f("ix_registry_snapshots_source"))
    op.drop_table("registry_snapshots")
