"""Every jurisdiction row of resources/rules/ tested from its own data: a new row is tested by adding it.

For each row (state, DC, territory, province, Canada), on every day of one week: a minute before and
at the opening, a minute before and at the closing of the window the row and the federal (or
Canadian) rules give for that weekday; days without calls; a legal holiday; the call cap; automated
dialling; the state list's freshness and whether it binds business leads. The expected answers come
from the row's data through simple arithmetic here, not from the gate's own helpers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from desktop.domain.compliance import ConsentFacts, DialFacts, decide
from desktop.domain.compliance_rules import CallingWindow, StateRule
from desktop.domain.legal_holidays import holiday_name
from desktop.services.rules import shipped_rulebook

RULES = shipped_rulebook()
ROWS = sorted(RULES.states.values(), key=lambda rule: rule.code)
MONDAY = date(2026, 6, 8)  # a week with no DST change in any zone the rows name
FRESH_DAY = date(2026, 6, 1)
ALL_FRESH = {"national": FRESH_DAY, "canada": FRESH_DAY} | {
    rule.list_source: FRESH_DAY for rule in ROWS if rule.list_source
}
CANADA = RULES.countries["CA"]


def _facts(rule: StateRule, at: datetime, **overrides: object) -> DialFacts:
    region = rule.country if rule.country == "CA" else "US"
    base = DialFacts(
        number="+15555550100",
        valid=True,
        time_zones=(rule.zones[0],),
        at=at,
        lead_state=rule.code,
        number_region=region,
        registry_as_of=ALL_FRESH,
    )
    return base._replace(**overrides)


def _at(rule: StateRule, day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=ZoneInfo(rule.zones[0])).astimezone(UTC)


def _expected_window(rule: StateRule, weekday: int) -> tuple[time, time] | None:
    """The window on a weekday by the spec: federal 8-21 for US rows, the CRTC's for Canadian ones,
    narrowed by the row's own hours for the day; None when the row forbids the day."""
    if rule.country == "CA":
        own_country = CANADA.day_windows[weekday]
        assert own_country is not None
        start, end = own_country.start, own_country.end
    else:
        start, end = time(8, 0), time(21, 0)
    if rule.day_windows:
        own = rule.day_windows[weekday]
        if own is None:
            return None
        start, end = max(start, own.start), min(end, own.end)
    return start, end


def _minute_before(moment: time) -> time:
    return (datetime.combine(MONDAY, moment) - timedelta(minutes=1)).time()


def _is_holiday(rule: StateRule, day: date) -> bool:
    # The package's days and the few statutory ones it lacks (desktop/domain/legal_holidays.py).
    return rule.no_calls_on_holidays and holiday_name(rule.holiday_calendar, day) is not None


def _open_day(rule: StateRule) -> date:
    """A weekday of the test week on which the row allows calls."""
    return next(
        MONDAY + timedelta(days=offset)
        for offset in range(7)
        if _expected_window(rule, offset) is not None
        and not _is_holiday(rule, MONDAY + timedelta(days=offset))
    )


def test_every_jurisdiction_is_present() -> None:
    us = {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
    }
    us |= {"KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY"}
    us |= {"NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV"}
    us |= {"WI", "WY", "PR", "VI", "GU", "MP", "AS"}
    canada = {"AB", "BC", "MB", "NB", "NL", "NS", "PE", "ON", "QC", "SK", "YT", "NT", "NU"}
    assert us | canada == set(RULES.states)
    assert {code for code, rule in RULES.states.items() if rule.country == "CA"} == canada
    for rule in [*ROWS, CANADA]:
        assert rule.source and rule.checked is not None, f"{rule.code} needs a source and a date checked"
        assert rule.zones, f"{rule.code} needs its time zones"


@pytest.mark.parametrize("rule", ROWS, ids=lambda rule: rule.code)
def test_hours_at_both_edges_of_every_day(rule: StateRule) -> None:
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        window = _expected_window(rule, day.weekday())
        if window is None or _is_holiday(rule, day):
            decision = decide(_facts(rule, _at(rule, day, time(13, 0))), RULES)
            assert not decision.allowed and "state_rule" in decision.codes, f"{rule.code} on {day:%A}"
            continue
        start, end = window
        for moment, allowed in (
            (_minute_before(start), False),
            (start, True),
            (_minute_before(end), True),
            (end, False),
        ):
            decision = decide(_facts(rule, _at(rule, day, moment)), RULES)
            assert decision.allowed is allowed, f"{rule.code} {day:%A} {moment}: {decision.summary()}"


@pytest.mark.parametrize("rule", ROWS, ids=lambda rule: rule.code)
def test_a_legal_holiday(rule: StateRule) -> None:
    country = "CA" if rule.country == "CA" else "US"
    year = holidays.country_holidays(country, subdiv=rule.code, years=2026)
    weekday_holidays = sorted(day for day in year if day.weekday() < 5)
    day = weekday_holidays[0]
    window = _expected_window(rule, day.weekday())
    assert window is not None
    noon = _at(rule, day, time(12, 30))
    decision = decide(_facts(rule, noon), RULES)
    if rule.no_calls_on_holidays:
        assert not decision.allowed and "holidays" in decision.summary(), f"{rule.code} on {day}"
    else:
        assert decision.allowed, f"{rule.code} has no holiday rule, yet {day} was refused"


@pytest.mark.parametrize("rule", ROWS, ids=lambda rule: rule.code)
def test_call_cap_per_24_hours(rule: StateRule) -> None:
    noon = _at(rule, _open_day(rule), time(13, 0))
    cap = rule.max_calls_per_24h
    if cap is None:
        assert decide(_facts(rule, noon, calls_last_24h=50), RULES).allowed
        return
    assert decide(_facts(rule, noon, calls_last_24h=cap - 1), RULES).allowed
    capped = decide(_facts(rule, noon, calls_last_24h=cap), RULES)
    assert capped.codes == ("state_rule",) and f"at most {cap} calls" in capped.summary()


@pytest.mark.parametrize("rule", ROWS, ids=lambda rule: rule.code)
def test_automated_dialling(rule: StateRule) -> None:
    noon = _at(rule, _open_day(rule), time(13, 0))
    decision = decide(_facts(rule, noon, automated=True), RULES)
    assert decision.allowed is not rule.autodial_needs_written_consent, rule.code


@pytest.mark.parametrize("rule", [rule for rule in ROWS if rule.list_source], ids=lambda rule: rule.code)
def test_state_list_freshness_and_business_numbers(rule: StateRule) -> None:
    day = _open_day(rule)
    noon = _at(rule, day, time(13, 0))
    max_age = rule.list_max_age_days or RULES.registry_max_age_days
    ages = {rule.list_source: day - timedelta(days=max_age)}
    assert decide(_facts(rule, noon, registry_as_of=ALL_FRESH | ages), RULES).allowed
    ages = {rule.list_source: day - timedelta(days=max_age + 1)}
    assert decide(_facts(rule, noon, registry_as_of=ALL_FRESH | ages), RULES).codes == ("registry_stale",)
    # A state list never imported is a gap the gate reports as missing (not stale), for every row
    # with a list: no row may opt out, and a business number is caught when the list covers it.
    missing = {source: as_of for source, as_of in ALL_FRESH.items() if source != rule.list_source}
    never = decide(_facts(rule, noon, registry_as_of=missing), RULES)
    assert rule.list_required and never.codes == ("registry_missing",)
    assert rule.list_source in never.reasons[0].detail and "never imported" in never.reasons[0].detail
    never_business = decide(_facts(rule, noon, registry_as_of=missing, lead_kind="business"), RULES)
    assert never_business.allowed is not rule.list_covers_business, rule.code
    listed = frozenset({rule.list_source})
    assert decide(_facts(rule, noon, registry_sources=listed), RULES).codes == ("dnc_state",)
    business = decide(_facts(rule, noon, registry_sources=listed, lead_kind="business"), RULES)
    assert business.allowed is not rule.list_covers_business, rule.code


def test_docs_name_every_row_with_its_source_and_date() -> None:
    lines = (Path(__file__).resolve().parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")
    by_code = {line.split("|")[1].strip(): line for line in lines.splitlines() if line.startswith("| ")}
    for rule in [*ROWS, CANADA]:
        code = ("@" if rule.is_country else "") + rule.code
        assert code in by_code, f"docs/compliance.md has no row for {code}"
        assert rule.source in by_code[code] and str(rule.checked) in by_code[code], f"{code} is out of date"


@pytest.mark.parametrize(
    "rule", [rule for rule in ROWS if rule.has_recorded_hours], ids=lambda rule: rule.code
)
def test_recorded_message_hours_bind_even_with_written_consent(rule: StateRule) -> None:
    """A row's own hours for prerecorded messages (Nebraska's ADAD rule), a minute before and at the
    opening of each day's window and on a weekday legal holiday, for a lead with written consent; a
    live call at the same moments is decided by the calling hours alone."""
    consented = ConsentFacts(written_on=date(2025, 1, 2))

    def allowed(day: date, moment: time, prerecorded: bool = True) -> bool:
        facts = _facts(rule, _at(rule, day, moment), prerecorded=prerecorded, consent=consented)
        return decide(facts, RULES).allowed

    def check_window(day: date, window: CallingWindow | None) -> None:
        if window is None:
            assert not allowed(day, time(13, 0)) and allowed(day, time(13, 0), prerecorded=False)
            return
        opening = max(window.start, time(8, 0))
        before = (datetime.combine(day, opening) - timedelta(minutes=1)).time()
        if before >= time(8, 0):  # inside the calling hours: only the recorded-message rule refuses
            assert not allowed(day, before), (rule.code, day, before)
            assert allowed(day, before, prerecorded=False), (rule.code, day, before)
        assert allowed(day, opening), (rule.code, day, opening)

    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        if _expected_window(rule, day.weekday()) is None or _is_holiday(rule, day):
            continue
        if rule.recorded_day_windows:
            check_window(day, rule.recorded_day_windows[day.weekday()])
    if rule.recorded_holiday_window:
        holiday = next(
            day
            for day in sorted(holidays.country_holidays("US", subdiv=rule.code, years=2026))
            if day.weekday() < 5 and holiday_name(rule.holiday_calendar, day) and not _is_holiday(rule, day)
        )
        check_window(holiday, rule.recorded_holiday_window[0])
