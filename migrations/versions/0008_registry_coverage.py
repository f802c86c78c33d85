"""registry coverage per area code: each area code of a registry copy keeps its own as-of date

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:30:00

Existing copies are taken to cover the area codes they hold numbers in, each at the copy's as-of
date: what the copy was downloaded for, as far as the database can tell.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keys are slot * 10**10 + national number; the area code is the national number // 10**7.
_BACKFILL = """
INSERT INTO registry_coverage (source, area_code, as_of, count, snapshot_id)
SELECT s.name, (n.number_key - s.slot * 10000000000) / 10000000, s.as_of, count(*), s.snapshot_id
FROM registry_sources s
JOIN registry_numbers n
  ON n.number_key >= s.slot * 10000000000 AND n.number_key < (s.slot + 1) * 10000000000
WHERE s.as_of IS NOT NULL
GROUP BY s.name, (n.number_key - s.slot * 10000000000) / 10000000, s.as_of, s.snapshot_id
"""


def upgrade() -> None:
    op.create_table(
        "registry_coverage",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["registry_snapshots.id"],
            name=op.f("fk_registry_coverage_snapshot_id_registry_snapshots"),
        ),
        sa.PrimaryKeyConstraint("source", "area_code", name=op.f("pk_registry_coverage")),
    )
    op.execute(_BACKFILL)


def downgrade() -> None:
    op.drop_table("registry_coverage")
