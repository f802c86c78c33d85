"""Scrubbing a call list: the gate's decision for every lead at once, with counts per reason.

Facts are preloaded in a few queries (internal list, consent, recent calls, registry snapshots) so a
list of 100,000 leads is decided in seconds; each decision is the same `domain.compliance.decide()`
the dial gate uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from desktop.domain.compliance import (
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
from desktop.services.gate import DialGate, GateContext, GateResult
from desktop.services.gate_reads import UowGateRecords
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
}


@dataclass(frozen=True)
class ScrubRow:
    """One lead's decision in a scrub."""

    lead_id: int
    name: str
    company: str
    kind: str
    state: str
    list_name: str
    number: str
    decision: Decision
    callable_at: datetime | None


@dataclass
class ScrubReport:
    """A whole list checked at one moment."""

    at: datetime
    checked: int = 0
    callable: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    by_group: Counter[str] = field(default_factory=Counter)

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

    def _context(self, uow: UnitOfWork, at: datetime, lead_ids: list[int] | None = None) -> GateContext:
        """Facts preloaded for many decisions; for all leads, or only `lead_ids` (a page of the queue)."""
        session = uow.session
        # Result objects have .keys(), so dict() would take them for mappings: build the dicts by hand.
        internal = {
            number: reason
            for number, reason in session.execute(
                select(DncEntry.number, DncEntry.reason).where(DncEntry.source == "internal")
            )
        }
        latest: dict[int, dict[str, object]] = {}
        consent_query = select(Consent.lead_id, Consent.kind, func.max(Consent.given_on)).group_by(
            Consent.lead_id, Consent.kind
        )
        # Per number, whoever the lead (duplicates and bare-number dials count too).
        calls_query = (
            select(Attempt.number, func.count(Attempt.id))
            .where(Attempt.allowed.is_(True), Attempt.started_at >= at - timedelta(hours=24))
            .group_by(Attempt.number)
        )
        if lead_ids is not None:
            consent_query = consent_query.where(Consent.lead_id.in_(lead_ids))
        rows = session.execute(consent_query)
        for lead_id, kind, given in rows:
            latest.setdefault(int(lead_id), {})[str(kind)] = given
        calls = {lead_id: count for lead_id, count in session.execute(calls_query)}

        def consent(lead_id: int | None) -> ConsentFacts:
            kinds = latest.get(lead_id or -1, {})
            return ConsentFacts(
                written_on=kinds.get("written"),  # type: ignore[arg-type]
                inquiry_on=kinds.get("inquiry"),  # type: ignore[arg-type]
                purchase_on=kinds.get("purchase"),  # type: ignore[arg-type]
            )

        return GateContext(
            internal_reason=internal.get,
            consent=consent,
            calls_last_24h=lambda number: int(calls.get(number, 0)),
            snapshots=self._gate.registry.snapshots(),
            emergencies=load_emergencies(uow),
            memo={},
            coverage=self._gate.registry.coverage(),
        )

    def rows(
        self, list_name: str | None = None, progress: Callable[[int, int], None] | None = None
    ) -> Iterator[ScrubRow]:
        at = self._clock()
        with self._uow_factory() as uow:
            context = self._context(uow, at)
            where: list[ColumnElement[bool]] = [Lead.status.in_((*QUEUE_STATUSES, STATUS_NO_NUMBER))]
            if list_name:
                where.append(Lead.list_name == list_name)
            total = int(uow.session.scalar(select(func.count(Lead.id)).where(*where)) or 0)
            for index, lead in enumerate(_lead_rows(uow, where), start=1):
                result = self._best(uow, lead, at, context)
                decision = (
                    result.decision
                    if result is not None
                    else Decision(
                        number=None,
                        allowed=False,
                        reasons=(Reason(INVALID_NUMBER, "the lead has no phone number"),),
                    )
                )
                callable_at = (
                    result.callable_at(self._gate.rules, context)
                    if result is not None and not decision.allowed
                    else None
                )
                yield ScrubRow(
                    lead_id=lead.id,
                    name=display_name(lead.first_name, lead.last_name, lead.company),
                    company=lead.company,
                    kind=lead.kind,
                    state=lead.state,
                    list_name=lead.list_name,
                    number=decision.number or "",
                    decision=decision,
                    callable_at=callable_at if not decision.allowed else None,
                )
                if progress is not None and index % 1000 == 0:
                    progress(index, total)

    def decide_leads(self, uow: UnitOfWork, leads: list[Lead], at: datetime) -> dict[int, GateResult | None]:
        """The gate's answer for each of `leads` (their phones loaded) at `at`, without recording."""
        context = self._context(uow, at, [lead.id for lead in leads])
        return {lead.id: self._best(uow, lead, at, context) for lead in leads}

    def _best(
        self, uow: UnitOfWork, lead: Lead | LeadRow, at: datetime, context: GateContext
    ) -> GateResult | None:
        first: GateResult | None = None
        for phone in lead.phones:
            result = self._gate.decide_phone(UowGateRecords(uow), lead, phone, at, context=context)
            if result.decision.allowed:
                return result
            if first is None or (phone.valid and not first.facts.valid):
                first = result
        return first

    def report(self, rows: Iterator[ScrubRow] | None = None, list_name: str | None = None) -> ScrubReport:
        report = ScrubReport(at=self._clock())
        for row in rows if rows is not None else self.rows(list_name):
            add_to_report(report, row)
        return report


@dataclass(frozen=True, slots=True)
class PhoneRow:
    """A phone as the scrub reads it: plain columns, no ORM object (100,000 of them load in a blink)."""

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
class LeadRow:
    """A lead as the scrub reads it, with its phones in their order."""

    id: int
    first_name: str
    last_name: str
    company: str
    kind: str
    state: str
    list_name: str
    phones: Sequence[PhoneRow]


def _lead_rows(uow: UnitOfWork, where: list[ColumnElement[bool]], batch: int = 5000) -> Iterator[LeadRow]:
    """Leads matching `where` in id order with their phones, read a batch of leads at a time."""
    session = uow.session
    last_id = 0
    while True:
        leads = session.execute(
            select(
                Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.kind, Lead.state, Lead.list_name
            )
            .where(*where, Lead.id > last_id)
            .order_by(Lead.id)
            .limit(batch)
        ).all()
        if not leads:
            return
        phones: dict[int, list[PhoneRow]] = {}
        phone_rows = session.execute(
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
            .order_by(Phone.lead_id, Phone.position, Phone.id)
        )
        for lead_id, e164, raw, valid, zones, region, problem, label in phone_rows:
            phones.setdefault(lead_id, []).append(PhoneRow(e164, raw, valid, zones, region, problem, label))
        for lead_id, first, last, company, kind, state, list_name in leads:
            yield LeadRow(lead_id, first, last, company, kind, state, list_name, phones.get(lead_id, []))
        last_id = leads[-1][0]


def add_to_report(report: ScrubReport, row: ScrubRow) -> None:
    report.checked += 1
    if row.decision.allowed:
        report.callable += 1
        return
    codes = row.decision.codes
    report.by_code.update(codes)
    report.by_group[REASON_GROUPS.get(codes[0], codes[0])] += 1
