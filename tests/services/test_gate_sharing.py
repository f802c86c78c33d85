"""A scrub's shared decision, renamed for another number, keeps every other field of the decision."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.domain.compliance import Decision, Reason
from desktop.services.gate_sharing import renumbered


def test_a_renumbered_decision_differs_from_the_shared_one_in_its_number_only() -> None:
    shared = Decision(
        number="+12125550101",
        allowed=False,
        reasons=(Reason("calling_hours", "too late"),),
        notes=(Reason("location_conflict", "two states"),),
        time_zones=("America/New_York", "America/Chicago"),
        states=("NY", "TX"),
        display_zone="America/Chicago",
        toll_free=True,
        hours_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
    )
    # Every field is set away from its default, so a field left behind would show.
    assert all(getattr(shared, name) != Decision._field_defaults.get(name) for name in Decision._fields)
    renamed = renumbered(shared, "+12125550102")
    assert type(renamed) is Decision
    assert renamed == shared._replace(number="+12125550102")
    assert renamed.local_times == shared.local_times
    assert renumbered(shared, shared.number) is shared
