"""The dial gate's view of the registries: which copies list a number, and which copy covers it.

`RegistryLookup` asks the database on every call which registries list a number (a few
microseconds), and keeps the snapshots and the per-area-code coverage in memory behind the snapshot
table's version (every import adds a snapshot), so a finished import is seen by the next call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from desktop.domain.dnc_files import national_number
from desktop.domain.registry_coverage import AreaCopy, SnapshotInfo

__all__ = ["RegistryLookup", "SnapshotInfo", "snapshot_info"]
from desktop.storage.models import RegistryCoverage, RegistrySnapshot
from desktop.storage.registry_store import ROWS_PER_STATEMENT, SLOT_SPAN, placeholder

_NOT_LISTED: frozenset[str] = frozenset()
# How much of a SQLite database the look-up maps into memory (address space; pages load as read).
_MAPPED_BYTES = 1 << 30


def snapshot_info(row: RegistrySnapshot) -> SnapshotInfo:
    return SnapshotInfo(row.id, row.source, row.kind, row.as_of, row.imported_at, row.total)


def _load_coverage(engine: Engine) -> dict[str, dict[int, AreaCopy]]:
    coverage: dict[str, dict[int, AreaCopy]] = {}
    with engine.connect() as connection:
        for source, area_code, as_of, count, snapshot_id in connection.execute(
            select(
                RegistryCoverage.source,
                RegistryCoverage.area_code,
                RegistryCoverage.as_of,
                RegistryCoverage.count,
                RegistryCoverage.snapshot_id,
            )
        ):
            coverage.setdefault(source, {})[area_code] = AreaCopy(area_code, as_of, count, snapshot_id)
    return coverage


def _in_force(snapshots: Iterable[SnapshotInfo], at: datetime | None) -> dict[str, SnapshotInfo]:
    """Per source, the latest of `snapshots` (in id order) imported by `at` (all when None)."""
    found: dict[str, SnapshotInfo] = {}
    for snapshot in snapshots:
        if at is None or snapshot.imported_at <= at:
            found[snapshot.source] = snapshot
    return found


class RegistryLookup:
    """Which registries list a number: the dial gate's hot path, safe from any thread.

    Holds one DBAPI connection of its own (a lock serialises callers) and asks the database on
    every call, so a finished import is seen by the next call and nothing goes stale. A SQLite read
    in WAL mode never waits for an import in progress: it sees the last committed copy.
    Also answers the gate's `snapshots()` (the `RegistryView` protocol of `desktop.services.gate`).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection: Any = None
        self._cursor: Any = None
        self._end_read = engine.dialect.name != "sqlite"
        self._autocommit = False  # the server connection reads without BEGIN/ROLLBACK (psycopg)
        marker = placeholder(engine.dialect.paramstyle)
        if marker is None:
            raise ValueError(f"unsupported DBAPI paramstyle {engine.dialect.paramstyle}")
        # CROSS JOIN keeps SQLite's join order: the few sources outside, a key lookup inside.
        self._sources_sql = (
            "SELECT s.name FROM registry_sources s CROSS JOIN registry_numbers n "
            f"WHERE n.number_key = s.slot * {SLOT_SPAN} + {marker}"
        )
        self._marker = marker
        self._slots_sql = "SELECT name, slot FROM registry_sources"
        self._keys_sql = "SELECT number_key FROM registry_numbers WHERE number_key IN ({markers})"
        self._version_sql = "SELECT max(id), count(id) FROM registry_snapshots"
        # (version, snapshots, coverage), replaced whole: a reader never pairs one reading's snapshots
        # with another's coverage (the gate may ask from several threads).
        self._state: tuple[tuple[Any, ...] | None, list[SnapshotInfo], dict[str, dict[int, AreaCopy]]] = (
            None,
            [],
            {},
        )

    def _open(self) -> Any:
        """The cursor of this lookup's own connection, opened on first use (call with the lock held)."""
        if self._connection is None:
            self._connection = self._engine.raw_connection()
            self._cursor = self._connection.cursor()
            if not self._end_read:
                # SQLite reads the registry's pages straight from the mapped file, without a system
                # call per page: a look-up among millions of numbers costs a sixth less. Reads only.
                self._cursor.execute(f"PRAGMA mmap_size={_MAPPED_BYTES}").fetchall()
            else:
                # psycopg: each read is its own statement-long transaction on the server, as each
                # BEGIN ... ROLLBACK was, in one round trip instead of three (a gate decision reads
                # here up to three times).
                self._autocommit = self._autocommit_reads(True)
        return self._cursor

    def _autocommit_reads(self, on: bool) -> bool:
        """Switch the server connection's autocommit where the driver has it; True when switched."""
        driver = getattr(self._connection, "driver_connection", None)
        if driver is None or type(driver).__module__.split(".")[0] != "psycopg":
            return False
        driver.autocommit = on
        return True

    def _query(self, sql: str, parameters: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            for attempt in range(2):
                self._open()
                try:
                    return self._read(sql, parameters)
                except Exception:
                    # A server connection dropped under us (the server restarted): one fresh try.
                    if not self._end_read or attempt or not self._connection_lost():
                        raise
                    self._forget_connection()
            raise AssertionError("unreachable")

    def _read(self, sql: str, parameters: tuple[Any, ...]) -> list[Any]:
        try:
            self._cursor.execute(sql, parameters)
            rows: list[Any] = self._cursor.fetchall()
        finally:
            if self._end_read and not self._autocommit and not self._connection_lost():
                # Outside SQLite's autocommit reads, end the read so the next one sees new data.
                self._connection.rollback()
        return rows

    def _connection_lost(self) -> bool:
        driver = getattr(self._connection, "driver_connection", None)
        return bool(getattr(driver, "closed", False) or getattr(driver, "broken", False))

    def _forget_connection(self) -> None:
        try:
            self._connection.invalidate()
        except Exception:  # noqa: BLE001 - it is already gone; only the pool's slot is freed
            pass
        self._connection = self._cursor = None

    @property
    def engine(self) -> Engine:
        """The database the lists are read from (every answer is a function of its rows)."""
        return self._engine

    def sources_for(self, e164: str) -> frozenset[str]:
        """The registries listing `e164` ("national", "canada", "state:FL"…); empty for non-NANP numbers."""
        national = national_number(e164)
        if national is None:
            return frozenset()
        if self._end_read:
            rows = self._query(self._sources_sql, (national,))
        else:
            # SQLite (the dial gate's hot path): its reads end by themselves and a local file does
            # not drop the connection, so nothing of _query's care is needed: one statement.
            with self._lock:
                rows = self._open().execute(self._sources_sql, (national,)).fetchall()
        # Most numbers are on no list: one shared empty answer, no generator.
        return frozenset([row[0] for row in rows]) if rows else _NOT_LISTED

    def sources_for_many(self, numbers: Iterable[str]) -> dict[str, frozenset[str]]:
        """`sources_for` of many numbers in a few set-based queries (a scrub's 100,000 phones):
        the listed ones only, so a number absent from the answer is on no registry."""
        # A national number is the E.164 text's digits: one number has one text, so a plain dict.
        by_national = {national: e164 for e164 in numbers if (national := national_number(e164)) is not None}
        found: dict[str, set[str]] = {}
        nationals = sorted(by_national)
        for source, slot in self._query(self._slots_sql, ()):
            base = int(slot) * SLOT_SPAN
            for start in range(0, len(nationals), ROWS_PER_STATEMENT):
                chunk = nationals[start : start + ROWS_PER_STATEMENT]
                sql = self._keys_sql.format(markers=", ".join([self._marker] * len(chunk)))
                for (key,) in self._query(sql, tuple(base + national for national in chunk)):
                    found.setdefault(by_national[int(key) - base], set()).add(str(source))
        return {e164: frozenset(sources) for e164, sources in found.items()}

    def _current(self) -> tuple[list[SnapshotInfo], dict[str, dict[int, AreaCopy]]]:
        """The snapshots and the coverage as the snapshot table holds them now (read again only when
        it changed)."""
        version = tuple(self._query(self._version_sql, ())[0])
        state = self._state
        if version != state[0]:
            # Snapshots are only ever added, so max(id) and count(id) name the table's content.
            with self._engine.connect() as connection:
                rows = connection.execute(select(RegistrySnapshot).order_by(RegistrySnapshot.id)).all()
            snapshots = [
                SnapshotInfo(row.id, row.source, row.kind, row.as_of, row.imported_at, row.total)
                for row in rows
            ]
            state = self._state = (version, snapshots, _load_coverage(self._engine))
        return state[1], state[2]

    def _all_snapshots(self) -> list[SnapshotInfo]:
        return self._current()[0]

    def snapshots_in_force(self, at: datetime | None = None) -> dict[str, SnapshotInfo]:
        """Per source, the snapshot in force at `at` (the latest imported by then; all when None)."""
        return _in_force(self._all_snapshots(), at)

    def snapshots(self) -> Mapping[str, Mapping[str, Any]]:
        """The gate's evidence: per source, {"id", "as_of" (YYYY-MM-DD), "kind", "imported_at", "total"}."""
        return {source: info.to_json() for source, info in self.snapshots_in_force().items()}

    def coverage(self) -> Mapping[str, Mapping[int, AreaCopy]]:
        """Per source, the area codes its copy covers (each with its as-of date); empty when none."""
        return self._current()[1]

    def snapshots_and_coverage(
        self,
    ) -> tuple[Mapping[str, Mapping[str, Any]], Mapping[str, Mapping[int, AreaCopy]]]:
        """`snapshots()` and `coverage()` of one reading of the snapshot table: what a decision asks
        (one round trip to a team server instead of two, and never a snapshot from before an import
        with the coverage from after it)."""
        snapshots, coverage = self._current()
        found = _in_force(snapshots, None)
        return {source: info.to_json() for source, info in found.items()}, coverage

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                if not self._end_read:  # the connection goes back to the pool as it came
                    self._cursor.execute("PRAGMA mmap_size=0").fetchall()
                elif self._autocommit:
                    self._autocommit = not self._autocommit_reads(False)
                self._cursor.close()
                self._connection.close()
                self._connection = None
                self._cursor = None
