"""The gate's rules in isolation: validity, the internal list, calling hours in every zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from desktop.domain.compliance import CallingWindow, DialFacts, decide, parse_calling_window

WINDOW = CallingWindow(time(8), time(21))
MOMENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 New York, 04:00 Honolulu


def facts(**overrides: object) -> DialFacts:
    base: dict[str, object] = {
        "number": "+12125550134",
        "valid": True,
        "time_zones": ("America/New_York",),
        "at": MOMENT,
    }
    base.update(overrides)
    return DialFacts(**base)  # type: ignore[arg-type]


def test_allowed_inside_hours() -> None:
    decision = decide(facts(), WINDOW)
    assert decision.allowed
    assert decision.reasons == ()
    assert decision.local_times == ("2026-12-01T09:00-05:00",)


def test_invalid_number_blocked() -> None:
    decision = decide(facts(number="555-0100", valid=False, invalid_detail="local number"), WINDOW)
    assert not decision.allowed
    assert decision.codes == ("invalid_number",)


def test_internal_dnc_blocks_with_detail() -> None:
    decision = decide(facts(on_internal_dnc=True, internal_dnc_detail="asked on 1 Dec"), WINDOW)
    assert decision.codes == ("dnc_internal",)
    assert "asked on 1 Dec" in decision.reasons[0].detail


@pytest.mark.parametrize(
    ("zone", "allowed"),
    [
        ("America/New_York", True),  # 09:00
        ("America/Chicago", True),  # 08:00, the first minute allowed
        ("America/Los_Angeles", False),  # 06:00
        ("Pacific/Honolulu", False),  # 04:00
    ],
)
def test_calling_hours_by_zone(zone: str, allowed: bool) -> None:
    decision = decide(facts(time_zones=(zone,)), WINDOW)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.codes == ("calling_hours",)


def test_end_of_window_is_exclusive() -> None:
    at_nine_pm = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 21:00 in New York
    assert not decide(facts(at=at_nine_pm), WINDOW).allowed
    assert decide(facts(at=at_nine_pm.replace(minute=0, hour=1, second=59)), WINDOW).allowed


def test_every_zone_must_be_inside() -> None:
    # 907: Adak is an hour behind Anchorage; at 17:00Z Anchorage is 08:00, Adak 07:00.
    moment = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    decision = decide(facts(time_zones=("America/Anchorage", "America/Adak"), at=moment), WINDOW)
    assert not decision.allowed
    assert "America/Adak" in decision.reasons[0].detail


def test_unknown_zone_blocks() -> None:
    assert decide(facts(time_zones=()), WINDOW).codes == ("calling_hours",)


def test_reasons_accumulate() -> None:
    decision = decide(facts(on_internal_dnc=True, at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC)), WINDOW)
    assert decision.codes == ("dnc_internal", "calling_hours")


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError):
        decide(facts(at=datetime(2026, 12, 1, 14, 0)), WINDOW)


def test_window_from_data() -> None:
    window = parse_calling_window('[default]\nstart = "09:00"\nend = "20:00"\nsource = "x"\n')
    assert (window.start, window.end) == (time(9), time(20))
    with pytest.raises(ValueError, match="calling_hours.toml"):
        parse_calling_window("[default]\nstart = 9\n")
