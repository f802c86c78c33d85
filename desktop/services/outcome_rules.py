"""Outcome rules the user can change (Tools → Outcome rules…), over the shipped defaults in resources/.

Stored as overrides in the settings table under "outcome_rules": {code: {field: value}}. What the
law needs stays fixed: "do_not_call" always ends the sequence and adds the number to the internal
list, and keys stay unique.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from desktop.domain.outcomes import OutcomeRule, OutcomeRules
from desktop.services.rules import shipped_outcome_rules
from desktop.storage import rollups

if TYPE_CHECKING:  # the quick `dialdesk check` combines the rules without the ORM
    from desktop.storage.uow import UnitOfWorkFactory

SETTING_KEY = "outcome_rules"
EDITABLE = ("counts_as_attempt", "counts_as_contact", "retry_hours", "terminal")
LOCKED = {"do_not_call": {"terminal": True, "adds_to_dnc": True}}
MAX_RETRY_HOURS = 24 * 60


class OutcomeRulesError(Exception):
    """Rules that cannot be saved; the message is for the user."""


def _apply(rule: OutcomeRule, changes: dict[str, Any]) -> OutcomeRule:
    updates: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise OutcomeRulesError(f"{rule.code}: {field} cannot be changed")
        if field == "retry_hours":
            hours = float(value)
            if not 0.25 <= hours <= MAX_RETRY_HOURS:
                raise OutcomeRulesError(
                    f"{rule.label}: the retry delay must be between 15 minutes and 60 days"
                )
            updates["retry_after"] = timedelta(hours=hours)
        else:
            updates[field] = bool(value)
    for field, value in LOCKED.get(rule.code, {}).items():
        if field in updates and updates[field] != value:
            raise OutcomeRulesError(
                f"{rule.label}: must stay {field.replace('_', ' ')} (the law requires it)"
            )
    return replace(rule, **updates)


class OutcomeRulesService:
    """Loads the rules in force and saves the user's changes."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def overrides(self) -> dict[str, dict[str, Any]]:
        with self._uow_factory() as uow:
            stored = uow.settings.get(SETTING_KEY)
        return dict(stored) if isinstance(stored, dict) else {}

    def load(self) -> OutcomeRules:
        return self.combine(self.overrides())

    @staticmethod
    def combine(overrides: dict[str, dict[str, Any]]) -> OutcomeRules:
        shipped = shipped_outcome_rules()
        rules = []
        for rule in shipped:
            changes = overrides.get(rule.code, {})
            rules.append(_apply(rule, changes) if changes else rule)
        return OutcomeRules(rules)

    def save(self, overrides: dict[str, dict[str, Any]]) -> OutcomeRules:
        """Validate and store; returns the rules now in force."""
        cleaned = {code: dict(changes) for code, changes in overrides.items() if changes}
        try:
            rules = self.combine(cleaned)
        except ValueError as error:
            raise OutcomeRulesError(str(error)) from None
        with self._uow_factory() as uow:
            uow.settings.set(SETTING_KEY, cleaned)
            # The report summaries count contacts and attempts by these rules: rebuilt with them.
            rollups.ensure_current(uow.session.connection(), rollups.rule_flags(rules))
            uow.commit()
        return rules

    def reset(self) -> OutcomeRules:
        return self.save({})
