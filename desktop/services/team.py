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


# A role with any of these is an administrator: never turned into an agent or given a new password.
_ADMIN_ATTRIBUTES = {
    "rolsuper": "SUPERUSER",
    "rolcreaterole": "CREATEROLE",
    "rolcreatedb": "CREATEDB",
    "rolreplication": "REPLICATION",
    "rolbypassrls": "BYPASSRLS",
}
# The SCRAM verifier libpq computes: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
_SCRAM_VERIFIER = re.compile(r"^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$")


def _refuse_foreign_role(connection: Connection, name: str, adopt: bool) -> None:
    """An existing role becomes a Dialdesk login only if it is one already (or `adopt` says so),
    and never if it is the admin running this or has any administrator attribute."""
    attributes = ", ".join(_ADMIN_ATTRIBUTES)
    row = (
        connection.execute(
            text(
                f"SELECT {attributes}, rolname = current_user AS is_me, "
                "EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "WHERE m.member = r.oid AND g.rolname IN (:agent, :supervisor)) AS in_team "
                "FROM pg_roles r WHERE rolname = :name"
            ),
            {"name": name, "agent": AGENT_ROLE, "supervisor": SUPERVISOR_ROLE},
        )
        .mappings()
        .one()
    )
    if row["is_me"]:
        raise TeamError(f"{name} is the role running this command: an administrator is not made an agent")
    held = [keyword for column, keyword in _ADMIN_ATTRIBUTES.items() if row[column]]
    if held:
        raise TeamError(
            f"{name} is an existing role with {', '.join(held)}: an administrator is not made an agent "
            "(choose another name)"
        )
    if not row["in_team"] and not adopt:
        raise TeamError(
            f"{name} is an existing role that is not a Dialdesk login: choose another name, or add "
            "--existing-role to make it one (and, without --no-password, give it a new password)"
        )


def _password_verifier(connection: Connection, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of `password`, computed here by libpq (PQencryptPasswordConn): the
    server receives (and may log) only the verifier, never the password."""
    pgconn = getattr(connection.connection.dbapi_connection, "pgconn", None)
    if pgconn is None:
        raise TeamError("setting a password needs the psycopg driver: postgresql+psycopg://…")
    verifier = bytes(pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")).decode()
    if not _SCRAM_VERIFIER.match(verifier):
        raise TeamError("libpq did not compute a SCRAM-SHA-256 verifier: no password was set")
    return verifier


def add_member(
    admin_url: str,
    name: str,
    supervisor: bool = False,
    password: str | None = None,
    adopt: bool = False,
) -> bool:
    """Create the login role `name` as an agent or a supervisor, or move an existing Dialdesk login
    (any existing role with `adopt`, never an administrator); True when created."""
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
            else:
                _refuse_foreign_role(connection, name, adopt)
            if password is not None:
                # Only the verifier's characters (checked above) are in the statement: no quoting issue.
                verifier = _password_verifier(connection, name, password)
                connection.exec_driver_sql(f"ALTER ROLE {name} PASSWORD '{verifier}'")
            connection.exec_driver_sql(f"GRANT {group} TO {name}")
            connection.exec_driver_sql(f"REVOKE {other} FROM {name}")
    finally:
        connection.close()
        engine.dispose()
    return found is None


__all__ = ["DatabaseError", "TeamError", "add_member", "init_team"]
