"""Loading the rules shipped as data in resources/ (outcomes, calling hours)."""

from __future__ import annotations

from functools import lru_cache

from desktop.domain.compliance import CallingWindow, parse_calling_window
from desktop.domain.outcomes import OutcomeRules, parse_outcome_rules
from desktop.paths import resource


@lru_cache(maxsize=1)
def shipped_outcome_rules() -> OutcomeRules:
    path = resource("rules", "outcomes.toml")
    return parse_outcome_rules(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def shipped_calling_window() -> CallingWindow:
    path = resource("rules", "calling_hours.toml")
    return parse_calling_window(path.read_text(encoding="utf-8"), str(path))
