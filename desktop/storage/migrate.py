"""Alembic from code: upgrade any database to the latest schema revision at start-up.

Every start of the window and every command checks the schema. Loading Alembic (and the Mako
templates it brings) takes a few tenths of a second, so a database already at the latest revision
is recognised by one plain query against `alembic_version`; Alembic is loaded only to upgrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop import paths

if TYPE_CHECKING:  # SQLAlchemy is imported on use: the quick `dialdesk check` reads LATEST_REVISION only
    from alembic.config import Config
    from sqlalchemy import Engine

# The newest file in migrations/versions; a test keeps this equal to Alembic's own head.
LATEST_REVISION = "0017b"


def migrations_dir() -> Path:
    return paths.migrations_dir()


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        # ConfigParser reads `%` as interpolation: a quoted file name (`sam%2541.db`) must stay itself.
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, read without Alembic; None if there is none (yet)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:
        return None  # no alembic_version table: a new database
    return str(rows[0]) if len(rows) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the latest by default); a no-op when it is already there."""
    if revision == "head" and stored_revision(engine) == LATEST_REVISION:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)  # itself a no-op at `revision`
