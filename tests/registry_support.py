"""Registry coverage for the in-memory registry stand-ins of unit tests: every area code, one date."""

from __future__ import annotations

from datetime import date

from desktop.domain.registry_coverage import AreaCopy


def every_area_code(as_of: date | str, snapshot_id: int = 1) -> dict[int, AreaCopy]:
    """A copy of every North American area code (200-999) as of one day."""
    day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    return {code: AreaCopy(code, day, 0, snapshot_id) for code in range(200, 1000)}
