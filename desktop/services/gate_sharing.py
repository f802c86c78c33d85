"""What lets a scrub share one decision among many numbers: the part of a number a decision reads,
and a shared decision renamed for each number."""

from __future__ import annotations

from desktop.domain.compliance import Decision
from desktop.domain.phones import exchange_zones

if Decision._fields[0] != "number":  # renumbered() puts the number first
    raise AssertionError("Decision's first field must be its number")


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
    # Every field but the number as it is (a field added to Decision is carried over), in one C call:
    # decision._replace() takes four times as long, and a scrub renames a decision for every lead.
    return tuple.__new__(Decision, (number, *decision[1:]))
