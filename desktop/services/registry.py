"""Do-not-call registries: importing the National, state and Canadian lists, and looking numbers up.

`RegistryService.import_file` reads a full list (replacing that source's copy), a change list
(applying additions and deletions to it) or a zip archive of many area-code files, as one
transaction: an error or a cancel leaves the previous copy whole. Every rejected line is reported
by file (the member inside a zip) and line; a file that yields no number fails. Each import is
recorded as a snapshot with its as-of date, which the dial gate stores with every decision.

`RegistryLookup` is the gate's hot path: which registries list a number, straight from the
database on every call (so a finished import is seen at once), in a few tens of microseconds.
File layouts are documented in `desktop.domain.dnc_files`; the storage layout in
`desktop.storage.registry_store`.
"""

from __future__ import annotations

import functools
import json
import lzma
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, insert, select

from desktop.domain import dnc_files
from desktop.domain.dnc_files import (
    CHANGES,
    FULL,
    KEEP_PROBLEMS,
    ChangeListParser,
    FullListParser,
    LatestChanges,
    LineProblem,
    LineTooLong,
    line_blocks,
    national_number,
)
from desktop.services.clock import Clock
from desktop.services.imports import ImportCancelled, ImportFailed
from desktop.storage.models import DncEntry, RegistrySnapshot
from desktop.storage.registry_store import SLOT_SPAN, RegistryRepository, placeholder
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

INTERNAL = "internal"
# Rejections listed in a report; the count is always complete, the list is for reading.
MAX_LISTED_REJECTIONS = KEEP_PROBLEMS
_HEAD_BYTES = 64 * 1024
# An as-of date may be a day ahead of the clock: the file's local date against a UTC clock.
_FUTURE_SLACK = timedelta(days=1)

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes in all)
CancelCheck = Callable[[], bool]


class RegistryImportFailed(ImportFailed):
    """The registry file cannot be imported; nothing was written. The message is one line."""


class RegistryImportCancelled(ImportCancelled):
    """The user cancelled the registry import; the previous copy is unchanged."""


@dataclass
class RegistryImportReport:
    """What a registry import did, for the window and for `--json`."""

    source: str
    kind: str
    as_of: date
    file_name: str
    added: int = 0
    removed: int = 0
    total: int = 0
    rejected: list[LineProblem] = field(default_factory=list)
    rejected_count: int = 0
    files: int = 0
    lines: int = 0
    snapshot_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "added": self.added,
            "removed": self.removed,
            "total": self.total,
            "rejected": [
                {"file": item.file, "line": item.line, "value": item.value, "reason": item.reason}
                for item in self.rejected
            ],
            "rejected_count": self.rejected_count,
            "file": self.file_name,
            "files": self.files,
            "lines": self.lines,
            "snapshot_id": self.snapshot_id,
        }


@dataclass(frozen=True)
class RegistryStatus:
    """One loaded registry: how old its copy is and how many numbers it holds."""

    source: str
    as_of: date | None
    age_days: int | None
    count: int
    imported_at: datetime | None
    snapshot_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "age_days": self.age_days,
            "count": self.count,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "snapshot_id": self.snapshot_id,
        }


@dataclass(frozen=True)
class SnapshotInfo:
    """The registry copy in force for a source: what a gate decision records as its evidence."""

    id: int
    source: str
    kind: str
    as_of: date
    imported_at: datetime
    total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "imported_at": self.imported_at.isoformat(),
            "total": self.total,
        }


def _snapshot_info(row: RegistrySnapshot) -> SnapshotInfo:
    return SnapshotInfo(row.id, row.source, row.kind, row.as_of, row.imported_at, row.total)


# What reading a damaged zip member raises: zipfile's own errors, a truncated stream, "encrypted" and
# "compression method not supported", and the decompressors' errors (zlib.error: "invalid stored
# block lengths", LZMAError) that zipfile lets through.
_DAMAGED_MEMBER: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
)
_UNREADABLE_MEMBER: tuple[type[BaseException], ...] = (*_DAMAGED_MEMBER, OSError)


@dataclass(frozen=True)
class _Member:
    """One file to read: the file itself, or one member of a zip archive."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]


def _members(path: Path, stack: ExitStack) -> list[_Member]:
    try:
        if zipfile.is_zipfile(path):
            archive = stack.enter_context(zipfile.ZipFile(path))
            members = [
                _Member(info.filename, info.file_size, functools.partial(archive.open, info))
                for info in archive.infolist()
                # Folders and the resource forks macOS adds to archives are not lists.
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            if not members:
                raise RegistryImportFailed(f"{path.name}: the zip archive holds no files")
            return members
        size = path.stat().st_size
    except zipfile.BadZipFile as error:
        raise RegistryImportFailed(f"{path.name}: damaged zip archive ({error})") from None
    except OSError as error:
        raise RegistryImportFailed(f"{path}: {error.strerror or error}") from None
    return [_Member(path.name, size, lambda: path.open("rb"))]


def _read_head(member: _Member) -> bytes:
    try:
        with member.open() as stream:
            return stream.read(_HEAD_BYTES)
    # zipfile says "encrypted, password required" with RuntimeError and "compression method not
    # supported" with NotImplementedError: for the user both mean the member cannot be read.
    except _UNREADABLE_MEMBER as error:
        raise RegistryImportFailed(f"{member.name}: cannot be read ({error})") from None


class _Progress:
    """Progress and cancel across the files of one import."""

    def __init__(self, total: int, progress: ProgressCallback | None, cancelled: CancelCheck | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise RegistryImportCancelled("registry import cancelled; the previous copy is unchanged")

    def read(self, size: int) -> None:
        self.done += size

    def step(self) -> None:
        self.check()
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


def _guarded(read: Callable[[int], bytes], name: str, progress: _Progress) -> Callable[[int], bytes]:
    """`read` that counts the bytes for progress and tells its failures as the file's problem."""

    def guarded(size: int) -> bytes:
        try:
            data = read(size)
            progress.read(len(data))
            return data
        except _DAMAGED_MEMBER as error:
            raise RegistryImportFailed(f"{name}: damaged zip member ({error})") from None
        except OSError as error:
            raise RegistryImportFailed(f"{name}: {error.strerror or error}") from None

    return guarded


def _blocks(member: _Member, progress: _Progress) -> Iterator[bytes]:
    try:
        stream = member.open()
    except _UNREADABLE_MEMBER as error:
        raise RegistryImportFailed(f"{member.name}: cannot be read ({error})") from None
    with stream:
        try:
            for block in line_blocks(_guarded(stream.read, member.name, progress)):
                progress.step()
                yield block
        except LineTooLong as error:
            raise RegistryImportFailed(f"{member.name}: {error}; not a do-not-call list") from None


class RegistryService:
    """Imports registry copies, reports their freshness, and names the snapshots in force."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        agent_name: Callable[[], str] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._agent_name = agent_name or (lambda: "agent")

    # Import -------------------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        source: str,
        as_of: date | None = None,
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
    ) -> RegistryImportReport:
        """Import one file or zip archive into `source`, all or nothing; see the module docstring."""
        path = Path(path)
        try:
            source = dnc_files.source_name(source)
        except ValueError as error:
            raise RegistryImportFailed(str(error)) from None
        with ExitStack() as stack:
            members = _members(path, stack)
            if as_of is None:
                as_of = date.fromtimestamp(path.stat().st_mtime)
            today = self._clock().date()
            if as_of > today + _FUTURE_SLACK:
                raise RegistryImportFailed(
                    f"{path.name}: the as-of date {as_of} is in the future (today is {today}); "
                    "give the download date with --as-of"
                )
            kinds = {member.name: dnc_files.detect_kind(_read_head(member)) for member in members}
            if len(set(kinds.values())) > 1:
                changes = sorted(name for name, kind in kinds.items() if kind == CHANGES)
                raise RegistryImportFailed(
                    f"{path.name}: mixes full lists and change lists ({', '.join(changes[:3])} are change "
                    "lists): import them separately"
                )
            kind = next(iter(kinds.values()))
            report = RegistryImportReport(
                source=source, kind=kind, as_of=as_of, file_name=path.name, files=len(members)
            )
            ticker = _Progress(sum(member.size for member in members), progress, cancelled)
            with self._uow_factory() as uow:
                if source == INTERNAL:
                    self._import_internal(uow, members, report, ticker)
                elif kind == FULL:
                    self._import_full(uow, members, report, ticker)
                else:
                    self._import_changes(uow, members, report, ticker)
                ticker.check()  # a cancel during the last statements still keeps the previous copy
                uow.commit()
        return report

    def _collect(self, report: RegistryImportReport, parser: FullListParser | ChangeListParser) -> None:
        report.lines += parser.lines
        report.rejected_count += parser.rejected
        room = MAX_LISTED_REJECTIONS - len(report.rejected)
        if room > 0:
            report.rejected.extend(parser.problems[:room])

    def _nothing_found(self, report: RegistryImportReport, what: str) -> RegistryImportFailed:
        first = report.rejected[0] if report.rejected else None
        detail = f"; first: {first.file} line {first.line}: {first.reason}" if first is not None else ""
        return RegistryImportFailed(
            f"{report.file_name}: no {what} found in {report.lines:,} lines "
            f"({report.rejected_count:,} rejected{detail})"
        )

    def _import_full(
        self, uow: UnitOfWork, members: list[_Member], report: RegistryImportReport, ticker: _Progress
    ) -> None:
        repository = RegistryRepository(uow.session)
        previous = repository.source(report.source)
        slot = repository.fresh_slot()
        base = slot * SLOT_SPAN
        total = 0
        for member in members:
            parser = FullListParser(member.name, offset=base)
            for block in _blocks(member, ticker):
                keys = parser.feed(block)
                if keys:
                    keys.sort()  # registry files come sorted (then this is nearly free): appends stay appends
                    total += repository.insert_keys(keys)
            self._collect(report, parser)
        if total == 0:
            raise self._nothing_found(report, "phone numbers")
        if previous is None:
            added, removed = total, 0
        else:
            added = repository.count_missing_from(slot, previous.slot)
            removed = previous.count - (total - added)
            repository.drop_slot(previous.slot)
        report.added, report.removed, report.total = added, removed, total
        self._record(uow, repository, report, slot)

    def _import_changes(
        self, uow: UnitOfWork, members: list[_Member], report: RegistryImportReport, ticker: _Progress
    ) -> None:
        repository = RegistryRepository(uow.session)
        current = repository.source(report.source)
        if current is None:
            raise RegistryImportFailed(
                f"{report.file_name}: a change list updates a copy, and no full list of {report.source} "
                "has been imported: import the full list first"
            )
        if current.as_of is not None and report.as_of < current.as_of:
            raise RegistryImportFailed(
                f"{report.file_name}: this change list (as of {report.as_of}) is older than the "
                f"{report.source} copy (as of {current.as_of}); give its real date with --as-of"
            )
        latest = LatestChanges()
        for member in members:
            parser = ChangeListParser(member.name)
            for block in _blocks(member, ticker):
                latest.add(parser.feed(block))
            self._collect(report, parser)
        if len(latest) == 0:
            raise self._nothing_found(report, "change records")
        additions, deletions = latest.split()
        base = current.slot * SLOT_SPAN
        report.added = repository.insert_keys([base + number for number in additions])
        report.removed = repository.delete_keys([base + number for number in deletions])
        report.total = current.count + report.added - report.removed
        self._record(uow, repository, report, current.slot)

    def _record(
        self, uow: UnitOfWork, repository: RegistryRepository, report: RegistryImportReport, slot: int
    ) -> None:
        now = self._clock()
        snapshot = repository.add_snapshot(
            RegistrySnapshot(
                source=report.source,
                kind=report.kind,
                file_name=report.file_name[:500],
                as_of=report.as_of,
                imported_at=now,
                added=report.added,
                removed=report.removed,
                total=report.total,
                rejected=report.rejected_count,
                slot=slot,
            )
        )
        repository.save_source(report.source, slot, report.total, report.as_of, snapshot.id)
        report.snapshot_id = snapshot.id
        # Refusals the queue cached may rest on the old copy (listed, or no fresh copy): decide again.
        uow.leads.clear_gate_blocks()
        uow.audit.record("registry_import", json.dumps(self._audit_detail(report)), at=now)

    @staticmethod
    def _audit_detail(report: RegistryImportReport) -> dict[str, Any]:
        detail = report.to_json()
        detail.pop("rejected")
        return detail

    def _import_internal(
        self, uow: UnitOfWork, members: list[_Member], report: RegistryImportReport, ticker: _Progress
    ) -> None:
        """Numbers added to the firm's own list (never removed: that is `dnc remove --confirm`)."""
        found: set[str] = set()
        for member in members:
            parser: FullListParser | ChangeListParser
            if report.kind == FULL:
                parser = FullListParser(member.name)
                for block in _blocks(member, ticker):
                    found.update(f"+1{number}" for number in parser.feed(block))
            else:
                parser = ChangeListParser(member.name)
                latest = LatestChanges()
                for block in _blocks(member, ticker):
                    latest.add(parser.feed(block))
                additions, deletions = latest.split()
                if deletions:
                    raise RegistryImportFailed(
                        f"{member.name}: the internal list is never shortened by an import; "
                        "take numbers off one by one with `dialdesk dnc remove NUMBER --confirm`"
                    )
                found.update(f"+1{number}" for number in additions)
            self._collect(report, parser)
        if not found:
            raise self._nothing_found(report, "phone numbers")
        now = self._clock()
        agent = uow.agents.get_or_create(self._agent_name() or "agent")
        existing = set(uow.session.scalars(select(DncEntry.number).where(DncEntry.source == INTERNAL)))
        new = sorted(found - existing)
        reason = f"imported from {report.file_name}"[:500]
        for start in range(0, len(new), 10_000):
            uow.session.execute(
                insert(DncEntry),
                [
                    {
                        "number": number,
                        "source": INTERNAL,
                        "reason": reason,
                        "agent_id": agent.id,
                        "added_at": now,
                        "as_of": report.as_of,
                    }
                    for number in new[start : start + 10_000]
                ],
            )
        report.added = len(new)
        report.total = len(existing) + len(new)
        if new:
            uow.leads.clear_gate_blocks()
        uow.audit.record("dnc_import", json.dumps(self._audit_detail(report)), agent.id, now)

    # Reading ------------------------------------------------------------------------------------

    def status(self) -> list[RegistryStatus]:
        """Every loaded registry with its copy's as-of date, age today and count."""
        today = self._clock().date()
        with self._uow_factory() as uow:
            repository = RegistryRepository(uow.session)
            result = []
            for source in repository.sources():
                snapshot = (
                    uow.session.get(RegistrySnapshot, source.snapshot_id) if source.snapshot_id else None
                )
                result.append(
                    RegistryStatus(
                        source=source.name,
                        as_of=source.as_of,
                        age_days=(today - source.as_of).days if source.as_of else None,
                        count=source.count,
                        imported_at=snapshot.imported_at if snapshot is not None else None,
                        snapshot_id=source.snapshot_id,
                    )
                )
            return result

    def internal_count(self) -> int:
        with self._uow_factory() as uow:
            return RegistryRepository(uow.session).internal_count()

    def snapshots_in_force(self, at: datetime) -> dict[str, SnapshotInfo]:
        """Per source, the snapshot in force at `at` (the latest imported by then)."""
        with self._uow_factory() as uow:
            rows = RegistryRepository(uow.session).snapshots_in_force(at)
            return {row.source: _snapshot_info(row) for row in rows}

    def iter_numbers(self, source: str) -> Iterator[int]:
        """The national numbers of a loaded registry, ascending (for export)."""
        name = dnc_files.source_name(source)
        with self._uow_factory() as uow:
            repository = RegistryRepository(uow.session)
            row = repository.source(name)
            if row is None:
                raise RegistryImportFailed(f"no copy of the {name} registry has been imported")
            yield from repository.iter_numbers(row.slot)


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
        marker = placeholder(engine.dialect.paramstyle)
        if marker is None:
            raise ValueError(f"unsupported DBAPI paramstyle {engine.dialect.paramstyle}")
        # CROSS JOIN keeps SQLite's join order: the few sources outside, a key lookup inside.
        self._sources_sql = (
            "SELECT s.name FROM registry_sources s CROSS JOIN registry_numbers n "
            f"WHERE n.number_key = s.slot * {SLOT_SPAN} + {marker}"
        )
        self._version_sql = "SELECT max(id), count(id) FROM registry_snapshots"
        self._snapshots_version: tuple[Any, ...] | None = None
        self._snapshots: list[SnapshotInfo] = []

    def _query(self, sql: str, parameters: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            if self._connection is None:
                self._connection = self._engine.raw_connection()
                self._cursor = self._connection.cursor()
            try:
                self._cursor.execute(sql, parameters)
                rows: list[Any] = self._cursor.fetchall()
            finally:
                if self._end_read:
                    # Outside SQLite's autocommit reads, end the read so the next one sees new data.
                    self._connection.rollback()
            return rows

    def sources_for(self, e164: str) -> frozenset[str]:
        """The registries listing `e164` ("national", "canada", "state:FL"…); empty for non-NANP numbers."""
        national = national_number(e164)
        if national is None:
            return frozenset()
        return frozenset(row[0] for row in self._query(self._sources_sql, (national,)))

    def _all_snapshots(self) -> list[SnapshotInfo]:
        version = tuple(self._query(self._version_sql, ())[0])
        if version != self._snapshots_version:
            # Snapshots are only ever added, so max(id) and count(id) name the table's content.
            with self._engine.connect() as connection:
                rows = connection.execute(select(RegistrySnapshot).order_by(RegistrySnapshot.id)).all()
            self._snapshots = [
                SnapshotInfo(row.id, row.source, row.kind, row.as_of, row.imported_at, row.total)
                for row in rows
            ]
            self._snapshots_version = version
        return self._snapshots

    def snapshots_in_force(self, at: datetime | None = None) -> dict[str, SnapshotInfo]:
        """Per source, the snapshot in force at `at` (the latest imported by then; all when None)."""
        found: dict[str, SnapshotInfo] = {}
        for snapshot in self._all_snapshots():
            if at is None or snapshot.imported_at <= at:
                found[snapshot.source] = snapshot
        return found

    def snapshots(self) -> Mapping[str, Mapping[str, Any]]:
        """The gate's evidence: per source, {"id", "as_of" (YYYY-MM-DD), "kind", "imported_at", "total"}."""
        return {source: info.to_json() for source, info in self.snapshots_in_force().items()}

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._cursor.close()
                self._connection.close()
                self._connection = None
                self._cursor = None


__all__ = [
    "INTERNAL",
    "RegistryImportCancelled",
    "RegistryImportFailed",
    "RegistryImportReport",
    "RegistryLookup",
    "RegistryService",
    "RegistryStatus",
    "SnapshotInfo",
]
