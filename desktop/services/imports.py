"""Importing a call list: map columns, parse every phone, merge repeats, report every problem.

All-or-nothing per file: the whole import is one transaction, rolled back on cancel or error.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from desktop.domain import leads as lead_rules
from desktop.domain.columns import CONSENT_FIELDS, ColumnMapping, guess_mapping
from desktop.domain.phones import ParsedPhone
from desktop.domain.plain_text import hidden_character
from desktop.domain.postal_codes import locate_postal_code
from desktop.paths import resource
from desktop.services.clock import Clock
from desktop.services.hours import NO_ZONE_KEY, HoursKeys
from desktop.services.import_dnc import DoNotCallFlags
from desktop.services.parse_ahead import CachedParser, ParseAhead, phone_cells, start_parse_ahead
from desktop.services.tables import Place, TableError, TableSource, open_table
from desktop.storage.bulk import (
    ANALYZE_AFTER_ROWS,
    bulk_insert,
    refresh_statistics,
    reserve_ids,
    secondary_indexes_deferred,
)
from desktop.storage.models import Consent, ImportBatch, Lead, Phone
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

SAMPLE_LIST = ("samples", "leads-sample.csv")
_FLUSH_EVERY = 2000
_PROGRESS_EVERY = 250
# Imports this large (by a generous guess of 100 bytes a row) rebuild the lead and phone indexes once
# at the end instead of row by row, when the tables hold no more than the file brings.
_DEFER_INDEXES_FROM_ROWS = 20_000
_BYTES_PER_ROW_ESTIMATE = 100
# Field lengths the storage keeps; longer text is cut and the cut is reported, never silent.
# A note cell longer than this is cut (and reported); a lead whose rows repeat is given at most
# MERGED_NOTES_LIMIT characters of notes. Both keep a hostile file's merging linear.
NOTE_LIMIT = 10_000
MERGED_NOTES_LIMIT = 100_000
_LIMITS = {
    "first_name": 200,
    "last_name": 200,
    "company": 300,
    "title": 200,
    "email": 300,
    "state": 50,
    "source": 200,
    "external_id": 200,  # the CRM's record id: re-imports match on it, the outcomes export is keyed by it
}


# What a ZIP/postal code cell gives a lead: the code, its state or province, a US ZIP's zone.
POSTAL_FIELDS = ("postal_code", "postal_state", "postal_zone")


class ImportFailed(Exception):
    """The file cannot be imported at all; nothing was written. The message is one line for the user."""


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class Rejection:
    """One problem found in the file, by position: the lead is kept, the value is not dialable."""

    line: int | None  # the line of a CSV/TXT file the record starts on; None in a workbook
    column: str
    value: str
    reason: str
    row: int = 0  # the row as a spreadsheet shows it (header row 1; Excel's number in a workbook)

    @property
    def place(self) -> str:
        """ "row 8 (line 9)" in a CSV file, "row 8" in a workbook."""
        return str(Place(self.row, self.line))


@dataclass
class ImportReport:
    """What an import did, for the window and for `--json`."""

    imported: int = 0
    # Rows folded into a lead that they changed (a number, an empty field filled, a note, consent), or
    # a repeated row of the file folded into the lead its first row makes.
    merged_duplicates: int = 0
    # Rows that matched a lead already in the database and brought nothing new to it (a file imported
    # again): not "merged", since nothing changed.
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    list_name: str = ""
    rows: int = 0
    without_number: int = 0  # leads this import added with no dialable number: the queue leaves them out
    # Recognised columns that were not imported (a second "State" column), with the reason.
    dropped_columns: list[str] = field(default_factory=list)
    # Headers of the columns not imported at all (not recognised, or mapped to nothing).
    ignored_columns: list[str] = field(default_factory=list)
    # Leads the file marks do-not-call, and how many of their numbers were added to the internal list.
    do_not_call_leads: int = 0
    do_not_call_numbers_added: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "dropped_columns": list(self.dropped_columns),
            "do_not_call_leads": self.do_not_call_leads,
            "do_not_call_numbers_added": self.do_not_call_numbers_added,
            "ignored_columns": list(self.ignored_columns),
            "imported": self.imported,
            "merged_duplicates": self.merged_duplicates,
            "rejected": [asdict(item) for item in self.rejected],
            "list": self.list_name,
            "rows": self.rows,
            "unchanged": self.unchanged,
            "without_number": self.without_number,
        }

    @property
    def nothing_new(self) -> bool:
        """Every usable row matched a lead already there and changed nothing."""
        return self.imported == 0 and self.merged_duplicates == 0 and self.unchanged > 0


@dataclass
class ImportPreview:
    """The first rows of a file and the guessed column mapping, for the mapping dialog."""

    path: Path
    format: str
    encoding: str
    delimiter: str
    headers: list[str]
    sample_rows: list[list[str]]
    mapping: ColumnMapping


@dataclass
class _PendingLead:
    values: dict[str, Any]
    identity: lead_rules.LeadIdentity
    phones: list[dict[str, Any]]
    numbers: set[str]
    lead_id: int | None = None
    # The text of its undialable phones: a re-import must not add "n/a" again.
    undialable: set[str] = field(default_factory=set)
    consents: list[dict[str, Any]] = field(default_factory=list)
    # The notes already folded in, for a constant-time "seen it" test (no substring search per row).
    note_parts: set[str] = field(default_factory=set)


ProgressCallback = Callable[[int, int], None]


class ImportService:
    """Reads call-list files into leads and phones."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        default_region: Callable[[], str],
        hours: HoursKeys,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._default_region = default_region
        self._hours = hours

    def preview(self, path: str | Path, sample: int = 20) -> ImportPreview:
        source = self._open(Path(path))
        rows: list[list[str]] = []
        try:
            for _line, cells, _pos in source.rows():
                rows.append(cells)
                if len(rows) >= sample:
                    break
        except TableError as error:
            raise ImportFailed(str(error)) from None
        return ImportPreview(
            path=source.path,
            format=source.format,
            encoding=source.encoding,
            delimiter=source.delimiter,
            headers=source.headers,
            sample_rows=rows,
            mapping=guess_mapping(source.headers),
        )

    def import_sample(self) -> ImportReport:
        return self.run(resource(*SAMPLE_LIST), list_name="Sample list", region="US")

    def run(
        self,
        path: str | Path,
        mapping: ColumnMapping | None = None,
        list_name: str | None = None,
        region: str | None = None,
        progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ImportReport:
        hidden = hidden_character(list_name or "")
        if hidden is not None:
            raise ImportFailed(f"the list name holds a control or invisible character ({hidden})")
        source = self._open(Path(path))
        mapping = mapping or guess_mapping(source.headers)
        if len(mapping.fields) != len(source.headers):
            raise ImportFailed("the column mapping does not match the file's columns")
        problems = mapping.problems()
        if problems:
            raise ImportFailed(
                f"{source.path.name}: {'; '.join(problems)} (columns found: {', '.join(source.headers)})"
            )
        region_code = (region or self._default_region() or "US").upper()
        name = (list_name or source.path.stem).strip() or source.path.stem
        run = _ImportRun(source, mapping, region_code, name, self._clock(), progress, cancelled, self._hours)
        with _cycle_collector_paused(), self._uow_factory() as uow:
            report = run.execute(uow)
            if run.touched:
                # Leads that gained numbers by a merge may now be called at other hours.
                self._hours.backfill(uow, run.touched)
                uow.leads.clear_gate_blocks()
            uow.commit()
        if report.imported >= ANALYZE_AFTER_ROWS:
            with self._uow_factory() as uow:
                refresh_statistics(uow.session.connection(), (Lead, Phone))
                uow.commit()
        self._hours.forget()
        # Counts and the batch id only: names and numbers never go to the log.
        logging.getLogger(__name__).info(
            "import batch %d: %d leads imported, %d merged, %d values rejected",
            run.batch_id,
            report.imported,
            report.merged_duplicates,
            len(report.rejected),
        )
        return report

    def _open(self, path: Path) -> TableSource:
        try:
            return open_table(path)
        except TableError as error:
            raise ImportFailed(str(error)) from None


class _ImportRun:
    """One import in progress: the parsing loop, the merge index and the batched inserts."""

    def __init__(
        self,
        source: TableSource,
        mapping: ColumnMapping,
        region: str,
        list_name: str,
        now: datetime,
        progress: ProgressCallback | None,
        cancelled: Callable[[], bool] | None,
        hours: HoursKeys,
    ) -> None:
        self.hours = hours
        self.touched: set[int] = set()
        self.source = source
        self._row = 0  # the spreadsheet row being read (services.tables.Place)
        self.mapping = mapping
        self.region = region
        self.now = now
        self.progress = progress
        self.cancelled = cancelled
        self.report = ImportReport(
            list_name=list_name,
            dropped_columns=mapping.dropped_columns(),
            ignored_columns=mapping.ignored_columns(),
        )
        self.pending: list[_PendingLead] = []
        # Consents written by this import: its event records how many (audit verify bounds them).
        self.consents_added = 0
        self.merge_index: dict[str, list[_PendingLead]] = {}
        # Leads without a dialable number, by identity key: matched by name and company alone.
        self.numberless_index: dict[str, list[_PendingLead]] = {}
        # Leads by their CRM record id: the surest match, before numbers and names.
        self.external_index: dict[str, _PendingLead] = {}
        self.parser = CachedParser(region)
        single_fields = (
            *_LIMITS,
            "full_name",
            "kind",
            "warmth",
            "notes",
            *CONSENT_FIELDS,
            "consent_evidence",
            "postal_code",
        )
        self.single: dict[str, int | None] = {
            name: next(iter(mapping.columns_for(name)), None) for name in single_fields
        }
        self.phone_columns = mapping.columns_for("phone")
        self.do_not_call = DoNotCallFlags(mapping.columns_for("do_not_call"))
        self.ahead: ParseAhead | None = None
        self.text_columns = [
            (name, index, limit)
            for name, limit in _LIMITS.items()
            if (index := self.single[name]) is not None
        ]
        self.has_consent_columns = any(self.single[name] is not None for name in CONSENT_FIELDS)

    def execute(self, uow: UnitOfWork) -> ImportReport:
        # Started first: the helper's interpreter starts while this process indexes the leads it has.
        self.ahead = start_parse_ahead(self.source, self.phone_columns, self.region)
        batch = ImportBatch(
            file_name=str(self.source.path), list_name=self.report.list_name, imported_at=self.now
        )
        try:
            uow.session.add(batch)
            uow.session.flush()
            self.batch_id = batch.id
            self.next_lead_id = int(uow.session.scalar(select(func.max(Lead.id))) or 0) + 1
            self._load_existing(uow)
            if self._worth_deferring_indexes(uow):
                with secondary_indexes_deferred(uow.session.connection(), (Lead, Phone)):
                    self._read_all(uow)
            else:
                self._read_all(uow)
        finally:
            if self.ahead is not None:
                self.ahead.close()
        if self.report.rows == 0:
            raise ImportFailed(f"{self.source.path.name}: the file has a header but no data rows")
        if self.report.imported + self.report.merged_duplicates + self.report.unchanged == 0:
            first = self.report.rejected[0] if self.report.rejected else None
            detail = f" ({first.place}: {first.reason})" if first else ""
            raise ImportFailed(f"{self.source.path.name}: no usable rows among {self.report.rows:,}{detail}")
        added, flagged = self.do_not_call.write(uow, self.source.path.name, batch.id, self.now)
        self.report.do_not_call_numbers_added, self.report.do_not_call_leads = added, flagged
        batch.imported = self.report.imported
        batch.merged = self.report.merged_duplicates
        batch.rejected = len(self.report.rejected)
        uow.audit.record(
            "leads_import",
            json.dumps(
                {
                    "file": self.source.path.name,
                    "batch": batch.id,
                    "imported": self.report.imported,
                    "merged": self.report.merged_duplicates,
                    "rejected": len(self.report.rejected),
                    "do_not_call_leads": flagged,
                    "consents": self.consents_added,
                }
            ),
            at=self.now,
        )
        if self.progress is not None:
            self.progress(self.source.size_bytes, self.source.size_bytes)
        return self.report

    def _worth_deferring_indexes(self, uow: UnitOfWork) -> bool:
        """A large file into a table no larger than it: building the indexes afterwards is cheaper."""
        estimated_rows = self.source.size_bytes // _BYTES_PER_ROW_ESTIMATE
        if estimated_rows < _DEFER_INDEXES_FROM_ROWS:
            return False
        return uow.leads.count() <= estimated_rows

    def _read_all(self, uow: UnitOfWork) -> None:
        try:
            for place, cells, position in self.source.rows():
                self.report.rows += 1
                self._row = place.row  # of every value rejected while the row is read
                self._read_row(uow, place.line or place.row, cells)
                if self.report.rows % _PROGRESS_EVERY == 0:
                    if self.cancelled is not None and self.cancelled():
                        raise ImportCancelled("import cancelled: nothing was imported")
                    if self.progress is not None:
                        self.progress(position, self.source.size_bytes)
                if len(self.pending) >= _FLUSH_EVERY:
                    self._flush(uow)
        except TableError as error:
            raise ImportFailed(str(error)) from None
        self._flush(uow)

    def _load_existing(self, uow: UnitOfWork) -> None:
        """Index the leads already in the database by number (and those without one by identity), one
        entry per lead with all its numbers, so a re-import merges instead of repeating a lead or phone."""
        by_lead: dict[int, _PendingLead] = {}
        for lead_id, key, e164, raw, external_id in uow.leads.all_identities():
            existing = by_lead.get(lead_id)
            if existing is None:
                person, _, company = key.partition("|")
                existing = _PendingLead(
                    values={"external_id": external_id},
                    identity=lead_rules.LeadIdentity(person, company),
                    phones=[],
                    numbers=set(),
                    lead_id=lead_id,
                )
                by_lead[lead_id] = existing
                if external_id:
                    self.external_index.setdefault(external_id, existing)
            if e164 is not None:
                existing.numbers.add(e164)
                self.merge_index.setdefault(e164, []).append(existing)
            elif raw is not None:
                existing.undialable.add(raw)
        for existing in by_lead.values():
            if not existing.numbers:
                self._index_numberless(existing)

    def _index_numberless(self, lead: _PendingLead) -> None:
        key = lead.identity.key()
        if key != "|":
            self.numberless_index.setdefault(key, []).append(lead)

    def _cell(self, cells: list[str], name: str) -> str:
        index = self.single.get(name)
        if index is None or index >= len(cells):
            return ""
        return " ".join(cells[index].split())

    def _read_row(self, uow: UnitOfWork, line: int, cells: list[str]) -> None:
        headers = self.mapping.headers
        width = len(cells)
        values: dict[str, Any] = dict.fromkeys(_LIMITS, "")
        # Only the mapped text columns are looked at; this loop runs once per row of the file.
        for name, index, limit in self.text_columns:
            if index < width and (cell := cells[index]):
                text = " ".join(cell.split())
                if len(text) > limit:
                    self._reject(
                        line, headers[index], text[:40] + "…", f"longer than {limit} characters; cut"
                    )
                    text = text[:limit]
                values[name] = text
        full_name_column = self.single["full_name"]
        if full_name_column is not None and not (values["first_name"] or values["last_name"]):
            full = self._cell(cells, "full_name")
            for name, part in zip(("first_name", "last_name"), lead_rules.split_full_name(full), strict=True):
                limit = _LIMITS[name]
                if len(part) > limit:
                    column = headers[full_name_column]
                    self._reject(line, column, part[:40] + "…", f"longer than {limit} characters; cut")
                values[name] = part[:limit]
        first, last = values["first_name"], values["last_name"]
        notes_index = self.single["notes"]
        note = cells[notes_index].strip() if notes_index is not None and notes_index < width else ""
        if len(note) > NOTE_LIMIT:
            column = headers[notes_index or 0]
            self._reject(line, column, note[:40] + "…", f"longer than {NOTE_LIMIT} characters; cut")
            note = note[:NOTE_LIMIT]
        values["notes"] = note
        kind_text = self._cell(cells, "kind")
        kind = lead_rules.parse_kind(kind_text) if kind_text else None
        if kind_text and kind is None:
            column = headers[self.single["kind"] or 0]
            self._reject(
                line, column, kind_text, "not a lead type (business or residential); residential assumed"
            )
        values["kind"] = kind or lead_rules.RESIDENTIAL
        values["kind_given"] = kind is not None
        warmth_text = self._cell(cells, "warmth")
        warmth = lead_rules.parse_warmth(warmth_text) if warmth_text else None
        if warmth_text and warmth is None:
            column = headers[self.single["warmth"] or 0]
            self._reject(line, column, warmth_text, "not a warmth (warm or cold); cold assumed")
        values["warmth"] = warmth or lead_rules.COLD
        values.update(self._postal(line, cells))
        if values["state"] and self.hours.rules.unknown_state(values["state"]):
            # Kept as written (the user sees it on the card) and said: the gate refuses the lead's calls
            # until it is corrected, since the callee's own state rules cannot be checked.
            column = headers[self.single["state"] or 0]
            self._reject(
                line,
                column,
                values["state"][:40],
                "not a state or province Dialdesk knows; "
                "its calls are refused until the lead's state is corrected",
            )
        phones: list[dict[str, Any]] = []
        numbers: set[str] = set()
        for index, raw in phone_cells(cells, self.phone_columns):
            parsed = self._parse(raw)
            if parsed.e164 is not None and parsed.e164 in numbers:
                continue  # the same number twice on one row ("Phone" and "Mobile"): one phone
            if not parsed.dialable:
                self._reject(line, headers[index], raw, parsed.problem or "not a valid phone number")
            else:
                assert parsed.e164 is not None
                numbers.add(parsed.e164)
            phones.append(_phone_row(parsed, headers[index]))
        if not any(values[key] for key in ("first_name", "last_name", "company")) and not phones:
            self._reject(line, "", "", "no name, company or phone: row skipped")
            return
        if not numbers and not phones:
            column = headers[self.phone_columns[0]] if self.phone_columns else "Phone"
            self._reject(line, column, "", "no phone number")
        consents = self._consents(line, cells) if self.has_consent_columns else []
        do_not_call = self._do_not_call(line, cells) if self.do_not_call.columns else False
        identity = lead_rules.LeadIdentity.of(first, last, values["company"])
        match = self._find_match(identity, numbers, values["external_id"])
        if match is not None:
            self._note_id_naming_someone_else(line, match, identity, values)
            if values["external_id"] and not match.values.get("external_id"):
                match.values["external_id"] = values["external_id"]
                self.external_index[values["external_id"]] = match
            changed = self._merge(uow, match, values, phones, numbers, line)
            changed |= self._add_consents(uow, match, consents)
            if do_not_call:
                self.do_not_call.add(match)
            if changed:
                self.report.merged_duplicates += 1
            else:
                self.report.unchanged += 1
            return
        lead = _PendingLead(
            values=values,
            identity=identity,
            phones=phones,
            numbers=numbers,
            consents=consents,
            note_parts={values["notes"]} if values["notes"] else set(),
            undialable={phone["raw"] for phone in phones if phone["e164"] is None},
        )
        self.pending.append(lead)
        if do_not_call:
            self.do_not_call.add(lead)
        if values["external_id"]:
            self.external_index[values["external_id"]] = lead
        for number in numbers:
            self.merge_index.setdefault(number, []).append(lead)
        if not numbers:
            self._index_numberless(lead)
        self.report.imported += 1

    def _do_not_call(self, line: int, cells: list[str]) -> bool:
        """Whether the row marks its lead do-not-call; a value neither yes nor no counts, and is said."""
        flagged, unreadable = self.do_not_call.row_flag(cells)
        for index in unreadable:
            reason = "not a yes/no do-not-call value: treated as do not call"
            self._reject(line, self.mapping.headers[index], cells[index][:40], reason)
        return flagged

    def _consents(self, line: int, cells: list[str]) -> list[dict[str, Any]]:
        """Consent and relationship dates from the row; an unreadable date is reported, not guessed."""
        found = []
        evidence = self._cell(cells, "consent_evidence")
        for field_name, kind in CONSENT_FIELDS.items():
            text = self._cell(cells, field_name)
            if not text:
                continue
            given = lead_rules.parse_date(text)
            if given is None:
                column = self.mapping.headers[self.single[field_name] or 0]
                self._reject(line, column, text, "not a date (use YYYY-MM-DD); consent not recorded")
                continue
            found.append(
                {"kind": kind, "given_on": given, "evidence": evidence or f"imported from line {line}"}
            )
        return found

    def _add_consents(self, uow: UnitOfWork, target: _PendingLead, consents: list[dict[str, Any]]) -> bool:
        """Add the row's consents to its lead; whether any went to a lead already in the database."""
        if target.lead_id is None:
            target.consents.extend(consents)
            return False
        if consents:
            uow.session.execute(insert(Consent), [{**c, "lead_id": target.lead_id} for c in consents])
            self.consents_added += len(consents)
        return bool(consents)

    def _joined_notes(self, notes: str, addition: str, line: int) -> str:
        """`notes` with `addition` on a new line, unless that would pass MERGED_NOTES_LIMIT (reported)."""
        if len(notes) + 1 + len(addition) > MERGED_NOTES_LIMIT:
            self._reject(
                line,
                "notes",
                addition[:40] + "…",
                f"the lead's notes would pass {MERGED_NOTES_LIMIT} characters; not added",
            )
            return notes
        return f"{notes}\n{addition}" if notes else addition

    def _postal(self, line: int, cells: list[str]) -> dict[str, str]:
        """The lead's ZIP/postal code, state and zone; a value that is none is reported, not dropped."""
        text = self._cell(cells, "postal_code")
        if not text:
            return dict.fromkeys(POSTAL_FIELDS, "")
        place = locate_postal_code(text)
        if isinstance(place, str):
            column = self.mapping.headers[self.single["postal_code"] or 0]
            self._reject(line, column, text[:40], f"{place}; no ZIP recorded")
            return dict.fromkeys(POSTAL_FIELDS, "")
        return {"postal_code": place.code, "postal_state": place.state, "postal_zone": place.zone}

    def _reject(self, line: int, column: str, value: str, reason: str) -> None:
        line_or_none = None if self.source.format == "xlsx" else line
        self.report.rejected.append(
            Rejection(line=line_or_none, column=column, value=value, reason=reason, row=self._row)
        )

    def _note_id_naming_someone_else(
        self, line: int, match: _PendingLead, identity: lead_rules.LeadIdentity, values: dict[str, Any]
    ) -> None:
        """A CRM record id keeps naming its lead when the name changes, but two different people under
        one id is more often a mistake in the file: the row is merged, and said so, never silently."""
        external_id = values["external_id"]
        if not external_id or match.values.get("external_id") != external_id:
            return
        if match.identity.same_as(identity) or not (identity.person or identity.company):
            return
        if not (match.identity.person or match.identity.company):
            return
        index = self.single.get("external_id")
        column = self.mapping.headers[index] if index is not None else ""
        named = lead_rules.display_name(
            match.values.get("first_name", ""),
            match.values.get("last_name", ""),
            match.values.get("company", ""),
        )
        self._reject(
            line,
            column,
            external_id,
            f"this record id already names {named}: the row was merged into that lead; check the file",
        )

    def _parse(self, raw: str) -> ParsedPhone:
        if self.ahead is not None and (ahead := self.ahead.parsed(raw)) is not None:
            return ahead
        return self.parser.parse(raw)

    def _find_match(
        self, identity: lead_rules.LeadIdentity, numbers: set[str], external_id: str
    ) -> _PendingLead | None:
        if external_id and (known := self.external_index.get(external_id)) is not None:
            return known  # the CRM's id names the lead whatever its numbers or spelling now

        def same_record(candidate: _PendingLead) -> bool:
            # A lead with another CRM id is another record, even with the same number and name; one
            # without (imported before ids were kept) is this one and is given the id.
            return not external_id or candidate.values.get("external_id", "") in ("", external_id)

        for number in numbers:
            for candidate in self.merge_index.get(number, ()):
                if candidate.identity.same_as(identity) and same_record(candidate):
                    return candidate
        # A lead without a dialable number is matched by its name and company alone (the row may bring
        # its first number).
        for candidate in self.numberless_index.get(identity.key(), ()):
            if not candidate.numbers and same_record(candidate):
                return candidate
        return None

    def _merge(
        self,
        uow: UnitOfWork,
        target: _PendingLead,
        values: dict[str, Any],
        phones: list[dict[str, Any]],
        numbers: set[str],
        line: int,
    ) -> bool:
        """Fold a repeated row into its lead: new numbers are added, empty fields filled, notes added.
        Whether it changed anything: a lead of this file (a repeated row) always, a lead already in
        the database only when it gained something."""
        new_phones = [
            phone
            for phone in phones
            if (
                phone["e164"] not in target.numbers
                if phone["e164"] is not None
                else phone["raw"] not in target.undialable
            )
        ]
        target.undialable |= {phone["raw"] for phone in new_phones if phone["e164"] is None}
        target.numbers |= numbers
        for number in numbers:
            entries = self.merge_index.setdefault(number, [])
            if target not in entries:
                entries.append(target)
        if target.lead_id is None:
            if values.get("warmth") == lead_rules.WARM:
                target.values["warmth"] = lead_rules.WARM
            note = values["notes"]
            if note and note not in target.note_parts:
                joined = self._joined_notes(target.values["notes"], note, line)
                if joined is not target.values["notes"]:
                    target.note_parts.add(note)
                    target.values["notes"] = joined
            for key, value in values.items():
                if key != "notes" and value and not target.values.get(key):
                    target.values[key] = value
            target.phones.extend(new_phones)
            return True
        lead = uow.session.get(Lead, target.lead_id)
        if new_phones:
            self.touched.add(target.lead_id)
        if lead is None:
            return bool(new_phones)
        changed = bool(new_phones)
        if values.get("warmth") == lead_rules.WARM and lead.warmth != lead_rules.WARM:
            lead.warmth = lead_rules.WARM
            changed = True
        for key in ("first_name", "last_name", "company", "title", "email", "state", "source", "external_id"):
            if values[key] and not getattr(lead, key):
                setattr(lead, key, values[key])
                changed = True
        if values["postal_code"] and not lead.postal_code:
            for key in POSTAL_FIELDS:
                setattr(lead, key, values[key])
            changed = True
        # Bounded by MERGED_NOTES_LIMIT, so this search costs at most that much per row.
        if values["notes"] and values["notes"] not in lead.notes:
            notes = self._joined_notes(lead.notes, values["notes"], line)
            changed |= notes != lead.notes
            lead.notes = notes
        start = len(lead.phones)
        for offset, phone in enumerate(new_phones):
            uow.session.add(Phone(lead_id=lead.id, position=start + offset, **phone))
        if new_phones and any(p["valid"] for p in new_phones) and lead.status == lead_rules.STATUS_NO_NUMBER:
            lead.status = lead_rules.STATUS_NEW
            if lead.import_batch_id == self.batch_id:  # added by this import, numberless until now
                self.report.without_number -= 1
        return changed

    def _flush(self, uow: UnitOfWork) -> None:
        """Insert pending leads and their phones in two executemany batches."""
        if not self.pending:
            return
        # Ids are given here, not returned by the database: a plain executemany is several times faster
        # than INSERT … RETURNING through the ORM. Safe because this transaction has held the write lock
        # since the import batch row was flushed. On PostgreSQL, where other agents write at the same
        # time, the ids come from the table's sequence instead (bulk.reserve_ids).
        same_for_all = {
            "list_name": self.report.list_name,
            "import_batch_id": self.batch_id,
            "created_at": self.now,
            "updated_at": self.now,
            "due_reason": "new",
            "attempt_count": 0,
            "contact_count": 0,
        }
        hours_key = self.hours.key
        lead_rows: list[dict[str, Any]] = []
        phone_rows: list[dict[str, Any]] = []
        consent_rows: list[dict[str, Any]] = []
        connection = uow.session.connection()
        reserved = reserve_ids(connection, Lead, len(self.pending))
        ids = (
            reserved
            if reserved is not None
            else range(self.next_lead_id, self.next_lead_id + len(self.pending))
        )
        for lead_id, lead in zip(ids, self.pending, strict=True):
            # The pending lead's own dicts become the rows: nothing else holds them.
            row = lead.values
            row.update(same_for_all)
            row["id"] = lead_id
            row["status"] = lead_rules.STATUS_NEW if lead.numbers else lead_rules.STATUS_NO_NUMBER
            # Leads this import adds that the queue cannot offer (counted once a lead, not per row).
            self.report.without_number += not lead.numbers
            row["identity_key"] = lead.identity.key()
            first_valid = None
            for position, phone in enumerate(lead.phones):
                phone["lead_id"] = lead_id
                phone["position"] = position
                if first_valid is None and phone["valid"]:
                    first_valid = phone
            # Calling hours follow the first dialable number, the one the window dials first.
            row["hours_key"] = (
                hours_key(
                    first_valid["time_zones"],
                    row["state"],
                    first_valid["e164"],
                    row["postal_state"],
                    row["postal_zone"],
                )
                if first_valid is not None
                else NO_ZONE_KEY
            )
            lead_rows.append(row)
            phone_rows.extend(lead.phones)
            consent_rows.extend({**consent, "lead_id": lead_id} for consent in lead.consents)
            lead.lead_id = lead_id
            lead.consents = []
            lead.values = {}
            lead.phones = []
        self.next_lead_id += len(lead_rows)
        bulk_insert(connection, Lead, lead_rows)
        if phone_rows:
            bulk_insert(connection, Phone, phone_rows)
        if consent_rows:
            bulk_insert(connection, Consent, consent_rows)
            self.consents_added += len(consent_rows)
        self.pending = []
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled("import cancelled: nothing was imported")


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Hold Python's cycle collector while an import builds its rows.

    An import keeps hundreds of thousands of small objects alive (pending leads, the merge index,
    parsed numbers); each automatic collection walks all of them again, which made the collector
    a quarter of an import's time. The import makes almost no reference cycles, so nothing piles up;
    the collector runs as usual afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _phone_row(parsed: ParsedPhone, label: str) -> dict[str, Any]:
    return {
        "label": label[:100],
        "raw": parsed.raw[:200],
        "e164": parsed.e164,
        "extension": parsed.extension,
        "number_type": parsed.number_type,
        "region": parsed.region,
        "time_zones": " ".join(parsed.time_zones),
        "valid": parsed.dialable,
        "problem": parsed.problem,
    }
