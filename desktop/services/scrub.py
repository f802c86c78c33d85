"""Scrubbing a call list: the gate's decision for every lead at once, with counts per reason.

Facts are preloaded in a few queries (internal list, consent, recent calls, registry snapshots) so a
list of 100,000 leads is decided in seconds; each decision is the same `domain.compliance.decide()`
the dial gate uses.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ClauseElement, ColumnElement, Connection, func, select

from desktop.domain.compliance import (
    CALLER_ID,
    CALLING_HOURS,
    DNC_INTERNAL,
    DNC_NATIONAL,
    DNC_STATE,
    INVALID_NUMBER,
    PRERECORDED_CONSENT,
    REGISTRY_MISSING,
    REGISTRY_STALE,
    STATE_RULE,
    ConsentFacts,
    Decision,
    Reason,
)
from desktop.domain.leads import QUEUE_STATUSES, STATUS_NO_NUMBER, display_name
from desktop.services.clock import Clock
from desktop.services.emergencies import load_emergencies
from desktop.services.gate import DialGate, GateContext, GateResult, RegistryView, registry_state
from desktop.services.gate_reads import UowGateRecords
from desktop.services.offline_hold import offline_copy_expired
from desktop.services.recent_calls import RecentCalls
from desktop.storage.models import Attempt, Consent, DncEntry, Lead, Phone
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

# How the summary groups reason codes, in the order it names them.
REASON_GROUPS: dict[str, str] = {
    DNC_INTERNAL: "DNC",
    DNC_NATIONAL: "DNC",
    DNC_STATE: "DNC",
    REGISTRY_STALE: "registry out of date",
    REGISTRY_MISSING: "no registry copy of the area code",
    CALLING_HOURS: "outside calling hours",
    STATE_RULE: "state rules",
    INVALID_NUMBER: "no valid number",
    PRERECORDED_CONSENT: "no consent for recorded messages",
    CALLER_ID: "no caller ID (firm mode)",
}


class ScrubRow(NamedTuple):
    """One lead's decision in a scrub (a named tuple: 100,000 of them are made in a blink)."""

    lead_id: int
    name: str
    company: str
    kind: str
    state: str
    list_name: str
    number: str
    decision: Decision
    callable_at: datetime | None


# The columns of a scrub written as CSV (`dialdesk scrub --out`, the Check the list window's export).
SCRUB_COLUMNS = (
    "lead_id",
    "name",
    "company",
    "kind",
    "state",
    "list",
    "number",
    "allowed",
    "reason_codes",
    "reasons",
    "notes",
    "callable_at",
)


def scrub_record(row: ScrubRow) -> list[object]:
    """One lead's decision as a CSV row under SCRUB_COLUMNS."""
    return [
        row.lead_id,
        row.name,
        row.company,
        row.kind,
        row.state,
        row.list_name,
        row.number,
        "yes" if row.decision.allowed else "no",
        " ".join(row.decision.codes),
        "; ".join(reason.detail for reason in row.decision.reasons),
        "; ".join(f"{note.code}: {note.detail}" for note in row.decision.notes),
        row.callable_at.isoformat() if row.callable_at else "",
    ]


@dataclass
class ScrubReport:
    """A whole list checked at one moment; `skipped_rows` are the leads the gate would skip, and why."""

    at: datetime
    checked: int = 0
    callable: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    by_group: Counter[str] = field(default_factory=Counter)
    skipped_rows: list[ScrubRow] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.checked - self.callable

    def summary(self) -> str:
        if not self.checked:
            return "No leads to check."
        if not self.skipped:
            return f"All {self.checked:,} leads may be called now."
        parts = ", ".join(f"{count:,} {group}" for group, count in self.by_group.most_common())
        return f"{self.skipped:,} of {self.checked:,} leads would be skipped: {parts}"

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "checked": self.checked,
            "callable": self.callable,
            "skipped": self.skipped,
            "by_reason": dict(self.by_code),
            "summary": self.summary(),
        }


class ScrubService:
    """Decides every lead of a list (or all lists) at one moment, without dialling or recording."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, gate: DialGate) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._gate = gate

    def _context(
        self, uow: UnitOfWork, at: datetime, numbers: Iterable[str], lead_ids: list[int] | None = None
    ) -> GateContext:
        """Facts preloaded for many decisions (the phones `numbers`); for all leads, or only
        `lead_ids` (a page of the queue). Every table is read in one set-based query."""
        connection = uow.session.connection()  # Core rows: no ORM objects for 100,000 facts
        # Result objects have .keys(), so dict() would take them for mappings: build the dicts by hand.
        internal = {
            number: reason
            for number, reason in connection.execute(
                select(DncEntry.number, DncEntry.reason).where(DncEntry.source == "internal")
            )
        }
        latest: dict[int, dict[str, object]] = {}
        consent_query = select(Consent.lead_id, Consent.kind, func.max(Consent.given_on)).group_by(
            Consent.lead_id, Consent.kind
        )
        # Per number, whoever the lead (duplicates and bare-number dials count too), and per person:
        # the lead's calls on any of their numbers (services/gate.py calls_since).
        calls_query = select(Attempt.id, Attempt.number, Attempt.lead_id).where(
            Attempt.allowed.is_(True), Attempt.started_at >= at - timedelta(hours=24)
        )
        if lead_ids is not None:
            consent_query = consent_query.where(Consent.lead_id.in_(lead_ids))
        for lead_id, kind, given in connection.execute(consent_query):
            latest.setdefault(int(lead_id), {})[str(kind)] = given
        consents = {
            lead_id: ConsentFacts(
                written_on=kinds.get("written"),  # type: ignore[arg-type]
                inquiry_on=kinds.get("inquiry"),  # type: ignore[arg-type]
                purchase_on=kinds.get("purchase"),  # type: ignore[arg-type]
            )
            for lead_id, kinds in latest.items()
        }
        recent = RecentCalls(list(connection.execute(calls_query)))
        recent.owners(connection)
        listed = registry_sources_of(self._gate.registry, numbers)
        no_consent = ConsentFacts()
        nothing: frozenset[str] = frozenset()
        snapshots, coverage = registry_state(self._gate.registry)
        return GateContext(
            internal_reason=internal.get,
            consent=lambda lead_id: consents.get(lead_id or -1, no_consent),
            calls_last_24h=recent.count,
            snapshots=snapshots,
            emergencies=load_emergencies(uow),
            memo={},
            coverage=coverage,
            registry_sources=lambda number: listed.get(number, nothing),
            copy_expired=offline_copy_expired(uow.settings.get, at),
        )

    def rows(
        self, list_name: str | None = None, progress: Callable[[int, int], None] | None = None
    ) -> Iterator[ScrubRow]:
        at = self._clock()
        with self._uow_factory() as uow:
            where: list[ColumnElement[bool]] = [Lead.status.in_((*QUEUE_STATUSES, STATUS_NO_NUMBER))]
            if list_name:
                where.append(Lead.list_name == list_name)
            phones = select(Phone.e164).join(Lead, Lead.id == Phone.lead_id)
            numbers = _plain_rows(uow.session.connection(), phones.where(*where, Phone.e164.is_not(None)))
            context = self._context(uow, at, (number for (number,) in numbers))
            total = int(uow.session.scalar(select(func.count(Lead.id)).where(*where)) or 0)
            no_number = Decision(
                number=None, allowed=False, reasons=(Reason(INVALID_NUMBER, "the lead has no phone number"),)
            )
            best, rules, reads = self._best, self._gate.rules, UowGateRecords(uow)
            for index, lead in enumerate(_lead_rows(uow, where), start=1):
                result = best(reads, lead, at, context)
                if result is None:
                    decision, callable_at = no_number, None
                else:
                    decision = result.decision
                    callable_at = None if decision.allowed else result.callable_at(rules, context)
                yield ScrubRow(
                    lead.id,
                    display_name(lead.first_name, lead.last_name, lead.company),
                    lead.company,
                    lead.kind,
                    lead.state,
                    lead.list_name,
                    decision.number or "",
                    decision,
                    callable_at,
                )
                if progress is not None and index % 1000 == 0:
                    progress(index, total)

    def decide_leads(self, uow: UnitOfWork, leads: list[Lead], at: datetime) -> dict[int, GateResult | None]:
        """The gate's answer for each of `leads` (their phones loaded) at `at`, without recording."""
        numbers = [phone.e164 for lead in leads for phone in lead.phones if phone.e164]
        context = self._context(uow, at, numbers, [lead.id for lead in leads])
        reads = UowGateRecords(uow)
        return {lead.id: self._best(reads, lead, at, context) for lead in leads}

    def _best(
        self, reads: UowGateRecords, lead: Lead | LeadRow, at: datetime, context: GateContext
    ) -> GateResult | None:
        first: GateResult | None = None
        decide_phone = self._gate.decide_phone
        for phone in lead.phones:
            result = decide_phone(reads, lead, phone, at, context=context)
            if result.decision.allowed:
                return result
            if first is None or (phone.valid and not first.shared.valid):
                first = result
        return first

    def report(self, rows: Iterator[ScrubRow] | None = None, list_name: str | None = None) -> ScrubReport:
        report = ScrubReport(at=self._clock())
        with _collector_paused():
            for row in rows if rows is not None else self.rows(list_name):
                add_to_report(report, row)
        return report


class PhoneRow(NamedTuple):
    """A phone as the scrub reads it: plain columns, no ORM object (100,000 of them load in a blink)."""

    e164: str | None
    raw: str
    valid: bool
    zone_list: tuple[str, ...]
    region: str | None
    problem: str | None
    label: str


class LeadRow(NamedTuple):
    """A lead as the scrub reads it, with its phones in their order."""

    id: int
    first_name: str
    last_name: str
    company: str
    kind: str
    state: str
    list_name: str
    phones: Sequence[PhoneRow]
    postal_state: str = ""
    postal_zone: str = ""


def _plain_rows(connection: Connection, statement: ClauseElement) -> list[Any]:
    """A query's rows as the DBAPI gives them: no result-row objects for 100,000 leads and phones.
    Only for columns the driver returns as Python wants them (integers, text; booleans as 0/1)."""
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _lead_rows(uow: UnitOfWork, where: list[ColumnElement[bool]], batch: int = 20000) -> Iterator[LeadRow]:
    """Leads matching `where` in id order with their phones, read a batch of leads at a time."""
    connection = uow.session.connection()
    zone_lists: dict[str, tuple[str, ...]] = {}  # a stored zone text has few distinct values
    last_id = 0
    while True:
        leads = _plain_rows(
            connection,
            select(
                Lead.id,
                Lead.first_name,
                Lead.last_name,
                Lead.company,
                Lead.kind,
                Lead.state,
                Lead.list_name,
                Lead.postal_state,
                Lead.postal_zone,
            )
            .where(*where, Lead.id > last_id)
            .order_by(Lead.id)
            .limit(batch),
        )
        if not leads:
            return
        phones: dict[int, list[PhoneRow]] = {}
        phone_rows = _plain_rows(
            connection,
            select(
                Phone.lead_id,
                Phone.e164,
                Phone.raw,
                Phone.valid,
                Phone.time_zones,
                Phone.region,
                Phone.problem,
                Phone.label,
            )
            .where(Phone.lead_id >= leads[0][0], Phone.lead_id <= leads[-1][0])
            .order_by(Phone.lead_id, Phone.position, Phone.id),
        )
        owner, own = None, []  # the rows come in lead order: one list per lead, no look-up per phone
        for lead_id, e164, raw, valid, zones, region, problem, label in phone_rows:
            zone_list = zone_lists.get(zones)
            if zone_list is None:
                zone_list = zone_lists[zones] = tuple(zone for zone in zones.split(" ") if zone)
            if lead_id != owner:
                owner, own = lead_id, phones.setdefault(lead_id, [])
            own.append(PhoneRow(e164, raw, bool(valid), zone_list, region, problem, label))
        for lead_id, first, last, company, kind, state, list_name, postal_state, postal_zone in leads:
            yield LeadRow(
                lead_id,
                first,
                last,
                company,
                kind,
                state,
                list_name,
                phones.get(lead_id, []),
                postal_state,
                postal_zone,
            )
        last_id = leads[-1][0]


def add_to_report(report: ScrubReport, row: ScrubRow) -> None:
    report.checked += 1
    if row.decision.allowed:
        report.callable += 1
        return
    report.skipped_rows.append(row)
    codes = row.decision.codes
    report.by_code.update(codes)
    report.by_group[REASON_GROUPS.get(codes[0], codes[0])] += 1


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a whole list is counted: the 100,000 rows each batch
    holds would otherwise be walked again and again (a sixth of the scrub's time). The rows make
    no reference cycles; whatever else does is collected once the count is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def registry_sources_of(registry: RegistryView, numbers: Iterable[str]) -> dict[str, frozenset[str]]:
    """The registries listing each of `numbers` (listed ones only): in a few set-based queries when
    the registry can (the database's `RegistryLookup`), else one number at a time."""
    many = getattr(registry, "sources_for_many", None)
    if many is not None:
        found: dict[str, frozenset[str]] = many(numbers)
        return found
    return {number: sources for number in set(numbers) if (sources := registry.sources_for(number))}
