"""Team set-up on PostgreSQL: the database brought to the latest schema, and roles for its people.

Two group roles hold the privileges; each person logs in as their own role, a member of one:
- `dialdesk_supervisor`: everything Dialdesk does (imports registries, edits rules and scripts,
  deletes entries from the do-not-call list);
- `dialdesk_agent`: calls and records. An agent can add calls but never delete one (a completed
  call cannot be rewritten by anyone: the append-only trigger of revision 0015), can add to the
  do-not-call list but never change or remove an entry, never writes the registries, scripts or
  outcome rules, and adds to the audit trail without touching what is there.
Running `init` again after an upgrade grants the same on any new table.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from desktop.services.team_login import connection_url
from desktop.storage.engine import DatabaseError, make_engine
from desktop.storage.migrate import upgrade

AGENT_ROLE = "dialdesk_agent"
SUPERVISOR_ROLE = "dialdesk_supervisor"
# Tables an agent only reads: the registries, scripts, rules and the schema's version.
AGENT_READ_ONLY = (
    "registry_snapshots",
    "registry_sources",
    "registry_coverage",
    "registry_numbers",
    "scripts",
    "script_assignments",
    "report_rollup_rules",
    "alembic_version",
)
# Tables an agent adds to but never changes or empties: the do-not-call list and the audit trail.
AGENT_APPEND_ONLY = ("dnc_entries", "audit_events")
# Calls: added and completed (the trigger keeps completed ones as they are), never deleted.
AGENT_NO_DELETE = ("attempts",)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class TeamError(ValueError):
    """The team database or a role cannot be set up as asked; the message is for the user."""


def _require_postgres(url: str) -> None:
    if make_url(url).get_backend_name() != "postgresql":
        raise TeamError("team mode needs a PostgreSQL database URL (postgresql+psycopg://user@host/db)")


def _postgres_connection(url: str) -> tuple[Engine, Connection]:
    _require_postgres(url)
    engine = make_engine(connection_url(url))
    return engine, engine.connect()


def _tables(connection: Connection) -> list[str]:
    rows = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [str(name) for name in rows.scalars()]


def _ensure_group(connection: Connection, role: str) -> None:
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")


def init_team(admin_url: str) -> list[str]:
    """Migrate the database at `admin_url` and (re)grant the two group roles; the tables granted."""
    _require_postgres(admin_url)
    upgrade_engine = make_engine(connection_url(admin_url))
    try:
        upgrade(upgrade_engine)
    finally:
        upgrade_engine.dispose()
    engine, connection = _postgres_connection(admin_url)
    try:
        with connection.begin():
            for role in (AGENT_ROLE, SUPERVISOR_ROLE):
                _ensure_group(connection, role)
            tables = _tables(connection)
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
            for role in (AGENT_ROLE, SUPERVISOR_ROLE):
                connection.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
                connection.exec_driver_sql(
                    f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}'
                )
            for table in tables:
                connection.exec_driver_sql(
                    f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO {SUPERVISOR_ROLE}'
                )
                connection.exec_driver_sql(f'REVOKE ALL ON "{table}" FROM {AGENT_ROLE}')
                if table in AGENT_READ_ONLY:
                    granted = "SELECT"
                elif table in AGENT_APPEND_ONLY:
                    granted = "SELECT, INSERT"
                elif table in AGENT_NO_DELETE:
                    granted = "SELECT, INSERT, UPDATE"
                else:
                    granted = "SELECT, INSERT, UPDATE, DELETE"
                connection.exec_driver_sql(f'GRANT {granted} ON "{table}" TO {AGENT_ROLE}')
    finally:
        connection.close()
        engine.dispose()
    return tables


def checked_role_name(name: str) -> str:
    """A login role name: lower-case letters, digits and underscores (no quoting surprises)."""
    if not _ROLE_NAME.match(name):
        raise TeamError(
            f"{name!r} cannot be a database login: use lower-case letters, digits and _ (at most 63)"
        )
    if name in (AGENT_ROLE, SUPERVISOR_ROLE) or name.startswith("pg_"):
        raise TeamError(f"{name} is a reserved role name")
    return name


def add_member(admin_url: str, name: str, supervisor: bool = False, password: str | None = None) -> bool:
    """Create the login role `name` (or reuse it) as an agent or a supervisor; True when created."""
    name = checked_role_name(name)
    group, other = (SUPERVISOR_ROLE, AGENT_ROLE) if supervisor else (AGENT_ROLE, SUPERVISOR_ROLE)
    engine, connection = _postgres_connection(admin_url)
    try:
        with connection.begin():
            if (
                connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": group}).first()
                is None
            ):
                raise TeamError("run `dialdesk team init URL` first: the team roles do not exist yet")
            found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first()
            if found is None:
                connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
            if password is not None:
                # The password as a bound literal would not reach DDL: quoted by the server's own rules.
                quoted = connection.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar()
                connection.exec_driver_sql(f"ALTER ROLE {name} PASSWORD {quoted}")
            connection.exec_driver_sql(f"GRANT {group} TO {name}")
            connection.exec_driver_sql(f"REVOKE {other} FROM {name}")
    finally:
        connection.close()
        engine.dispose()
    return found is None


__all__ = ["DatabaseError", "TeamError", "add_member", "init_team"]
