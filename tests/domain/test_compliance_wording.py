"""What the gate says: each list named once by its own name, Canada's DNCL by its name."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desktop.domain.compliance import DialFacts, decide
from desktop.services.rules import shipped_rulebook

RULES = shipped_rulebook()
# A Tuesday, 14:00 in New York, 13:00 in Texas and 11:00 in Vancouver.
AT = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
OLD = date(2026, 6, 1)


def _facts(**overrides: object) -> DialFacts:
    values: dict[str, object] = {
        "number": "+15125550100",
        "valid": True,
        "time_zones": ("America/Chicago",),
        "at": AT,
        "number_region": "US",
        "number_states": ("TX",),
        "registry_as_of": {"national": OLD, "state:TX": OLD},
        "registries_loaded": frozenset({"national", "state:TX"}),
    }
    values.update(overrides)
    return DialFacts(**values)  # type: ignore[arg-type]


def test_a_business_note_names_each_stale_list_once() -> None:
    decision = decide(_facts(lead_kind="business"), RULES)
    assert decision.allowed
    [note] = decision.notes
    phrases = note.detail.split("; ")
    assert len(phrases) == len(set(phrases)) == 2, note.detail
    assert "National Do Not Call Registry" in phrases[0] and "Texas do-not-call list" in phrases[1]
    # Both the same list listed and stale never read as two identical phrases either.
    listed = decide(_facts(lead_kind="business", registry_sources=frozenset({"national"})), RULES)
    assert listed.notes[0].detail.count("National Do Not Call Registry") == 1


def test_canada_is_called_by_its_name() -> None:
    facts = _facts(
        number="+16045550100",
        time_zones=("America/Vancouver",),
        number_region="CA",
        number_states=("BC",),
        registry_as_of={},
        registries_loaded=frozenset({"national"}),
    )
    decision = decide(facts, RULES)
    assert decision.codes == ("registry_missing",)
    assert "Canada's National DNCL" in decision.summary()
    assert "canada registry" not in decision.summary().lower()
    old = decide(
        _facts(
            number="+16045550100",
            time_zones=("America/Vancouver",),
            number_region="CA",
            number_states=("BC",),
            registry_as_of={"canada": OLD},
            registries_loaded=frozenset({"canada"}),
        ),
        RULES,
    )
    assert old.codes == ("registry_stale",) and "Canada's National DNCL" in old.summary()
