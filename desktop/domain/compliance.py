"""The dial gate's rules: given the facts about one number at one moment, allowed or blocked and why.

Pure functions: the calling service gathers the facts (DNC and registry lookups, consent, the lead's
kind and state, recent calls, the clock) and asks `decide()`. Every reason has a stable code used in
the audit trail, exports and the CLI; allowed calls carry notes on why a registry did not apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.compliance_rules import WEEKDAYS, CallingWindow, RuleBook, StateRule

# Blocking reasons.
INVALID_NUMBER = "invalid_number"
DNC_INTERNAL = "dnc_internal"
DNC_NATIONAL = "dnc_national"
DNC_STATE = "dnc_state"
REGISTRY_STALE = "registry_stale"
REGISTRY_MISSING = "registry_missing"
CALLING_HOURS = "calling_hours"
STATE_RULE = "state_rule"
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
)
NOTE_CODES = (B2B_EXEMPTION, CONSENT, EBR_PURCHASE, EBR_INQUIRY)
# Reasons that pass with time alone: a lead blocked only by these is "later", not "never".
TIME_CODES = (CALLING_HOURS, STATE_RULE)


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a decision: a stable code and a plain-English detail."""

    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """What the firm can show about the lead's permission to call."""

    written_on: date | None = None
    inquiry_on: date | None = None
    purchase_on: date | None = None


@dataclass(frozen=True, slots=True)
class DialFacts:
    """Everything the gate needs to decide one dial; gathered by the calling service."""

    number: str | None
    valid: bool
    time_zones: tuple[str, ...]
    at: datetime
    invalid_detail: str = ""
    lead_kind: str = "residential"
    lead_state: str = ""
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
            "local_time": self.local_times[0] if self.local_times else None,
            "local_times": list(self.local_times),
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


def applicable_states(facts: DialFacts, rules: RuleBook) -> tuple[StateRule, ...]:
    """The states whose rules govern the call: the lead's state, and any state whose law presumes
    that a number with its area code belongs to its resident (Florida, Oklahoma)."""
    found: dict[str, StateRule] = {}
    lead_state = rules.state(facts.lead_state)
    if lead_state is not None:
        found[lead_state.code] = lead_state
    for text in facts.number_states:
        rule = rules.state(text)
        if rule is not None and rule.area_code_presumption:
            found.setdefault(rule.code, rule)
    return tuple(found.values())


def callee_zones(facts: DialFacts, rules: RuleBook) -> tuple[str, ...]:
    """Where the callee may be: the number's zones, narrowed (or settled) by the lead's state."""
    state = rules.state(facts.lead_state)
    if state is None or not state.zones:
        return facts.time_zones
    narrowed = tuple(zone for zone in facts.time_zones if zone in state.zones)
    return narrowed or state.zones


def _local(at: datetime, zone_name: str) -> datetime | None:
    try:
        return at.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _registry_reasons(
    facts: DialFacts, rules: RuleBook, states: Iterable[StateRule], reasons: list[Reason], notes: list[Reason]
) -> None:
    registry = rules.registries.get(facts.number_region or "")
    if registry is None:
        return  # no registry covers numbers of this country
    listed_national = registry in facts.registry_sources
    listed_states = sorted(s for s in facts.registry_sources if s.startswith("state:"))
    as_of = facts.registry_as_of.get(registry)
    age = (facts.at.date() - as_of).days if as_of is not None else None
    stale = age is None or age > rules.registry_max_age_days
    if not (listed_national or listed_states or stale):
        return
    registry_name = "National Do Not Call Registry" if registry == "national" else f"{registry} registry"
    if facts.lead_kind == "business":
        what = (
            "on the " + registry_name
            if listed_national
            else (
                f"on the {', '.join(listed_states)} list"
                if listed_states
                else "not checked against a fresh registry"
            )
        )
        notes.append(
            Reason(B2B_EXEMPTION, f"business number {what}: the registries cover residential numbers")
        )
        return
    today = facts.at.date()
    consent = facts.consent
    if consent.written_on is not None and consent.written_on <= today:
        notes.append(Reason(CONSENT, f"prior express written consent on {consent.written_on.isoformat()}"))
        return
    if (
        consent.purchase_on is not None
        and _months_before(today, rules.ebr_purchase_months) <= consent.purchase_on <= today
    ):
        notes.append(
            Reason(
                EBR_PURCHASE,
                f"established business relationship: purchase on "
                f"{consent.purchase_on.isoformat()} (within {rules.ebr_purchase_months} months)",
            )
        )
        return
    if (
        consent.inquiry_on is not None
        and _months_before(today, rules.ebr_inquiry_months) <= consent.inquiry_on <= today
    ):
        notes.append(
            Reason(
                EBR_INQUIRY,
                f"established business relationship: inquiry on "
                f"{consent.inquiry_on.isoformat()} (within {rules.ebr_inquiry_months} months)",
            )
        )
        return
    if listed_national:
        reasons.append(
            Reason(
                DNC_NATIONAL,
                f"on the {registry_name} (residential number, no consent or "
                "established business relationship)",
            )
        )
    for source in listed_states:
        reasons.append(Reason(DNC_STATE, f"on the {source.removeprefix('state:')} state do-not-call list"))
    if stale:
        if age is None:
            reasons.append(_registry_missing(facts, registry, registry_name))
        else:
            code = _area_code(facts.number)
            what = f"copy of area code {code}" if code else "copy"
            detail = (
                f"the {registry_name} {what} is {age} days old (as of {as_of}); the safe harbour needs one "
                f"no older than {rules.registry_max_age_days} days"
            )
            reasons.append(Reason(REGISTRY_STALE, detail))


def _area_code(number: str | None) -> str:
    """The area code of a +1 number ("+12125550199" -> "212"); "" for others."""
    return number[2:5] if number and number.startswith("+1") and len(number) == 12 else ""


def _registry_missing(facts: DialFacts, registry: str, registry_name: str) -> Reason:
    """No copy of the number's area code: never downloaded, or no copy of the registry at all."""
    if registry not in facts.registries_loaded:
        detail = (
            f"no copy of the {registry_name} has ever been imported; residential numbers cannot be checked"
        )
    else:
        detail = (
            f"area code {_area_code(facts.number) or '?'} was never downloaded from the {registry_name}; "
            "import its list before calling residential numbers there"
        )
    return Reason(REGISTRY_MISSING, detail)


def _hours_reasons(
    at: datetime,
    rules: RuleBook,
    states: tuple[StateRule, ...],
    zones: tuple[str, ...],
    reasons: list[Reason],
    local_times: list[str],
) -> None:
    window = rules.window
    strict = [s for s in states if s.window is not None]
    for state in strict:
        assert state.window is not None
        window = CallingWindow(
            max(window.start, state.window.start), min(window.end, state.window.end), state.source
        )
    outside: list[str] = []
    sunday_like: list[str] = []
    for zone_name in zones:
        local = _local(at, zone_name)
        if local is None:
            continue
        local_times.append(local.isoformat(timespec="minutes"))
        if not window.contains(local.time()):
            outside.append(f"{local:%H:%M} in {zone_name}")
        for state in states:
            if local.weekday() in state.no_call_weekdays:
                sunday_like.append(f"{state.name} forbids calls on {WEEKDAYS[local.weekday()].capitalize()}s")
    if not zones:
        reasons.append(
            Reason(CALLING_HOURS, "the callee's time zone is unknown, so calling hours cannot be checked")
        )
    elif outside:
        whose = f" ({', '.join(s.name for s in strict)} rule)" if strict else ""
        more = " …" if len(outside) > 3 else ""
        reasons.append(
            Reason(
                CALLING_HOURS,
                f"outside calling hours {window.start:%H:%M}–{window.end:%H:%M} local "
                f"time{whose} (it is {', '.join(outside[:3])}{more})",
            )
        )
    for detail in dict.fromkeys(sunday_like):
        reasons.append(Reason(STATE_RULE, detail))


def _state_call_rules(facts: DialFacts, states: tuple[StateRule, ...], reasons: list[Reason]) -> None:
    written = facts.consent.written_on is not None and facts.consent.written_on <= facts.at.date()
    for state in states:
        if state.max_calls_per_24h is not None and facts.calls_last_24h >= state.max_calls_per_24h:
            reasons.append(
                Reason(
                    STATE_RULE,
                    f"{state.name} allows at most {state.max_calls_per_24h} calls per "
                    f"24 hours to a person ({facts.calls_last_24h} already)",
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
        _hours_reasons(facts.at, rules, states, zones, reasons, local_times)
        _state_call_rules(facts, states, reasons)
        written = facts.consent.written_on is not None and facts.consent.written_on <= facts.at.date()
        if (
            facts.prerecorded
            and rules.prerecorded_needs_written_consent
            and facts.lead_kind != "business"
            and not written
        ):
            reasons.append(
                Reason(
                    PRERECORDED_CONSENT,
                    "a prerecorded message to a consumer needs prior express "
                    "written consent, and none is recorded for this lead",
                )
            )
    return Decision(
        number=facts.number,
        allowed=not reasons,
        reasons=tuple(reasons),
        notes=tuple(notes),
        time_zones=zones,
        local_times=tuple(local_times),
        states=tuple(state.code for state in states),
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
    zones = callee_zones(facts, rules)
    states = applicable_states(facts, rules)
    starts = [rules.window.start] + [s.window.start for s in states if s.window is not None]
    candidates: set[datetime] = set()
    for zone_name in zones:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        local_now = facts.at.astimezone(zone)
        for offset in range(horizon_days + 1):
            day = local_now.date() + timedelta(days=offset)
            for start in starts:
                moment = datetime.combine(day, start, tzinfo=zone)
                if moment > facts.at:
                    candidates.add(moment)
    # calls_last_24h ages out too; assume no further calls in the meantime.
    for moment in sorted(candidates):
        later = replace(facts, at=moment, calls_last_24h=0)
        if decide(later, rules).allowed:
            return moment
    return None


# -- calling hours by key ------------------------------------------------------------------------
# The queue stores, per lead, where the callee is and which state rules on hours apply, as a short
# key ("America/New_York|FL"). Leads sharing a key open and close together, so "who may be called
# now" is decided once per key instead of once per lead.


def hours_key(
    zones: tuple[str, ...], lead_state: str, number_states: tuple[str, ...], rules: RuleBook
) -> str:
    """The key of a callee's calling hours: their zones, and the states whose hour or weekday rules apply."""
    probe = DialFacts(
        number="",
        valid=True,
        time_zones=zones,
        at=datetime.now().astimezone(),
        lead_state=lead_state,
        number_states=number_states,
    )
    states = [s.code for s in applicable_states(probe, rules) if s.window is not None or s.no_call_weekdays]
    return " ".join(callee_zones(probe, rules)) + "|" + ",".join(sorted(states))


def _key_parts(key: str, rules: RuleBook) -> tuple[tuple[str, ...], tuple[StateRule, ...]]:
    zone_text, _, state_text = key.partition("|")
    states = tuple(rule for code in state_text.split(",") if code and (rule := rules.state(code)) is not None)
    return tuple(zone_text.split()), states


def hours_reasons(key: str, at: datetime, rules: RuleBook) -> tuple[Reason, ...]:
    """Why the hours of `key` forbid a call at `at` (empty when they allow it)."""
    zones, states = _key_parts(key, rules)
    reasons: list[Reason] = []
    _hours_reasons(at, rules, states, zones, reasons, [])
    return tuple(reasons)


def hours_open_at(key: str, at: datetime, rules: RuleBook, horizon_days: int = 8) -> datetime | None:
    """The first moment from `at` on when the hours of `key` allow a call."""
    if not hours_reasons(key, at, rules):
        return at
    zones, states = _key_parts(key, rules)
    starts = [rules.window.start] + [s.window.start for s in states if s.window is not None]
    candidates: set[datetime] = set()
    for zone_name in zones:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        local_now = at.astimezone(zone)
        for offset in range(horizon_days + 1):
            for start in starts:
                moment = datetime.combine(local_now.date() + timedelta(days=offset), start, tzinfo=zone)
                if moment > at:
                    candidates.add(moment)
    return next((moment for moment in sorted(candidates) if not hours_reasons(key, moment, rules)), None)
