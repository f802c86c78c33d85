"""Loading the rules shipped as data in resources/ (outcomes, the compliance rule book, area codes)."""

from __future__ import annotations

from functools import lru_cache

from desktop.domain.compliance_rules import RuleBook, parse_rulebook
from desktop.domain.outcomes import OutcomeRules, parse_outcome_rules
from desktop.domain.phones import use_area_code_table
from desktop.paths import resource


@lru_cache(maxsize=1)
def shipped_outcome_rules() -> OutcomeRules:
    path = resource("rules", "outcomes.toml")
    return parse_outcome_rules(path.read_text(encoding="utf-8"), str(path))


# The jurisdiction rows beside the federal rules: every state and DC, the territories, Canada.
JURISDICTION_FILES = ("us_states.toml", "us_territories.toml", "canada.toml")


@lru_cache(maxsize=1)
def shipped_rulebook() -> RuleBook:
    path = resource("rules", "us_compliance.toml")
    rows = [resource("rules", name) for name in JURISDICTION_FILES]
    return parse_rulebook(
        path.read_text(encoding="utf-8"),
        str(path),
        [(row.read_text(encoding="utf-8"), str(row)) for row in rows],
    )


@lru_cache(maxsize=1)
def use_shipped_area_code_table() -> bool:
    """Answer area-code states from resources/phone/ when it matches the installed phonenumbers."""
    return use_area_code_table(resource("phone", "area_code_states.json"))
