"""Leads as the window and the CLI show them: the queue, the lead card with its history, exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import select

from desktop.domain.compliance import Decision
from desktop.domain.leads import attempt_label, display_name, persistence_nudge
from desktop.domain.outcomes import OutcomeRules
from desktop.domain.phones import describe_location, label_says_landline, location_if_loaded
from desktop.domain.scripts import answer_text
from desktop.services import history_events
from desktop.services.clock import Clock
from desktop.services.gate import GateResult
from desktop.services.hours import NO_ZONE_KEY, HoursKeys
from desktop.services.outcome_undo import UNDONE
from desktop.services.phone_labels import set_business_landline
from desktop.services.scripts import lead_field_values
from desktop.storage.events import local_agent
from desktop.storage.models import Lead, Phone, ScriptAnswer
from desktop.storage.queue_statements import BUCKET_BLOCKED, BUCKET_LATER, BUCKET_NAMES
from desktop.storage.repositories import reasons_from_json
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class QueueRow:
    """One line of the call queue."""

    lead_id: int
    name: str
    company: str
    kind: str
    bucket: str
    due_at: datetime | None
    attempts: int
    target: int
    phone: str
    list_name: str
    status: str
    local_time: str
    waiting: str = ""  # why a later or blocked lead is not offered now, in words
    callable_at: datetime | None = None  # when a later lead can be called (None: not by time alone)
    time_zone: str = ""  # the callee's (IANA name), for "their time" wording
    # The bucket the queue is ordered and counted by (BUCKET_*), before the gate's look at the page.
    rank: int = -1

    @property
    def counted_as(self) -> str:
        """The QueueCounts field this row counts in (its bucket before the gate's look)."""
        return BUCKET_NAMES[self.rank]

    @property
    def order(self) -> tuple[int, bool, datetime | None, int]:
        """The queue's order: bucket, then due time (none first), then import order."""
        return (self.rank, self.due_at is not None, self.due_at, self.lead_id)


@dataclass(frozen=True)
class QueueCounts:
    """How many leads the queue holds, by why they are there."""

    total: int = 0
    callback: int = 0
    warm: int = 0
    due: int = 0
    new: int = 0
    later: int = 0
    blocked: int = 0


@dataclass(frozen=True)
class PhoneView:
    """One number of a lead, ready to show."""

    id: int
    label: str
    raw: str
    e164: str | None
    display: str
    extension: str | None
    number_type: str
    valid: bool
    problem: str | None
    time_zones: tuple[str, ...]
    on_internal_dnc: bool
    location: str
    # Recorded as a landline (its label says so): a business lead's may take a voicemail drop.
    business_landline: bool = False


@dataclass(frozen=True)
class HistoryItem:
    """One gate decision and, when allowed, the call that followed."""

    at: datetime
    number: str
    allowed: bool
    outcome: str | None
    outcome_label: str
    duration_s: float | None
    reasons: list[tuple[str, str]]
    note: str
    backend: str
    kind: str = "call"  # "call" (a gate decision and its call) or "answer" (a script answer)
    attempt_id: int | None = None  # the call itself, or the call an answer was given in


@dataclass(frozen=True)
class LeadCard:
    """Everything the centre of the window shows about one lead."""

    id: int
    first_name: str
    last_name: str
    display_name: str
    company: str
    title: str
    email: str
    kind: str
    warmth: str
    state: str
    source: str
    external_id: str  # the lead's id in its CRM ("" when the list had none)
    list_name: str
    status: str
    notes: str
    attempts: int
    contacts: int
    target: int
    attempt_label: str
    nudge: str | None
    local_time: datetime | None
    time_zone: str
    phones: list[PhoneView]
    history: list[HistoryItem]
    next_due_at: datetime | None
    last_outcome: str | None
    # The list's ZIP/postal code and the state or province it places the lead in ("" when none).
    postal_code: str = ""
    postal_state: str = ""


# How many refused leads "next lead" steps over in one call before giving up (the queue shows why).
_MAX_GATE_SKIPS = 200


class LeadNotFound(Exception):
    """No lead has that id."""


def display_number(e164: str | None, raw: str) -> str:
    if not e164:
        return raw
    try:
        return str(
            phonenumbers.format_number(
                phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
        )
    except phonenumbers.NumberParseException:
        return e164


def _primary_zone(phones: list[Phone]) -> str:
    for phone in phones:
        if phone.valid and phone.zone_list:
            return phone.zone_list[0]
    return ""


class LeadService:
    """Read models of leads and small edits that are not calls."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        attempt_target: Callable[[], int],
        outcome_rules: OutcomeRules,
        hours: HoursKeys,
        gate_check: Callable[[int], Decision] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._attempt_target = attempt_target
        self.outcome_rules = outcome_rules
        self.hours = hours
        # Asks the dial gate about a lead without recording (the calling service's check).
        self.gate_check = gate_check
        # Asks the gate about a page of leads at once (ScrubService.decide_leads), wired by the workspace.
        # Refusals time will not lift are stored on the lead; not on a read-only database (reading only).
        self.remember_refusals = True
        # The window's cards leave place names blank until their data has loaded in the background
        # (it takes a third of a second); commands wait for it.
        self.place_names_in_background = False
        # The agent looking at the queue (team mode): leads other agents hold are not listed to them.
        self.viewer: Callable[[], str | None] = lambda: None
        self.page_gate: Callable[[UnitOfWork, list[Lead], datetime], dict[int, GateResult | None]] | None = (
            None
        )

    def open_keys(self, uow: UnitOfWork, at: datetime) -> list[str]:
        return self.hours.open_keys_now(uow, at)

    def count(self) -> int:
        with self._uow_factory() as uow:
            return uow.leads.count()

    def queue_page(self, offset: int, limit: int, text: str = "") -> list[QueueRow]:
        now = self._clock()
        target = self._attempt_target()
        with self._uow_factory() as uow:
            rows = uow.leads.queue_page(now, offset, limit, text, self.open_keys(uow, now), self.viewer())
            checked = self._check_page(uow, rows, now)
            return [self._queue_row(lead, bucket, target, now, checked.get(lead.id)) for lead, bucket in rows]

    def _check_page(
        self, uow: UnitOfWork, rows: list[tuple[Lead, int]], now: datetime
    ) -> dict[int, GateResult]:
        """Ask the gate about the page's leads the queue would offer, so none is shown as callable when
        it is not. Refusals that time will not lift are remembered (the lead moves to "blocked")."""
        offered = [lead for lead, bucket in rows if bucket < BUCKET_LATER and lead.phones]
        if self.page_gate is None or not offered:
            return {}
        refused: dict[int, GateResult] = {}
        for lead_id, result in self.page_gate(uow, offered, now).items():
            if result is None or result.decision.allowed:
                continue
            refused[lead_id] = result
            if not result.decision.only_time_blocks and self.remember_refusals:
                first = result.decision.reasons[0]
                uow.leads.set_gate_block(lead_id, f"{first.code}: {first.detail}")
        if self.remember_refusals and any(
            not result.decision.only_time_blocks for result in refused.values()
        ):
            uow.commit()
        return refused

    def _queue_row(
        self, lead: Lead, bucket: int, target: int, now: datetime, refused: GateResult | None = None
    ) -> QueueRow:
        phone = next((p for p in lead.phones if p.valid), lead.phones[0] if lead.phones else None)
        zone = _primary_zone(lead.phones)
        local = now.astimezone(ZoneInfo(zone)).strftime("%H:%M") if zone else ""
        rank = bucket
        if refused is not None:
            decision = refused.decision
            bucket = BUCKET_LATER if decision.only_time_blocks else BUCKET_BLOCKED
            if decision.only_time_blocks:
                waiting = "; ".join(r.detail for r in decision.reasons)
                callable_at = refused.callable_at(self.hours.rules)
            else:
                first = decision.reasons[0]
                waiting, callable_at = f"{first.code}: {first.detail}", None
        else:
            waiting, callable_at = self._waiting(lead, bucket, now)
        return QueueRow(
            waiting=waiting,
            callable_at=callable_at,
            lead_id=lead.id,
            name=display_name(lead.first_name, lead.last_name, lead.company),
            company=lead.company,
            kind=lead.kind,
            bucket=BUCKET_NAMES[bucket],
            due_at=lead.next_due_at,
            attempts=lead.attempt_count,
            target=target,
            phone=display_number(phone.e164, phone.raw) if phone else "",
            list_name=lead.list_name,
            status=lead.status,
            local_time=local,
            time_zone=zone,
            rank=rank,
        )

    def calling_hours_check(self, lead_id: int) -> Callable[[datetime], bool]:
        """A test of whether the lead's calling hours are open at a moment (always, without a zone)."""
        with self._uow_factory() as uow:
            lead = uow.leads.get(lead_id)
            key = (lead.hours_key or "") if lead is not None else ""
        if not key or key == NO_ZONE_KEY:
            return lambda _moment: True
        return lambda moment: not self.hours.reason(key, moment)

    def _waiting(self, lead: Lead, bucket: int, now: datetime) -> tuple[str, datetime | None]:
        if bucket == BUCKET_BLOCKED:
            return lead.gate_block or "blocked by the dial gate", None
        if bucket != BUCKET_LATER:
            return "", None
        key = lead.hours_key or ""
        if lead.next_due_at is not None and lead.next_due_at > now:
            what = "call back" if lead.due_reason == "callback" else "due again"
            opens = self.hours.opens_at(key, lead.next_due_at) if key else lead.next_due_at
            return what, opens
        return self.hours.reason(key, now) or "outside calling hours", self.hours.opens_at(key, now)

    def queue_rows_for(self, lead_ids: Sequence[int], text: str = "") -> dict[int, QueueRow]:
        """The queue rows of `lead_ids` now, as `queue_page` makes them; a lead no longer in the queue
        (or not matching `text`) is absent."""
        now = self._clock()
        target = self._attempt_target()
        with self._uow_factory() as uow:
            rows = uow.leads.queue_rows(now, lead_ids, text, self.open_keys(uow, now), self.viewer())
            checked = self._check_page(uow, rows, now)
            made = (self._queue_row(lead, bucket, target, now, checked.get(lead.id)) for lead, bucket in rows)
            return {row.lead_id: row for row in made}

    def queue_counts(self, text: str = "") -> QueueCounts:
        now = self._clock()
        with self._uow_factory() as uow:
            counts = uow.leads.queue_counts(now, text, self.open_keys(uow, now), self.viewer())
        named = {BUCKET_NAMES[bucket]: count for bucket, count in counts.items()}
        return QueueCounts(total=sum(counts.values()), **named)

    def next_lead_id(
        self,
        exclude: tuple[int, ...] = (),
        claim_for: tuple[int, datetime] | None = None,
        kept_callbacks_since: datetime | None = None,
        for_agent: int | None = None,
        held_first: Callable[[UnitOfWork], int | None] | None = None,
    ) -> int | None:
        """The lead the queue offers now: first in order whose calling hours are open and that the gate
        allows. A lead the gate refuses for a reason time will not lift is marked, so it is not
        asked again until lists, registries or consent change. Leads other agents hold are skipped.

        `claim_for` (agent id, until): the lead found is claimed for that agent in the same
        transaction (services/claims.py), or the next one if another agent took it meanwhile;
        `kept_callbacks_since`: see `LeadRepository.next_in_queue`; `for_agent` (an agent id, without
        `claim_for`): the lead that agent would claim (theirs or free), not claimed; `held_first`: asked
        first in the same unit of work (one transaction, not two), its lead (None: none) is the
        answer, committed (services/claims.py: the agent's held lead, its claim renewed).
        """
        now = self._clock()
        skipped = list(exclude)
        agent_id = claim_for[0] if claim_for is not None else for_agent
        with self._uow_factory() as uow:
            if held_first is not None and (held := held_first(uow)) is not None:
                uow.commit()
                return held
            open_keys = self.open_keys(uow, now)
            for _ in range(_MAX_GATE_SKIPS):
                if agent_id is None:  # no agent: the id alone, in one statement
                    lead, lead_id = None, uow.leads.next_id_in_queue(now, skipped, open_keys)
                else:  # an agent's (held leads, kept callbacks), and the row as read for a claim to check
                    lead = uow.leads.next_in_queue(
                        now, skipped, open_keys, agent_id, kept_callbacks_since=kept_callbacks_since
                    )
                    lead_id = lead.id if lead is not None else None
                if lead_id is None:
                    return None
                decision = self.gate_check(lead_id) if self.gate_check is not None else None
                if decision is None or decision.allowed:
                    if claim_for is None:
                        return lead_id
                    if uow.leads.claim(lead_id, claim_for[0], now, claim_for[1], as_read=lead):
                        uow.commit()
                        return lead_id
                    skipped.append(lead_id)  # another agent's, or called, since it was read
                    continue
                skipped.append(lead_id)
                if not decision.only_time_blocks and self.remember_refusals:
                    first = decision.reasons[0]
                    uow.leads.set_gate_block(lead_id, f"{first.code}: {first.detail}")
                    uow.commit()
        return None

    def _place_name(self, e164: str) -> str:
        if self.place_names_in_background:
            return location_if_loaded(e164) or ""
        return describe_location(e164)

    def card(self, lead_id: int) -> LeadCard:
        now = self._clock()
        target = self._attempt_target()
        with self._uow_factory() as uow:
            lead = uow.leads.get(lead_id)
            if lead is None:
                raise LeadNotFound(f"there is no lead #{lead_id}")
            phones = [
                PhoneView(
                    id=phone.id,
                    label=phone.label,
                    raw=phone.raw,
                    e164=phone.e164,
                    display=display_number(phone.e164, phone.raw),
                    extension=phone.extension,
                    number_type=phone.number_type,
                    valid=phone.valid,
                    problem=phone.problem,
                    time_zones=phone.zone_list,
                    on_internal_dnc=bool(phone.e164 and uow.dnc.find(phone.e164, "internal")),
                    location=self._place_name(phone.e164) if phone.e164 else "",
                    business_landline=label_says_landline(phone.label),
                )
                for phone in lead.phones
            ]
            history = [
                HistoryItem(
                    at=attempt.started_at,
                    number=attempt.number,
                    allowed=attempt.allowed,
                    outcome=attempt.outcome,
                    outcome_label=self._label(attempt.outcome),
                    duration_s=attempt.duration_s,
                    reasons=[
                        (r.get("code", ""), r.get("detail", "")) for r in reasons_from_json(attempt.reasons)
                    ],
                    note=attempt.note,
                    backend=attempt.backend,
                    attempt_id=attempt.id,
                )
                for attempt in uow.attempts.for_lead(lead_id)
            ]
            # The timeline: calls, gate decisions, outcomes, notes and script answers, newest first.
            values = lead_field_values(lead)

            def shown(answer: ScriptAnswer) -> str:
                return answer_text(answer.kind, answer.label, answer.value, values)

            history += [
                HistoryItem(
                    at=answer.answered_at,
                    number="",
                    allowed=True,
                    outcome="answer",
                    outcome_label="Script answer",
                    duration_s=None,
                    reasons=[],
                    # A choice's label is a template ("{first_name} is on the line"): shown filled in.
                    note=f"{answer.question_id}: {shown(answer)}",
                    backend="",
                    kind="answer",
                    attempt_id=answer.attempt_id,
                )
                for answer in uow.session.scalars(select(ScriptAnswer).where(ScriptAnswer.lead_id == lead_id))
            ]
            history.sort(key=lambda item: item.at, reverse=True)
            # A US ZIP settles the zone the card shows; the gate still checks every zone it may be.
            zone = lead.postal_zone or _primary_zone(lead.phones)
            return LeadCard(
                id=lead.id,
                first_name=lead.first_name,
                last_name=lead.last_name,
                display_name=display_name(lead.first_name, lead.last_name, lead.company),
                company=lead.company,
                title=lead.title,
                email=lead.email,
                kind=lead.kind,
                warmth=lead.warmth,
                state=lead.state,
                source=lead.source,
                external_id=lead.external_id,
                list_name=lead.list_name,
                status=lead.status,
                notes=lead.notes,
                attempts=lead.attempt_count,
                contacts=lead.contact_count,
                target=target,
                attempt_label=attempt_label(lead.attempt_count, target),
                nudge=persistence_nudge(lead.attempt_count, target),
                local_time=now.astimezone(ZoneInfo(zone)) if zone else None,
                time_zone=zone,
                phones=phones,
                history=history,
                next_due_at=lead.next_due_at,
                last_outcome=lead.last_outcome,
                postal_code=lead.postal_code,
                postal_state=lead.postal_state,
            )

    def _label(self, code: str | None) -> str:
        if code is None:
            return ""
        if code == UNDONE:
            return "Undone (correction)"
        try:
            return self.outcome_rules.get(code).label
        except ValueError:
            return code

    def set_business_landline(self, phone_id: int, landline: bool) -> str:
        """Mark a phone as a business landline or not (its label; audited); returns the new label."""
        return set_business_landline(self._uow_factory, self._clock, phone_id, landline)

    def update_notes(self, lead_id: int, notes: str) -> None:
        with self._uow_factory() as uow:
            lead = uow.leads.get(lead_id)
            if lead is None:
                raise LeadNotFound(f"there is no lead #{lead_id}")
            if lead.notes != notes:
                history_events.note_edit(
                    uow, lead.id, lead.notes, notes, self._clock(), local_agent(uow.session)
                )
            lead.notes = notes
            uow.commit()

    def export_records(self) -> Iterator[dict[str, Any]]:
        """Every lead with its phones, status and attempt count, as plain dicts (for JSON/CSV)."""
        with self._uow_factory() as uow:
            stored: dict[int, list[ScriptAnswer]] = {}
            for answer in uow.session.scalars(select(ScriptAnswer).order_by(ScriptAnswer.answered_at)):
                stored.setdefault(answer.lead_id, []).append(answer)
            for lead in uow.leads.iter_all():
                # A label is the script's template ("{first_name} is on the line"): exported filled in,
                # as the card shows it.
                values = lead_field_values(lead) if lead.id in stored else {}
                answers = [
                    {
                        "script": answer.script_name,
                        "question": answer.question_id,
                        "value": answer.value,
                        "label": answer_text(answer.kind, answer.label, answer.value, values),
                        "answered_at": answer.answered_at.isoformat(),
                    }
                    for answer in stored.get(lead.id, [])
                ]
                yield {
                    "answers": answers,
                    "id": lead.id,
                    "first_name": lead.first_name,
                    "last_name": lead.last_name,
                    "company": lead.company,
                    "title": lead.title,
                    "email": lead.email,
                    "kind": lead.kind,
                    "state": lead.state,
                    "source": lead.source,
                    "external_id": lead.external_id,
                    "list": lead.list_name,
                    "status": lead.status,
                    "attempts": lead.attempt_count,
                    "contacts": lead.contact_count,
                    "last_outcome": lead.last_outcome,
                    "next_due_at": lead.next_due_at.isoformat() if lead.next_due_at else None,
                    "notes": lead.notes,
                    "phones": [
                        {
                            "e164": p.e164,
                            "extension": p.extension,
                            "valid": p.valid,
                            "raw": p.raw,
                            "label": p.label,
                        }
                        for p in lead.phones
                    ],
                }


def describe_wait(callable_at: datetime | None, zone_name: str, now: datetime) -> str:
    """When a later lead can be called, as the agent reads it: "from 08:00 their time, in 2 h 10 min"."""
    if callable_at is None:
        return ""
    local = callable_at.astimezone(ZoneInfo(zone_name)) if zone_name else callable_at
    minutes = max(0, int((callable_at - now).total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        wait = f"in {days} d {hours} h"
    elif hours:
        wait = f"in {hours} h {minutes:02d} min"
    else:
        wait = f"in {minutes} min"
    same_day = local.date() == now.astimezone(local.tzinfo).date()
    when = f"{local:%H:%M}" if same_day else f"{local:%a %H:%M}"
    return f"from {when} their time, {wait}"
