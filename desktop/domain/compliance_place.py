"""Where a call goes, worked out once: the jurisdictions, zones, hours and lists that govern a callee.

All of it follows from the rule book and six facts of a dial: the lead's recorded state, its ZIP's
state and zone, and the number's zones, states and region. One `Place` is kept per combination of
those six in the rule book's memo, so the decisions of a scrub or a calling session in one place
share the work and only the per-call facts (the clock, the lists, consent, counts) are decided anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from desktop.domain.compliance_codes import STATE_RULE, Reason
from desktop.domain.compliance_hours import HoursPlan, federal_applies, hours_plan, zone_info
from desktop.domain.compliance_locate import DialFacts, applicable_states, callee_zones, location_note
from desktop.domain.compliance_rules import RuleBook, StateRule
from desktop.domain.registry_coverage import registry_title


@dataclass(frozen=True, slots=True)
class StateList:
    """A state's own do-not-call list that covers the callee: its row, its name, its freshness rule."""

    rule: StateRule
    name: str
    max_age_days: int


@dataclass(frozen=True, slots=True)
class Place:
    """What the gate decides by for every call to one place, other than the facts of the call."""

    states: tuple[StateRule, ...]
    zones: tuple[str, ...]
    # The zones with their ZoneInfo (None: unknown to this machine's time-zone data).
    zone_infos: tuple[tuple[str, ZoneInfo | None], ...]
    federal: bool
    plan: HoursPlan
    note: Reason | None
    # As a decision names them: "FL", "@CA" for a country row.
    state_codes: tuple[str, ...]
    # The national registry of the number's region ("national", "canada"), None when it has none.
    registry: str | None
    registry_name: str
    state_lists: tuple[StateList, ...]
    # The registry and the state lists above: a listing on any other state's list is checked apart.
    own_sources: frozenset[str]
    # The shortest EBR windows of the federal rule and every applicable jurisdiction's.
    purchase_months: int
    inquiry_months: int
    # The rows with a call cap or consent rules for automated dialling or recorded messages.
    call_rules: tuple[StateRule, ...]
    # The rows with their own hours for prerecorded messages (Nebraska's ADAD rule).
    recorded_hours_rules: tuple[StateRule, ...] = ()
    # The refusal for a lead whose recorded state names no jurisdiction (None when it names one or is
    # empty); decide() gives it to +1 numbers. It depends on the lead's state alone, a key fact.
    unknown_state: Reason | None = None


def place_of(facts: DialFacts, rules: RuleBook) -> Place:
    """The place of `facts`, from the memo when these six facts were seen before."""
    # Every fact _place() reads: a fact left out would let one call's place decide another's.
    key = (
        "place",
        facts.lead_state,
        facts.postal_state,
        facts.postal_zone,
        facts.time_zones,
        facts.number_states,
        facts.number_region,
    )
    place = rules.memo.get(key)
    if place is None:
        place = rules.memo[key] = _place(facts, rules)
    return place  # type: ignore[return-value]


def _place(facts: DialFacts, rules: RuleBook) -> Place:
    states = applicable_states(facts, rules)
    zones = callee_zones(facts, rules)
    federal = federal_applies(states, facts.number_region, rules)
    registry = rules.registries.get(facts.number_region or "")
    seen = {registry} if registry is not None else set()
    state_lists: list[StateList] = []
    for state in states:
        if state.list_source and state.list_source not in seen:
            seen.add(state.list_source)
            state_lists.append(
                StateList(state, f"{state.name} do-not-call list", rules.copy_max_age_days(state.list_source))
            )
    return Place(
        states=states,
        zones=zones,
        zone_infos=tuple((name, zone_info(name)) for name in zones),
        federal=federal,
        plan=hours_plan(rules, states, federal),
        note=location_note(facts, rules),
        state_codes=tuple(("@" if state.is_country else "") + state.code for state in states),
        registry=registry,
        registry_name=registry_title(registry) if registry is not None else "",
        state_lists=tuple(state_lists),
        own_sources=frozenset(seen),
        purchase_months=min(
            [rules.ebr_purchase_months]
            + [s.ebr_purchase_months for s in states if s.ebr_purchase_months is not None]
        ),
        inquiry_months=min(
            [rules.ebr_inquiry_months]
            + [s.ebr_inquiry_months for s in states if s.ebr_inquiry_months is not None]
        ),
        call_rules=tuple(
            state
            for state in states
            if state.max_calls_per_24h is not None
            or state.autodial_needs_written_consent
            or state.recorded_message_needs_written_consent
        ),
        recorded_hours_rules=tuple(state for state in states if state.has_recorded_hours),
        unknown_state=_unknown_state(facts.lead_state, rules),
    )


def _unknown_state(lead_state: str, rules: RuleBook) -> Reason | None:
    """The callee may live under stricter rules than the number's (8:00-20:00, no Sundays): an
    unreadable state is not a pass."""
    if not rules.unknown_state(lead_state):
        return None
    return Reason(
        STATE_RULE,
        f"the lead's state {lead_state.strip()!r} is not a state or province Dialdesk knows, so its "
        "rules cannot be checked: correct the lead's state",
    )
