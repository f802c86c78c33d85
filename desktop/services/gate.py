"""The dial gate's fact gathering: from a lead's phone (or a bare number) to a recorded decision.

`DialGate.decide()` collects what `domain.compliance.decide()` needs — the internal list, the
registries and their freshness, consent and established business relationships, the lead's kind and
state, the calls of the last 24 hours — and returns the decision with an evidence record (the
registry snapshots in force) to store with the attempt.

Nothing here imports the ORM: the database is asked through `GateReads`, answered by the ORM
(`desktop.services.gate_reads`) for the window and the commands, and by plain sqlite3
(`desktop.storage.plain_gate`) for the quick `dialdesk check`. Both feed this same code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from desktop.domain.compliance import ConsentFacts, Decision, DialFacts, Emergency, decide, next_callable_at
from desktop.domain.compliance_rules import RuleBook
from desktop.domain.phones import (
    area_code_zones,
    exchange_zones,
    label_says_landline,
    number_states,
    parse_phone,
)
from desktop.domain.registry_coverage import AreaCopy, area_code_of_e164
from desktop.services.emergencies import read_emergencies
from desktop.services.gate_sharing import number_key, renumbered
from desktop.services.offline_hold import offline_copy_expired


class RegistryView(Protocol):
    """What the gate asks of the do-not-call registries (national, state, Canada)."""

    def sources_for(self, e164: str) -> frozenset[str]: ...

    def snapshots(self) -> Mapping[str, Mapping[str, Any]]:
        """Per source, the snapshot in force: at least {"as_of": "YYYY-MM-DD", "id": N}."""
        ...

    def coverage(self) -> Mapping[str, Mapping[int, AreaCopy]]:
        """Per source, the area codes its copy covers, each with its own as-of date."""
        ...


def registry_state(
    registry: RegistryView,
) -> tuple[Mapping[str, Mapping[str, Any]], Mapping[str, Mapping[int, AreaCopy]]]:
    """(snapshots, coverage) of the registries for one decision: read together where the view can
    (`RegistryLookup.snapshots_and_coverage`: one reading of the snapshot table), else one by one."""
    both = getattr(registry, "snapshots_and_coverage", None)
    if both is not None:
        return both()  # type: ignore[no-any-return]
    return registry.snapshots(), registry.coverage()


class GateReads(Protocol):
    """The database's answers one gate decision needs, besides the registries."""

    def internal_dnc_reason(self, number: str) -> str | None:
        """The reason the number is on the internal do-not-call list; None when it is not."""
        ...

    def latest_consents(self, lead_id: int) -> Mapping[str, date]:
        """Per consent kind (written, inquiry, purchase), the latest day the lead gave it."""
        ...

    def allowed_calls_since(self, number: str, since: datetime, lead_id: int | None = None) -> int:
        """Calls the gate allowed since `since` to `number` whoever the lead, and to the person of lead
        `lead_id`: for that lead or to any number of theirs."""
        ...

    def setting(self, key: str) -> Any:
        """The stored setting `key` (decoded JSON), None when there is none."""
        ...


class LeadLike(Protocol):
    """What the gate reads of a lead: an ORM Lead, or a scrub's plain row."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def postal_state(self) -> str: ...

    @property
    def postal_zone(self) -> str: ...


class PhoneLike(Protocol):
    """What the gate reads of a phone: an ORM Phone, or a scrub's plain row."""

    @property
    def e164(self) -> str | None: ...

    @property
    def raw(self) -> str: ...

    @property
    def valid(self) -> bool: ...

    @property
    def region(self) -> str | None: ...

    @property
    def problem(self) -> str | None: ...

    @property
    def label(self) -> str: ...

    @property
    def zone_list(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class CallerIdFacts:
    """The caller ID a dial will send (E.164, "" for none) and whether the call must send one: firm mode
    on a SIP call, where Dialdesk itself transmits it (a manual or hand-off call is sent by another phone)."""

    number: str = ""
    required: bool = False


NO_CALLER_ID = CallerIdFacts()
# A situation whose callable moment is not worked out yet (None means "not by waiting").
_NOT_YET = object()


class NoRegistry:
    """No registry imported: nothing is listed and no copy is fresh."""

    def sources_for(self, e164: str) -> frozenset[str]:
        return frozenset()

    def snapshots(self) -> Mapping[str, Mapping[str, Any]]:
        return {}

    def coverage(self) -> Mapping[str, Mapping[int, AreaCopy]]:
        return {}


class GateResult:
    """A decision and the evidence to store with it.

    A scrub hands many numbers in one situation the facts of the first of them (`shared`): every
    fact but the number is the same. `facts` gives this number's own, built only when asked.
    """

    __slots__ = ("decision", "snapshots", "_facts", "_situation")

    def __init__(
        self,
        decision: Decision,
        facts: DialFacts,
        snapshots: Mapping[str, Mapping[str, Any]],
        situation_key: tuple[object, ...] | None = None,
    ) -> None:
        self.decision = decision
        self.snapshots = snapshots
        self._facts = facts
        # situation(facts), when the scrub that decided it has it already.
        self._situation = situation_key

    @property
    def facts(self) -> DialFacts:
        if self._facts.number != self.decision.number:
            self._facts = self._facts._replace(number=self.decision.number)
        return self._facts

    @property
    def shared(self) -> DialFacts:
        """The facts decided on: this number's, or another's in the very same situation."""
        return self._facts

    @property
    def record(self) -> str:
        """JSON kept with the attempt: reasons, notes, zones, local times, states, registry snapshots.

        Built on demand: a scrub decides 100,000 leads and stores none of them.
        """
        decision = self.decision
        return json.dumps(
            {
                "reasons": [{"code": r.code, "detail": r.detail} for r in decision.reasons],
                "notes": [{"code": r.code, "detail": r.detail} for r in decision.notes],
                "time_zones": list(decision.time_zones),
                "local_times": list(decision.local_times),
                "states": list(decision.states),
                "registry": {source: dict(snapshot) for source, snapshot in self.snapshots.items()},
                # The as-of date of the copy of this number's area code each registry was checked
                # against (a registry absent here had no copy of it).
                "area_code_copies": {
                    source: day.isoformat() for source, day in self.facts.registry_as_of.items() if day
                },
                "automated": self.facts.automated,
                "prerecorded": self.facts.prerecorded,
            },
            ensure_ascii=False,
            default=str,
        )

    def callable_at(self, rules: RuleBook, context: GateContext | None = None) -> datetime | None:
        """When the call becomes allowed (None: not by waiting); shared by a scrub's like decisions."""
        if context is None or context.memo is None:
            return next_callable_at(self.facts, rules)
        # The callables are a dict of their own: the situation alone is the key.
        key = self._situation or situation(self.shared)
        found = context.callables.get(key, _NOT_YET)
        if found is _NOT_YET:
            found = context.callables[key] = next_callable_at(self.shared, rules)
        return found  # type: ignore[return-value]


def consent_facts(reads: GateReads, lead_id: int | None) -> ConsentFacts:
    if lead_id is None:
        return ConsentFacts()
    latest = reads.latest_consents(lead_id)
    return ConsentFacts(
        written_on=latest.get("written"), inquiry_on=latest.get("inquiry"), purchase_on=latest.get("purchase")
    )


def calls_since(reads: GateReads, number: str, since: datetime, lead_id: int | None = None) -> int:
    """Calls placed since `since` to `number`, whoever the lead, and to the lead's person on any of
    their numbers: the FL, OK and MD caps count calls "to a person", and a duplicate lead or a
    bare-number dial does not reset the count either."""
    return reads.allowed_calls_since(number, since, lead_id) if number else 0


def is_business_landline(lead: LeadLike | None, phone: PhoneLike | None) -> bool:
    """Only a business lead's phone labelled a landline may take a prerecorded message without
    written consent (a mobile may hide behind any other label); the card's checkbox sets the label."""
    if lead is None or phone is None or lead.kind != "business":
        return False
    return label_says_landline(phone.label)


def gate_zones(e164: str, stored: tuple[str, ...]) -> tuple[str, ...]:
    """Every zone the gate checks: the whole area code's, and any stored with the phone."""
    return tuple(dict.fromkeys(area_code_zones(e164) + stored)) if e164.startswith("+1") else stored


def _as_of(snapshot: Mapping[str, Any]) -> date | None:
    value = snapshot.get("as_of")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class GateContext:
    """Where the gate looks facts up: live queries for one dial, preloaded tables for a whole-list scrub."""

    internal_reason: Callable[[str], str | None]
    consent: Callable[[int | None], ConsentFacts]
    calls_last_24h: Callable[[str, int | None], int]  # (number, lead id)
    snapshots: Mapping[str, Mapping[str, Any]]
    emergencies: tuple[Emergency, ...] = ()
    # A scrub's decisions by everything but the number: 100,000 leads have few distinct situations.
    # None for a single dial (its context lives for one decision anyway).
    memo: dict[tuple[object, ...], Decision] | None = None
    callables: dict[tuple[object, ...], datetime | None] = field(default_factory=dict)
    coverage: Mapping[str, Mapping[int, AreaCopy]] = field(default_factory=dict)
    # The registries listing a number, preloaded by a scrub in a few set-based queries; None: ask the
    # registry one number at a time.
    registry_sources: Callable[[str], frozenset[str]] | None = None
    # With a memo: results by every input of a decision (the number cut to its exchange), so a
    # scrub's lead in an already-seen situation costs no fact gathering at all.
    # Each with the situation of its facts (the key of `memo`).
    by_inputs: dict[tuple[object, ...], tuple[Decision, DialFacts, tuple[object, ...]]] = field(
        default_factory=dict
    )
    # Why every dial from this database is refused (an offline copy past its hold); "" when none is.
    copy_expired: str = ""


def registry_dates(
    number: str, snapshots: Mapping[str, Mapping[str, Any]], coverage: Mapping[str, Mapping[int, AreaCopy]]
) -> dict[str, date | None]:
    """Per source, the as-of date of the copy that covers `number`.

    The national registry and Canada's DNCL are downloaded per area code, so a number is only as
    checked as its own area code's copy (none when it was never downloaded). A state list is one
    file for the whole state: its latest import's date.
    """
    area_code = area_code_of_e164(number)
    found: dict[str, date | None] = {}
    for source, snapshot in snapshots.items():
        if source.startswith("state:"):
            found[source] = _as_of(snapshot)
        else:
            copy = coverage.get(source, {}).get(area_code) if area_code is not None else None
            if copy is not None:
                found[source] = copy.as_of
    return found


class DialGate:
    """Builds the facts for one dial and asks the domain rules."""

    def __init__(self, rules: RuleBook, registry: RegistryView) -> None:
        self.rules = rules
        self.registry = registry

    def live_context(self, reads: GateReads, at: datetime) -> GateContext:
        snapshots, coverage = registry_state(self.registry)
        return GateContext(
            internal_reason=reads.internal_dnc_reason,
            consent=lambda lead_id: consent_facts(reads, lead_id),
            calls_last_24h=lambda number, lead_id: calls_since(
                reads, number, at - timedelta(hours=24), lead_id
            ),
            snapshots=snapshots,
            emergencies=read_emergencies(reads.setting),
            coverage=coverage,
            copy_expired=offline_copy_expired(reads.setting, at),
        )

    def decide_phone(
        self,
        reads: GateReads,
        lead: LeadLike | None,
        phone: PhoneLike,
        at: datetime,
        automated: bool = False,
        prerecorded: bool = False,
        context: GateContext | None = None,
        caller_id: CallerIdFacts | None = None,
    ) -> GateResult:
        return self._decide(
            context or self.live_context(reads, at),
            lead,
            phone.e164 or phone.raw,
            bool(phone.valid and phone.e164),
            phone.zone_list,
            phone.region,
            phone.problem or "",
            at,
            automated,
            prerecorded,
            business_landline=is_business_landline(lead, phone),
            caller_id=caller_id,
        )

    def decide_number(
        self,
        reads: GateReads,
        lead: LeadLike | None,
        number: str,
        region: str,
        at: datetime,
        kind: str | None = None,
        automated: bool = False,
        prerecorded: bool = False,
        caller_id: CallerIdFacts | None = None,
    ) -> GateResult:
        parsed = parse_phone(number, region)
        return self._decide(
            self.live_context(reads, at),
            lead,
            parsed.e164 or number,
            parsed.dialable,
            parsed.time_zones,
            parsed.region,
            parsed.problem or "",
            at,
            automated,
            prerecorded,
            kind,
            caller_id=caller_id,
        )

    def _decide(
        self,
        context: GateContext,
        lead: LeadLike | None,
        number: str,
        valid: bool,
        zones: tuple[str, ...],
        region: str | None,
        invalid_detail: str,
        at: datetime,
        automated: bool,
        prerecorded: bool,
        kind: str | None = None,
        business_landline: bool = False,
        caller_id: CallerIdFacts | None = None,
    ) -> GateResult:
        identity = caller_id or NO_CALLER_ID
        internal = context.internal_reason(number) if valid else None
        lead_id = lead.id if lead is not None else None
        snapshots = context.snapshots
        listed = (context.registry_sources or self.registry.sources_for)(number) if valid else frozenset()
        consent = context.consent(lead_id)
        calls = context.calls_last_24h(number, lead_id) if valid else 0
        lead_kind = kind or (lead.kind if lead is not None else "residential")
        lead_state = lead.state if lead is not None else ""
        postal_state = lead.postal_state if lead is not None else ""
        postal_zone = lead.postal_zone if lead is not None else ""
        inputs: tuple[object, ...] = ()
        if context.memo is not None:
            # A scrub: every input of this decision, with the number cut to its exchange (what the
            # zones, states, registry copies and reasons below read of it). A fact added to the
            # DialFacts below must join this key (tests/services/test_scrub_agreement.py checks it).
            inputs = (
                number_key(number) if valid else number,
                *(valid, zones, region, invalid_detail, at, automated, prerecorded, business_landline),
                *(internal, listed, consent, calls, lead_kind, lead_state, postal_state, postal_zone),
                *(identity.required, identity.number, context.copy_expired),
            )
            shared = context.by_inputs.get(inputs)
            if shared is not None:
                shared_decision, first_facts, first_key = shared
                return GateResult(renumbered(shared_decision, number), first_facts, snapshots, first_key)
        facts = DialFacts(
            number=number,
            valid=valid,
            time_zones=gate_zones(number, zones) if valid else zones,
            at=at,
            invalid_detail=invalid_detail,
            lead_kind=lead_kind,
            lead_state=lead_state,
            postal_state=postal_state,
            postal_zone=postal_zone,
            number_region=region,
            number_states=number_states(number) if valid else (),
            on_internal_dnc=internal is not None,
            internal_dnc_detail=internal or "",
            registry_sources=listed,
            registry_as_of=registry_dates(number, snapshots, context.coverage),
            registries_loaded=frozenset(snapshots),
            consent=consent,
            calls_last_24h=calls,
            automated=automated,
            prerecorded=prerecorded,
            business_landline=business_landline,
            exchange_zones=exchange_zones(number) if valid else (),
            emergencies=context.emergencies,
            caller_id_required=identity.required,
            caller_id=identity.number,
            copy_expired=context.copy_expired,
        )
        if context.memo is None:
            return GateResult(decision=decide(facts, self.rules), facts=facts, snapshots=snapshots)
        key = situation(facts)
        decision = context.memo.get(key)
        if decision is None:
            decision = context.memo[key] = decide(facts, self.rules)
        context.by_inputs[inputs] = (decision, facts, key)
        return GateResult(renumbered(decision, number), facts, snapshots, key)


def situation(facts: DialFacts) -> tuple[object, ...]:
    """Every fact a decision depends on except the number itself (which an invalid number's reason
    names, so it is kept for those)."""
    return (
        facts.valid,
        facts.number if not facts.valid else None,
        facts.time_zones,
        facts.at,
        facts.invalid_detail,
        facts.lead_kind,
        facts.lead_state,
        facts.postal_state,
        facts.postal_zone,
        facts.number_region,
        facts.number_states,
        facts.on_internal_dnc,
        facts.internal_dnc_detail,
        facts.registry_sources,
        tuple(sorted(facts.registry_as_of.items())),
        facts.registries_loaded,
        # A missing or stale copy's reason names the number's area code.
        area_code_of_e164(facts.number) if facts.valid and facts.number else None,
        facts.consent,
        facts.calls_last_24h,
        facts.automated,
        facts.prerecorded,
        facts.business_landline,
        facts.exchange_zones,
        facts.emergencies,
        facts.caller_id_required,
        facts.caller_id,
        facts.copy_expired,
    )
