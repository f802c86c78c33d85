"""Legal holidays per jurisdiction and year, from the maintained `holidays` package.

A calendar is "US-LA" (a state or territory of the United States) or "CA-ON" (a Canadian province).
Observed days count: when a holiday falls on a weekend, the weekday the state observes it on is a
holiday too, which is the stricter reading of "no calls on legal holidays".
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache


@lru_cache(maxsize=512)
def _calendar(calendar: str, year: int) -> dict[date, str]:
    # Imported here: the package loads country modules lazily, and most decisions never need it.
    import holidays

    country, _, subdivision = calendar.partition("-")
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        # No such country or subdivision in the package: fall back to the country's holidays,
        # which every state observes, rather than to none.
        found = holidays.country_holidays(country, years=year)
    return {day: str(name) for day, name in found.items()}


def holiday_name(calendar: str, day: date) -> str | None:
    """The name of the legal holiday on `day` in `calendar`, or None."""
    if not calendar:
        return None
    return _calendar(calendar, day.year).get(day)
