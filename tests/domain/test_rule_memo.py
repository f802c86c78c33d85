"""The rule book's memo never changes a decision: every cached answer is keyed by all it reads.

`RuleBook.memo` keeps the jurisdictions, callee zones, location notes, hours plans and places
(`compliance_place.Place`: all of those, the lists and the call rules of a callee's place) of facts
seen before; the shipped rule book is one per process, so a key that leaves out an input lets one
lead's answer decide another's (a TX lead with an El Paso number made a TX lead with a New Mexico
number look Mountain-time only, and allowed it at 20:30 Denver / 21:30 Chicago). Each case here is
decided once with an empty memo, then all of them again, in shuffled orders, through one shared memo.
Besides the grid of numbers, states, ZIPs and moments, each fact a place is built from is varied
alone (the region, a stored zone, the area code's states, the ZIP's zone), and so are the per-call
facts (lists, copies, consent, counts, automated and recorded dials, emergencies), so a memo that
kept any of them would give some case another's answer.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from desktop.domain.compliance import ConsentFacts, DialFacts, Emergency, decide, next_callable_at
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


def _one_fact_apart(cases: list[DialFacts]) -> list[DialFacts]:
    """Cases that differ from a grid case in one fact only: each input of a place, alone, and the
    facts of the call itself (which no memo may keep)."""
    at_noon = datetime(2026, 12, 9, 17, 30, tzinfo=UTC)  # 12:30 New York, a Wednesday
    today = at_noon.date()
    fresh = {"national": today - timedelta(days=2), "canada": today, "state:TX": today, "state:FL": today}
    variants: list[DialFacts] = []
    for facts in cases[:: len(MOMENTS) * 2 * 3]:  # one moment and kind, every third ZIP
        base = facts._replace(at=at_noon, registry_as_of=fresh, registries_loaded=frozenset(fresh))
        variants += [
            base,
            # The inputs of a place, each alone.
            base._replace(number_region=None),
            base._replace(number_region="CA"),
            base._replace(number_region="PR"),
            base._replace(time_zones=(*base.time_zones, "America/Denver")),
            base._replace(time_zones=("America/Los_Angeles",)),
            base._replace(number_states=()),
            base._replace(number_states=("Texas",)),
            base._replace(postal_zone="America/Denver"),
            base._replace(lead_state="LA"),
            # The facts of the call.
            base._replace(registry_sources=frozenset({"national"})),
            base._replace(registry_sources=frozenset({"state:TX"})),
            base._replace(registry_sources=frozenset({"state:CO"})),
            base._replace(registry_as_of={}),
            base._replace(registry_as_of={**fresh, "national": today - timedelta(days=40)}),
            base._replace(registry_as_of={**fresh, "state:TX": today - timedelta(days=200)}),
            base._replace(registry_as_of={**fresh, "state:FL": None}),
            base._replace(consent=ConsentFacts(written_on=today), registry_sources=frozenset({"national"})),
            base._replace(consent=ConsentFacts(inquiry_on=date(2026, 1, 2))),
            base._replace(calls_last_24h=3),
            base._replace(automated=True),
            base._replace(prerecorded=True),
            base._replace(prerecorded=True, business_landline=True),
            base._replace(emergencies=(Emergency("LA", today, today, "Orleans"),)),
            base._replace(on_internal_dnc=True, internal_dnc_detail="asked"),
            base._replace(valid=False, invalid_detail="too short"),
            base._replace(at=datetime(2026, 12, 25, 17, 30, tzinfo=UTC)),  # Christmas
            base._replace(at=at_noon + timedelta(hours=10)),
        ]
    return variants


def test_a_shared_memo_decides_every_case_as_an_empty_one_does() -> None:
    rules = replace(shipped_rulebook())  # a copy: its own, empty memo
    grid = _cases()
    cases = grid + _one_fact_apart(grid)
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
            decision = decide(cases[index], rules)
            assert decision == alone[index], cases[index]
            # Equal decisions show the same local times (written out from the moment when asked).
            assert decision.local_times == alone[index].local_times


def test_when_a_call_becomes_allowed_does_not_depend_on_what_the_memo_saw() -> None:
    rules = replace(shipped_rulebook())
    grid = _cases()
    cases = _one_fact_apart(grid) + grid[::7]
    alone = []
    for facts in cases:
        rules.memo.clear()
        alone.append(next_callable_at(facts, rules))
    assert any(moment is not None for moment in alone)
    order = list(range(len(cases)))
    random.Random(4).shuffle(order)
    rules.memo.clear()
    for index in order:
        assert next_callable_at(cases[index], rules) == alone[index], cases[index]


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
