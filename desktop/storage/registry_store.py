"""Storage of the do-not-call registries: one integer per listed number, written in bulk, read by key.

Layout. `registry_numbers` has a single integer column, `number_key = slot * 10**10 + national
number` (`2125550199` in slot 3 is `32125550199`). A source (national, canada, state:XX) owns one
slot, named in `registry_sources`; `registry_snapshots` keeps one row per import as evidence;
`registry_coverage` names the area codes a source's copy covers, each with its own as-of date. The
numbers of one area code are one key range of the slot, so an area code is replaced by a range delete.

* Compact: on SQLite the table is the rowid b-tree itself (no separate index): about 11 bytes a
  number, keys below 2**42 so each fits a 6-byte varint (slots 1..255).
* Fast lookup: the sources of a number are one join of the few `registry_sources` rows to point
  lookups on the primary key.
* All-or-nothing full replace: a full list is written to a fresh slot next to the old one; the old
  slot is dropped and the source moved to the new one in the same transaction. A fresh slot above
  every used one makes the bulk insert an append to the b-tree's right edge (full pages).

The SQL is portable (SQLite, PostgreSQL); bulk writes go through the DBAPI `executemany` with
multi-row `VALUES ... ON CONFLICT DO NOTHING` (SQLite 3.24+, PostgreSQL 9.5+), several hundred rows
a statement, which is what makes them about three times faster than one row a statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from desktop.domain.dnc_files import NATIONAL_SPAN
from desktop.domain.registry_coverage import AREA_SPAN
from desktop.storage.models import (
    DncEntry,
    RegistryCoverage,
    RegistryNumber,
    RegistrySnapshot,
    RegistrySource,
)

SLOT_SPAN = NATIONAL_SPAN  # keys are slot * 10**10 + the 10-digit national number
MIN_SLOT = 1
MAX_SLOT = 255
# Rows a bulk statement carries: 500 one-parameter rows stay under SQLite's oldest limit of 999
# parameters, and past a few hundred rows the statement no longer gets faster.
ROWS_PER_STATEMENT = 500

_TABLE = RegistryNumber.__table__
_KEY = RegistryNumber.number_key


def slot_range(slot: int) -> tuple[int, int]:
    """The keys of a slot: [low, high)."""
    return slot * SLOT_SPAN, (slot + 1) * SLOT_SPAN


def placeholder(paramstyle: str) -> str | None:
    """The positional parameter marker of a DBAPI paramstyle, or None when it has none."""
    if paramstyle == "qmark":
        return "?"
    if paramstyle in ("format", "pyformat"):
        return "%s"
    return None


class RegistryRepository:
    """The registry tables of one unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._statements: dict[tuple[str, int], str] = {}

    # Sources and snapshots --------------------------------------------------------------------

    def sources(self) -> list[RegistrySource]:
        return list(self.session.scalars(select(RegistrySource).order_by(RegistrySource.name)))

    def source(self, name: str) -> RegistrySource | None:
        return self.session.get(RegistrySource, name)

    def fresh_slot(self) -> int:
        """A slot no source uses, above all used ones when there is room (an append is cheapest)."""
        used = set(self.session.scalars(select(RegistrySource.slot)))
        top = max(used, default=MIN_SLOT - 1)
        if top < MAX_SLOT:
            return top + 1
        for slot in range(MIN_SLOT, MAX_SLOT + 1):
            if slot not in used:
                return slot
        raise RuntimeError("no free registry slot")  # needs 255 sources; there are about 60

    def save_source(self, name: str, slot: int, count: int, as_of: date, snapshot_id: int) -> RegistrySource:
        row = self.source(name)
        if row is None:
            row = RegistrySource(name=name, slot=slot)
            self.session.add(row)
        row.slot = slot
        row.count = count
        row.as_of = as_of
        row.snapshot_id = snapshot_id
        self.session.flush()
        return row

    def add_snapshot(self, snapshot: RegistrySnapshot) -> RegistrySnapshot:
        self.session.add(snapshot)
        self.session.flush()
        return snapshot

    def snapshots_in_force(self, at: datetime) -> list[RegistrySnapshot]:
        """Per source, the latest snapshot imported at or before `at`."""
        latest = (
            select(func.max(RegistrySnapshot.id))
            .where(RegistrySnapshot.imported_at <= at)
            .group_by(RegistrySnapshot.source)
        )
        query = (
            select(RegistrySnapshot).where(RegistrySnapshot.id.in_(latest)).order_by(RegistrySnapshot.source)
        )
        return list(self.session.scalars(query))

    def coverage(self, source: str) -> dict[int, RegistryCoverage]:
        """The area codes `source` covers, by area code."""
        rows = self.session.scalars(select(RegistryCoverage).where(RegistryCoverage.source == source))
        return {row.area_code: row for row in rows}

    def all_coverage(self) -> list[RegistryCoverage]:
        query = select(RegistryCoverage).order_by(RegistryCoverage.source, RegistryCoverage.area_code)
        return list(self.session.scalars(query))

    def save_coverage(self, source: str, counts: Mapping[int, int], as_of: date, snapshot_id: int) -> None:
        """Set the area codes of `counts` (area code -> numbers) as covered by `source` as of `as_of`.

        Two bulk statements: a whole registry has about 330 area codes, and one ORM object each
        would cost more than its numbers' parsing.
        """
        codes = sorted(counts)
        for start in range(0, len(codes), ROWS_PER_STATEMENT):
            chunk = codes[start : start + ROWS_PER_STATEMENT]
            query = delete(RegistryCoverage).where(
                RegistryCoverage.source == source, RegistryCoverage.area_code.in_(chunk)
            )
            self.session.execute(query.execution_options(synchronize_session=False))
        if codes:
            self.session.execute(
                insert(RegistryCoverage),
                [
                    {
                        "source": source,
                        "area_code": code,
                        "as_of": as_of,
                        "count": counts[code],
                        "snapshot_id": snapshot_id,
                    }
                    for code in codes
                ],
            )

    def drop_coverage(self, source: str) -> None:
        """Forget every area code `source` covered (a state list's full import replaces all of it)."""
        query = delete(RegistryCoverage).where(RegistryCoverage.source == source)
        self.session.execute(query.execution_options(synchronize_session=False))

    def internal_count(self) -> int:
        query = select(func.count(DncEntry.id)).where(DncEntry.source == "internal")
        return int(self.session.scalar(query) or 0)

    # Numbers ------------------------------------------------------------------------------------

    def _connection(self) -> Connection:
        return self.session.connection()

    def _run_bulk(self, verb: str, keys: Sequence[int]) -> int:
        """Run `verb` (insert or delete) over `keys` in multi-row statements; the rows changed."""
        connection = self._connection()
        marker = placeholder(connection.dialect.paramstyle)
        size = ROWS_PER_STATEMENT
        full = len(keys) // size
        changed = 0
        if full:
            batches = [tuple(keys[index * size : (index + 1) * size]) for index in range(full)]
            changed += self._execute(connection, marker, verb, size, batches)
        tail = keys[full * size :]
        if tail:
            changed += self._execute(connection, marker, verb, len(tail), [tuple(tail)])
        return changed

    def _execute(
        self, connection: Connection, marker: str | None, verb: str, rows: int, batches: list[tuple[int, ...]]
    ) -> int:
        if marker is None:
            # A DBAPI with named parameters: let SQLAlchemy translate them (slower, still correct).
            statement = text(self._sql(verb, rows, None))
            named = [{f"k{index}": value for index, value in enumerate(batch)} for batch in batches]
            result: Any = connection.execute(statement, named)
        else:
            result = connection.exec_driver_sql(self._sql(verb, rows, marker), batches)
        count = int(getattr(result, "rowcount", -1))
        if count < 0:
            raise RuntimeError("the database driver does not report the rows a bulk statement changed")
        return count

    def _sql(self, verb: str, rows: int, marker: str | None) -> str:
        cache_key = (verb + (marker or ":"), rows)
        sql = self._statements.get(cache_key)
        if sql is None:
            markers = [marker if marker is not None else f":k{index}" for index in range(rows)]
            if verb == "insert":
                values = ",".join(f"({item})" for item in markers)
                sql = f"INSERT INTO registry_numbers (number_key) VALUES {values} ON CONFLICT DO NOTHING"
            else:
                sql = f"DELETE FROM registry_numbers WHERE number_key IN ({','.join(markers)})"
            self._statements[cache_key] = sql
        return sql

    def insert_keys(self, keys: Sequence[int], fresh_slot: bool = False) -> int:
        """Insert keys, skipping any already there; the number actually added.

        `fresh_slot`: the keys go to a slot this transaction fills alone (a full import's), so only
        a repeated number of the file can collide: PostgreSQL then COPYs them straight into the table.
        """
        connection = self._connection()
        if connection.dialect.name == "postgresql" and keys:
            if fresh_slot:
                return self._copy_fresh_keys(connection, keys)
            return self._copy_keys(connection, keys)
        return self._run_bulk("insert", keys)

    @classmethod
    def _copy_fresh_keys(cls, connection: Connection, keys: Sequence[int]) -> int:
        """PostgreSQL: COPY the keys straight into `registry_numbers` (the speed of a bare COPY; an
        INSERT … ON CONFLICT from a scratch table costs three times as much, row by row). A repeated
        number fails the COPY: back to the savepoint, and the block goes the way that skips repeats."""
        import psycopg

        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.execute("SAVEPOINT registry_block")
            try:
                with cursor.copy("COPY registry_numbers (number_key) FROM STDIN") as copy:
                    copy.write("\n".join(map(str, keys)) + "\n")
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT registry_block")
                cursor.execute("RELEASE SAVEPOINT registry_block")
                return cls._copy_keys(connection, keys)
            cursor.execute("RELEASE SAVEPOINT registry_block")
        return len(keys)

    @staticmethod
    def _copy_keys(connection: Connection, keys: Sequence[int]) -> int:
        """PostgreSQL: COPY the keys into a scratch table, then add those not there yet in one statement
        (COPY itself cannot skip duplicates)."""
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS registry_incoming (number_key BIGINT NOT NULL)"
                " ON COMMIT DELETE ROWS"
            )
            cursor.execute("TRUNCATE registry_incoming")
            with cursor.copy("COPY registry_incoming (number_key) FROM STDIN") as copy:
                copy.write("\n".join(map(str, keys)) + "\n")
            cursor.execute(
                "INSERT INTO registry_numbers (number_key) SELECT number_key FROM registry_incoming"
                " ON CONFLICT DO NOTHING"
            )
            return int(cursor.rowcount)

    def delete_keys(self, keys: Sequence[int]) -> int:
        """Delete keys; the number actually removed."""
        return self._run_bulk("delete", keys)

    def count_slot(self, slot: int) -> int:
        low, high = slot_range(slot)
        query = select(func.count()).select_from(_TABLE).where(_KEY >= low, _KEY < high)
        return int(self.session.scalar(query) or 0)

    def count_missing_from(self, slot: int, other: int) -> int:
        """How many numbers of `slot` are not in `other`: a merge of two key ranges on the primary key."""
        mine = RegistryNumber.__table__.alias("mine")
        theirs = RegistryNumber.__table__.alias("theirs")
        low, high = slot_range(slot)
        shift = (slot - other) * SLOT_SPAN
        query = (
            select(func.count())
            .select_from(mine)
            .where(
                mine.c.number_key >= low,
                mine.c.number_key < high,
                ~exists().where(theirs.c.number_key == mine.c.number_key - shift),
            )
        )
        return int(self.session.scalar(query) or 0)

    def drop_slot(self, slot: int) -> None:
        low, high = slot_range(slot)
        query = delete(RegistryNumber).where(_KEY >= low, _KEY < high)
        # No registry row is ever loaded as an object: nothing in the session to synchronise.
        self.session.execute(query.execution_options(synchronize_session=False))

    def count_each_area(self, slot: int, area_codes: Iterable[int]) -> dict[int, int]:
        """How many numbers each of `area_codes` has in a slot: one range count each, at driver level
        (hundreds of them cost milliseconds, not the ORM's overhead)."""
        connection = self._connection()
        marker = placeholder(connection.dialect.paramstyle) or "?"
        sql = f"SELECT count(*) FROM registry_numbers WHERE number_key >= {marker} AND number_key < {marker}"
        found = {}
        for code in area_codes:
            low = slot * SLOT_SPAN + code * AREA_SPAN
            found[code] = int(connection.exec_driver_sql(sql, (low, low + AREA_SPAN)).scalar() or 0)
        return found

    def drop_areas(self, slot: int, first: int, last: int) -> int:
        """Delete the numbers of area codes `first`..`last` from a slot; how many there were."""
        low = slot * SLOT_SPAN + first * AREA_SPAN
        high = slot * SLOT_SPAN + (last + 1) * AREA_SPAN
        query = delete(RegistryNumber).where(_KEY >= low, _KEY < high)
        result: Any = self.session.execute(query.execution_options(synchronize_session=False))
        return int(result.rowcount)

    def copy_slot(self, source_slot: int, target_slot: int) -> int:
        """Copy every number of one slot into another (whose keys for them must be free); the count."""
        low, high = slot_range(source_slot)
        shift = (target_slot - source_slot) * SLOT_SPAN
        statement = text(
            "INSERT INTO registry_numbers (number_key) SELECT number_key + :shift FROM registry_numbers "
            "WHERE number_key >= :low AND number_key < :high"
        )
        result: Any = self.session.execute(statement, {"shift": shift, "low": low, "high": high})
        return int(result.rowcount)

    def iter_numbers(self, slot: int, batch: int = 20_000) -> Iterator[int]:
        """The national numbers of a slot in ascending order, streamed."""
        low, high = slot_range(slot)
        query = select(_KEY).where(_KEY >= low, _KEY < high).order_by(_KEY).execution_options(yield_per=batch)
        for key in self.session.scalars(query):
            yield int(key) - low
