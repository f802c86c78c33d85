"""The dial gate's facts read with plain sqlite3: how `dialdesk check` answers without the ORM.

Importing SQLAlchemy's ORM and mapping the models costs more than the whole check may take, so a
check on a database that needs nothing done at open reads its few rows here, with the statements
the ORM would send. `PlainGateStore.open()` says None whenever opening would do more than read — no
file yet, another database than a SQLite file, a read-only file, a schema to upgrade, permissions
to narrow, a journal to switch to WAL, planted code to refuse, report summaries or hours keys to
rebuild — and the command then opens the database the usual way, which does that work.

Values are decoded as SQLAlchemy stores them: dates as `YYYY-MM-DD`, times as naive UTC
`YYYY-MM-DD HH:MM:SS.ffffff`, booleans as 0/1, settings as JSON.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from desktop.domain.dnc_files import NATIONAL_SPAN, national_number
from desktop.domain.registry_coverage import AreaCopy, SnapshotInfo
from desktop.storage.sqlite_files import has_sqlite_header

# SQLite's integers: an id outside cannot be a row (as LeadRepository.get).
_SQLITE_MAX_INT = 2**63 - 1


@dataclass(frozen=True, slots=True)
class PlainPhone:
    """A stored phone as the gate reads it."""

    id: int
    e164: str | None
    raw: str
    valid: bool
    time_zones: str
    region: str | None
    problem: str | None
    label: str

    @property
    def zone_list(self) -> tuple[str, ...]:
        return tuple(zone for zone in self.time_zones.split(" ") if zone)


@dataclass(frozen=True, slots=True)
class PlainLead:
    """A stored lead as the gate reads it, with its phones in their order."""

    id: int
    kind: str
    state: str
    postal_state: str
    postal_zone: str
    phones: tuple[PlainPhone, ...]


@dataclass(frozen=True)
class OpenExpectations:
    """What the database must already hold for opening it to write nothing (else None from open())."""

    own_code: frozenset[str]  # the triggers and views Dialdesk makes (schema_check.OWN_CODE_OBJECTS)
    rollup_triggers: tuple[str, ...]
    rollup_rules: Mapping[str, tuple[bool, bool]]
    hours_keys_setting: str
    hours_keys_fingerprint: str


_PHONE_COLUMNS = "id, e164, raw, valid, time_zones, region, problem, label"


def _phone(row: tuple[Any, ...]) -> PlainPhone:
    id_, e164, raw, valid, zones, region, problem, label = row
    return PlainPhone(int(id_), e164, raw or "", bool(valid), zones or "", region, problem, label or "")


def stored_time(moment: datetime) -> str:
    """A moment as SQLAlchemy's SQLite DateTime stores it (naive UTC), for comparisons in SQL."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _private(facts: os.stat_result) -> bool:
    """False when opening would take group/other access away (engine.create_private_file)."""
    if os.name != "posix" or facts.st_uid != os.getuid():
        return True
    return not facts.st_mode & 0o077


class PlainGateStore:
    """`GateRecords` and `RegistryView` over one read-only use of a sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    def open(
        cls, path: Path, expectations: Callable[[PlainGateStore], OpenExpectations]
    ) -> PlainGateStore | None:
        """The store, or None when the database must be opened the usual way (see the module doc).

        `expectations` reads what it needs (the user's outcome rules) from the store before the checks.
        """
        try:
            facts = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(facts.st_mode) or not facts.st_size or not _private(facts):
            return None
        if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return None  # read-only: opened with the read-only engine and its own checks
        if not has_sqlite_header(path):
            return None
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True)
        try:
            connection.execute("PRAGMA busy_timeout=5000")
            connection.execute("PRAGMA query_only=ON")
            store = cls(connection)
            if cls._ready(connection, expectations(store)):
                return store
        except Exception:  # noqa: BLE001 - whatever goes wrong here, the usual open reports it its own way
            pass
        connection.close()
        return None

    @staticmethod
    def _ready(connection: sqlite3.Connection, expected: OpenExpectations) -> bool:
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            return False
        code = connection.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')")
        names = {str(name) for _kind, name in code}
        if not names <= expected.own_code:
            return False
        if set(expected.rollup_triggers) <= names:
            if sqlite3.sqlite_version_info < (3, 24):
                return False  # rollups.ensure_current drops triggers this SQLite cannot run
            # rollups.ensure_current: summaries built with other outcome rules are rebuilt at open.
            stored = connection.execute("SELECT code, counted, contact FROM report_rollup_rules")
            if {str(c): (bool(n), bool(t)) for c, n, t in stored} != dict(expected.rollup_rules):
                return False
        elif names & set(expected.rollup_triggers):
            return False  # some summary triggers only: left to the usual open
        stored_keys = connection.execute(
            "SELECT value FROM settings WHERE key = ?", (expected.hours_keys_setting,)
        )
        row = stored_keys.fetchone()
        if row is None or json.loads(row[0]) != expected.hours_keys_fingerprint:
            return False
        # HoursKeys.backfill: leads without a key get one at open.
        return connection.execute("SELECT 1 FROM leads WHERE hours_key IS NULL LIMIT 1").fetchone() is None

    def revision(self) -> str | None:
        """The schema revision the file records (None: none, or not one), as migrate.stored_revision."""
        rows = self._connection.execute("SELECT version_num FROM alembic_version").fetchall()
        return str(rows[0][0]) if len(rows) == 1 else None

    def close(self) -> None:
        self._connection.close()

    # -- GateReads ------------------------------------------------------------------------------

    def internal_dnc_reason(self, number: str) -> str | None:
        row = self._connection.execute(
            "SELECT reason FROM dnc_entries WHERE number = ? AND source = 'internal' LIMIT 1", (number,)
        ).fetchone()
        return None if row is None else str(row[0])

    def latest_consents(self, lead_id: int) -> Mapping[str, date]:
        rows = self._connection.execute(
            "SELECT kind, max(given_on) FROM consents WHERE lead_id = ? GROUP BY kind", (lead_id,)
        )
        return {str(kind): date.fromisoformat(given) for kind, given in rows if given is not None}

    def allowed_calls_since(self, number: str, since: datetime, lead_id: int | None = None) -> int:
        # The same count as services/gate_reads.py: the number, and the lead's person on any number.
        row = self._connection.execute(
            "SELECT count(id) FROM attempts WHERE allowed IS 1 AND started_at >= ? AND (number = ? "
            "OR lead_id = ? OR number IN (SELECT e164 FROM phones WHERE lead_id = ? AND e164 IS NOT NULL))",
            (stored_time(since), number, lead_id, lead_id),
        ).fetchone()
        return int(row[0] or 0)

    def setting(self, key: str) -> Any:
        row = self._connection.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def settings(self) -> dict[str, Any]:
        return {
            str(key): json.loads(value)
            for key, value in self._connection.execute("SELECT key, value FROM settings")
        }

    # -- GateRecords ----------------------------------------------------------------------------

    def lead(self, lead_id: int) -> PlainLead | None:
        if not -_SQLITE_MAX_INT - 1 <= lead_id <= _SQLITE_MAX_INT:
            return None
        row = self._connection.execute(
            "SELECT id, kind, state, postal_state, postal_zone FROM leads WHERE id = ?", (lead_id,)
        ).fetchone()
        if row is None:
            return None
        phones = self._connection.execute(
            f"SELECT {_PHONE_COLUMNS} FROM phones WHERE lead_id IN (?) ORDER BY position", (lead_id,)
        )
        return PlainLead(
            int(row[0]), row[1], row[2], row[3] or "", row[4] or "", tuple(_phone(phone) for phone in phones)
        )

    def owners(self, e164: str) -> Sequence[tuple[PlainLead, PlainPhone]]:
        rows = self._connection.execute(
            f"SELECT {_PHONE_COLUMNS}, lead_id FROM phones WHERE e164 = ? ORDER BY id", (e164,)
        ).fetchall()
        found = []
        for row in rows:
            lead = self.lead(int(row[-1]))
            if lead is not None:
                found.append((lead, _phone(row[:-1])))
        return found

    # -- RegistryView ---------------------------------------------------------------------------

    def sources_for(self, e164: str) -> frozenset[str]:
        national = national_number(e164)
        if national is None:
            return frozenset()
        rows = self._connection.execute(
            "SELECT s.name FROM registry_sources s CROSS JOIN registry_numbers n "
            f"WHERE n.number_key = s.slot * {NATIONAL_SPAN} + ?",
            (national,),
        )
        return frozenset(row[0] for row in rows)

    def snapshots(self) -> Mapping[str, Mapping[str, Any]]:
        found: dict[str, SnapshotInfo] = {}
        rows = self._connection.execute(
            "SELECT id, source, kind, as_of, imported_at, total FROM registry_snapshots ORDER BY id"
        )
        for id_, source, kind, as_of, imported_at, total in rows:
            found[source] = SnapshotInfo(
                int(id_),
                source,
                kind,
                date.fromisoformat(as_of),
                datetime.fromisoformat(imported_at).replace(tzinfo=UTC),
                int(total),
            )
        return {source: info.to_json() for source, info in found.items()}

    def coverage(self) -> Mapping[str, Mapping[int, AreaCopy]]:
        coverage: dict[str, dict[int, AreaCopy]] = {}
        rows = self._connection.execute(
            "SELECT source, area_code, as_of, count, snapshot_id FROM registry_coverage"
        )
        for source, area_code, as_of, count, snapshot_id in rows:
            coverage.setdefault(source, {})[int(area_code)] = AreaCopy(
                int(area_code), date.fromisoformat(as_of), int(count), snapshot_id
            )
        return coverage
