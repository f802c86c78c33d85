"""Where the callee may be and whose rules govern the call, from the lead's record and the number.

The lead's recorded state narrows the number's zones but never widens them; when the two disagree
the callee may be in either place, so the zones and rules of both apply. Answers depend on the rule
book and a few facts only, so they are kept in the rule book's memo.
"""

from __future__ import annotations

from typing import Protocol

from desktop.domain.compliance_codes import LOCATION_CONFLICT, Reason
from desktop.domain.compliance_rules import RuleBook, StateRule


class DialFacts(Protocol):
    """What locating reads of the gate's facts (compliance.DialFacts; a protocol here, because
    compliance.py imports this module and the two must not import each other)."""

    @property
    def lead_state(self) -> str: ...

    @property
    def number_region(self) -> str | None: ...

    @property
    def number_states(self) -> tuple[str, ...]: ...

    @property
    def time_zones(self) -> tuple[str, ...]: ...

    @property
    def postal_state(self) -> str: ...

    @property
    def postal_zone(self) -> str: ...


def number_jurisdictions(number_states: tuple[str, ...], rules: RuleBook) -> tuple[StateRule, ...]:
    """The jurisdictions a number's area code belongs to ("Nova Scotia/Prince Edward Island" is two)."""
    found: dict[str, StateRule] = {}
    for text in number_states:
        for rule in rules.states_named(text):
            found.setdefault(rule.code, rule)
    return tuple(found.values())


def applicable_states(facts: DialFacts, rules: RuleBook) -> tuple[StateRule, ...]:
    """The jurisdictions whose rules govern the call: the lead's recorded state and every
    jurisdiction of the number's area code (the callee may live in either, so both must allow),
    and the country row (Canada) of any of them or of the number."""
    key = ("applicable", facts.lead_state, facts.postal_state, facts.number_states, facts.number_region)
    cached = rules.memo.get(key)
    if cached is None:
        cached = rules.memo[key] = _applicable_states(facts, rules)
    return cached  # type: ignore[return-value]


def _applicable_states(facts: DialFacts, rules: RuleBook) -> tuple[StateRule, ...]:
    found: dict[str, StateRule] = {}
    # The recorded state and the ZIP's: the callee may live in either, so both rule books apply.
    for recorded in (facts.lead_state, facts.postal_state):
        rule = rules.state(recorded)
        if rule is not None:
            found.setdefault(rule.code, rule)
    for rule in number_jurisdictions(facts.number_states, rules):
        found.setdefault(rule.code, rule)
    territory = rules.state(f"region:{facts.number_region}") if facts.number_region else None
    if territory is not None:  # a territory's numbers are their own phonenumbers region (AS: 684)
        found.setdefault(territory.code, territory)
    countries = {facts.number_region or ""} | {rule.country for rule in found.values()}
    for code in sorted(countries):
        country = rules.country(code)
        if country is not None:
            found.setdefault("@" + country.code, country)
    return tuple(found.values())


def callee_zones(facts: DialFacts, rules: RuleBook) -> tuple[str, ...]:
    """Where the callee may be: the number's zones narrowed by the lead's state.

    The recorded state narrows but never widens: when it shares no zone with the number, the callee
    may be in either place, so every zone of both is checked.
    """
    # Every fact _callee_zones reads: the number's states decide whether a record narrows or widens.
    key = (
        "zones",
        facts.lead_state,
        facts.postal_state,
        facts.postal_zone,
        facts.time_zones,
        facts.number_states,
    )
    cached = rules.memo.get(key)
    if cached is None:
        cached = rules.memo[key] = _callee_zones(facts, rules)
    return cached  # type: ignore[return-value]


def _callee_zones(facts: DialFacts, rules: RuleBook) -> tuple[str, ...]:
    """Each record of where the callee lives (the recorded state; the ZIP's zone, or else its
    state's) narrows the number's zones when it agrees with the number's state. When a record
    names another state than the number's, or shares no zone with it, the callee may be in any of
    those places: every zone of the number and of every record is checked (never widened)."""
    claims: list[tuple[StateRule, tuple[str, ...]]] = []
    state = rules.state(facts.lead_state)
    if state is not None and state.zones:
        claims.append((state, state.zones))
    postal = rules.state(facts.postal_state)
    if postal is not None and (facts.postal_zone or postal.zones):
        claims.append((postal, (facts.postal_zone,) if facts.postal_zone else postal.zones))
    if not claims:
        return facts.time_zones
    number_rules = number_jurisdictions(facts.number_states, rules)
    everything = tuple(dict.fromkeys(facts.time_zones + tuple(zone for _, zones in claims for zone in zones)))
    narrowed = facts.time_zones
    for rule, zones in claims:
        if number_rules and rule not in number_rules:
            return everything
        narrowed = tuple(zone for zone in narrowed if zone in zones) if narrowed else zones
        if not narrowed:
            return everything
    return narrowed


def location_note(facts: DialFacts, rules: RuleBook) -> Reason | None:
    key = ("location-note", facts.lead_state, facts.postal_state, facts.number_states)
    if key not in rules.memo:
        rules.memo[key] = _location_conflict(facts, rules)
    return rules.memo[key]  # type: ignore[return-value]


def _location_conflict(facts: DialFacts, rules: RuleBook) -> Reason | None:
    state = rules.state(facts.lead_state)
    postal = rules.state(facts.postal_state)
    number_rules = number_jurisdictions(facts.number_states, rules)
    if postal is not None and state is not None and postal is not state:
        return Reason(
            LOCATION_CONFLICT,
            f"the lead is recorded in {state.name} but its ZIP/postal code is in {postal.name}: "
            "the rules and hours of both apply",
        )
    recorded = state or postal
    if recorded is None or not number_rules or recorded in number_rules:
        return None
    where = ", ".join(rule.name for rule in number_rules)
    what = "recorded in" if state is not None else "by its ZIP/postal code in"
    return Reason(
        LOCATION_CONFLICT,
        f"the lead is {what} {recorded.name} but the number's area code is {where}: "
        "the rules and hours of both apply",
    )
