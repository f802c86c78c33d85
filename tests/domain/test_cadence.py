"""Property tests of the cadence engine: hours, daily cap, reaching the target, stopping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.cadence import CadencePlan, next_attempt_at, slot_for
from desktop.domain.compliance import hours_key, hours_reasons
from desktop.services.rules import shipped_rulebook

RULES = shipped_rulebook()
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "America/Anchorage",
    "Europe/Berlin",
]


def opener(zone: str, state: str = ""):  # type: ignore[no-untyped-def]
    key = hours_key((zone,), state, (), RULES)
    return lambda moment: not hours_reasons(key, moment, RULES)


def simulate(plan: CadencePlan, zone: str, start: datetime, state: str = "") -> list[datetime]:
    """Always no answer: attempt at every suggested time until the target."""
    is_open = opener(zone, state)
    attempts: list[datetime] = []
    now = start
    while True:
        due = next_attempt_at(
            attempts, now, zone, plan, is_open, earliest=now + timedelta(hours=4) if attempts else None
        )
        if due is None:
            return attempts
        attempts.append(due)
        now = due + timedelta(minutes=2)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    state=st.sampled_from(["", "FL", "AL"]),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    target=st.integers(min_value=1, max_value=30),
)
def test_cadence_properties(zone: str, state: str, start: datetime, target: int) -> None:
    plan = CadencePlan(target=target)
    attempts = simulate(plan, zone, start, state)
    is_open = opener(zone, state)
    # Reaches the target, then stops.
    assert len(attempts) == target
    assert next_attempt_at(attempts, attempts[-1], zone, plan, is_open) is None
    # Never outside calling hours (and never on a forbidden day).
    assert all(is_open(moment) for moment in attempts)
    # Never more than the daily cap in the lead's local day.
    days = [moment.astimezone(ZoneInfo(zone)).date() for moment in attempts]
    assert max(days.count(day) for day in set(days)) <= plan.max_per_day
    # Within the plan: the last attempt about six weeks after the first (a week of slack for
    # weekends and state rules), and always later than the one before.
    assert attempts[-1] - attempts[0] <= timedelta(days=plan.span_days + 7)
    assert all(later > earlier for earlier, later in zip(attempts, attempts[1:], strict=False))


def test_slots_rotate_in_local_time() -> None:
    plan = CadencePlan()
    attempts = simulate(plan, "America/Chicago", datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    local_hours = [moment.astimezone(ZoneInfo("America/Chicago")).hour for moment in attempts]
    assert {9, 12, 16} <= set(local_hours)
    assert [slot_for(i, plan) for i in range(4)] == [0, 1, 2, 0]


def test_earliest_is_respected() -> None:
    plan = CadencePlan()
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 New York
    due = next_attempt_at(
        [now - timedelta(hours=1)],
        now,
        "America/New_York",
        plan,
        opener("America/New_York"),
        earliest=now + timedelta(days=3),
    )
    assert due is not None and due >= now + timedelta(days=3)


def test_front_loaded_plan() -> None:
    plan = CadencePlan()
    offsets = [plan.planned_day_offset(i) for i in range(18)]
    assert offsets[0] == 0 and offsets[-1] == 42
    assert sum(1 for day in offsets if day <= 7) >= 5  # the first week carries several attempts
    assert offsets == sorted(offsets)
