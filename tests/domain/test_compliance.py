"""The gate's rules in isolation: validity, lists, registries, consent, calling hours, state rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from desktop.domain.compliance import ConsentFacts, DialFacts, decide, next_callable_at
from desktop.domain.compliance_rules import parse_rulebook
from desktop.services.rules import shipped_rulebook

RULES = shipped_rulebook()
MOMENT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # a Tuesday: 09:00 New York, 04:00 Honolulu
# Fresh copies of the national registry and of every state list the rules name.
FRESH = {"national": date(2026, 11, 20)} | {
    rule.list_source: date(2026, 11, 20) for rule in RULES.states.values() if rule.list_source
}


def facts(**overrides: object) -> DialFacts:
    base = DialFacts(
        number="+12125550134",
        valid=True,
        time_zones=("America/New_York",),
        at=MOMENT,
        number_region="US",
        registry_as_of=FRESH,
    )
    return base._replace(**overrides)


def test_allowed_inside_hours() -> None:
    decision = decide(facts(), RULES)
    assert decision.allowed and decision.reasons == ()
    assert decision.local_times == ("2026-12-01T09:00-05:00",)


def test_invalid_number_blocked() -> None:
    decision = decide(facts(number="555-0100", valid=False, invalid_detail="local number"), RULES)
    assert decision.codes == ("invalid_number",)


def test_internal_dnc_blocks_even_business_and_consent() -> None:
    decision = decide(
        facts(
            on_internal_dnc=True,
            internal_dnc_detail="asked on 1 Dec",
            lead_kind="business",
            consent=ConsentFacts(written_on=date(2026, 1, 1)),
        ),
        RULES,
    )
    assert decision.codes == ("dnc_internal",)
    assert "asked on 1 Dec" in decision.reasons[0].detail


def test_national_registry_blocks_residential_only() -> None:
    listed = facts(registry_sources=frozenset({"national"}))
    assert decide(listed, RULES).codes == ("dnc_national",)
    business = decide(listed._replace(lead_kind="business"), RULES)
    assert business.allowed and business.note_codes == ("b2b_exemption",)


def test_state_list_blocks_residential() -> None:
    decision = decide(facts(registry_sources=frozenset({"state:TX"})), RULES)
    assert decision.codes == ("dnc_state",)


@pytest.mark.parametrize(
    ("consent", "code"),
    [
        (ConsentFacts(written_on=date(2020, 5, 1)), "consent"),
        (ConsentFacts(purchase_on=date(2025, 6, 2)), "ebr_purchase"),  # within 18 months
        (ConsentFacts(inquiry_on=date(2026, 9, 15)), "ebr_inquiry"),  # within 3 months
    ],
)
def test_consent_and_ebr_pass_the_registries(consent: ConsentFacts, code: str) -> None:
    decision = decide(facts(registry_sources=frozenset({"national", "state:NY"}), consent=consent), RULES)
    assert decision.allowed and decision.note_codes == (code,)


@pytest.mark.parametrize(
    "consent",
    [
        ConsentFacts(purchase_on=date(2025, 5, 31)),
        ConsentFacts(inquiry_on=date(2026, 8, 31)),
        ConsentFacts(written_on=date(2026, 12, 2)),
    ],
)
def test_expired_or_future_relationship_does_not_pass(consent: ConsentFacts) -> None:
    assert decide(facts(registry_sources=frozenset({"national"}), consent=consent), RULES).codes == (
        "dnc_national",
    )


def test_registry_freshness() -> None:
    assert decide(facts(registry_as_of={"national": date(2026, 10, 31)}), RULES).allowed  # 31 days
    stale = decide(facts(registry_as_of={"national": date(2026, 10, 30)}), RULES)  # 32 days
    assert stale.codes == ("registry_stale",) and "32 days" in stale.reasons[0].detail
    # Nothing imported at all: say so, never "out of date".
    never = decide(facts(registry_as_of={}), RULES)
    assert never.codes == ("registry_missing",) and "ever been imported" in never.reasons[0].detail
    assert "days old" not in never.reasons[0].detail
    # A copy of other area codes, none of 212: that area code was never downloaded.
    other_codes = decide(facts(registry_as_of={}, registries_loaded=frozenset({"national"})), RULES)
    assert other_codes.codes == ("registry_missing",)
    assert "area code 212 was never downloaded" in other_codes.reasons[0].detail
    assert decide(facts(registry_as_of={}, lead_kind="business"), RULES).allowed
    # Registries cover the US and Canada only.
    german = facts(number="+4930901820", number_region="DE", time_zones=("Europe/Berlin",), registry_as_of={})
    assert decide(german, RULES).allowed
    canada = facts(
        number="+14165550100",
        number_region="CA",
        time_zones=("America/Toronto",),
        registry_sources=frozenset({"canada"}),
        registry_as_of={"canada": date(2026, 11, 30)},
    )
    assert decide(canada, RULES).codes == ("dnc_national",)


@pytest.mark.parametrize(
    ("zone", "allowed"),
    [
        ("America/New_York", True),
        ("America/Chicago", True),
        ("America/Los_Angeles", False),
        ("Pacific/Honolulu", False),
        ("America/Phoenix", False),
    ],
)
def test_calling_hours_by_zone(zone: str, allowed: bool) -> None:
    decision = decide(facts(time_zones=(zone,)), RULES)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.codes == ("calling_hours",)


def test_end_of_window_is_exclusive() -> None:
    assert not decide(facts(at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC)), RULES).allowed  # 21:00
    assert decide(facts(at=datetime(2026, 12, 2, 1, 59, tzinfo=UTC)), RULES).allowed  # 20:59


def test_daylight_saving_changes() -> None:
    # 2026-03-08: US clocks go forward. 12:30Z is 08:30 EDT (allowed); the day before it was 07:30 EST.
    assert decide(facts(at=datetime(2026, 3, 8, 12, 30, tzinfo=UTC)), RULES).allowed
    assert not decide(facts(at=datetime(2026, 3, 7, 12, 30, tzinfo=UTC)), RULES).allowed
    # 2026-11-01: clocks go back. 01:30Z on Nov 2 is 20:30 EST (allowed); on Oct 31 it was 21:30 EDT.
    assert decide(facts(at=datetime(2026, 11, 2, 1, 30, tzinfo=UTC)), RULES).allowed
    assert not decide(facts(at=datetime(2026, 11, 1, 1, 30, tzinfo=UTC)), RULES).allowed
    # Arizona keeps standard time: 15:30Z is 08:30 in Phoenix in July, while Denver is 09:30.
    phoenix = facts(time_zones=("America/Phoenix",), at=datetime(2026, 7, 1, 14, 30, tzinfo=UTC))
    assert not decide(phoenix, RULES).allowed  # 07:30 in Phoenix
    assert decide(phoenix._replace(at=datetime(2026, 7, 1, 15, 30, tzinfo=UTC)), RULES).allowed
    # Hawaii: no DST, UTC-10 all year.
    honolulu = facts(time_zones=("Pacific/Honolulu",), at=datetime(2026, 7, 1, 18, 0, tzinfo=UTC))
    assert decide(honolulu, RULES).allowed  # 08:00


def test_every_zone_must_be_inside_unless_the_state_settles_it() -> None:
    # 907: Adak is an hour behind Anchorage; at 17:00Z Anchorage is 08:00, Adak 07:00.
    alaska = facts(
        time_zones=("America/Anchorage", "America/Adak"), at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    )
    decision = decide(alaska, RULES)
    assert not decision.allowed and "America/Adak" in decision.reasons[0].detail
    toll_free = facts(time_zones=("America/New_York", "Pacific/Honolulu", "America/Los_Angeles"))
    assert not decide(toll_free, RULES).allowed
    assert decide(toll_free._replace(lead_state="NY"), RULES).allowed  # the lead's state settles it
    assert decide(toll_free._replace(lead_state="New York"), RULES).time_zones == ("America/New_York",)
    # A multi-zone state narrows to the number's zones it shares.
    assert decide(alaska._replace(lead_state="AK"), RULES).time_zones == ("America/Anchorage", "America/Adak")


def test_unknown_zone_blocks() -> None:
    assert decide(facts(time_zones=()), RULES).codes == ("calling_hours",)


def test_florida_hours_and_daily_limit() -> None:
    # 01:30Z is 20:30 in Miami: inside the federal window, outside Florida's 8-20.
    evening = facts(number="+13055550123", lead_state="FL", at=datetime(2026, 12, 2, 1, 30, tzinfo=UTC))
    decision = decide(evening, RULES)
    assert decision.codes == ("calling_hours",) and "Florida" in decision.reasons[0].detail
    assert decide(facts(lead_state="FL", calls_last_24h=2), RULES).allowed
    third = decide(facts(lead_state="FL", calls_last_24h=3), RULES)
    assert third.codes == ("state_rule",) and "at most 3 calls" in third.reasons[0].detail


def test_florida_area_code_presumption() -> None:
    presumed = facts(number="+13055550123", number_states=("Florida",), lead_state="NY", calls_last_24h=3)
    assert decide(presumed, RULES).codes == ("state_rule",)
    assert "FL" in decide(presumed, RULES).states


def test_sunday_rule() -> None:
    sunday = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)  # 10:00 in Chicago, a Sunday
    decision = decide(facts(lead_state="AL", time_zones=("America/Chicago",), at=sunday), RULES)
    assert decision.codes == ("state_rule",) and "Sundays" in decision.reasons[0].detail
    assert decide(facts(lead_state="IL", time_zones=("America/Chicago",), at=sunday), RULES).allowed


def test_automated_and_prerecorded_rules() -> None:
    florida = facts(lead_state="FL")
    assert decide(florida._replace(automated=True), RULES).codes == ("state_rule",)
    written = ConsentFacts(written_on=date(2026, 1, 5))
    assert decide(florida._replace(automated=True, consent=written), RULES).allowed
    drop = decide(facts(prerecorded=True), RULES)
    assert drop.codes == ("prerecorded_consent",)
    assert decide(facts(prerecorded=True, consent=written), RULES).allowed


def test_reasons_accumulate() -> None:
    decision = decide(
        facts(
            on_internal_dnc=True,
            registry_sources=frozenset({"national"}),
            at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
        ),
        RULES,
    )
    assert decision.codes == ("dnc_internal", "dnc_national", "calling_hours")


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError):
        decide(facts(at=datetime(2026, 12, 1, 14, 0)), RULES)


def test_next_callable_at() -> None:
    honolulu = facts(time_zones=("Pacific/Honolulu",))
    assert next_callable_at(honolulu, RULES) == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 08:00 HST
    assert next_callable_at(facts(), RULES) == MOMENT
    assert next_callable_at(facts(on_internal_dnc=True), RULES) is None
    saturday_night = datetime(2026, 12, 6, 3, 30, tzinfo=UTC)  # Sat 21:30 in Chicago
    alabama = facts(lead_state="AL", time_zones=("America/Chicago",), at=saturday_night)
    assert next_callable_at(alabama, RULES) == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # Monday 08:00


def test_rulebook_from_data() -> None:
    assert (RULES.window.start, RULES.window.end) == (time(8), time(21))
    florida = RULES.state("fl")
    assert florida is not None and florida.max_calls_per_24h == 3 and florida.source
    assert all(rule.source for rule in RULES.states.values() if rule.has_rules)
    with pytest.raises(ValueError, match="us_compliance.toml"):
        parse_rulebook('[[state]]\ncode = "Florida"\n')
    with pytest.raises(ValueError, match="weekday"):
        parse_rulebook('[[state]]\ncode = "AL"\nno_call_days = ["funday"]\n')
