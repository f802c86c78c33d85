"""Phone parsing: what each kind of raw cell becomes, and that no input makes it crash."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.phones import (
    NUMBER_TYPE_NAMES,
    UNKNOWN_TIME_ZONE,
    exchange_zones,
    normalize_e164,
    parse_phone,
)


@pytest.mark.parametrize(
    ("raw", "e164", "extension"),
    [
        ("(212) 555-0134", "+12125550134", None),
        ("212.555.0199", "+12125550199", None),
        ("+1 (415) 555-0101 ext. 204", "+14155550101", "204"),
        ("(773) 555-0148 x9", "+17735550148", "9"),
        ("1-305-555-0123", "+13055550123", None),
        ("+49 30 901820", "+4930901820", None),
        ("+7 495 123-45-67", "+74951234567", None),
        ("011 44 20 7946 0958", "+442079460958", None),
    ],
)
def test_valid_numbers_become_e164_with_extension(raw: str, e164: str, extension: str | None) -> None:
    parsed = parse_phone(raw, "US")
    assert parsed.dialable
    assert parsed.e164 == e164
    assert parsed.extension == extension
    assert parsed.time_zones


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("555-0100", "area code"),
        ("312-555-01", "too short"),
        ("not available", "no digits"),
        ("", "empty"),
        ("1" * 80, "too long"),
    ],
)
def test_unusable_numbers_say_why(raw: str, reason_part: str) -> None:
    parsed = parse_phone(raw, "US")
    assert not parsed.dialable
    assert parsed.e164 is None
    assert parsed.problem is not None and reason_part in parsed.problem


def test_time_zones_for_multi_zone_and_toll_free() -> None:
    assert set(parse_phone("(907) 555-0129").time_zones) == {"America/Adak", "America/Anchorage"}
    toll_free = parse_phone("+1 800 555 0199")
    assert toll_free.number_type == "toll_free"
    assert len(toll_free.time_zones) > 5


def test_normalize_rejects_with_reason() -> None:
    assert normalize_e164("212 555 0134") == "+12125550134"
    with pytest.raises(ValueError, match="not a valid phone number"):
        normalize_e164("12")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_and_agrees_with_phonenumbers(raw: str) -> None:
    parsed = parse_phone(raw, "US")
    assert parsed.raw == raw
    if parsed.dialable:
        number = phonenumbers.parse(parsed.e164, None)
        assert phonenumbers.is_valid_number(number)
    else:
        assert parsed.problem


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\+?1?[ .-]?\(?[2-9]\d\d\)?[ .-]?\d{3}[ .-]?\d{4}", fullmatch=True))
def test_validity_matches_is_valid_number(raw: str) -> None:
    parsed = parse_phone(raw, "US")
    try:
        reference = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        assert not parsed.dialable
        return
    assert parsed.dialable == phonenumbers.is_valid_number(reference)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["1", "44", "49", "7", "33", "61", "81", "86", "91", "52", "599", "262"]),
    st.text(alphabet="0123456789", min_size=4, max_size=12),
)
def test_region_and_type_matches_phonenumbers(country: str, digits: str) -> None:
    from desktop.domain.phones import region_and_type

    try:
        number = phonenumbers.parse(f"+{country}{digits}", None)
    except phonenumbers.NumberParseException:
        return
    region, kind = region_and_type(number)
    expected_region = phonenumbers.region_code_for_number(number)
    if expected_region is not None:
        assert region == expected_region
        assert kind == phonenumbers.number_type(number)
    assert (kind != phonenumbers.PhoneNumberType.UNKNOWN) == phonenumbers.is_valid_number(number)


_NANP_REGIONS = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(_NANP_REGIONS),
    st.sampled_from(["", "+", "1", "+1", "1-", "+1 ", "01", "011"]),
    st.text(alphabet="0123456789", min_size=6, max_size=12),
    st.sampled_from(["{}", "({}) {}-{}", "{}.{}.{}", "{} {} {}"]),
)
def test_north_american_shortcut_agrees_with_phonenumbers(
    region: str, prefix: str, digits: str, layout: str
) -> None:
    """The +1 shortcut in parse_phone() gives what phonenumbers itself gives, in every +1 region."""
    parts = (digits,) if layout == "{}" else (digits[:3], digits[3:6], digits[6:])
    raw = prefix + layout.format(*parts)
    parsed = parse_phone(raw, region)
    try:
        reference = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        assert not parsed.dialable
        return
    assert parsed.dialable == phonenumbers.is_valid_number(reference)
    if parsed.dialable:
        assert parsed.e164 == phonenumbers.format_number(reference, phonenumbers.PhoneNumberFormat.E164)
        assert parsed.region == phonenumbers.region_code_for_number(reference)
        assert parsed.time_zones == tuple(
            zone for zone in phonenumbers.timezone.time_zones_for_number(reference) if zone != "Etc/Unknown"
        )
        expected_type = phonenumbers.number_type(reference)
        assert parsed.number_type == NUMBER_TYPE_NAMES[expected_type]


@pytest.mark.parametrize("region", _NANP_REGIONS)
def test_north_american_shortcut_on_real_area_codes(region: str) -> None:
    """Each region's own area code, written the ways lists write it, reads as phonenumbers reads it."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.FIXED_LINE)
    assert example is not None
    national = str(example.national_number)
    written = f"({national[:3]}) {national[3:6]}-{national[6:]}"
    for raw in (national, "1" + national, "+1" + national, written):
        parsed = parse_phone(raw, region)
        reference = phonenumbers.parse(raw, region)
        assert parsed.dialable and phonenumbers.is_valid_number(reference)
        assert parsed.e164 == phonenumbers.format_number(reference, phonenumbers.PhoneNumberFormat.E164)
        assert parsed.region == phonenumbers.region_code_for_number(reference) == region


def _longest_known_prefix_zones(e164: str) -> tuple[str, ...]:
    """The zones phonenumbers' data gives the longest known prefix of "1NPANXX" (the display rule)."""
    from phonenumbers.tzdata import TIMEZONE_DATA

    digits = e164[1:8]
    for length in range(len(digits), 0, -1):
        found = TIMEZONE_DATA.get(digits[:length])
        if found is not None:
            return tuple(zone for zone in found if zone != UNKNOWN_TIME_ZONE)
    return ()


def test_every_exchange_of_every_area_code_gets_the_zones_of_its_longest_known_prefix() -> None:
    """exchange_zones keeps its answers per area code: the exchanges phonenumbers places on their
    own (907-279 in Alaska time, 850's Central and Eastern halves) and all the others."""
    for area in range(200, 1000):
        for exchange in range(0, 1000, 7 if area not in (208, 423, 850, 907, 928) else 1):
            number = f"+1{area}{exchange:03d}0123"
            assert exchange_zones(number) == _longest_known_prefix_zones(number), number
    assert exchange_zones("+19072790123") == ("America/Juneau",)  # not Adak, as the area code may be
