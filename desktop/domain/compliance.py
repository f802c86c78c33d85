"""The dial gate's rules: given the facts about one number at one moment, allowed or blocked and why.

Pure functions: the calling service gathers the facts (DNC and registry lookups, consent, the lead's
kind and state, recent calls, the clock) and asks `decide()`. Every reason has a stable code used in
the audit trail, exports and the CLI; allowed calls carry notes on why a registry did not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import NamedTuple

from desktop.domain.compliance_codes import (
    CALLER_ID,
    CALLER_ID_EXPLANATION,
    CALLING_HOURS,
    LOCATION_CONFLICT,
    STATE_RULE,
    Reason,
)
from desktop.domain.compliance_hours import (
    Emergency,
    federal_applies,
    first_open,
    hours_open_at,
    hours_reasons,
    make_hours_key,
    plan_hours_reasons,
    recorded_message_reasons,
    window_starts,
    zone_info,
)
from desktop.domain.compliance_lists import (
    B2B_EXEMPTION,
    CONSENT,
    DNC_NATIONAL,
    DNC_STATE,
    EBR_INQUIRY,
    EBR_PURCHASE,
    REGISTRY_MISSING,
    REGISTRY_STALE,
    registry_reasons,
)
from desktop.domain.compliance_locate import applicable_states, callee_zones, number_jurisdictions
from desktop.domain.compliance_place import Place, place_of
from desktop.domain.compliance_rules import RuleBook
from desktop.domain.phones import is_toll_free

# Re-exported: callers read the hours helpers and the shared codes from here.
__all__ = [
    "B2B_EXEMPTION",
    "CALLER_ID",
    "CALLING_HOURS",
    "CONSENT",
    "DNC_NATIONAL",
    "DNC_STATE",
    "EBR_INQUIRY",
    "EBR_PURCHASE",
    "REGISTRY_MISSING",
    "REGISTRY_STALE",
    "STATE_RULE",
    "Emergency",
    "Reason",
    "hours_open_at",
    "hours_reasons",
]

# Blocking reasons (the list and registry codes live with their rules, in compliance_lists).
INVALID_NUMBER = "invalid_number"
DNC_INTERNAL = "dnc_internal"
PRERECORDED_CONSENT = "prerecorded_consent"
# An offline copy of team leads (`team checkout`) used after its hold ended: the server has moved on.
OFFLINE_COPY_EXPIRED = "offline_copy_expired"

BLOCKING_CODES = (
    INVALID_NUMBER,
    DNC_INTERNAL,
    DNC_NATIONAL,
    DNC_STATE,
    REGISTRY_STALE,
    REGISTRY_MISSING,
    CALLING_HOURS,
    STATE_RULE,
    PRERECORDED_CONSENT,
    CALLER_ID,
    OFFLINE_COPY_EXPIRED,
)
NOTE_CODES = (B2B_EXEMPTION, CONSENT, EBR_PURCHASE, EBR_INQUIRY, LOCATION_CONFLICT)
# Reasons that pass with time alone: a lead blocked only by these is "later", not "never".
TIME_CODES = (CALLING_HOURS, STATE_RULE)
TOLL_FREE_TIME = "toll-free: no single local time"


class ConsentFacts(NamedTuple):
    """What the firm can show about the lead's permission to call. (A named tuple: immutable, and
    hashed in C: a scrub's shared-decision key holds one for every lead.)"""

    written_on: date | None = None
    inquiry_on: date | None = None
    purchase_on: date | None = None


NO_CONSENT = ConsentFacts()
_NOT_LISTED: frozenset[str] = frozenset()
# Shared defaults of every DialFacts: read-only, so no dial's facts can change another's.
_NO_COPIES: Mapping[str, date | None] = MappingProxyType({})


class DialFacts(NamedTuple):
    """Everything the gate needs to decide one dial; gathered by the calling service.

    `time_zones` are every zone the number may be in (its whole area code); `exchange_zones` the
    zone of its exchange, for display only. `calls_last_24h` counts calls to the number, whoever
    the lead. `business_landline` is true only when the number is recorded as a business landline.

    A named tuple (immutable; `facts._replace(at=...)` for a variant): one is built for every
    decision, and a frozen dataclass of 26 fields took a sixth of a decision's time to build.
    """

    number: str | None
    valid: bool
    time_zones: tuple[str, ...]
    at: datetime
    invalid_detail: str = ""
    lead_kind: str = "residential"
    lead_state: str = ""
    # Where the lead's ZIP/postal code puts it: a state or province, and a US ZIP's zone.
    postal_state: str = ""
    postal_zone: str = ""
    number_region: str | None = None
    number_states: tuple[str, ...] = ()
    on_internal_dnc: bool = False
    internal_dnc_detail: str = ""
    registry_sources: frozenset[str] = _NOT_LISTED
    # Per source, the as-of date of its copy of this number's area code (absent: never downloaded).
    registry_as_of: Mapping[str, date | None] = _NO_COPIES
    # The sources with a copy of any area code: tells "area code never downloaded" from "nothing imported".
    registries_loaded: frozenset[str] = frozenset()
    # One shared "none recorded" (a frozen record): most dials have no consent to gather.
    consent: ConsentFacts = NO_CONSENT
    calls_last_24h: int = 0
    automated: bool = False
    prerecorded: bool = False
    business_landline: bool = False
    exchange_zones: tuple[str, ...] = ()
    emergencies: tuple[Emergency, ...] = ()
    # Firm mode on a SIP call: the call must carry a caller ID (`caller_id`, E.164; "" when none is set).
    caller_id_required: bool = False
    caller_id: str = ""
    # Why this database's facts can no longer be trusted (an offline copy past its hold); "" when they can.
    copy_expired: str = ""


class Decision(NamedTuple):
    """The gate's answer. A blocked decision never reaches a dialer.

    A named tuple: immutable, and made in a third of a frozen dataclass's time (one per decision,
    and a scrub names a shared decision anew for each of 100,000 leads).
    """

    number: str | None
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    notes: tuple[Reason, ...] = ()
    time_zones: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    display_zone: str | None = None
    # A toll-free number rings anywhere: its hours are checked in every zone, none is "its" time.
    toll_free: bool = False
    # The moment the callee's hours were checked at in each of `time_zones`; None when no local time
    # is shown (an invalid number; a toll-free one, whose zones are dozens). The local times are
    # written out from it when asked: most decisions (a scrub's) are never shown with them.
    hours_at: datetime | None = None

    @property
    def local_times(self) -> tuple[str, ...]:
        """The callee's local time in each zone whose time is known ("2026-12-01T09:00-05:00")."""
        at = self.hours_at
        if at is None:
            return ()
        return tuple(
            at.astimezone(zone).isoformat(timespec="minutes")
            for name in self.time_zones
            if (zone := zone_info(name)) is not None
        )

    @property
    def local_time_text(self) -> str:
        """The callee's local time as shown to a person (one per zone the number may be in)."""
        if self.toll_free:
            return TOLL_FREE_TIME
        return ", ".join(self.local_times) or "local time unknown"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple([reason.code for reason in self.reasons])

    @property
    def note_codes(self) -> tuple[str, ...]:
        return tuple(note.code for note in self.notes)

    @property
    def only_time_blocks(self) -> bool:
        return bool(self.reasons) and all(code in TIME_CODES for code in self.codes)

    def summary(self) -> str:
        if self.allowed:
            return "allowed" + (f" ({'; '.join(n.detail for n in self.notes)})" if self.notes else "")
        return "; ".join(reason.detail for reason in self.reasons)

    def to_json(self) -> dict[str, object]:
        shown = self.reasons if not self.allowed else self.notes
        return {
            "number": self.number,
            "allowed": self.allowed,
            "reasons": [{"code": r.code, "detail": r.detail} for r in shown],
            "notes": [{"code": r.code, "detail": r.detail} for r in self.notes],
            "time_zones": list(self.time_zones),
            "display_zone": self.display_zone,
            "local_time": self.local_times[0] if self.local_times else None,
            "local_times": list(self.local_times),
            "local_time_text": self.local_time_text,
            "toll_free": self.toll_free,
            "states": list(self.states),
        }


def _state_call_rules(facts: DialFacts, place: Place, written: bool, reasons: list[Reason]) -> None:
    for state in place.call_rules:
        if state.max_calls_per_24h is not None and facts.calls_last_24h >= state.max_calls_per_24h:
            reasons.append(
                Reason(
                    STATE_RULE,
                    f"{state.name} allows at most {state.max_calls_per_24h} calls per "
                    f"24 hours to a person ({facts.calls_last_24h} already to this person or number)",
                )
            )
        if facts.automated and state.autodial_needs_written_consent and not written:
            reasons.append(
                Reason(
                    STATE_RULE,
                    f"{state.name} forbids automatically dialled sales calls without "
                    "prior express written consent: dial this lead by hand",
                )
            )
        if facts.prerecorded and state.recorded_message_needs_written_consent and not written:
            reasons.append(
                Reason(
                    STATE_RULE,
                    f"{state.name} forbids recorded messages without prior express written consent",
                )
            )


def decide(facts: DialFacts, rules: RuleBook) -> Decision:
    """Decide one dial. Blocking reasons accumulate so the user sees all of them at once."""
    at = facts.at
    if at.tzinfo is None:
        raise ValueError("the decision time must be time-zone aware")
    reasons: list[Reason] = []
    notes: list[Reason] = []
    number = facts.number
    dialable = facts.valid and bool(number)
    if not dialable:
        detail = facts.invalid_detail or "not a valid phone number"
        reasons.append(Reason(INVALID_NUMBER, f"{number or 'this number'}: {detail}"))
    if facts.on_internal_dnc:
        detail = "on the firm's internal do-not-call list"
        if facts.internal_dnc_detail:
            detail += f" ({facts.internal_dnc_detail})"
        reasons.append(Reason(DNC_INTERNAL, detail))
    place = place_of(facts, rules)
    if dialable:
        registry_reasons(facts, rules, place, reasons, notes)
        reasons.extend(plan_hours_reasons(at, place.plan, place.states, place.zone_infos, facts.emergencies))
        written_on = facts.consent.written_on
        written = written_on is not None and written_on <= at.date()
        if place.call_rules:
            _state_call_rules(facts, place, written, reasons)
        if facts.prerecorded and place.recorded_hours_rules:
            reasons.extend(recorded_message_reasons(at, place.recorded_hours_rules, place.zone_infos))
        if place.unknown_state is not None and number and number.startswith("+1"):
            reasons.append(place.unknown_state)
        if place.note is not None:
            notes.append(place.note)
        if facts.prerecorded and rules.prerecorded_needs_written_consent and not written:
            if not facts.business_landline:
                reasons.append(
                    Reason(
                        PRERECORDED_CONSENT,
                        "a prerecorded message to a consumer needs prior express written consent, and "
                        "so does one to any number not recorded as a business landline (a mobile needs "
                        "it even for a business); none is recorded for this lead",
                    )
                )
    if facts.caller_id_required and not facts.caller_id:
        reasons.append(Reason(CALLER_ID, CALLER_ID_EXPLANATION))
    if facts.copy_expired:
        reasons.append(Reason(OFFLINE_COPY_EXPIRED, facts.copy_expired))
    toll_free = is_toll_free(number)
    zones = place.zones
    # The exchange's own zone when the callee may be there, else the first: shown, never decided by.
    display = zones[0] if zones else None
    for zone in facts.exchange_zones:
        if zone in zones:
            display = zone
            break
    return Decision(
        number=number,
        allowed=not reasons,
        reasons=tuple(reasons),
        notes=tuple(notes),
        time_zones=zones,
        states=place.state_codes,
        display_zone=None if toll_free else display,
        toll_free=toll_free,
        # Every zone's hours were checked above; listing dozens of local times would say nothing.
        hours_at=at if dialable and not toll_free else None,
    )


def next_callable_at(facts: DialFacts, rules: RuleBook, horizon_days: int = 8) -> datetime | None:
    """When a call blocked only by the clock becomes allowed; None if never within the horizon.

    Tries the moments when a calling window opens in any of the callee's zones, in order, so a
    multi-zone number is offered at the first moment that is inside the window in all of them.
    """
    first = decide(facts, rules)
    if first.allowed:
        return facts.at
    if not first.only_time_blocks:
        return None
    states = applicable_states(facts, rules)
    # calls_last_24h ages out too; assume no further calls in the meantime.
    return first_open(
        facts.at,
        callee_zones(facts, rules),
        window_starts(rules, states),
        lambda moment: decide(facts._replace(at=moment, calls_last_24h=0), rules).allowed,
        horizon_days,
    )


def hours_key(
    zones: tuple[str, ...],
    lead_state: str,
    number_states: tuple[str, ...],
    rules: RuleBook,
    number_region: str | None = None,
    postal_state: str = "",
    postal_zone: str = "",
) -> str:
    """The key of a callee's calling hours: their zones, and the jurisdictions whose hour rules apply."""
    probe = DialFacts(
        number="",
        valid=True,
        time_zones=zones,
        at=datetime.now().astimezone(),
        lead_state=lead_state,
        postal_state=postal_state,
        postal_zone=postal_zone,
        number_states=number_states,
        number_region=number_region,
    )
    states = applicable_states(probe, rules)
    if number_region is None:
        # The queue knows the number's area code, not its region: a Canadian area code says it.
        countries = {rule.country for rule in number_jurisdictions(number_states, rules)}
        number_region = countries.pop() if len(countries) == 1 else None
    return make_hours_key(callee_zones(probe, rules), states, federal_applies(states, number_region, rules))
