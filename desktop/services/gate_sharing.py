"""What lets a scrub share one decision among many numbers: the part of a number a decision reads,
and a shared decision renamed for each number."""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter

from desktop.domain.compliance import Decision
from desktop.domain.phones import exchange_zones

_FIELDS = tuple(decision_field.name for decision_field in fields(Decision))
if _FIELDS[0] != "number":  # renumbered() passes the number first
    raise AssertionError("Decision's first field must be its number")
# Every field of a decision but its number, read in one call: a field added to Decision is carried over.
_ALL_BUT_NUMBER = attrgetter(*_FIELDS[1:])


def number_key(number: str) -> object:
    """What a decision reads of a valid number: for a North American number its area code (zones,
    states, registry copies) and its exchange's zones (the display zone); all of it for others."""
    if len(number) == 12 and number.startswith("+1") and number[2:].isdigit():
        return number[:5], exchange_zones(number)
    return number


def renumbered(decision: Decision, number: str) -> Decision:
    """A shared decision, naming this number."""
    if decision.number == number:
        return decision
    # Not dataclasses.replace(): it reads the fields one by one and is most of a scrub's time per lead.
    return Decision(number, *_ALL_BUT_NUMBER(decision))
