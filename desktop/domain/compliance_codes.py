"""The reason record of gate decisions and the codes shared by the hours rules and the whole gate."""

from __future__ import annotations

from dataclasses import dataclass

CALLING_HOURS = "calling_hours"
STATE_RULE = "state_rule"
# A note: the lead's recorded state and the number's area code disagree, so both places must allow.
LOCATION_CONFLICT = "location_conflict"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a decision: a stable code and a plain-English detail."""

    code: str
    detail: str
