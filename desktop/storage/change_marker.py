"""A marker of the database's state as one connection sees it: equal markers mean nothing was written.

SQLite only: `PRAGMA data_version` changes when any *other* connection commits, and the connection's
`total_changes` when it changes a row itself. Both on the same connection (its identity is part of
the marker) unchanged means every row it reads is as it was. On another database there is no
such marker: None, and the caller reads afresh.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

ChangeMarker = tuple[int, int, int]


def change_marker(session: Session) -> ChangeMarker | None:
    """(connection, data_version, total_changes) of the session's connection; None when not SQLite."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    raw = connection.connection.dbapi_connection
    total_changes = getattr(raw, "total_changes", None)
    if raw is None or total_changes is None:
        return None
    version = raw.execute("PRAGMA data_version").fetchone()[0]
    return (id(raw), int(version), int(total_changes))
