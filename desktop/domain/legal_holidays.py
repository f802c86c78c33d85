"""Legal holidays per jurisdiction and year, from the maintained `holidays` package.

A calendar is "US-LA" (a state or territory of the United States) or "CA-ON" (a Canadian province).
Observed days count: when a holiday falls on a weekend, the weekday the state observes it on is a
holiday too, which is the stricter reading of "no calls on legal holidays".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _election_day(year: int) -> date:
    """The Tuesday after the first Monday of November."""
    first = date(year, 11, 1)
    first_monday = first + timedelta(days=(0 - first.weekday()) % 7)
    return first_monday + timedelta(days=1)


def _sunday_to_monday(day: date) -> date:
    return day + timedelta(days=1) if day.weekday() == 6 else day


# Legal holidays the `holidays` package leaves out, checked against the statutes named (a state that
# forbids calls on legal holidays forbids them on these too). Kept short: the package stays the source.
_SUPPLEMENT: dict[str, tuple[tuple[str, Callable[[int], date]], ...]] = {
    # Ala. Code 1-3-8: Mardi Gras is a legal holiday in Baldwin and Mobile counties. A number cannot be
    # placed in a county (251 also serves other counties, and a lead may live there with another area
    # code), so it is kept for the whole state: the stricter reading.
    "US-AL": (
        ("Mardi Gras (Baldwin and Mobile counties)", lambda year: easter_sunday(year) - timedelta(days=47)),
    ),
    # La. R.S. 1:55(A)(1): state-wide legal holidays the package lacks. (Its parish Saturdays are left
    # out: the LPSC's telemarketing holiday list has none of them; see docs/compliance.md.)
    "US-LA": (
        ("Battle of New Orleans", lambda year: date(year, 1, 8)),
        ("Huey P. Long Day", lambda year: date(year, 8, 30)),
        ("All Saints' Day", lambda year: date(year, 11, 1)),
    ),
    # 44 P.S. 11 (Pennsylvania's legal holidays): Good Friday, Flag Day (June 14; a Sunday one is kept
    # the Monday after, as the statute does for every Sunday holiday) and Election Day, besides the
    # package's days. Its Saturday-afternoon half holiday is in the hours (us_states.toml).
    "US-PA": (
        ("Good Friday", lambda year: easter_sunday(year) - timedelta(days=2)),
        ("Flag Day", lambda year: date(year, 6, 14)),
        ("Flag Day (observed)", lambda year: _sunday_to_monday(date(year, 6, 14))),
        ("Election Day", _election_day),
    ),
}


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
    days = {day: str(name) for day, name in found.items()}
    for name, when in _SUPPLEMENT.get(calendar, ()):
        days.setdefault(when(year), name)
    return days


def holiday_name(calendar: str, day: date) -> str | None:
    """The name of the legal holiday on `day` in `calendar`, or None."""
    if not calendar:
        return None
    return _calendar(calendar, day.year).get(day)
