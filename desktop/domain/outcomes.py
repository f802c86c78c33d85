"""Call outcomes: the stable codes and the rules each one carries (loaded from data, not hard-coded)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

# The ten outcome codes of the product, in keyboard order (1..9, 0). Exports and the CLI use these.
OUTCOME_CODES: tuple[str, ...] = (
    "no_answer",
    "busy",
    "voicemail",
    "gatekeeper",
    "not_interested",
    "callback",
    "meeting",
    "wrong_number",
    "do_not_call",
    "hostile",
)


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """What choosing one outcome means for the lead: counters, next try, end of sequence, DNC."""

    code: str
    label: str
    key: str
    counts_as_attempt: bool = True
    counts_as_contact: bool = False
    retry_after: timedelta | None = None
    terminal: bool = False
    adds_to_dnc: bool = False
    needs_time: bool = False


class OutcomeRules:
    """The set of outcome rules in force, looked up by code or by key."""

    def __init__(self, rules: Sequence[OutcomeRule]) -> None:
        self._by_code = {rule.code: rule for rule in rules}
        missing = [code for code in OUTCOME_CODES if code not in self._by_code]
        if missing:
            raise ValueError(f"outcome rules lack: {', '.join(missing)}")
        self._ordered = tuple(self._by_code[code] for code in OUTCOME_CODES)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._ordered)

    def __len__(self) -> int:
        return len(self._ordered)

    def get(self, code: str) -> OutcomeRule:
        try:
            return self._by_code[code]
        except KeyError:
            raise ValueError(f"unknown outcome {code!r}; known: {', '.join(OUTCOME_CODES)}") from None

    def by_key(self, key: str) -> OutcomeRule | None:
        return next((rule for rule in self._ordered if rule.key == key), None)


def parse_outcome_rules(text: str, source: str = "outcomes.toml") -> OutcomeRules:
    """Read outcome rules from TOML text; errors name the source and the outcome at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{source}: {error}") from None
    rows = data.get("outcome")
    if not isinstance(rows, list):
        raise ValueError(f"{source}: expected [[outcome]] tables")
    rules = [_rule_from_mapping(row, source) for row in rows]
    return OutcomeRules(rules)


def _rule_from_mapping(row: Mapping[str, Any], source: str) -> OutcomeRule:
    code = row.get("code")
    if code not in OUTCOME_CODES:
        raise ValueError(f"{source}: outcome code {code!r} is not one of {', '.join(OUTCOME_CODES)}")
    retry_hours = row.get("retry_hours")
    return OutcomeRule(
        code=str(code),
        label=str(row.get("label", code)),
        key=str(row.get("key", "")),
        counts_as_attempt=bool(row.get("counts_as_attempt", True)),
        counts_as_contact=bool(row.get("counts_as_contact", False)),
        retry_after=timedelta(hours=float(retry_hours)) if retry_hours is not None else None,
        terminal=bool(row.get("terminal", False)),
        adds_to_dnc=bool(row.get("adds_to_dnc", False)),
        needs_time=bool(row.get("needs_time", False)),
    )
