"""The persistence cadence: when to try a lead next, so the 18th attempt comes as easily as the first.

Pure functions. The plan spreads `target` attempts over about six weeks, front-loaded (most buyers
who answer do so in the first weeks, but the average needs about 18 tries), at most `max_per_day`
attempts per local day, rotating morning / midday / afternoon in the lead's local time, and never
outside the calling hours (the caller passes the gate's hours test as `is_open`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SLOT_NAMES = ("morning", "midday", "afternoon")


@dataclass(frozen=True, slots=True)
class CadencePlan:
    """How persistent to be: the attempt target, the span, the daily cap and the rotating slots."""

    target: int = 18
    span_days: int = 42
    max_per_day: int = 2
    # Local times of the morning, midday and afternoon slots.
    slots: tuple[time, ...] = field(default=(time(9, 30), time(12, 30), time(16, 0)))
    # Front-loading: attempt k is planned at span * (k / (target-1)) ** curve days after the first.
    curve: float = 1.6
    # The shortest pause between two attempts on the same day.
    min_gap: timedelta = timedelta(hours=3)

    def planned_day_offset(self, attempt_index: int) -> int:
        """Days after the first attempt at which attempt number `attempt_index` (0-based) is planned."""
        if self.target <= 1:
            return 0
        share = min(attempt_index, self.target - 1) / (self.target - 1)
        return int(round(self.span_days * share**self.curve))


def slot_for(attempt_index: int, plan: CadencePlan) -> int:
    """Which slot (0 morning, 1 midday, 2 afternoon) an attempt prefers: they rotate."""
    return attempt_index % len(plan.slots)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def next_attempt_at(
    attempts: Sequence[datetime],
    now: datetime,
    zone_name: str,
    plan: CadencePlan,
    is_open: Callable[[datetime], bool],
    earliest: datetime | None = None,
    horizon_days: int = 60,
) -> datetime | None:
    """When to try next, given the times of the attempts made so far (None: the target is reached).

    `earliest` is the soonest the outcome allows (e.g. busy: in an hour); `is_open` says whether the
    calling hours allow a call at a moment. The answer is in a slot of the lead's local day, on or
    after the planned day, with at most `max_per_day` attempts that local day and at least
    `min_gap` after the last attempt.
    """
    made = len(attempts)
    if made >= plan.target:
        return None
    zone = ZoneInfo(zone_name)
    ordered = sorted(attempts)
    first = ordered[0] if ordered else now
    planned_day = _local_day(first, zone) + timedelta(days=plan.planned_day_offset(made))
    not_before = max(now, earliest or now)
    if ordered:
        not_before = max(not_before, ordered[-1] + plan.min_gap)
    per_day: dict[date, int] = {}
    for moment in ordered:
        day = _local_day(moment, zone)
        per_day[day] = per_day.get(day, 0) + 1
    start_day = max(planned_day, _local_day(not_before, zone))
    preferred = slot_for(made, plan)
    order = [plan.slots[(preferred + step) % len(plan.slots)] for step in range(len(plan.slots))]
    for offset in range(horizon_days):
        day = start_day + timedelta(days=offset)
        if per_day.get(day, 0) >= plan.max_per_day:
            continue
        candidates = [datetime.combine(day, slot, tzinfo=zone) for slot in order]
        # The preferred slot first; the others on the same day before moving to the next day.
        for candidate in candidates:
            if candidate < not_before:
                continue
            if is_open(candidate):
                return candidate
    return None


def slot_name(moment: datetime, zone_name: str, plan: CadencePlan) -> str:
    """The slot a local time belongs to, for display ("morning")."""
    local = moment.astimezone(ZoneInfo(zone_name)).time()
    index = min(
        range(len(plan.slots)),
        key=lambda i: abs(
            (datetime.combine(date.min, plan.slots[i]) - datetime.combine(date.min, local)).total_seconds()
        ),
    )
    return SLOT_NAMES[index % len(SLOT_NAMES)]
