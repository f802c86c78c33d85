"""call scripts: imported scripts, answers captured per lead, script assignments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:12:57
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scripts")),
        sa.UniqueConstraint("name", name=op.f("uq_scripts_name")),
    )
    op.create_table(
        "script_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("script_name", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_script_assignments_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_assignments")),
        sa.UniqueConstraint("scope", "target", name="uq_script_assignments_scope_target"),
    )
    op.create_table(
        "script_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("script_name", sa.String(length=100), nullable=False),
        sa.Column("stage_id", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_script_answers_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_script_answers_attempt_id_attempts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_script_answers_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_answers")),
    )
    with op.batch_alter_table("script_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_script_answers_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index("ix_script_answers_lead", ["lead_id", "answered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_script_answers_script_name"), ["script_name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("script_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_script_answers_script_name"))
        batch_op.drop_index("ix_script_answers_lead")
        batch_op.drop_index(batch_op.f("ix_script_answers_attempt_id"))

    op.drop_table("script_answers")
    op.drop_table("script_assignments")
    op.drop_table("scripts")
