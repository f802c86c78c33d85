"""Team mode: PostgreSQL tells listeners when calls or leads change (the live supervisor view)

Revision ID: 0016a
Revises: 0015
Create Date: 2026-12-06

On PostgreSQL only: after any statement that writes `attempts` or `leads` (a dial, an outcome, a
claim taken or released, an import, a gate refusal remembered), a statement-level trigger sends
`NOTIFY dialdesk_team` with the table's name as payload. `pg_notify` in the writing transaction is
delivered only when it commits (a rolled-back write tells nobody), and identical notifications of one
transaction are folded into one, so a 100,000-row import wakes a listener once. The live view
(desktop/services/team_watch.py) LISTENs and recomputes its snapshot on each one: no polling.

On SQLite (one process, no server to notify through) this revision does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016a"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "dialdesk_team"  # desktop/storage/notify.py listens on it
WATCHED_TABLES = ("attempts", "leads")
PG_NOTIFY_FUNCTION = f"""CREATE FUNCTION dialdesk_team_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
  RETURN NULL;
END
$$"""


def _trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_team_notify AFTER INSERT OR UPDATE OR DELETE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION dialdesk_team_changed()"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_NOTIFY_FUNCTION)
    for table in WATCHED_TABLES:
        op.execute(_trigger(table))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in WATCHED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_team_notify ON {table}")
    op.execute("DROP FUNCTION IF EXISTS dialdesk_team_changed()")
