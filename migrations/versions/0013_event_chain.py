"""A tamper-evident history: the append-only `events` hash chain and its verification checkpoints

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

`events` holds one row per thing that happened (gate decision, call, outcome, undo, note edit,
do-not-call change, consent, import, merge, restore, erasure …), each linked to the one before it
in its chain by SHA-256 (desktop/domain/event_chain.py). `chain` is the database id where the
event was made, so events merged from a colleague keep their own chain and hashes. The triggers
`events_append_only` and `events_kept` refuse, inside SQLite, any change or deletion of an event.
`event_checkpoints` holds, per chain, the last seq and hash verified, so the check at start reads
only newer events.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS_APPEND_ONLY = (
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the history is append-only: an event is never changed'); END"
)
EVENTS_KEPT = (
    "CREATE TRIGGER events_kept BEFORE DELETE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the history is append-only: an event is never deleted'); END"
)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("chain", "seq", name=op.f("uq_events_chain")),
    )
    op.create_index(op.f("ix_events_kind"), "events", ["kind", "occurred_at"], unique=False)
    op.create_table(
        "event_checkpoints",
        sa.Column("chain", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_event_checkpoints")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(EVENTS_APPEND_ONLY)
        op.execute(EVENTS_KEPT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_kept")
        op.execute("DROP TRIGGER IF EXISTS events_append_only")
    op.drop_table("event_checkpoints")
    op.drop_index(op.f("ix_events_kind"), table_name="events")
    op.drop_table("events")
