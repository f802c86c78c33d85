"""The calling session: the one road to a dialer. Every dial is decided by the gate and recorded.

`CallingService.start_call()` is the only code that calls `Dialer.dial()`. It gathers the facts,
asks `domain.compliance.decide()`, writes the decision to the attempts table (allowed or blocked,
with reasons) and commits it before anything is dialled. Outcomes are committed the moment they
are chosen.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.domain import leads as lead_rules
from desktop.domain.compliance import CallingWindow, Decision, DialFacts, decide
from desktop.domain.outcomes import OutcomeRules
from desktop.domain.phones import parse_phone
from desktop.services.clock import Clock
from desktop.storage.models import Attempt, Callback, DncEntry, Lead, Meeting, Phone
from desktop.storage.repositories import reasons_json
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory
from desktop.telephony.dialers import Dialer, DialError


class CallingError(Exception):
    """A use-case error meant for the user (unknown lead, missing callback time …)."""


class GateRefused(CallingError):
    """The gate blocked the dial; `decision` holds the reasons, already recorded."""

    def __init__(self, decision: Decision, attempt_id: int) -> None:
        super().__init__(f"call blocked: {decision.summary()}")
        self.decision = decision
        self.attempt_id = attempt_id


@dataclass(frozen=True)
class CallStarted:
    """An allowed dial that reached the backend."""

    attempt_id: int
    lead_id: int | None
    number: str
    extension: str | None
    decision: Decision
    backend: str
    started_at: datetime


@dataclass(frozen=True)
class OutcomeRecorded:
    """What recording an outcome did: the attempt, the lead's new place, the next lead to show."""

    attempt_id: int
    lead_id: int
    outcome: str
    attempts: int
    status: str
    next_due_at: datetime | None
    added_to_dnc: tuple[str, ...]
    next_lead_id: int | None


DialerProvider = Callable[[], Dialer]


class CallingService:
    """Places calls through the gate and records what happened."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        dialer_provider: DialerProvider,
        outcome_rules: OutcomeRules,
        calling_window: CallingWindow,
        agent_name: Callable[[], str],
        attempt_target: Callable[[], int],
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._dialer_provider = dialer_provider
        self.outcome_rules = outcome_rules
        self._window = calling_window
        self._agent_name = agent_name
        self._attempt_target = attempt_target

    # -- deciding -------------------------------------------------------------------------------

    def _facts_for_phone(self, uow: UnitOfWork, phone: Phone, at: datetime) -> DialFacts:
        entry = uow.dnc.find(phone.e164, "internal") if phone.e164 else None
        return DialFacts(
            number=phone.e164 or phone.raw,
            valid=bool(phone.valid and phone.e164),
            time_zones=phone.zone_list,
            at=at,
            on_internal_dnc=entry is not None,
            internal_dnc_detail=entry.reason if entry is not None else "",
            invalid_detail=phone.problem or "",
        )

    def _facts_for_number(self, uow: UnitOfWork, number: str, region: str, at: datetime) -> DialFacts:
        parsed = parse_phone(number, region)
        entry = uow.dnc.find(parsed.e164, "internal") if parsed.e164 else None
        return DialFacts(
            number=parsed.e164 or number,
            valid=parsed.dialable,
            time_zones=parsed.time_zones,
            at=at,
            on_internal_dnc=entry is not None,
            internal_dnc_detail=entry.reason if entry is not None else "",
            invalid_detail=parsed.problem or "",
        )

    def check(
        self,
        lead_id: int | None = None,
        phone_id: int | None = None,
        number: str | None = None,
        region: str = "US",
        at: datetime | None = None,
    ) -> Decision:
        """What the gate would say now (or at `at`); records nothing and dials nothing."""
        moment = at or self._clock()
        with self._uow_factory() as uow:
            phone = self._pick_phone(uow, lead_id, phone_id, number)
            facts = (
                self._facts_for_phone(uow, phone, moment)
                if phone is not None
                else self._facts_for_number(uow, number or "", region, moment)
            )
        return decide(facts, self._window)

    def _pick_phone(
        self, uow: UnitOfWork, lead_id: int | None, phone_id: int | None, number: str | None
    ) -> Phone | None:
        if lead_id is None:
            return None
        lead = uow.leads.get(lead_id)
        if lead is None:
            raise CallingError(f"there is no lead #{lead_id}")
        if phone_id is not None:
            phone = next((p for p in lead.phones if p.id == phone_id), None)
            if phone is None:
                raise CallingError(f"lead #{lead_id} has no phone #{phone_id}")
            return phone
        if number:
            parsed = parse_phone(number)
            phone = next((p for p in lead.phones if p.e164 and p.e164 == parsed.e164), None)
            if phone is None:
                raise CallingError(f"{number} is not a number of lead #{lead_id}")
            return phone
        phone = default_phone(uow, lead)
        if phone is None:
            raise CallingError(f"lead #{lead_id} has no phone number")
        return phone

    # -- dialling -------------------------------------------------------------------------------

    def start_call(
        self,
        lead_id: int | None,
        phone_id: int | None = None,
        number: str | None = None,
        region: str = "US",
        dial: bool = True,
    ) -> CallStarted:
        """Decide, record the decision, and only if allowed hand the number to the dialer.

        Raises GateRefused (decision recorded) when blocked; CallingError when the backend fails.
        """
        now = self._clock()
        dialer = self._dialer_provider()
        with self._uow_factory() as uow:
            phone = self._pick_phone(uow, lead_id, phone_id, number)
            facts = (
                self._facts_for_phone(uow, phone, now)
                if phone is not None
                else self._facts_for_number(uow, number or "", region, now)
            )
            decision = decide(facts, self._window)
            agent = uow.agents.get_or_create(self._agent_name() or "agent")
            attempt = uow.attempts.add(
                Attempt(
                    lead_id=lead_id,
                    phone_id=phone.id if phone is not None else None,
                    number=decision.number or "",
                    agent_id=agent.id,
                    backend=dialer.name,
                    allowed=decision.allowed,
                    reasons=reasons_json((r.code, r.detail) for r in decision.reasons),
                    started_at=now,
                )
            )
            attempt_id = attempt.id
            extension = phone.extension if phone is not None else None
            uow.commit()
        if not decision.allowed:
            raise GateRefused(decision, attempt_id)
        assert decision.number is not None
        if dial:
            try:
                dialer.dial(decision.number, extension)
            except DialError as error:
                self._note_attempt(attempt_id, f"dial failed: {error}")
                raise CallingError(str(error)) from error
        return CallStarted(
            attempt_id=attempt_id,
            lead_id=lead_id,
            number=decision.number,
            extension=extension,
            decision=decision,
            backend=dialer.name,
            started_at=now,
        )

    def hang_up(self, attempt_id: int) -> float:
        """End the call: stop the timer and tell the backend. Returns the duration in seconds."""
        self._dialer_provider().hang_up()
        now = self._clock()
        with self._uow_factory() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt is None:
                raise CallingError(f"there is no call #{attempt_id}")
            if attempt.ended_at is None:
                attempt.ended_at = now
                attempt.duration_s = max(0.0, (now - attempt.started_at).total_seconds())
            duration = attempt.duration_s or 0.0
            uow.commit()
        return duration

    def _note_attempt(self, attempt_id: int, note: str) -> None:
        with self._uow_factory() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt is not None:
                attempt.note = (attempt.note + "\n" + note).strip()
                uow.commit()

    # -- outcomes -------------------------------------------------------------------------------

    def record_outcome(
        self,
        lead_id: int,
        outcome: str,
        attempt_id: int | None = None,
        phone_id: int | None = None,
        number: str | None = None,
        note: str = "",
        callback_at: datetime | None = None,
        meeting_at: datetime | None = None,
        where: str = "",
    ) -> OutcomeRecorded:
        """Commit an outcome now. Without a call in progress this logs a manual call through the gate."""
        rule = self.outcome_rules.get(outcome)
        if outcome == "callback" and callback_at is None:
            raise CallingError("a callback needs a time (--callback ISO8601)")
        if outcome == "meeting" and meeting_at is None:
            raise CallingError("a meeting needs a time (--meeting ISO8601)")
        for moment in (callback_at, meeting_at):
            if moment is not None and moment.tzinfo is None:
                raise CallingError("give times with a UTC offset, e.g. 2026-12-01T15:00:00-05:00")
        if attempt_id is None:
            attempt_id = self.start_call(lead_id, phone_id=phone_id, number=number, dial=False).attempt_id
        now = self._clock()
        target = self._attempt_target()
        with self._uow_factory() as uow:
            attempt = uow.attempts.get(attempt_id)
            lead = uow.leads.get(lead_id)
            if attempt is None or lead is None or attempt.lead_id != lead_id:
                raise CallingError(f"call #{attempt_id} is not a call to lead #{lead_id}")
            if not attempt.allowed:
                raise CallingError("a blocked call has no outcome")
            if attempt.outcome is not None:
                raise CallingError(f"call #{attempt_id} already has the outcome {attempt.outcome}")
            attempt.outcome = rule.code
            if note:
                attempt.note = (attempt.note + "\n" + note).strip()
            if attempt.ended_at is None:
                attempt.ended_at = now
                attempt.duration_s = max(0.0, (now - attempt.started_at).total_seconds())
            if rule.counts_as_attempt:
                lead.attempt_count += 1
            if rule.counts_as_contact:
                lead.contact_count += 1
            lead.last_attempt_at = now
            lead.last_outcome = rule.code
            uow.callbacks.close_open_for_lead(lead.id, now)
            added = self._apply_rule(
                uow,
                lead,
                attempt,
                rule.code,
                rule.terminal,
                rule.adds_to_dnc,
                rule.retry_after,
                now,
                target,
                callback_at,
                meeting_at,
                where,
                note,
            )
            uow.commit()
            result_status, result_due, attempts = lead.status, lead.next_due_at, lead.attempt_count
        next_lead = self.next_lead_id(exclude=(lead_id,))
        return OutcomeRecorded(
            attempt_id=attempt_id,
            lead_id=lead_id,
            outcome=rule.code,
            attempts=attempts,
            status=result_status,
            next_due_at=result_due,
            added_to_dnc=added,
            next_lead_id=next_lead,
        )

    def _apply_rule(
        self,
        uow: UnitOfWork,
        lead: Lead,
        attempt: Attempt,
        code: str,
        terminal: bool,
        adds_to_dnc: bool,
        retry_after: timedelta | None,
        now: datetime,
        target: int,
        callback_at: datetime | None,
        meeting_at: datetime | None,
        where: str,
        note: str,
    ) -> tuple[str, ...]:
        added: list[str] = []
        agent_id = attempt.agent_id
        if adds_to_dnc:
            # The person asked not to be called: every number of theirs goes on the internal list.
            for phone in lead.phones:
                if phone.e164 and uow.dnc.find(phone.e164, "internal") is None:
                    uow.dnc.add(
                        DncEntry(
                            number=phone.e164,
                            source="internal",
                            lead_id=lead.id,
                            agent_id=agent_id,
                            added_at=now,
                            reason=f"asked not to be called (lead #{lead.id}, call #{attempt.id})",
                        )
                    )
                    added.append(phone.e164)
            if added:
                uow.audit.record(
                    "dnc_add",
                    json.dumps({"numbers": added, "lead_id": lead.id, "via": "outcome"}),
                    agent_id,
                    now,
                )
        if code == "meeting" and meeting_at is not None:
            uow.session.add(Meeting(lead_id=lead.id, agent_id=agent_id, starts_at=meeting_at, where=where))
        if code == "callback" and callback_at is not None:
            uow.callbacks.add(Callback(lead_id=lead.id, agent_id=agent_id, due_at=callback_at, note=note))
            lead.status = lead_rules.STATUS_ACTIVE
            lead.next_due_at = callback_at
            lead.due_reason = "callback"
        elif terminal:
            lead.status = lead_rules.STATUS_DO_NOT_CALL if adds_to_dnc else lead_rules.STATUS_CLOSED
            lead.next_due_at = None
            lead.due_reason = code
        elif lead.attempt_count >= target:
            lead.status = lead_rules.STATUS_EXHAUSTED
            lead.next_due_at = None
            lead.due_reason = "exhausted"
        else:
            lead.status = lead_rules.STATUS_ACTIVE
            lead.next_due_at = now + (retry_after or timedelta(hours=4))
            lead.due_reason = "retry"
        return tuple(added)

    def next_lead_id(self, exclude: tuple[int, ...] = ()) -> int | None:
        with self._uow_factory() as uow:
            lead = uow.leads.next_in_queue(self._clock(), exclude)
            return lead.id if lead is not None else None


def default_phone(uow: UnitOfWork, lead: Lead) -> Phone | None:
    """The number to dial by default: the first valid one not on the internal list, else the first."""
    for phone in lead.phones:
        if phone.valid and phone.e164 and uow.dnc.find(phone.e164, "internal") is None:
            return phone
    return lead.phones[0] if lead.phones else None
