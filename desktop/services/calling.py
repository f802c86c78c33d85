"""The calling session: the one road to a dialer. Every dial is decided by the gate and recorded.

`CallingService.start_call()` is the only code that calls `Dialer.dial()`. It gathers the facts,
asks `domain.compliance.decide()`, writes the decision to the attempts table (allowed or blocked,
with reasons) and commits it before anything is dialled. Outcomes are committed the moment they
are chosen.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import select

from desktop.domain import leads as lead_rules
from desktop.domain.cadence import CadencePlan, next_attempt_at
from desktop.domain.compliance import Decision, hours_reasons
from desktop.domain.outcomes import OutcomeRules
from desktop.services import history_events as history
from desktop.services.agents import recording_name
from desktop.services.call_claims import (
    HeldByAnotherAgent,
    dial_lock_numbers,
    refuse_if_held_by_another,
    refuse_outcome_if_held_by_another,
)
from desktop.services.callbacks import past_time_problem
from desktop.services.clock import Clock
from desktop.services.gate import CallerIdFacts, DialGate, GateResult
from desktop.services.gate_answer import CallingError, gate_answer
from desktop.services.gate_preview import GatePreviewMemo, PreviewKey
from desktop.services.gate_reads import UowGateRecords
from desktop.services.outcome_undo import LeadState, capture_lead_state
from desktop.services.registry_lookup import RegistryLookup
from desktop.storage.change_marker import change_marker
from desktop.storage.locks import hold_dial_locks
from desktop.storage.models import Attempt, Callback, DncEntry, Lead, Meeting, Phone
from desktop.storage.repositories import decision_record
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory
from desktop.telephony.dialers import Dialer, DialError

# Lead and call ids only: names and numbers never go to the log.
log = logging.getLogger(__name__)

__all__ = [
    "CallingError",
    "CallingService",
    "CallStarted",
    "GateRefused",
    "HeldByAnotherAgent",
    "OutcomeRecorded",
]

# The advisory lock (PostgreSQL) of every dial's decide-then-record: held shared by a lead's dial
# (which also locks its lead and numbers), exclusively by a dial of a typed-in number; see
# `_record_decision` and storage/locks.py.
DIAL_DECISION_LOCK = 0x44444447


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
    meeting_id: int | None = None
    # The caller's claim on the lead ended with this commit (team mode): nothing is left to release.
    claim_ended: bool = False
    # The lead as it was just before the outcome: what an undo gives back.
    before: LeadState | None = None
    # Chooses the queue's next lead: (lead id, the moment the gate checked it while choosing). Run when
    # first asked, once: a scripted agent that takes its next lead by a claim never asks, and choosing
    # one it would not call (a queue query and a gate check, a third of recording) was wasted.
    choose_next: Callable[[], tuple[int | None, datetime | None]] = field(
        default=lambda: (None, None), repr=False, compare=False
    )

    @cached_property
    def _next_lead(self) -> tuple[int | None, datetime | None]:
        return self.choose_next()

    @property
    def next_lead_id(self) -> int | None:
        """The queue's next lead after this one (None: nothing callable), chosen when first asked."""
        return self._next_lead[0]

    @property
    def next_lead_checked_at(self) -> datetime | None:
        """The moment the gate checked the next lead while choosing it (None when not checked then)."""
        return self._next_lead[1]


DialerProvider = Callable[[], Dialer]


class ScriptRefused(CallingError):
    """Firm mode: the lead's script version is not approved; nothing was recorded or dialled."""


@dataclass(frozen=True)
class CallPolicy:
    """What the firm's settings ask of every call: firm mode, the caller ID sent (E.164, "" for none),
    and the script version a lead's call uses (its id, None without a script; raises ScriptRefused
    when firm mode forbids it)."""

    firm_mode: bool = False
    caller_id: str = ""
    # (lead id, the call's unit of work: a team server's call reads the version in its own transaction)
    script_version: Callable[[int | None, UnitOfWork], int | None] = lambda _lead_id, _uow: None


def _no_policy() -> CallPolicy:
    return CallPolicy()


class CallingService:
    """Places calls through the gate and records what happened."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        dialer_provider: DialerProvider,
        outcome_rules: OutcomeRules,
        gate: DialGate,
        agent_name: Callable[[], str],
        attempt_target: Callable[[], int],
        policy: Callable[[], CallPolicy] = _no_policy,
    ) -> None:
        self._policy = policy
        self._uow_factory = uow_factory
        self._clock = clock
        self._dialer_provider = dialer_provider
        self.outcome_rules = outcome_rules
        self.gate = gate
        # The queue's choice of the next lead (LeadService.next_lead_id), wired by the workspace.
        self.next_lead: Callable[[tuple[int, ...]], int | None] | None = None
        self._agent_name = agent_name
        self._attempt_target = attempt_target
        # Team mode: the agent given by --agent (None: nobody in particular), wired by the workspace.
        # Every dial of a lead another agent holds is refused before the gate, as `record` is.
        self.acting_agent: Callable[[], str | None] = lambda: None
        # The last lead check's facts, for the window's preview of the same number (gate_preview.py).
        self._preview_memo = GatePreviewMemo()

    # -- deciding -------------------------------------------------------------------------------

    def _gate_result(
        self,
        uow: UnitOfWork,
        lead_id: int | None,
        phone_id: int | None,
        number: str | None,
        region: str,
        at: datetime,
        kind: str | None = None,
        automated: bool = False,
        prerecorded: bool = False,
        caller_id: CallerIdFacts | None = None,
    ) -> tuple[GateResult, Phone | None]:
        return gate_answer(
            UowGateRecords(uow),
            self.gate,
            lead_id,
            phone_id,
            number,
            region,
            at,
            kind,
            automated,
            prerecorded,
            caller_id,
        )

    def check(
        self,
        lead_id: int | None = None,
        phone_id: int | None = None,
        number: str | None = None,
        region: str = "US",
        at: datetime | None = None,
        kind: str | None = None,
        automated: bool = False,
        prerecorded: bool = False,
        with_caller_id: bool = True,
    ) -> GateResult:
        """What the gate would say now (or at `at`); records nothing and dials nothing.

        `with_caller_id=False` leaves out the firm's caller ID, a setting rather than a fact of the lead:
        the queue asks that way, so a missing caller ID never marks every lead as blocked.
        """
        moment = at or self._clock()
        caller_id = (
            self._caller_id_facts(self._policy(), self._dialer_provider().name) if with_caller_id else None
        )
        with self._uow_factory() as uow:
            # Only when every fact is read from this database (the registry too): then an unchanged
            # database means unchanged facts. A registry held elsewhere is read afresh each time.
            remembered = lead_id is not None and not number and self._facts_in_database()
            marker = change_marker(uow.session) if remembered else None  # before any fact is read
            if lead_id is not None and phone_id is not None and not number:
                key = PreviewKey(lead_id, phone_id, moment, kind, automated, prerecorded)
                reused = self._preview_memo.reuse(key, marker, self.gate.rules, caller_id)
                if reused is None and self._preview_memo.read_on_another_connection(marker):
                    # The facts were read on a second pooled connection (the queue's choice runs inside
                    # the queue's own unit of work): while this one is held, the pool hands out that one.
                    with self._uow_factory() as second:
                        second_marker = change_marker(second.session)
                        reused = self._preview_memo.reuse(key, second_marker, self.gate.rules, caller_id)
                if reused is not None:
                    return reused
            result, phone = self._gate_result(
                uow, lead_id, phone_id, number, region, moment, kind, automated, prerecorded, caller_id
            )
        if remembered and lead_id is not None and phone is not None:
            key = PreviewKey(lead_id, phone.id, moment, kind, automated, prerecorded)
            self._preview_memo.remember(key, marker, self.gate.rules, result)
        else:
            self._preview_memo.forget()
        return result

    def _facts_in_database(self) -> bool:
        registry = self.gate.registry
        return isinstance(registry, RegistryLookup) and registry.engine is self._uow_factory.engine

    def checked_at(self, lead_id: int) -> datetime | None:
        """The moment the last check of `lead_id` was decided at (None when another was checked since):
        the window previews a lead the queue has just chosen at the moment it was chosen."""
        return self._preview_memo.moment_for(lead_id)

    @staticmethod
    def _caller_id_facts(policy: CallPolicy, backend: str) -> CallerIdFacts:
        # Only the built-in softphone transmits a caller ID itself; another phone sends its own.
        return CallerIdFacts(number=policy.caller_id, required=policy.firm_mode and backend == "sip")

    # -- dialling -------------------------------------------------------------------------------

    def start_call(
        self,
        lead_id: int | None,
        phone_id: int | None = None,
        number: str | None = None,
        region: str = "US",
        dial: bool = True,
        automated: bool = False,
        prerecorded: bool = False,
    ) -> CallStarted:
        """Decide, record the decision, and only if allowed hand the number to the dialer.

        Raises GateRefused (decision recorded) when blocked; CallingError when the backend fails.
        `automated` marks a power-dialled call, `prerecorded` a voicemail drop: some rules forbid them.
        """
        now = self._clock()
        dialer = self._dialer_provider()
        with self._uow_factory() as uow:
            if lead_id is not None:
                self._refuse_if_held_by_another(uow, lead_id, now)
            attempt, decision, extension = self._record_decision(
                uow, lead_id, phone_id, number, region, now, dialer.name, automated, prerecorded
            )
            attempt_id = attempt.id
            uow.commit()
        _log_decision(lead_id, decision, attempt_id)
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

    def _refuse_if_held_by_another(
        self, uow: UnitOfWork, lead_id: int, now: datetime, refused: str = "not dialled"
    ) -> None:
        """HeldByAnotherAgent when another agent holds a live claim on the lead: two agents would
        ring one person (the CLI call, the window and the power dialler all come through here)."""
        refuse_if_held_by_another(uow, lead_id, now, self.acting_agent(), refused)

    def _refuse_outcome_if_held_by_another(
        self, uow: UnitOfWork, lead_id: int, attempt_id: int | None, now: datetime
    ) -> None:
        """The same, in the transaction that writes an outcome (services/call_claims.py)."""
        refuse_outcome_if_held_by_another(
            uow, lead_id, attempt_id, now, self.acting_agent(), recording_name(self._agent_name())
        )

    def _record_decision(
        self,
        uow: UnitOfWork,
        lead_id: int | None,
        phone_id: int | None,
        number: str | None,
        region: str,
        now: datetime,
        backend: str,
        automated: bool = False,
        prerecorded: bool = False,
    ) -> tuple[Attempt, Decision, str | None]:
        """The gate's decision as a call record in `uow`, not committed: (record, decision, extension).

        The record names the script version the call uses and the caller ID it sends; in firm mode an
        unapproved script refuses the call (ScriptRefused) before anything is recorded.
        """
        policy = self._policy()
        script_version_id = policy.script_version(lead_id, uow)
        # The decision counts the number's calls of the last 24 hours and the record below adds one:
        # two agents (threads, processes, team members) deciding at once would both see 2 calls and
        # both place a third and a fourth. The locks, taken before anything is read, make
        # decide-and-record one step; they are released when the caller commits.
        hold_dial_locks(uow.session, DIAL_DECISION_LOCK, lead_id, dial_lock_numbers(uow, lead_id, number))
        result, phone = self._gate_result(
            uow,
            lead_id,
            phone_id,
            number,
            region,
            now,
            automated=automated,
            prerecorded=prerecorded,
            caller_id=self._caller_id_facts(policy, backend),
        )
        decision = result.decision
        agent = uow.agents.get_or_create(recording_name(self._agent_name()))
        attempt = uow.attempts.add(
            Attempt(
                lead_id=lead_id,
                phone_id=phone.id if phone is not None else None,
                number=decision.number or "",
                agent_id=agent.id,
                backend=backend,
                allowed=decision.allowed,
                reasons=result.record,
                started_at=now,
                script_version_id=script_version_id,
                caller_id=policy.caller_id or None,
            )
        )
        history.gate_decision(uow, attempt, agent.name, decision_record(result.record))
        return attempt, decision, phone.extension if phone is not None else None

    def hang_up(self, attempt_id: int) -> float:
        """End the call: stop the timer and tell the backend. Returns the duration in seconds."""
        self._dialer_provider().hang_up()
        now = self._clock()
        with self._uow_factory() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt is None:
                raise CallingError(f"there is no call #{attempt_id}")
            if attempt.ended_at is None:
                self._record_call_end(uow, attempt, now)
            duration = attempt.duration_s or 0.0
            uow.commit()
        return duration

    @staticmethod
    def _record_call_end(uow: UnitOfWork, attempt: Attempt, now: datetime) -> None:
        attempt.ended_at = now
        attempt.duration_s = max(0.0, (now - attempt.started_at).total_seconds())
        history.call_event(uow, "call_end", attempt, now, {"duration_s": attempt.duration_s})

    def _note_attempt(self, attempt_id: int, note: str) -> None:
        with self._uow_factory() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt is not None:
                attempt.note = (attempt.note + "\n" + note).strip()
                history.call_event(uow, "call_note", attempt, self._clock(), {"note": note})
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
        end_call: bool = False,
    ) -> OutcomeRecorded:
        """Commit an outcome now. Without a call in progress this logs a manual call through the gate.

        `end_call`: the call `attempt_id` is still live; it is hung up and its end recorded (as
        `hang_up` records it) in the same transaction as its outcome, so one commit, not two.
        """
        rule = self.outcome_rules.get(outcome)
        if outcome == "callback" and callback_at is None:
            raise CallingError("a callback needs a time (--callback ISO8601)")
        if outcome == "meeting" and meeting_at is None:
            raise CallingError("a meeting needs a time (--meeting ISO8601)")
        for moment in (callback_at, meeting_at):
            if moment is not None and moment.tzinfo is None:
                raise CallingError("give times with a UTC offset, e.g. 2026-12-01T15:00:00-05:00")
        if end_call and attempt_id is not None:
            self._dialer_provider().hang_up()
        now = self._clock()
        for moment, what in ((callback_at, "callback"), (meeting_at, "meeting")):
            problem = past_time_problem(moment, now, what) if moment is not None else None
            if problem:
                raise CallingError(problem)
        target = self._attempt_target()
        with self._uow_factory() as uow:
            if attempt_id is None:
                # A manual call: the gate's decision, the call and its outcome are one transaction, so
                # a kill at any moment leaves either all of them or none (never a call without outcome).
                logged, decision, _extension = self._record_decision(
                    uow, lead_id, phone_id, number, "US", now, self._dialer_provider().name
                )
                # Another agent's lead: the decision is rolled back with everything else.
                self._refuse_outcome_if_held_by_another(uow, lead_id, None, now)
                if not decision.allowed:
                    uow.commit()
                    _log_decision(lead_id, decision, logged.id)
                    raise GateRefused(decision, logged.id)
                attempt_id = logged.id
            else:
                self._refuse_outcome_if_held_by_another(uow, lead_id, attempt_id, now)
            attempt = uow.attempts.get(attempt_id)
            # Read after the lead's row is locked (above), never a copy from before the lock: another
            # agent's outcome committed in between must not be overwritten by stale counters.
            lead = uow.leads.get_current(lead_id)
            if attempt is None or lead is None or attempt.lead_id != lead_id:
                raise CallingError(f"call #{attempt_id} is not a call to lead #{lead_id}")
            if not attempt.allowed:
                raise CallingError("a blocked call has no outcome")
            if attempt.outcome is not None:
                raise CallingError(f"call #{attempt_id} already has the outcome {attempt.outcome}")
            if end_call and attempt.ended_at is None:
                self._record_call_end(uow, attempt, now)
            before = capture_lead_state(uow, lead)
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
            claim_ended = lead.claimed_by is not None and lead.claimed_by == attempt.agent_id
            if claim_ended:
                # Recorded: the caller's claim ends with the same commit, so an agent retrying after a
                # lost reply is offered the next lead, never this one a second time.
                lead.claimed_by = None
                lead.claimed_until = None
            if closes_callback(rule.code, rule.counts_as_contact, rule.terminal):
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
            history.outcome(uow, attempt, lead, note, added, now)
            meeting = (
                uow.session.scalars(
                    select(Meeting).where(Meeting.lead_id == lead.id).order_by(Meeting.id.desc()).limit(1)
                ).first()
                if rule.code == "meeting"
                else None
            )
            uow.commit()
            result_status, result_due, attempts = lead.status, lead.next_due_at, lead.attempt_count
            meeting_id = meeting.id if meeting is not None else None
        log.info(
            "lead %s: outcome %s recorded (call %d, attempt %s)", lead_id, rule.code, attempt_id, attempts
        )
        self._preview_memo.forget()  # its facts were read before this write

        def choose_next() -> tuple[int | None, datetime | None]:
            self._preview_memo.forget()  # the moment below is only ever one of this choice's checks
            next_lead = self.next_lead_id(exclude=(lead_id,))
            return next_lead, self._preview_memo.moment_for(next_lead) if next_lead is not None else None

        return OutcomeRecorded(
            attempt_id=attempt_id,
            lead_id=lead_id,
            outcome=rule.code,
            attempts=attempts,
            status=result_status,
            next_due_at=result_due,
            added_to_dnc=added,
            meeting_id=meeting_id,
            claim_ended=claim_ended,
            before=before,
            choose_next=choose_next,
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
            uow.session.flush()
        if code == "callback" and callback_at is not None:
            uow.callbacks.add(Callback(lead_id=lead.id, agent_id=agent_id, due_at=callback_at, note=note))
            lead.status = lead_rules.STATUS_ACTIVE
            lead.next_due_at = callback_at
            lead.due_reason = "callback"
            # Asking to be called back is interest: after the callback the lead stays ahead of cold ones.
            lead.warmth = lead_rules.WARM
        elif terminal:
            lead.status = lead_rules.STATUS_DO_NOT_CALL if adds_to_dnc else lead_rules.STATUS_CLOSED
            lead.next_due_at = None
            lead.due_reason = code
        elif pending := self._open_callbacks(uow, lead.id):
            # A promise still stands (no answer, busy, voicemail…): the lead waits for it, never exhausted.
            lead.status = lead_rules.STATUS_ACTIVE
            retry = self._cadence_due(uow, lead, now, target, retry_after or timedelta(hours=4))
            lead.next_due_at = pending[0].due_at if pending[0].due_at > now else retry
            lead.due_reason = "callback"
        elif lead.attempt_count >= target:
            lead.status = lead_rules.STATUS_EXHAUSTED
            lead.next_due_at = None
            lead.due_reason = "exhausted"
        else:
            lead.status = lead_rules.STATUS_ACTIVE
            lead.next_due_at = self._cadence_due(uow, lead, now, target, retry_after or timedelta(hours=4))
            lead.due_reason = "retry"
        return tuple(added)

    @staticmethod
    def _open_callbacks(uow: UnitOfWork, lead_id: int) -> list[Callback]:
        """The lead's open callbacks, read without flushing the outcome being recorded (one flush at the
        end instead of one per read): callbacks this transaction added or closed are flushed or
        updated in place already (`CallbackRepository.add` flushes; closing is one UPDATE)."""
        with uow.session.no_autoflush:
            return uow.callbacks.open_for_lead(lead_id)

    def _cadence_due(
        self, uow: UnitOfWork, lead: Lead, now: datetime, target: int, retry_after: timedelta
    ) -> datetime:
        """The next try from the cadence plan, in the lead's local slots and calling hours."""
        key = lead.hours_key or ""
        zones = key.partition("|")[0].split()
        earliest = now + retry_after
        if not zones:
            return earliest
        rules = self.gate.rules
        # Undone calls and the corrections that undo them are no tries. Read without flushing the
        # outcome being recorded first: the rows are chosen by lead alone, and the call being recorded
        # comes back as this transaction holds it (its new outcome included).
        with uow.session.no_autoflush:
            calls = uow.attempts.for_lead(lead.id)
        # A correction is a call of the same lead: the calls just read name every call undone.
        undone = {attempt.corrects_id for attempt in calls if attempt.corrects_id is not None}
        counted = {rule.code for rule in self.outcome_rules if rule.counts_as_attempt}
        times = [
            attempt.started_at
            for attempt in calls
            if attempt.allowed and attempt.outcome in counted and attempt.id not in undone
        ]
        due = next_attempt_at(
            times,
            now,
            zones[0],
            CadencePlan(target=target),
            lambda moment: not hours_reasons(key, moment, rules),
            earliest=earliest,
        )
        return due or earliest

    def next_lead_id(self, exclude: tuple[int, ...] = ()) -> int | None:
        if self.next_lead is not None:
            return self.next_lead(exclude)
        with self._uow_factory() as uow:
            lead = uow.leads.next_in_queue(self._clock(), exclude)
            return lead.id if lead is not None else None


def closes_callback(code: str, reached: bool, terminal: bool) -> bool:
    """Whether recording `code` ends the lead's pending callback.

    A callback ends only when it is kept (the person was reached), rescheduled (a new callback
    replaces it) or the lead leaves the queue on purpose (a terminal outcome). A no answer, busy or
    voicemail before or after the promised time leaves the promise standing.
    """
    return code == "callback" or reached or terminal


def _log_decision(lead_id: int | None, decision: Decision, attempt_id: int) -> None:
    log.info(
        "lead %s: gate %s (call %d; %s)",
        lead_id,
        "allowed" if decision.allowed else "blocked",
        attempt_id,
        ", ".join(reason.code for reason in decision.reasons) or "no reasons",
    )
