"""The rule book's memo never changes a decision: every cached answer is keyed by all it reads.

`RuleBook.memo` keeps the jurisdictions, callee zones, location notes and hours plans of facts seen
before; the shipped rule book is one per process, so a key that leaves out an input lets one lead's
answer decide another's (a TX lead with an El Paso number made a TX lead with a New Mexico number
look Mountain-time only, and allowed it at 20:30 Denver / 21:30 Chicago). Each case here is decided
once with an empty memo, then all of them again, in shuffled orders, through one shared memo.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime

from desktop.domain.compliance import DialFacts, decide
from desktop.domain.phones import exchange_zones, number_states, parse_phone
from desktop.services.gate import gate_zones
from desktop.services.rules import shipped_rulebook, use_shipped_area_code_table

NUMBERS = (
    "915-555-0123",  # El Paso: Texas, Mountain time only
    "505-555-0123",  # New Mexico: Mountain time
    "423-555-0123",  # Tennessee: Eastern and Central
    "606-555-0123",  # Kentucky: Eastern and Central
    "208-555-0123",  # Idaho: Mountain and Pacific
    "850-555-0123",  # Florida panhandle: Central and Eastern
    "212-555-0123",
    "305-555-0123",
    "907-279-0123",
    "808-555-0123",
    "416-555-0123",
    "787-555-0123",
    "800-555-0123",
)
LEAD_STATES = ("", "TX", "NM", "KY", "TN", "FL", "NY", "CA", "ID", "ON")
POSTAL = (("", ""), ("TX", "America/Chicago"), ("FL", "America/New_York"), ("ON", ""), ("NM", ""))
MOMENTS = (
    datetime(2026, 12, 9, 3, 30, tzinfo=UTC),  # 21:30 Chicago, 20:30 Denver
    datetime(2026, 12, 9, 13, 30, tzinfo=UTC),  # 08:30 New York, 07:30 Chicago
    datetime(2026, 12, 9, 1, 30, tzinfo=UTC),  # 20:30 New York
    datetime(2026, 12, 13, 17, 30, tzinfo=UTC),  # a Sunday, midday
)


def _cases() -> list[DialFacts]:
    use_shipped_area_code_table()
    cases = []
    for raw in NUMBERS:
        parsed = parse_phone(raw)
        assert parsed.e164 is not None
        e164 = parsed.e164
        for state in LEAD_STATES:
            for postal_state, postal_zone in POSTAL:
                for moment, kind in itertools.product(MOMENTS, ("business", "residential")):
                    cases.append(
                        DialFacts(
                            number=e164,
                            valid=True,
                            time_zones=gate_zones(e164, parsed.time_zones),
                            at=moment,
                            lead_kind=kind,
                            lead_state=state,
                            postal_state=postal_state,
                            postal_zone=postal_zone,
                            number_region=parsed.region,
                            number_states=number_states(e164),
                            exchange_zones=exchange_zones(e164),
                        )
                    )
    return cases


def test_a_shared_memo_decides_every_case_as_an_empty_one_does() -> None:
    rules = replace(shipped_rulebook())  # a copy: its own, empty memo
    cases = _cases()
    alone = []
    for facts in cases:
        rules.memo.clear()
        alone.append(decide(facts, rules))
    assert any(d.allowed for d in alone) and any(not d.allowed for d in alone)
    for seed in (1, 2, 3):
        order = list(range(len(cases)))
        random.Random(seed).shuffle(order)
        rules.memo.clear()
        for index in order:
            assert decide(cases[index], rules) == alone[index], cases[index]


def test_the_texas_leads_of_el_paso_and_new_mexico_numbers_keep_their_own_zones() -> None:
    """The case that was wrong: decided after an El Paso number, a New Mexico one was Mountain only."""
    rules = replace(shipped_rulebook())
    at = datetime(2026, 12, 9, 3, 30, tzinfo=UTC)  # 21:30 in Chicago: too late there
    facts = {
        f.number: f
        for f in _cases()
        if f.at == at and f.lead_state == "TX" and not f.postal_state and f.lead_kind == "business"
    }
    el_paso, new_mexico = facts["+19155550123"], facts["+15055550123"]
    decide(el_paso, rules)
    decision = decide(new_mexico, rules)
    assert not decision.allowed
    assert "America/Chicago" in decision.time_zones
