"""Do-not-call registries: importing the National, state and Canadian lists, and their coverage.

`RegistryService.import_file` reads a full list, a change list or a zip archive of many area-code
files, as one transaction: an error or a cancel leaves the previous copy whole. Copies are kept per
area code, as the FTC sells them: a full list replaces the source's numbers only in the area codes
it covers (those it holds numbers in, plus any declared with `area_codes` for an area code with no
registered number), and each of those area codes takes the file's as-of date; a change list updates
the area codes it touches (plus declared ones), which must have a full copy no newer than it. Every
rejected line is reported by file (the member inside a zip) and line; a file that yields no number
fails. Each import is recorded as a snapshot, which the dial gate stores with every decision.

`RegistryLookup` (desktop.services.registry_lookup) is the gate's hot path. File layouts are
documented in `desktop.domain.dnc_files`; the storage layout in `desktop.storage.registry_store`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from desktop.domain import dnc_files
from desktop.domain.compliance_rules import RuleBook
from desktop.domain.dnc_files import (
    CHANGES,
    FULL,
    KEEP_PROBLEMS,
    ChangeListParser,
    FullListParser,
    LatestChanges,
)
from desktop.domain.registry_coverage import (
    AreaCopy,
    area_groups,
    code_runs,
    codes_phrase,
    is_state_list,
    summarize,
)
from desktop.services.agents import recording_name
from desktop.services.clock import Clock
from desktop.services.registry_checks import check_changes_apply, refuse_foreign
from desktop.services.registry_files import (
    CancelCheck,
    Member,
    Progress,
    ProgressCallback,
    RegistryImportCancelled,
    RegistryImportFailed,
    blocks,
    members_of,
    read_head,
)
from desktop.services.registry_lookup import RegistryLookup, SnapshotInfo, snapshot_info
from desktop.services.registry_reports import RegistryImportReport, RegistryStatus
from desktop.services.rules import shipped_rulebook
from desktop.storage.models import DncEntry, RegistryCoverage, RegistrySnapshot
from desktop.storage.registry_store import SLOT_SPAN, RegistryRepository
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

INTERNAL = "internal"
# Rejections listed in a report; the count is always complete, the list is for reading.
MAX_LISTED_REJECTIONS = KEEP_PROBLEMS
# An as-of date may be a day ahead of the clock: the file's local date against a UTC clock.
_FUTURE_SLACK = timedelta(days=1)


class RegistryService:
    """Imports registry copies, reports their freshness, and names the snapshots in force."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        agent_name: Callable[[], str] | None = None,
        rules: RuleBook | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._agent_name = agent_name or (lambda: "agent")
        # Whose registry covers which area codes, and how old each source's copy may be.
        self._rules = rules if rules is not None else shipped_rulebook()

    # Import -------------------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        source: str,
        as_of: date | None = None,
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
        area_codes: Iterable[int] = (),
    ) -> RegistryImportReport:
        """Import one file or zip archive into `source`, all or nothing; see the module docstring.

        `area_codes` names area codes the file covers even where it holds no number.
        """
        path = Path(path)
        try:
            source = dnc_files.source_name(source)
        except ValueError as error:
            raise RegistryImportFailed(str(error)) from None
        declared = tuple(sorted(set(area_codes)))
        if declared and source == INTERNAL:
            raise RegistryImportFailed("area codes apply to registry copies, not to the internal list")
        if declared and is_state_list(source):
            raise RegistryImportFailed(
                f"--area-codes does not apply to {source}: a state list covers the whole state, and each "
                "import of it replaces the whole copy"
            )
        refuse_foreign(path.name, source, declared, self._rules)
        with ExitStack() as stack:
            members = members_of(path, stack)
            if as_of is None:
                as_of = date.fromtimestamp(path.stat().st_mtime)
            today = self._clock().date()
            if as_of > today + _FUTURE_SLACK:
                raise RegistryImportFailed(
                    f"{path.name}: the as-of date {as_of} is in the future (today is {today}); "
                    "give the download date with --as-of"
                )
            kinds = {member.name: dnc_files.detect_kind(read_head(member)) for member in members}
            if len(set(kinds.values())) > 1:
                changes = sorted(name for name, kind in kinds.items() if kind == CHANGES)
                raise RegistryImportFailed(
                    f"{path.name}: mixes full lists and change lists ({', '.join(changes[:3])} are change "
                    "lists): import them separately"
                )
            kind = next(iter(kinds.values()))
            report = RegistryImportReport(
                source=source,
                kind=kind,
                as_of=as_of,
                file_name=path.name,
                files=len(members),
                declared_codes=declared,
            )
            ticker = Progress(sum(member.size for member in members), progress, cancelled)
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
        self, uow: UnitOfWork, members: list[Member], report: RegistryImportReport, ticker: Progress
    ) -> None:
        """Replace the source's numbers in the area codes the file covers; other area codes stay.

        The file goes to a fresh slot (appends: the fastest write). Then the smaller side moves: the
        old copy's other area codes into the new slot, or the new numbers into the old slot.
        """
        repository = RegistryRepository(uow.session)
        previous = repository.source(report.source)
        slot = repository.fresh_slot()
        base = slot * SLOT_SPAN
        counts: dict[int, int] = dict.fromkeys(report.declared_codes, 0)
        recount: set[int] = set()  # area codes of blocks with repeated numbers: counted from the rows
        total = 0
        for member in members:
            parser = FullListParser(member.name, offset=base)
            for block in blocks(member, ticker):
                keys = parser.feed(block)
                if keys:
                    keys.sort()  # registry files come sorted (then this is nearly free): appends stay appends
                    inserted = repository.insert_keys(keys, fresh_slot=True)
                    total += inserted
                    for code, start, end in area_groups(keys, base):
                        counts[code] = counts.get(code, 0) + end - start
                        if inserted < len(keys):
                            recount.add(code)
            self._collect(report, parser)
        counts.update(repository.count_each_area(slot, sorted(recount)))
        if total == 0 and (not report.declared_codes or report.rejected_count):
            raise self._nothing_found(report, "phone numbers")
        refuse_foreign(report.file_name, report.source, counts, self._rules, counts)
        covered = repository.coverage(report.source) if previous is not None else {}
        statewide = is_state_list(report.source)
        # An older download never replaces a newer one: it would bring back numbers taken off the
        # registry, and put back numbers added since, as if they were never registered. A state
        # list is one list: all of it is replaced, so any of its area codes being newer counts.
        older = sorted(
            code
            for code in (covered if statewide else {*counts, *report.declared_codes})
            if code in covered and covered[code].as_of > report.as_of
        )
        if older:
            raise RegistryImportFailed(
                f"{report.file_name}: this full list (as of {report.as_of}) is older than the "
                f"{report.source} copy of area code {codes_phrase(older)} (as of {covered[older[0]].as_of}) "
                "already imported; give its real date with --as-of"
            )
        if previous is None:
            added, removed, others, kept_slot = total, 0, 0, slot
        else:
            added = repository.count_missing_from(slot, previous.slot)
            # Counted from the rows themselves, not from stored counts: what is dropped is what was there.
            # Runs of area codes between those the copy keeps: a file of all of them is one delete.
            # A state list replaces the whole state's copy: no area code of the old one is kept.
            replacing = {*counts, *covered} if statewide else set(counts)
            runs = code_runs(replacing, keep=set(covered) - replacing)
            replaced = sum(repository.drop_areas(previous.slot, first, last) for first, last in runs)
            removed = replaced - (total - added)
            others = repository.count_slot(previous.slot)
            kept_slot = self._merge_slots(repository, previous.slot, slot, others, total)
        report.added, report.removed, report.total = added, removed, others + total
        report.area_codes = tuple(sorted(counts))
        if statewide:
            repository.drop_coverage(report.source)
            covered = {}
        self._record(uow, repository, report, kept_slot, counts, covered)

    @staticmethod
    def _merge_slots(repository: RegistryRepository, old: int, new: int, others: int, fresh: int) -> int:
        """One slot of the old copy's other area codes (`others` numbers) and the new copy (`fresh`
        numbers), made by moving the smaller side; which slot it is."""
        if others == 0:
            repository.drop_slot(old)  # empty already: frees the slot
            return new
        if others <= fresh:
            repository.copy_slot(old, new)
            repository.drop_slot(old)
            return new
        repository.copy_slot(new, old)
        repository.drop_slot(new)
        return old

    def _import_changes(
        self, uow: UnitOfWork, members: list[Member], report: RegistryImportReport, ticker: Progress
    ) -> None:
        """Apply a change list on top of a fresh full copy of every area code it touches.

        A change list says what changed since the last list, not what the whole list is: on top of a
        stale or missing copy it would make an old or absent copy look current. A state list's copy
        is one list: the change list must find it fresh, and brings all of it to its date.
        """
        repository = RegistryRepository(uow.session)
        current = repository.source(report.source)
        if current is None:
            raise RegistryImportFailed(
                f"{report.file_name}: a change list updates a copy, and no full list of {report.source} "
                "has been imported: import the full list first"
            )
        latest = LatestChanges()
        for member in members:
            parser = ChangeListParser(member.name)
            for block in blocks(member, ticker):
                latest.add(parser.feed(block))
            self._collect(report, parser)
        if len(latest) == 0 and not report.declared_codes:
            raise self._nothing_found(report, "change records")
        additions, deletions = latest.split()
        base = current.slot * SLOT_SPAN
        deltas: dict[int, int] = dict.fromkeys(report.declared_codes, 0)
        for numbers in (additions, deletions):
            for code, _start, _end in area_groups(numbers, 0):
                deltas.setdefault(code, 0)
        refuse_foreign(report.file_name, report.source, deltas, self._rules)
        covered = repository.coverage(report.source)
        report.area_codes = tuple(sorted(deltas))
        statewide = is_state_list(report.source)
        # The copies the change list updates: every area code of a state list, else those it touches.
        updated = sorted(covered) if statewide else report.area_codes
        max_age = self._rules.copy_max_age_days(report.source)
        check_changes_apply(report, covered, updated, max_age, self._clock().date())
        for code, start, end in area_groups(additions, 0):
            added = repository.insert_keys([base + number for number in additions[start:end]])
            deltas[code] += added
            report.added += added
        for code, start, end in area_groups(deletions, 0):
            removed = repository.delete_keys([base + number for number in deletions[start:end]])
            deltas[code] -= removed
            report.removed += removed
        report.total = current.count + report.added - report.removed
        counts = {
            code: (covered[code].count if code in covered else 0) + deltas.get(code, 0)
            for code in {*updated, *deltas}
        }
        self._record(uow, repository, report, current.slot, counts, covered)

    def _record(
        self,
        uow: UnitOfWork,
        repository: RegistryRepository,
        report: RegistryImportReport,
        slot: int,
        counts: Mapping[int, int],
        covered: Mapping[int, RegistryCoverage],
    ) -> None:
        """Record the snapshot, the area codes it brought (each as of the report's date) and the source."""
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
        repository.save_coverage(report.source, counts, report.as_of, snapshot.id)
        # The source's date is its oldest area code's: a copy is only as fresh as its oldest part.
        dates = [report.as_of] + [row.as_of for code, row in covered.items() if code not in counts]
        repository.save_source(report.source, slot, report.total, min(dates), snapshot.id)
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
        self, uow: UnitOfWork, members: list[Member], report: RegistryImportReport, ticker: Progress
    ) -> None:
        """Numbers added to the firm's own list (never removed: that is `dnc remove --confirm`)."""
        found: set[str] = set()
        for member in members:
            parser: FullListParser | ChangeListParser
            if report.kind == FULL:
                parser = FullListParser(member.name)
                for block in blocks(member, ticker):
                    found.update(f"+1{number}" for number in parser.feed(block))
            else:
                parser = ChangeListParser(member.name)
                latest = LatestChanges()
                for block in blocks(member, ticker):
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
        agent = uow.agents.get_or_create(recording_name(self._agent_name()))
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
        """Every loaded registry: its oldest area code's as-of date and age today, count and coverage,
        each judged by its own freshness rule (31 days for the national registries, a state's own)."""
        today = self._clock().date()
        with self._uow_factory() as uow:
            repository = RegistryRepository(uow.session)
            coverage: dict[str, dict[int, AreaCopy]] = {}
            for row in repository.all_coverage():
                coverage.setdefault(row.source, {})[row.area_code] = AreaCopy(
                    row.area_code, row.as_of, row.count, row.snapshot_id
                )
            result = []
            for source in repository.sources():
                max_age = self._rules.copy_max_age_days(source.name)
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
                        coverage=summarize(coverage.get(source.name, {}), today, max_age),
                        max_age_days=max_age,
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
            return {row.source: snapshot_info(row) for row in rows}

    def iter_numbers(self, source: str) -> Iterator[int]:
        """The national numbers of a loaded registry, ascending (for export)."""
        name = dnc_files.source_name(source)
        with self._uow_factory() as uow:
            repository = RegistryRepository(uow.session)
            row = repository.source(name)
            if row is None:
                raise RegistryImportFailed(f"no copy of the {name} registry has been imported")
            yield from repository.iter_numbers(row.slot)


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
