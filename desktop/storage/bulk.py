"""Fast bulk inserts: one compiled INSERT, values converted by the columns' own types, DBAPI executemany.

SQLAlchemy's executemany path processes every parameter of every row in Python; for imports of
hundreds of thousands of rows that is most of the time. Here the statement is compiled once for the
connection's dialect (so its paramstyle and SQL stay portable), each column's bind processor is
looked up once, and values that repeat (the import time on every row) are converted once.

On PostgreSQL the rows go through `COPY … FROM STDIN` instead (psycopg 3's copy protocol), several
times faster than an executemany of INSERTs; ids given by the caller come from the table's own
sequence (`reserve_ids`), so agents importing at the same time never pick the same ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Table, insert

from desktop.storage.models import Base


def bulk_insert(connection: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into the model's table in one executemany."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    columns = list(rows[0].keys())
    dialect = connection.dialect
    compiled = insert(table).values({name: None for name in columns}).compile(dialect=dialect)
    order: Sequence[str] = compiled.positiontup if compiled.positional and compiled.positiontup else columns
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type._cached_bind_processor(dialect) for name in order
    ]
    converters: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (index, processor, {}) for index, processor in enumerate(processors) if processor is not None
    ]
    take = itemgetter(*order)

    def convert(row: dict[str, Any]) -> tuple[Any, ...]:
        values = take(row)
        if len(order) == 1:
            values = (values,)
        if not converters:
            return tuple(values)
        out = list(values)
        for index, processor, cache in converters:
            value = out[index]
            if value is None:
                continue
            try:
                out[index] = cache[value]
            except KeyError:
                out[index] = cache[value] = processor(value)
                if len(cache) > 10_000:
                    cache.clear()
            except TypeError:  # unhashable value
                out[index] = processor(value)
        return tuple(out)

    if dialect.name == "postgresql":
        _copy_rows(connection, table, order, (convert(row) for row in rows))
        return
    if compiled.positional:
        parameters: list[Any] = [convert(row) for row in rows]
    else:
        parameters = [dict(zip(order, convert(row), strict=True)) for row in rows]
    connection.exec_driver_sql(str(compiled), parameters)


def _copy_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY `rows` (already converted by the columns' bind processors) into `table`, in the
    connection's transaction."""
    quoted = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def reserve_ids(connection: Connection, model: type[Base], count: int) -> list[int] | None:
    """`count` new ids for the model's table from its PostgreSQL sequence; None elsewhere (SQLite: the
    writer holds the database's only write lock, so max(id) + 1 onwards is free)."""
    if connection.dialect.name != "postgresql" or count <= 0:
        return None
    table = cast(Table, model.__table__)
    rows = connection.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(count)s)",
        {"table": table.name, "count": count},
    )
    return [int(value) for value in rows.scalars()]


@contextmanager
def secondary_indexes_deferred(connection: Connection, models: Sequence[type[Base]]) -> Iterator[None]:
    """Drop the tables' non-unique indexes for a bulk load and build them again when it ends well.

    Building an index once, from all its rows, costs a fraction of updating it row by row, when the
    load is large next to what the table holds. Both happen inside the caller's transaction: if the
    load fails, the caller rolls back and the indexes come back with it, so they are not rebuilt then.
    The definitions come from the models, which a test keeps identical to the migrations.
    Only on SQLite (one writer anyway).
    """
    if connection.dialect.name != "sqlite":
        # A shared server: dropping an index locks the whole table against every agent until commit.
        yield
        return
    indexes = [
        index for model in models for index in cast(Table, model.__table__).indexes if not index.unique
    ]
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


# Rows an import must add before the planner's statistics are refreshed at once: below this the
# server's own autovacuum catches up soon enough, and the plans stay good meanwhile.
ANALYZE_AFTER_ROWS = 1_000


def refresh_statistics(connection: Connection, models: Sequence[type[Base]]) -> None:
    """PostgreSQL: ANALYZE the tables a bulk load filled. Until autovacuum gets to them (a minute or
    more), the planner takes a table that grew from nothing to a million rows for an empty one: the
    queue's "next lead" then sorts the whole list (seconds) instead of reading one index entry. A
    role that does not own the tables is skipped with a warning by the server, not refused."""
    if connection.dialect.name != "postgresql" or not models:
        return
    names = ", ".join(f'"{cast(Table, model.__table__).name}"' for model in models)
    connection.exec_driver_sql(f"ANALYZE {names}")
