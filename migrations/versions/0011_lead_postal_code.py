"""Leads keep their ZIP or postal code, and the state and zone it settles

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

`leads.postal_code` is the code as the list gave it, normalised ("02134", "M5V 2T6");
`postal_state` the state or province it belongs to, `postal_zone` a US ZIP's time zone (empty for
a Canadian code: its province's zones apply). The dial gate narrows a number's zones by them and
adds the state's rules, as it does with a recorded state. Empty for every existing lead.

Plain ALTER TABLE: a batch copy of `leads` would drop the report triggers of 0007.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("postal_code", 20), ("postal_state", 8), ("postal_zone", 64))


def upgrade() -> None:
    for name, length in _COLUMNS:
        op.add_column("leads", sa.Column(name, sa.String(length), nullable=False, server_default=""))


def downgrade() -> None:
    for name, _length in reversed(_COLUMNS):
        # SQLite 3.35+ drops a column in place (no table copy, so the triggers stay).
        op.execute(f"ALTER TABLE leads DROP COLUMN {name}")
