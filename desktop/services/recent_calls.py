"""The calls of the last 24 hours a whole-list scrub counts, per number and per person, in memory.

One dial asks the database (`GateReads.allowed_calls_since`); a scrub of 100,000 leads cannot, so it
loads the day's allowed calls once and answers the same question: calls to the number, whoever the
lead, and calls to the lead's person, for that lead or to any number of theirs.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from desktop.storage.models import Phone


class RecentCalls:
    """Allowed calls (id, number, lead id) of the last 24 hours, counted per number and per person."""

    def __init__(self, calls: Iterable[tuple[int, str, int | None]]) -> None:
        self._by_number: dict[str, set[int]] = {}
        self._by_lead: dict[int, set[int]] = {}
        for call_id, number, lead_id in calls:
            self._by_number.setdefault(number, set()).add(call_id)
            if lead_id is not None:
                self._by_lead.setdefault(lead_id, set()).add(call_id)
        # Per lead, its numbers that were called (a bare-number dial to a lead's other number counts).
        self._numbers_of: dict[int, set[str]] = {}

    def owners(self, connection: Connection) -> None:
        """Load which leads own the numbers called (a few rows: only numbers called today)."""
        numbers = list(self._by_number)
        for start in range(0, len(numbers), 500):
            query = select(Phone.lead_id, Phone.e164).where(Phone.e164.in_(numbers[start : start + 500]))
            for lead_id, e164 in connection.execute(query):
                self._numbers_of.setdefault(int(lead_id), set()).add(str(e164))

    def count(self, number: str, lead_id: int | None) -> int:
        calls = set(self._by_number.get(number, ()))
        if lead_id is not None:
            calls |= self._by_lead.get(lead_id, set())
            for other in self._numbers_of.get(lead_id, ()):
                calls |= self._by_number.get(other, set())
        return len(calls)
