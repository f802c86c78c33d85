"""Phone number parsing and validation with phonenumbers: what a raw cell from a call list means."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberType, timezone
from phonenumbers.phonenumberutil import _number_type_helper, is_number_type_geographical

UNKNOWN_TIME_ZONE = "Etc/Unknown"

# Stable lower-case names for phonenumbers' PhoneNumberType values, used in storage and exports.
NUMBER_TYPE_NAMES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

_HAS_DIGIT = re.compile(r"\d")
_PLAIN_NUMBER = re.compile(r"\+?[0-9 ().\-/]+")
_NON_DIGIT = re.compile(r"[^0-9]")
# Longer cells are prose or pasted junk, not numbers; refusing early keeps parsing fast and bounded.
_MAX_RAW_LENGTH = 64
# The regions that share country code 1 (the North American Numbering Plan); area codes start 2-9.
_NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_NANP_AREA_FIRST = frozenset("23456789")


@dataclass(frozen=True, slots=True)
class ParsedPhone:
    """The result of reading one phone cell: either a dialable number or the reason it is not."""

    raw: str
    valid: bool
    e164: str | None = None
    extension: str | None = None
    number_type: str = "unknown"
    region: str | None = None
    time_zones: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def dialable(self) -> bool:
        return self.valid and self.e164 is not None


def parse_phone(raw: str, default_region: str = "US") -> ParsedPhone:
    """Parse one phone cell in `default_region`; never raises, always says why a number is unusable."""
    text = raw.strip()
    if not text:
        return ParsedPhone(raw=raw, valid=False, problem="empty")
    if len(text) > _MAX_RAW_LENGTH:
        return ParsedPhone(
            raw=raw, valid=False, problem=f"too long to be a phone number ({len(text)} characters)"
        )
    if not _HAS_DIGIT.search(text):
        return ParsedPhone(raw=raw, valid=False, problem="not a phone number (no digits)")
    if _PLAIN_NUMBER.fullmatch(text):
        # Only digits and punctuation: hand phonenumbers the bare digits, which it parses faster
        # and reads the same way (it strips the punctuation itself).
        digits = _NON_DIGIT.sub("", text)
        plus = text.startswith("+")
        if default_region and default_region.upper() in _NANP_REGIONS:
            quick = _parse_north_american(raw, digits, plus)
            if quick is not None:
                return quick
        text = "+" + digits if plus else digits
    try:
        number = phonenumbers.parse(text, default_region.upper() if default_region else None)
    except phonenumbers.NumberParseException as error:
        return ParsedPhone(raw=raw, valid=False, problem=_parse_error_reason(error))
    extension = number.extension or None
    region, kind = region_and_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return ParsedPhone(
            raw=raw,
            valid=False,
            extension=extension,
            region=region,
            problem=_invalid_reason(number),
        )
    return _valid_phone(raw, number, region, kind, extension)


def _parse_north_american(raw: str, digits: str, plus: bool) -> ParsedPhone | None:
    """The common case of a North American list, without phonenumbers.parse(); None to take the long way.

    In a +1 region, ten digits that start with 2-9 (or eleven with the leading 1, with or without
    "+") are always read by phonenumbers.parse() as country code 1 and those ten digits: the
    national prefix, the international prefix 011 and the 7-digit local forms all begin otherwise.
    Only a number that then proves valid is answered here, so every reason for refusing a number
    still comes from phonenumbers; tests compare both ways on generated numbers in every +1 region.
    """
    if len(digits) == 10 and not plus and digits[0] in _NANP_AREA_FIRST:
        national = digits
    elif len(digits) == 11 and digits[0] == "1" and digits[1] in _NANP_AREA_FIRST:
        national = digits[1:]
    else:
        return None
    number = PhoneNumber(country_code=1, national_number=int(national))
    region, kind = region_and_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    return _valid_phone(raw, number, region, kind, None)


def _valid_phone(
    raw: str, number: PhoneNumber, region: str | None, kind: int, extension: str | None
) -> ParsedPhone:
    """The parsed form of a number already known to be valid, with its time zones."""
    e164 = f"+{number.country_code}{phonenumbers.national_significant_number(number)}"
    # time_zones_for_number() would compute the number type a third time; we know it already.
    if is_number_type_geographical(kind, number.country_code or 0):
        found = timezone.time_zones_for_geographical_number(number)
    else:
        found = timezone._country_level_time_zones_for_number(number)
    zones = tuple(z for z in found if z != UNKNOWN_TIME_ZONE)
    return ParsedPhone(
        raw=raw,
        valid=True,
        e164=e164,
        extension=extension,
        number_type=NUMBER_TYPE_NAMES.get(kind, "unknown"),
        region=region,
        time_zones=zones,
    )


def region_and_type(number: phonenumbers.PhoneNumber) -> tuple[str | None, int]:
    """The region of a number and its type (UNKNOWN when invalid), from one pattern match.

    phonenumbers' region_code_for_number() finds the region by matching the number's type patterns
    and then discards the type; number_type() and is_valid_number() match them again. For +1
    numbers (25 regions share it) that repetition is most of the parsing cost, so this keeps the
    type found while choosing the region (the same algorithm as _region_code_for_number_from_list).
    """
    country_code = number.country_code
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code) if country_code else None
    if not regions or country_code is None:
        return None, PhoneNumberType.UNKNOWN
    national = phonenumbers.national_significant_number(number)
    if len(regions) == 1:
        region = regions[0]
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        if metadata is None:
            return None, PhoneNumberType.UNKNOWN
        return region, _number_type_helper(national, metadata)
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if re.match(metadata.leading_digits, national):
                return region, _number_type_helper(national, metadata)
            continue
        kind = _number_type_helper(national, metadata)
        if kind != PhoneNumberType.UNKNOWN:
            return region, kind
    return None, PhoneNumberType.UNKNOWN


# Exchanges tried when asking which region an area code belongs to: phonenumbers places a number by
# its patterns, and some exchanges are unassigned in some area codes.
_SAMPLE_EXCHANGES = ("2345678", "4567890", "7654321", "3456789", "5550123")
_AREA_CODE_REGIONS: dict[int, str | None] = {}


def area_code_region(area_code: int) -> str | None:
    """The region ("US", "CA", "PR", "JM"…) of a North American area code; None when phonenumbers
    does not know it (an unassigned code, or one newer than the installed release)."""
    if area_code in _AREA_CODE_REGIONS:
        return _AREA_CODE_REGIONS[area_code]
    found: str | None = None
    for exchange in _SAMPLE_EXCHANGES:
        found, _kind = region_and_type(phonenumbers.parse(f"+1{area_code:03d}{exchange}"))
        if found is not None:
            break
    _AREA_CODE_REGIONS[area_code] = found
    return found


# Toll-free area codes (NANP: 800, 833, 844, 855, 866, 877, 888): a toll-free number rings anywhere
# in North America, so it has no single local time; the gate checks every zone it may ring in.
TOLL_FREE_AREA_CODES = frozenset({800, 833, 844, 855, 866, 877, 888})


def is_toll_free(e164: str | None) -> bool:
    """True for a +1 toll-free number (`+18005550199`)."""
    if not e164 or len(e164) != 12 or not e164.startswith("+1") or not e164[2:5].isdigit():
        return False
    return int(e164[2:5]) in TOLL_FREE_AREA_CODES


def normalize_e164(text: str, default_region: str = "US") -> str:
    """The E.164 form of a number typed by a user; raises ValueError with a plain reason if invalid."""
    parsed = parse_phone(text, default_region)
    if not parsed.dialable or parsed.e164 is None:
        raise ValueError(f"{text!r} is not a valid phone number: {parsed.problem}")
    return parsed.e164


_GEOCODER_LOADED = threading.Event()
_GEOCODER_LOADING = threading.Lock()


def load_geocoder_in_background(when_loaded: Callable[[], None]) -> bool:
    """Load the place-name data on a background thread, then call `when_loaded` (on that thread);
    False (and no call) when it is loaded already.

    The data takes a third of a second or more to load; the window shows its first lead without place
    names (`location_if_loaded`) and fills them in once this is done."""
    if _GEOCODER_LOADED.is_set():
        return False

    def load() -> None:
        with _GEOCODER_LOADING:
            from phonenumbers import geocoder  # noqa: F401  (the import is the loading)

            _GEOCODER_LOADED.set()
        when_loaded()

    threading.Thread(target=load, name="place-names", daemon=True).start()
    return True


def location_if_loaded(e164: str) -> str | None:
    """`describe_location`, or None while the place-name data is still loading (never waits for it)."""
    if not _GEOCODER_LOADED.is_set():
        return None
    return describe_location(e164)


@lru_cache(maxsize=4096)
def describe_location(e164: str) -> str:
    """A human description of where a number is ("New York, NY"), empty when unknown.

    Remembered per number (it depends on the number alone): the geocoder's look-up cost a third of a
    lead card's read, on every lead shown."""
    # Imported here: the geocoding data takes a third of a second to load, and most commands never need it.
    from phonenumbers import geocoder

    _GEOCODER_LOADED.set()
    try:
        return str(geocoder.description_for_number(phonenumbers.parse(e164, None), "en"))
    except phonenumbers.NumberParseException:
        return ""


def number_states(e164: str) -> tuple[str, ...]:
    """The US state or Canadian province a +1 number's area code belongs to ("FL", "Florida"), if any.

    Some state laws presume that a number with their area code belongs to their resident. Only
    North American numbers have such states; the answer depends on the area code alone.
    """
    if not e164.startswith("+1") or len(e164) < 5:
        return ()
    prefix = e164[:5]
    found = _AREA_CODE_STATES.get(prefix)
    if found is None:
        if _AREA_CODE_TABLE_IN_USE:
            return ()  # the table lists every area code this phonenumbers release places
        found = _AREA_CODE_STATES[prefix] = _area_code_states(prefix)
    return found


# "+1NPA" -> states: from the table written for the installed phonenumbers, else one lookup each.
_AREA_CODE_STATES: dict[str, tuple[str, ...]] = {}
_AREA_CODE_TABLE_IN_USE = False


def use_area_code_table(path: Path) -> bool:
    """Answer number_states() from a table made by write_area_code_table() for this phonenumbers release.

    The geocoding data behind number_states() takes a third of a second to load; the table holds the
    same answers for all 800 area codes. Written for another release of phonenumbers, it is ignored
    (False), and every area code is looked up in phonenumbers' own data as before.
    """
    global _AREA_CODE_TABLE_IN_USE
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(table, dict) or table.get("phonenumbers") != phonenumbers.__version__:
        return False
    _AREA_CODE_STATES.update({prefix: tuple(states) for prefix, states in table["states"].items()})
    _AREA_CODE_TABLE_IN_USE = True
    return True


def write_area_code_table(path: Path) -> None:
    """Write the states of every +1 area code, from the installed phonenumbers' geocoding data."""
    states = {f"+1{npa:03d}": _area_code_states(f"+1{npa:03d}") for npa in range(1000)}
    # One area code a line, so a new phonenumbers release shows as a readable diff.
    entries = ",\n".join(
        f"    {json.dumps(prefix)}: {json.dumps(list(found), ensure_ascii=False)}"
        for prefix, found in states.items()
        if found
    )
    about = "number_states() for every +1 area code; `make area-codes` writes it anew"
    path.write_text(
        f'{{\n  "about": {json.dumps(about)},\n  "phonenumbers": {json.dumps(phonenumbers.__version__)},\n'
        f'  "states": {{\n{entries}\n  }}\n}}\n',
        encoding="utf-8",
    )


def _area_code_states(prefix: str) -> tuple[str, ...]:
    description = describe_location(prefix + "5550100")
    if not description:
        return ()
    if ", " in description:
        return (description.rsplit(", ", 1)[1].strip(),)
    return (description.strip(),)


def _parse_error_reason(error: phonenumbers.NumberParseException) -> str:
    reasons = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }
    return reasons.get(error.error_type, "not a phone number")


def _invalid_reason(number: phonenumbers.PhoneNumber) -> str:
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return "local number without an area code"
    if possible == phonenumbers.ValidationResult.TOO_SHORT:
        return "too short (missing area code?)"
    if possible == phonenumbers.ValidationResult.TOO_LONG:
        return "too long"
    if possible == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        return "unknown country code"
    if possible == phonenumbers.ValidationResult.INVALID_LENGTH:
        return "wrong number of digits for its country"
    return "not a valid number in its country (no such area code or exchange)"


# "+1NPA" -> every zone phonenumbers places any exchange of the area code in (cached).
_AREA_CODE_ZONES: dict[str, tuple[str, ...]] = {}
# "+1NPA" -> the zones of the area code's exchanges that phonenumbers places on their own ("1NPAN",
# "1NPANX", "1NPANXX" -> zones), and the zones of all its other exchanges (cached per area code).
_EXCHANGE_ZONES: dict[str, tuple[dict[str, tuple[str, ...]], tuple[str, ...]]] = {}


def area_code_zones(e164: str) -> tuple[str, ...]:
    """Every zone a North American number may be in: all zones of its area code's exchanges.

    The dial gate checks them all (a number keeps its area code when it moves or is ported within
    the area); the exchange's own zone is for display (see exchange_zones). Empty outside +1.
    """
    if not e164.startswith("+1") or len(e164) < 5:
        return ()
    prefix = e164[:5]
    found = _AREA_CODE_ZONES.get(prefix)
    if found is None:
        from phonenumbers.tzdata import TIMEZONE_DATA

        digits = prefix[1:]
        zones = {zone for key, value in TIMEZONE_DATA.items() if key.startswith(digits) for zone in value}
        found = _AREA_CODE_ZONES[prefix] = tuple(sorted(zones - {UNKNOWN_TIME_ZONE}))
    return found


def _area_exchanges(prefix: str) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    from phonenumbers.tzdata import TIMEZONE_DATA

    def known(zones: Iterable[str]) -> tuple[str, ...]:
        return tuple(zone for zone in zones if zone != UNKNOWN_TIME_ZONE)

    digits = prefix[1:]
    finer = (key for key in TIMEZONE_DATA if len(key) > 4 and key.startswith(digits))
    own = {key: known(TIMEZONE_DATA[key]) for key in finer}
    # The longest shorter prefix phonenumbers knows ("1NPA", else "1NP", "1N", "1").
    shorter = (digits[:length] for length in range(4, 0, -1))
    rest = next((known(TIMEZONE_DATA[key]) for key in shorter if key in TIMEZONE_DATA), ())
    found = _EXCHANGE_ZONES[prefix] = (own, rest)
    return found


def exchange_zones(e164: str) -> tuple[str, ...]:
    """The zones of a number's own exchange (907-279 is Alaska time, not Adak's): for display."""
    if e164.startswith("+1") and len(e164) == 12:
        # North American zone prefixes are at most 7 digits (1 + area code + exchange): the longest
        # known prefix of "1NPANXX" wins; the few exchanges placed on their own are kept per area code.
        prefix = e164[:5]
        own, rest = _EXCHANGE_ZONES.get(prefix) or _area_exchanges(prefix)
        if own:
            digits = e164[1:8]
            for length in (7, 6, 5):
                zones = own.get(digits[:length])
                if zones is not None:
                    return zones
        return rest
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in timezone.time_zones_for_number(number) if z != UNKNOWN_TIME_ZONE)


# Phone labels that record a number as a landline (the lead card's "business landline" box writes
# the first); the gate reads the same words (services/gate.py, services/phone_labels.py).
LANDLINE_WORDS = ("landline", "land line", "land-line")


# Words that undo a label's "landline": an import column "Mobile/Landline" or "Cell or landline", a
# label "not a landline". The number may be a mobile, which a prerecorded message needs consent for.
_NOT_ONLY_LANDLINE = re.compile(r"\b(?:mobile|cell|cellular|wireless|smartphone|sms|text|not|non)\b", re.I)


def label_says_landline(label: str | None) -> bool:
    """Whether a phone's label records it as a landline, and only as one."""
    if not label:  # most phones have no label: a scrub asks for every business lead's phone
        return False
    lowered = label.lower()
    return any(word in lowered for word in LANDLINE_WORDS) and not _NOT_ONLY_LANDLINE.search(lowered)


def known_region(code: str) -> bool:
    """Whether `code` is a country phonenumbers knows (US, CA, GB …): an unknown one would make every
    number of a list without a +code undialable."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS
