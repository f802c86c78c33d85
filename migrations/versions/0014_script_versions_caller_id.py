"""Script versions and approvals; the script version and caller ID of every call

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

`script_versions` holds every saved text of a script, numbered per script name; `script_approvals`
a principal's approval of one version. Both are append-only inside SQLite itself (triggers): a
version's text never changes and an approval is never withdrawn by editing it. Imported scripts
already stored become their version 1.

`attempts` gains `script_version_id` (the version read on the call) and `caller_id` (the number
shown to the callee). They are added with ALTER TABLE (a batch copy would drop the triggers of 0007
and 0010), and `attempts_append_only` is made again to cover them: a completed call's script version
and caller ID are part of its record.

A SIP caller ID number stored before (`sip.caller_id_number`) becomes the setting `caller_id`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Who saved the versions this revision makes from scripts imported before versions existed.
MIGRATED_BY = "(imported before versions were kept)"

_RECORD_0010 = (
    "lead_id, phone_id, number, agent_id, backend, allowed, reasons, started_at, ended_at, duration_s,"
    " outcome, note, origin_db, origin_id, corrects_id"
)
_RECORD = _RECORD_0010 + ", script_version_id, caller_id"


def _append_only(columns: str) -> str:
    return (
        f"CREATE TRIGGER attempts_append_only BEFORE UPDATE OF {columns} ON attempts"
        " WHEN OLD.outcome IS NOT NULL"
        " BEGIN SELECT RAISE(ABORT, 'a completed call is never changed: record a correction that refers to"
        " it'); END"
    )


APPEND_ONLY = _append_only(_RECORD)
VERSION_TRIGGERS = (
    "CREATE TRIGGER script_versions_unchanged BEFORE UPDATE ON script_versions"
    " BEGIN SELECT RAISE(ABORT, 'a saved script version is never changed: save a new version'); END",
    "CREATE TRIGGER script_versions_kept BEFORE DELETE ON script_versions"
    " BEGIN SELECT RAISE(ABORT, 'a saved script version is never deleted'); END",
    "CREATE TRIGGER script_approvals_unchanged BEFORE UPDATE ON script_approvals"
    " BEGIN SELECT RAISE(ABORT, 'an approval is never changed: record a new one'); END",
    "CREATE TRIGGER script_approvals_kept BEFORE DELETE ON script_approvals"
    " BEGIN SELECT RAISE(ABORT, 'an approval is never deleted'); END",
)


def upgrade() -> None:
    op.create_table(
        "script_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("script_name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_versions")),
        sa.UniqueConstraint("script_name", "version", name="uq_script_versions_number"),
    )
    op.create_index("ix_script_versions_content", "script_versions", ["script_name", "content_sha256"])
    op.create_table(
        "script_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["script_versions.id"],
            name=op.f("fk_script_approvals_version_id_script_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_approvals")),
    )
    op.create_index(op.f("ix_script_approvals_version_id"), "script_approvals", ["version_id"])
    _first_versions()
    _caller_id_setting()
    if op.get_bind().dialect.name != "sqlite":
        op.add_column(
            "attempts",
            sa.Column("script_version_id", sa.Integer(), sa.ForeignKey("script_versions.id"), nullable=True),
        )
        op.add_column("attempts", sa.Column("caller_id", sa.String(length=40), nullable=True))
        return
    op.execute("ALTER TABLE attempts ADD COLUMN script_version_id INTEGER REFERENCES script_versions (id)")
    op.execute("ALTER TABLE attempts ADD COLUMN caller_id VARCHAR(40)")
    op.execute("DROP TRIGGER IF EXISTS attempts_append_only")
    op.execute(APPEND_ONLY)
    for trigger in VERSION_TRIGGERS:
        op.execute(trigger)


def _first_versions() -> None:
    """Every imported script becomes its own version 1, saved when it was imported."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT name, source_text, imported_at FROM scripts ORDER BY id")).all()
    for name, text, imported_at in rows:
        bind.execute(
            sa.text(
                "INSERT INTO script_versions (script_name, version, content, content_sha256, saved_at,"
                " saved_by) VALUES (:name, 1, :content, :sha, :saved_at, :by)"
            ),
            {
                "name": name,
                "content": text,
                "sha": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "saved_at": imported_at,
                "by": MIGRATED_BY,
            },
        )


def _caller_id_setting() -> None:
    bind = op.get_bind()
    stored = bind.execute(sa.text("SELECT value FROM settings WHERE key = 'sip.caller_id_number'")).first()
    present = bind.execute(sa.text("SELECT 1 FROM settings WHERE key = 'caller_id'")).first()
    if stored is None or present is not None:
        return
    number = json.loads(stored[0])
    if isinstance(number, str) and number.strip():
        bind.execute(
            sa.text("INSERT INTO settings (key, value) VALUES ('caller_id', :value)"),
            {"value": json.dumps(number.strip())},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "script_approvals_kept",
            "script_approvals_unchanged",
            "script_versions_kept",
            "script_versions_unchanged",
            "attempts_append_only",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("ALTER TABLE attempts DROP COLUMN caller_id")
        op.execute("ALTER TABLE attempts DROP COLUMN script_version_id")
        op.execute(_append_only(_RECORD_0010))
    else:
        op.drop_column("attempts", "caller_id")
        op.drop_column("attempts", "script_version_id")
    op.drop_index(op.f("ix_script_approvals_version_id"), table_name="script_approvals")
    op.drop_table("script_approvals")
    op.drop_index("ix_script_versions_content", table_name="script_versions")
    op.drop_table("script_versions")
