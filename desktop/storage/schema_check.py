"""The exact schema of every revision, and whether a database file carries it: nothing extra, nothing missing.

A restore candidate, a colleague's file for a merge and the live database under `dialdesk db check`
are compared with the schema this version's own migrations build for the revision the file claims:
every table with its columns (type, NOT NULL, default, key, hidden), foreign keys and indexes
(columns, order, uniqueness, partial condition), every trigger and view by its SQL. A file with an
extra trigger, a view, a missing index or a column too many is refused before anything reads it as
data or runs a statement against it.

The reference is built once per process by migrating an empty private database one revision at a
time (a fraction of a second), so it can never drift from the migrations. Comparing only reads
`sqlite_master` and `PRAGMA`s of the file's tables: no view, trigger or default of the file runs.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# SQLite's own bookkeeping: statistics ANALYZE or `PRAGMA optimize` may leave; data, never code.
_OPTIONAL = re.compile(r"^sqlite_stat\d$")

Schema = dict[tuple[str, str], object]  # (kind, name) -> its description

# The triggers (and views: none) Dialdesk itself creates; a test keeps this equal to what the
# migrations build. Anything else in a live database is code someone planted (it could delete a new
# do-not-call entry or rewrite a call as it is written): the database is refused at open.
OWN_CODE_OBJECTS = frozenset(
    {
        "attempts_append_only",
        "attempts_kept",
        "events_append_only",
        "events_kept",
        "report_attempt_added",
        "report_attempt_changed",
        "report_attempt_removed",
        "report_attempt_undone",
        "report_lead_rekeyed",
        "script_approvals_kept",
        "script_approvals_unchanged",
        "script_versions_kept",
        "script_versions_unchanged",
    }
)


def foreign_code_objects(rows: list[tuple[str, str]]) -> list[str]:
    """From `SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')`: the ones Dialdesk
    did not make, as "trigger 'name'" (a cheap check for every start; `schema_problems` is the full one)."""
    return sorted(f"{kind} '{name}'" for kind, name in rows if name not in OWN_CODE_OBJECTS)


def normal_sql(sql: str | None) -> str:
    """SQL text with runs of white space made one space: formatting is not a difference."""
    return " ".join((sql or "").split())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_of(connection: sqlite3.Connection) -> Schema:
    """Every schema object of the database on `connection`, described for comparison."""
    objects = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    schema: Schema = {}
    for kind, name, table, sql in objects:
        if _OPTIONAL.match(name):
            continue
        if kind == "table":
            schema[("table", name)] = _table(connection, name, sql)
        elif kind == "index":
            continue  # described with its table (PRAGMA index_list), automatic indexes included
        else:
            schema[(kind, name)] = (table, normal_sql(sql))
    for kind, name, table, _sql in objects:
        if kind == "index" and ("table", table) not in schema:
            schema[("index", name)] = ("orphan", table)
    return schema


def _table(connection: sqlite3.Connection, name: str, sql: str | None) -> object:
    quoted = _quoted(name)
    columns = tuple(tuple(row[1:]) for row in connection.execute(f"PRAGMA table_xinfo({quoted})"))
    keys = tuple(sorted(tuple(row[2:]) for row in connection.execute(f"PRAGMA foreign_key_list({quoted})")))
    indexes = []
    for _seq, index, unique, origin, partial in connection.execute(f"PRAGMA index_list({quoted})"):
        parts = tuple(
            tuple(row[1:]) for row in connection.execute(f"PRAGMA index_xinfo({_quoted(index)})") if row[5]
        )
        condition = ""
        if partial:
            row = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()
            condition = normal_sql(row[0] if row else "").partition(" WHERE ")[2]
        shown = index if origin == "c" else f"({origin})"  # automatic indexes are named by position only
        indexes.append((shown, unique, parts, condition))
    text = normal_sql(sql).upper()
    # Table-level code a column list does not show: CHECK constraints, generated columns, WITHOUT ROWID.
    extras = tuple(word for word in ("CHECK", "GENERATED", "WITHOUT ROWID", "STRICT") if word in text)
    return (columns, keys, tuple(sorted(indexes, key=repr)), extras)


@dataclass(frozen=True)
class SchemaDifference:
    """One way a file's schema differs from its revision's."""

    kind: str
    name: str
    problem: str  # "extra", "missing" or "different"

    def text(self) -> str:
        if self.problem == "extra":
            return f"an extra {self.kind} {self.name!r} that Dialdesk does not make"
        if self.problem == "missing":
            return f"the {self.kind} {self.name!r} is missing"
        return f"the {self.kind} {self.name!r} is not as Dialdesk makes it (columns, indexes or SQL differ)"


def differences(actual: Schema, expected: Schema) -> list[SchemaDifference]:
    """What `actual` has that `expected` does not, lacks, or has otherwise; empty when they are the same."""
    found = [SchemaDifference(kind, name, "extra") for kind, name in sorted(actual.keys() - expected.keys())]
    found += [
        SchemaDifference(kind, name, "missing") for kind, name in sorted(expected.keys() - actual.keys())
    ]
    found += [
        SchemaDifference(kind, name, "different")
        for kind, name in sorted(actual.keys() & expected.keys())
        if actual[(kind, name)] != expected[(kind, name)]
    ]
    return found


@cache
def reference_schemas() -> dict[str, Schema]:
    """The schema this version's migrations build at each revision, by revision id."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from desktop.storage.engine import file_url, make_engine
    from desktop.storage.migrate import alembic_config

    order = [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    schemas: dict[str, Schema] = {}
    with tempfile.TemporaryDirectory(prefix="dialdesk-schema-") as folder:
        path = Path(folder) / "reference.db"
        engine = make_engine(file_url(path))
        try:
            for revision in reversed(order):
                command.upgrade(alembic_config(engine), revision)
                with sqlite3.connect(path) as connection:
                    schemas[revision] = schema_of(connection)
                connection.close()
        finally:
            engine.dispose()
    return schemas


def known_revision(revision: str) -> bool:
    return revision in reference_schemas()


def schema_problems(
    connection: sqlite3.Connection, revision: str, optional_missing: frozenset[str] = frozenset()
) -> list[str]:
    """How the database on `connection` differs from the exact schema of `revision` (empty: identical).

    `optional_missing`: triggers that may be absent (never extra or different): the report summaries'
    triggers, which Dialdesk itself drops on an SQLite too old to run them. Call `known_revision` first.
    """
    expected = reference_schemas()[revision]
    return [
        difference.text()
        for difference in differences(schema_of(connection), expected)
        if not (
            difference.problem == "missing"
            and difference.kind == "trigger"
            and difference.name in optional_missing
        )
    ]
