"""Keeping the database safe: daily backups (7 daily and 4 weekly kept), manual backups, restoring a
backup (validated, the current database kept first, then migrated to the latest schema), integrity
checks, and `database_problem`: what an SQLite failure means, in one line the user can act on.

Copies go through SQLite's online backup API (`desktop.storage.sqlite_files`), so they are
consistent even while a window is writing. Backups live in the user data folder's `backups/`
(0700), each file 0600: they hold the same names and numbers as the database.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.paths import default_database_path, user_data_dir
from desktop.services.clock import Clock, system_clock
from desktop.storage import migrate, rollups, schema_check, sqlite_files, untrusted
from desktop.storage.engine import sqlite_path

if TYPE_CHECKING:
    from desktop.services.history_chain import Verification

DAILY_KEPT = 7
WEEKLY_KEPT = 4
BACKUP_EVERY = timedelta(days=1)
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
SUFFIX = ".db"
# A Dialdesk database has these (and Alembic's version table); anything else is not ours to restore.
REQUIRED_TABLES = frozenset({"leads", "phones", "attempts"})
BEFORE_RESTORE = "before-restore"


class BackupError(Exception):
    """A backup, restore or check cannot be done; the message is one line for the user."""


@dataclass(frozen=True)
class BackupFile:
    """One automatic backup in the backups folder."""

    path: Path
    taken_at: datetime
    size: int


@dataclass(frozen=True)
class DatabaseFacts:
    """What a database file holds, to tell the user what they are about to restore or just saved."""

    path: Path
    revision: str | None
    leads: int | None
    calls: int | None
    size: int

    def describe(self) -> str:
        leads = f"{self.leads:,}" if self.leads is not None else "no"
        calls = f"{self.calls:,}" if self.calls is not None else "no"
        return f"{leads} leads, {calls} calls, {self.size / 1_000_000:.1f} MB"


@dataclass(frozen=True)
class RestoreResult:
    """A finished restore: what is in the database now and where the previous database was kept."""

    restored: DatabaseFacts
    kept_copy: Path | None
    upgraded_from: str | None
    # The restored history, verified in full and with the restore recorded as its newest event.
    history: Verification | None = None


@dataclass
class CheckReport:
    """The plain answer of an integrity check."""

    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    revision: str | None = None
    leads: int | None = None
    calls: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self, backups_folder: Path | None = None) -> str:
        if self.ok:
            lines = [
                f"OK: {self.path} passed the integrity check "
                f"({self.leads or 0:,} leads, {self.calls or 0:,} calls; schema {self.revision})."
            ]
        else:
            count = len(self.problems)
            lines = [f"{self.path}: {count} problem{'s' if count != 1 else ''} found:"]
            lines += [f"  - {problem}" for problem in self.problems]
            where = f" (automatic backups are in {backups_folder})" if backups_folder else ""
            lines.append(f"Restore a backup with `dialdesk db restore BACKUP`{where}.")
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "problems": self.problems,
            "notes": self.notes,
            "revision": self.revision,
            "leads": self.leads,
            "calls": self.calls,
        }


def backups_to_keep(
    taken: Iterable[datetime], daily: int = DAILY_KEPT, weekly: int = WEEKLY_KEPT
) -> set[datetime]:
    """Which backups rotation keeps, by the moment each was taken (grouped by those moments' own dates).

    Daily: the newest backup of each of the `daily` most recent days that have one. Weekly: among
    backups from before the oldest of those days, the newest of each of the `weekly` most recent ISO
    weeks that have one. Everything else may be deleted. With one backup a day that keeps the last
    week day by day and the four weeks before it week by week.
    """
    newest_first = sorted(set(taken), reverse=True)
    kept: set[datetime] = set()
    days: set[object] = set()
    for moment in newest_first:
        if len(days) >= daily:
            break
        if moment.date() not in days:
            days.add(moment.date())
            kept.add(moment)
    oldest_day = min(moment.date() for moment in kept) if kept else None
    weeks: set[tuple[int, int]] = set()
    for moment in newest_first:
        if len(weeks) >= weekly:
            break
        if oldest_day is not None and moment.date() >= oldest_day:
            continue
        iso = moment.isocalendar()
        week = (iso.year, iso.week)
        if week not in weeks:
            weeks.add(week)
            kept.add(moment)
    return kept


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner can enter (0700), created when missing."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def default_backup_dir() -> Path:
    return private_folder(user_data_dir() / "backups")


def database_file(url: str) -> Path:
    """The SQLite file behind `url`; BackupError for other databases (a server has its own backups)."""
    path = sqlite_path(url)
    if path is None:
        raise BackupError("backups, restores and checks work on SQLite database files only")
    return path


def database_problem(error: BaseException, where: object) -> str | None:
    """One line saying what went wrong with the database `where` and what to do.

    None when `error` is not an SQLite failure (busy, read-only, full, damaged, cannot open, I/O).
    """
    found = sqlite_files.failure_kind(error)
    if found is None:
        return None
    kind, detail = found
    if kind == sqlite_files.BUSY:
        return (
            f"the database is busy (another Dialdesk window or program is writing): {where}; "
            "nothing was saved by this action, try again in a moment"
        )
    if kind == sqlite_files.READONLY:
        return (
            f"the database {where} is read-only (check the permissions of the file and its folder, "
            "or whether the disk is mounted read-only); nothing was saved"
        )
    if kind == sqlite_files.FULL:
        return (
            f"the disk holding the database {where} is full; nothing was saved by this action "
            "and what was saved before is intact: free some space and try again"
        )
    if kind == sqlite_files.CORRUPT:
        return (
            f"the database file {where} is damaged or is not a Dialdesk database ({detail}); "
            "restore a backup with `dialdesk db restore BACKUP`"
        )
    if kind == sqlite_files.CANTOPEN:
        path = Path(str(where))
        if path.exists() and not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            return (
                f"cannot open the database {where}: the file or its folder is read-only "
                "(check the permissions, or whether the disk is mounted read-only)"
            )
        return f"cannot open the database {where} ({detail}); check that the file and its folder exist"
    return (
        f"the disk reported an error with the database {where} ({detail}): it may be full, "
        "removed or failing; nothing was saved by this action"
    )


def known_revisions() -> dict[str, int]:
    """Every schema revision this version of Dialdesk knows, with its position (0 = the first)."""
    from alembic.script import ScriptDirectory

    from desktop.storage.migrate import alembic_config

    revisions = [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    return {revision: position for position, revision in enumerate(reversed(revisions))}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


class BackupService:
    """Backups, restores and checks of one SQLite database file."""

    def __init__(self, url: str, folder: Path | None = None, clock: Clock = system_clock) -> None:
        self.url = url
        self._folder = folder
        self._clock = clock

    # -- where things are ------------------------------------------------------------------------

    @property
    def database(self) -> Path:
        return database_file(self.url)

    @property
    def folder(self) -> Path:
        """The backups folder (created 0700 on first use)."""
        if self._folder is None:
            self._folder = default_backup_dir()
        return private_folder(self._folder)

    @property
    def prefix(self) -> str:
        """Backup names start with the database's name, and a tag of its path unless it is the default."""
        path = self.database
        with suppress(OSError):
            if path.resolve() == default_database_path().resolve():
                return path.stem
        tag = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
        return f"{path.stem}-{tag}"

    def _pattern(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(self.prefix)}-(\d{{8}}T\d{{6}}Z){re.escape(SUFFIX)}$")

    def automatic_name(self, moment: datetime | None = None) -> str:
        return f"{self.prefix}-{_stamp(moment or self._clock())}{SUFFIX}"

    # -- taking backups --------------------------------------------------------------------------

    def _require_database(self) -> Path:
        path = self.database
        if not path.is_file():
            raise BackupError(f"there is no database at {path} yet: nothing to back up")
        return path

    def backup_to(self, target: Path) -> DatabaseFacts:
        """Copy the database to `target` (a new file, or a folder to put an automatic name in)."""
        source = self._require_database()
        target = Path(target).expanduser()
        if target.is_dir():
            target = target / self.automatic_name()
        if target.exists():
            raise BackupError(f"{target} already exists: choose another name (nothing was overwritten)")
        if not target.parent.is_dir():
            raise BackupError(f"cannot write {target}: the folder {target.parent} does not exist")
        if target.resolve() == source.resolve():
            raise BackupError("the backup cannot be the database itself")
        try:
            sqlite_files.copy_database(source, target)
        except (sqlite3.Error, OSError) as error:
            found = sqlite_files.failure_kind(error)
            if (found is not None and found[0] == sqlite_files.FULL) or getattr(
                error, "errno", None
            ) == errno.ENOSPC:
                # The copy is what filled a disk: the backup's, not the database's (which is untouched).
                raise BackupError(
                    f"the disk holding {target.parent} is full: no backup was written there and the "
                    f"database {source} is unchanged; free some space or choose another place"
                ) from None
            if isinstance(error, OSError):
                raise BackupError(f"cannot write the backup {target}: {error.strerror}") from None
            raise BackupError(
                database_problem(error, source) or f"cannot back up {source}: {error}"
            ) from None
        return self.facts(target)

    def automatic_backups(self) -> list[BackupFile]:
        """This database's automatic backups, newest first."""
        pattern = self._pattern()
        found = []
        for path in self.folder.iterdir():
            match = pattern.match(path.name)
            if match is None or not path.is_file():
                continue
            taken = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
            found.append(BackupFile(path, taken, path.stat().st_size))
        return sorted(found, key=lambda backup: backup.taken_at, reverse=True)

    def daily_backup_due(self) -> bool:
        if not self.database.is_file():
            return False
        backups = self.automatic_backups()
        return not backups or self._clock() - backups[0].taken_at >= BACKUP_EVERY

    def back_up_now(self) -> BackupFile:
        """An automatic backup now (into the backups folder), then the rotation."""
        now = self._clock()
        target = self.folder / self.automatic_name(now)
        self.backup_to(target)
        self.rotate()
        return BackupFile(target, now.astimezone(UTC).replace(microsecond=0), target.stat().st_size)

    def take_daily_backup(self) -> BackupFile | None:
        """The daily backup when the newest is a day old or missing (what the window does at start)."""
        return self.back_up_now() if self.daily_backup_due() else None

    def rotate(self) -> list[Path]:
        """Delete automatic backups the 7-daily/4-weekly rule does not keep; returns what was deleted."""
        backups = self.automatic_backups()
        local = {backup.taken_at.astimezone(): backup for backup in backups}
        keep = backups_to_keep(local)
        deleted = []
        for moment, backup in local.items():
            if moment not in keep:
                with suppress(FileNotFoundError):
                    backup.path.unlink()
                deleted.append(backup.path)
        return deleted

    # -- looking at a file -----------------------------------------------------------------------

    def facts(self, path: Path) -> DatabaseFacts:
        with sqlite_files.open_existing(path) as connection:
            return DatabaseFacts(
                path=path,
                revision=sqlite_files.schema_revision(connection),
                leads=sqlite_files.count_rows(connection, "leads"),
                calls=sqlite_files.count_rows(connection, "attempts"),
                size=path.stat().st_size,
            )

    def _validate(self, copy: Path, shown: Path) -> DatabaseFacts:
        """Raise BackupError unless `copy` (a private copy of `shown`) is a sound Dialdesk database with
        exactly the schema of its revision (`desktop.storage.untrusted.validate_copy`)."""
        try:
            untrusted.validate_copy(copy, shown)
        except untrusted.UntrustedFileError as error:
            raise BackupError(f"{error}; it cannot be restored") from None
        facts = self.facts(copy)
        return DatabaseFacts(shown, facts.revision, facts.leads, facts.calls, shown.stat().st_size)

    def _private_copy(self, candidate: Path, folder: Path) -> Path:
        """The candidate's bytes in the private scratch `folder`: SQLite never opens the file itself,
        so its `-wal` is not checkpointed and no `-shm` appears beside it."""
        try:
            return untrusted.copy_bytes(Path(candidate).expanduser(), folder)
        except untrusted.UntrustedFileError as error:
            raise BackupError(f"{error} (not a Dialdesk backup)") from None

    def inspect(self, candidate: Path) -> DatabaseFacts:
        """What `candidate` holds, after the same checks a restore makes; BackupError when it is unusable."""
        with untrusted.interruptible(), untrusted.scratch_folder("inspect") as folder:
            return self._validate(self._private_copy(candidate, folder), Path(candidate))

    # -- restoring -------------------------------------------------------------------------------

    def keep_current(self) -> Path | None:
        """A copy of the database as it is now, before it is replaced; None when there is none."""
        source = self.database
        if not source.is_file() or source.stat().st_size == 0:
            return None
        target = self.folder / f"{self.prefix}-{BEFORE_RESTORE}-{_stamp(self._clock())}{SUFFIX}"
        try:
            sqlite_files.copy_database(source, target)
        except sqlite3.Error:
            # A damaged database cannot be read page by page: keep its bytes as they are.
            for suffix in ("", "-wal"):
                original = Path(str(source) + suffix)
                if original.exists():
                    kept = Path(str(target) + suffix)
                    sqlite_files.create_private(kept)
                    shutil.copyfile(original, kept)
        return target

    def restore(self, candidate: Path) -> RestoreResult:
        """Replace the database with `candidate`: validated, the current one kept, then migrated to head.

        Everything happens on a private copy; the live database is written once, at the end, in one
        transaction. Ctrl+C before that leaves it as it was (KeyboardInterrupt reaches the caller).
        """
        from desktop.storage.migrate import upgrade

        target = self.database
        ready = target.with_name(f".{target.name}.restore-{os.getpid()}")
        with untrusted.interruptible(), untrusted.scratch_folder("restore") as folder:
            work = self._private_copy(candidate, folder)
            try:
                facts = self._validate(work, Path(candidate))
                engine = untrusted.copy_engine(work)
                try:
                    upgrade(engine)
                finally:
                    engine.dispose()
                with untrusted.open_copy(work) as connection:
                    drift = schema_check.schema_problems(connection, migrate.head_revision())
                if (
                    drift
                ):  # our migrations on a file of exactly their schema: cannot happen, yet never install it
                    raise BackupError(f"{candidate}: the upgraded copy is not Dialdesk's schema ({drift[0]})")
                self._refuse_broken_history(work, Path(candidate))
                page = sqlite_files.page_size(target) if _usable(target) else None
                staged = folder / "ready.db" if page is not None else ready
                sqlite_files.copy_database(work, staged, page_size=page)
                kept = self.keep_current()
                if page is not None:
                    try:
                        sqlite_files.copy_into(staged, target)
                    except sqlite3.Error as error:
                        raise BackupError(
                            database_problem(error, target) or f"cannot restore into {target}: {error}"
                        ) from None
                else:
                    # No database yet, or one too damaged to write into: the file itself is replaced.
                    for suffix in ("-wal", "-shm"):
                        with suppress(FileNotFoundError):
                            Path(str(target) + suffix).unlink()
                    os.replace(staged, target)
            except sqlite3.Error as error:
                if untrusted.stop_requested():
                    raise
                raise BackupError(database_problem(error, target) or f"cannot restore {candidate}") from None
            except OSError as error:
                raise BackupError(f"cannot restore into {target}: {error.strerror or error}") from None
            finally:
                _remove_database(ready)
        history = self._record_restore(target, Path(candidate), facts.revision)
        return RestoreResult(self.facts(target), kept, facts.revision, history)

    @staticmethod
    def _refuse_broken_history(work: Path, candidate: Path) -> None:
        """A file whose history does not verify is never installed: after it, our own chain would
        carry a forged or altered record and every later event would be hashed on top of it."""
        from desktop.services.history_chain import verify_full

        with untrusted.open_copy(work) as connection:
            result = verify_full(connection)
        if not result.intact:
            raise BackupError(
                f"{candidate}: its history does not verify ({result.text()}); nothing was restored"
            )

    def _record_restore(self, target: Path, candidate: Path, revision: str | None) -> Verification:
        """Verify the restored history in full, then add the restore to it as an event."""
        from desktop.services import history_events
        from desktop.services.history_chain import HistoryService
        from desktop.storage.engine import file_url, make_engine
        from desktop.storage.events import local_agent
        from desktop.storage.uow import UnitOfWorkFactory

        engine = make_engine(file_url(target))
        try:
            uow_factory = UnitOfWorkFactory(engine)
            result = HistoryService(uow_factory, self._clock).verify(full=True)
            with uow_factory() as uow:
                payload = {"from": candidate.name, "schema": revision, "history": result.text()}
                at = self._clock()
                history_events.plain_event(uow, history_events.RESTORE, payload, at, local_agent(uow.session))
                uow.commit()
        finally:
            engine.dispose()
        return result

    # -- checking --------------------------------------------------------------------------------

    def check(self) -> CheckReport:
        """`PRAGMA integrity_check`, foreign keys and the schema revision, as a plain report."""
        path = self.database
        if not path.is_file():
            raise BackupError(f"there is no database at {path}")
        report = CheckReport(path)
        try:
            with sqlite_files.open_existing(path) as connection:
                untrusted.guard(connection)  # a planted trigger or view must not run while we look
                report.problems = sqlite_files.integrity_problems(connection)
                report.revision = sqlite_files.schema_revision(connection)
                if report.revision is not None and schema_check.known_revision(report.revision):
                    # The exact schema of its revision: a planted trigger or a changed column is a problem.
                    report.problems += schema_check.schema_problems(
                        connection, report.revision, optional_missing=frozenset(rollups.TRIGGERS)
                    )
                report.leads = sqlite_files.count_rows(connection, "leads")
                report.calls = sqlite_files.count_rows(connection, "attempts")
        except sqlite3.Error as error:
            found = sqlite_files.failure_kind(error)
            if found is None or found[0] != sqlite_files.CORRUPT:
                raise BackupError(database_problem(error, path) or f"cannot check {path}: {error}") from None
            report.problems.append(f"the file cannot be read as a database ({found[1]})")
            return report
        known = known_revisions()
        if report.revision is None:
            report.problems.append("no Dialdesk schema version in it: not a Dialdesk database")
        elif report.revision not in known:
            report.problems.append(
                f"schema revision {report.revision} is unknown to this version of Dialdesk"
            )
        elif known[report.revision] != len(known) - 1:
            report.notes.append(
                f"schema revision {report.revision}: Dialdesk upgrades it when it next opens it"
            )
        return report


def _usable(path: Path) -> bool:
    """True when `path` is an SQLite database that can be read (so a restore can write into it)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        with sqlite_files.open_existing(path) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        found = sqlite_files.failure_kind(error)
        if found is not None and found[0] == sqlite_files.CORRUPT:
            return False
        raise
    return True


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()
