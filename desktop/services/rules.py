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


@lru_cache(maxsize=1)
def shipped_rulebook() -> RuleBook:
    path = resource("rules", "us_compliance.toml")
    return parse_rulebook(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def use_shipped_area_code_table() -> bool:
    """Answer area-code states from resources/phone/ when it matches the installed phonenumbers."""
    return use_area_code_table(resource("phone", "area_code_states.json"))
