"""The dial gate's rules: given the facts about one number at one moment, allowed or blocked and why.

Pure functions: the calling service gathers the facts (DNC and registry lookups, consent, the lead's
kind and state, recent calls, the clock) and asks `decide()`. Every reason has a stable code used in
the audit trail, exports and the CLI; allowed calls carry notes on why a registry did not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

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
    hours_reasons_for,
    make_hours_key,
    window_starts,
)
from desktop.domain.compliance_locate import (
    applicable_states,
    callee_zones,
    location_note,
    number_jurisdictions,
)
from desktop.domain.compliance_rules import RuleBook, StateRule
from desktop.domain.phones import is_toll_free
from desktop.domain.registry_coverage import registry_title

# Re-exported: callers read the hours helpers and the shared codes from here.
__all__ = [
    "CALLER_ID",
    "CALLING_HOURS",
    "STATE_RULE",
    "Emergency",
    "Reason",
    "hours_open_at",
    "hours_reasons",
]

# Blocking reasons.
INVALID_NUMBER = "invalid_number"
DNC_INTERNAL = "dnc_internal"
DNC_NATIONAL = "dnc_national"
DNC_STATE = "dnc_state"
REGISTRY_STALE = "registry_stale"
REGISTRY_MISSING = "registry_missing"
PRERECORDED_CONSENT = "prerecorded_consent"
# Notes on allowed calls.
B2B_EXEMPTION = "b2b_exemption"
CONSENT = "consent"
EBR_PURCHASE = "ebr_purchase"
EBR_INQUIRY = "ebr_inquiry"

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
)
NOTE_CODES = (B2B_EXEMPTION, CONSENT, EBR_PURCHASE, EBR_INQUIRY, LOCATION_CONFLICT)
# Reasons that pass with time alone: a lead blocked only by these is "later", not "never".
TIME_CODES = (CALLING_HOURS, STATE_RULE)
TOLL_FREE_TIME = "toll-free: no single local time"


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """What the firm can show about the lead's permission to call."""

    written_on: date | None = None
    inquiry_on: date | None = None
    purchase_on: date | None = None


@dataclass(frozen=True, slots=True)
class DialFacts:
    """Everything the gate needs to decide one dial; gathered by the calling service.

    `time_zones` are every zone the number may be in (its whole area code); `exchange_zones` the
    zone of its exchange, for display only. `calls_last_24h` counts calls to the number, whoever
    the lead. `business_landline` is true only when the number is recorded as a business landline.
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
    registry_sources: frozenset[str] = frozenset()
    # Per source, the as-of date of its copy of this number's area code (absent: never downloaded).
    registry_as_of: Mapping[str, date | None] = field(default_factory=dict)
    # The sources with a copy of any area code: tells "area code never downloaded" from "nothing imported".
    registries_loaded: frozenset[str] = frozenset()
    consent: ConsentFacts = field(default_factory=ConsentFacts)
    calls_last_24h: int = 0
    automated: bool = False
    prerecorded: bool = False
    business_landline: bool = False
    exchange_zones: tuple[str, ...] = ()
    emergencies: tuple[Emergency, ...] = ()
    # Firm mode on a SIP call: the call must carry a caller ID (`caller_id`, E.164; "" when none is set).
    caller_id_required: bool = False
    caller_id: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer. A blocked decision never reaches a dialer."""

    number: str | None
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    notes: tuple[Reason, ...] = ()
    time_zones: tuple[str, ...] = ()
    local_times: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    display_zone: str | None = None
    # A toll-free number rings anywhere: its hours are checked in every zone, none is "its" time.
    toll_free: bool = False

    @property
    def local_time_text(self) -> str:
        """The callee's local time as shown to a person (one per zone the number may be in)."""
        if self.toll_free:
            return TOLL_FREE_TIME
        return ", ".join(self.local_times) or "local time unknown"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

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


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    return date(year, month + 1, 28)


@dataclass(frozen=True, slots=True)
class _ListCheck:
    """One do-not-call list that may cover the number: listed, and whether the copy is usable."""

    source: str
    name: str
    listed: bool
    stale: str  # why the copy cannot be relied on; empty when fresh
    covers_business: bool
    is_state: bool
    # REGISTRY_MISSING when the number's area code was never downloaded, else REGISTRY_STALE.
    stale_code: str = REGISTRY_STALE


def _list_checks(facts: DialFacts, rules: RuleBook, states: tuple[StateRule, ...]) -> list[_ListCheck]:
    checks: list[_ListCheck] = []
    registry = rules.registries.get(facts.number_region or "")
    if registry is not None:
        name = registry_title(registry)
        code, why = _registry_staleness(facts, registry, name, rules.registry_max_age_days)
        checks.append(_ListCheck(registry, name, registry in facts.registry_sources, why, False, False, code))
    seen = {check.source for check in checks}
    for state in states:
        if state.list_source and state.list_source not in seen:
            seen.add(state.list_source)
            name = f"{state.name} do-not-call list"
            max_age = rules.copy_max_age_days(state.list_source)
            code, why = _state_list_staleness(facts, state, name, max_age)
            checks.append(
                _ListCheck(
                    state.list_source,
                    name,
                    state.list_source in facts.registry_sources,
                    why,
                    state.list_covers_business,
                    True,
                    code,
                )
            )
    # Listed on another state's list (the callee may have moved): listed is listed.
    for source in sorted(s for s in facts.registry_sources if s.startswith("state:") and s not in seen):
        rule = rules.state(source.removeprefix("state:"))
        checks.append(
            _ListCheck(
                source,
                f"{source.removeprefix('state:')} state do-not-call list",
                True,
                "",
                rule is not None and rule.list_covers_business,
                True,
            )
        )
    return checks


def _state_list_staleness(facts: DialFacts, state: StateRule, name: str, max_age: int) -> tuple[str, str]:
    """(code, why) when the state's list cannot be relied on; (REGISTRY_STALE, "") when it can.

    A state list is one list for the whole state, published on its own date: its copy is judged as
    a whole (never per area code), by the state's own freshness rule. A state that keeps a list the
    user never imported is a gap, not a pass: calling a number on it breaks the state's law.
    """
    as_of = facts.registry_as_of.get(state.list_source)
    if as_of is None:
        if not state.list_required:
            return REGISTRY_STALE, ""
        whom = "business and residential" if state.list_covers_business else "residential"
        return REGISTRY_MISSING, (
            f"the {name} was never imported; {whom} numbers that may be in {state.name} cannot be "
            f"checked against it (dialdesk dnc import FILE --source {state.list_source})"
        )
    age = (facts.at.date() - as_of).days
    if age > max_age:
        return REGISTRY_STALE, (
            f"the {name} copy is {age} days old (as of {as_of}); {state.name} requires one no older "
            f"than {max_age} days"
        )
    return REGISTRY_STALE, ""


def _area_code(number: str | None) -> str:
    """The area code of a +1 number ("+12125550199" -> "212"); "" for others."""
    return number[2:5] if number and number.startswith("+1") and len(number) == 12 else ""


def _registry_staleness(facts: DialFacts, registry: str, name: str, max_age: int) -> tuple[str, str]:
    """(code, why) when the copy of a national registry (the US registry, Canada's DNCL) covering the
    number's area code cannot be relied on; (REGISTRY_STALE, "") when it can. Copies are kept per
    area code: `registry_as_of[registry]` is the as-of date of this number's area code's copy."""
    as_of = facts.registry_as_of.get(registry)
    code = _area_code(facts.number)
    if as_of is None:
        if registry not in facts.registries_loaded:
            return (
                REGISTRY_MISSING,
                f"no copy of the {name} has ever been imported; residential numbers cannot be checked",
            )
        return REGISTRY_MISSING, (
            f"area code {code or '?'} was never downloaded from the {name}; "
            "import its list before calling residential numbers there"
        )
    age = (facts.at.date() - as_of).days
    if age > max_age:
        what = f"copy of area code {code}" if code else "copy"
        return REGISTRY_STALE, (
            f"the {name} {what} is {age} days old (as of {as_of}); the safe harbour needs one "
            f"no older than {max_age} days"
        )
    return REGISTRY_STALE, ""


def _registry_reasons(
    facts: DialFacts,
    rules: RuleBook,
    states: tuple[StateRule, ...],
    reasons: list[Reason],
    notes: list[Reason],
) -> None:
    checks = [c for c in _list_checks(facts, rules, states) if c.listed or c.stale]
    if not checks:
        return
    if facts.lead_kind == "business":
        exempt = [c for c in checks if not c.covers_business]
        if exempt:
            # One phrase per list, each naming its list: two stale lists are not one doubled phrase.
            what = "; ".join(
                dict.fromkeys(
                    f"on the {c.name}" if c.listed else f"not checked against a fresh copy of the {c.name}"
                    for c in exempt
                )
            )
            notes.append(
                Reason(B2B_EXEMPTION, f"business number {what}: these lists cover residential numbers")
            )
        checks = [c for c in checks if c.covers_business]
        if not checks:
            return
    today = facts.at.date()
    consent = facts.consent
    if consent.written_on is not None and consent.written_on <= today:
        notes.append(Reason(CONSENT, f"prior express written consent on {consent.written_on.isoformat()}"))
        return
    # The shortest window of the federal rule and every applicable state's (PA: 12 months).
    purchase_months = min(
        [rules.ebr_purchase_months]
        + [s.ebr_purchase_months for s in states if s.ebr_purchase_months is not None]
    )
    inquiry_months = min(
        [rules.ebr_inquiry_months]
        + [s.ebr_inquiry_months for s in states if s.ebr_inquiry_months is not None]
    )
    if (
        consent.purchase_on is not None
        and _months_before(today, purchase_months) <= consent.purchase_on <= today
    ):
        notes.append(
            Reason(
                EBR_PURCHASE,
                f"established business relationship: purchase on "
                f"{consent.purchase_on.isoformat()} (within {purchase_months} months)",
            )
        )
        return
    if (
        consent.inquiry_on is not None
        and _months_before(today, inquiry_months) <= consent.inquiry_on <= today
    ):
        notes.append(
            Reason(
                EBR_INQUIRY,
                f"established business relationship: inquiry on "
                f"{consent.inquiry_on.isoformat()} (within {inquiry_months} months)",
            )
        )
        return
    for check in checks:
        if not check.listed:
            continue
        if check.is_state:
            reasons.append(Reason(DNC_STATE, f"on the {check.name}"))
        else:
            reasons.append(
                Reason(
                    DNC_NATIONAL,
                    f"on the {check.name} (residential number, no consent or "
                    "established business relationship)",
                )
            )
    for check in checks:
        if check.stale:
            reasons.append(Reason(check.stale_code, check.stale))


def _state_call_rules(facts: DialFacts, states: tuple[StateRule, ...], reasons: list[Reason]) -> None:
    written = facts.consent.written_on is not None and facts.consent.written_on <= facts.at.date()
    for state in states:
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
    if facts.at.tzinfo is None:
        raise ValueError("the decision time must be time-zone aware")
    reasons: list[Reason] = []
    notes: list[Reason] = []
    local_times: list[str] = []
    if not facts.valid or not facts.number:
        detail = facts.invalid_detail or "not a valid phone number"
        reasons.append(Reason(INVALID_NUMBER, f"{facts.number or 'this number'}: {detail}"))
    if facts.on_internal_dnc:
        detail = "on the firm's internal do-not-call list"
        if facts.internal_dnc_detail:
            detail += f" ({facts.internal_dnc_detail})"
        reasons.append(Reason(DNC_INTERNAL, detail))
    states = applicable_states(facts, rules)
    zones = callee_zones(facts, rules)
    if facts.valid and facts.number:
        _registry_reasons(facts, rules, states, reasons, notes)
        federal = federal_applies(states, facts.number_region, rules)
        reasons.extend(
            hours_reasons_for(facts.at, rules, states, zones, federal, facts.emergencies, local_times)
        )
        _state_call_rules(facts, states, reasons)
        if facts.number.startswith("+1") and rules.unknown_state(facts.lead_state):
            # The callee may live under stricter rules than the number's (8:00-20:00, no Sundays): an
            # unreadable state is not a pass.
            reasons.append(
                Reason(
                    STATE_RULE,
                    f"the lead's state {facts.lead_state.strip()!r} is not a state or province Dialdesk "
                    "knows, so its rules cannot be checked: correct the lead's state",
                )
            )
        note = location_note(facts, rules)
        if note is not None:
            notes.append(note)
        written = facts.consent.written_on is not None and facts.consent.written_on <= facts.at.date()
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
    toll_free = is_toll_free(facts.number)
    display = next((zone for zone in facts.exchange_zones if zone in zones), zones[0] if zones else None)
    return Decision(
        number=facts.number,
        allowed=not reasons,
        reasons=tuple(reasons),
        notes=tuple(notes),
        time_zones=zones,
        states=tuple(("@" if state.is_country else "") + state.code for state in states),
        display_zone=None if toll_free else display,
        # Every zone's hours were checked above; listing dozens of local times would say nothing.
        local_times=() if toll_free else tuple(local_times),
        toll_free=toll_free,
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
        lambda moment: decide(replace(facts, at=moment, calls_last_24h=0), rules).allowed,
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
