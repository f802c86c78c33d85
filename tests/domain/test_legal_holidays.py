"""The legal holidays the `holidays` package lacks: Easter-based days computed right, every year."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from desktop.domain.legal_holidays import easter_sunday, holiday_name


@pytest.mark.parametrize("year", range(1990, 2061))
def test_easter_agrees_with_the_holidays_package(year: int) -> None:
    calendar = holidays.country_holidays("US", years=year, categories=("unofficial",))
    assert calendar.get(easter_sunday(year)) == "Easter Sunday"


@pytest.mark.parametrize("year", [2026, 2027, 2030])
def test_the_supplement_adds_the_statutory_days(year: int) -> None:
    easter = easter_sunday(year)
    assert holiday_name("US-AL", easter - timedelta(days=47))  # Mardi Gras
    assert holiday_name("US-PA", easter - timedelta(days=2))  # Good Friday
    assert holiday_name("US-PA", date(year, 6, 14))  # Flag Day
    assert holiday_name("US-NY", easter - timedelta(days=2)) is None  # other states untouched
