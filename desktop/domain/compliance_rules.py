"""The rule book of the dial gate, read from data (resources/rules/*.toml).

Federal hours and registry freshness, the established-business-relationship windows, and one row per
jurisdiction (US state, DC, territory, Canadian province or territory, and Canada as a country) with
its time zones and stricter rules: hours per weekday, no-call days and legal holidays, call caps,
automated-dialling and recorded-message consent, state do-not-call lists and their freshness, EBR
windows. Parsing errors name the file and the row at fault.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Keys of a row's [hours] table and the weekdays each one sets (later keys override earlier ones).
_DAY_GROUPS: dict[str, tuple[int, ...]] = {
    "all": (0, 1, 2, 3, 4, 5, 6),
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    **{name: (index,) for index, name in enumerate(WEEKDAYS)},
}
_NO_CALLS = "none"


# Newspaper (AP style) and other common abbreviations of states and provinces, without dots or spaces.
ABBREVIATIONS = {
    "ALA": "AL",
    "ARIZ": "AZ",
    "ARK": "AR",
    "CALIF": "CA",
    "CAL": "CA",
    "COLO": "CO",
    "CONN": "CT",
    "DEL": "DE",
    "FLA": "FL",
    "ILL": "IL",
    "IND": "IN",
    "KAN": "KS",
    "KANS": "KS",
    "MASS": "MA",
    "MICH": "MI",
    "MINN": "MN",
    "MISS": "MS",
    "MONT": "MT",
    "NEB": "NE",
    "NEBR": "NE",
    "NEV": "NV",
    "OKLA": "OK",
    "ORE": "OR",
    "OREG": "OR",
    "PENN": "PA",
    "PENNA": "PA",
    "TENN": "TN",
    "TEX": "TX",
    "WASH": "WA",
    "WVA": "WV",
    "WIS": "WI",
    "WISC": "WI",
    "WYO": "WY",
    "DC": "DC",
    "ONT": "ON",
    "QUE": "QC",
    "ALTA": "AB",
    "SASK": "SK",
    "MAN": "MB",
    "NFLD": "NL",
    "PEI": "PE",
}
# What a list puts in a state column when it has none.
NO_STATE = frozenset({"N/A", "NA", "-", "--", "?", "NONE", "UNKNOWN", "NULL"})


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """Hours in the callee's local time when a call may be placed (start inclusive, end exclusive)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    source: str = ""

    def contains(self, local_time: time) -> bool:
        return self.start <= local_time < self.end


@dataclass(frozen=True, slots=True, eq=False)  # identity: rows are hashed for every decision
class StateRule:
    """One jurisdiction's time zones and the rules it adds to the federal ones.

    `day_windows` has seven entries (Monday first) when the row sets hours per day: a window, or
    None for a day without calls. A jurisdiction without its own hours leaves it empty.
    """

    code: str
    name: str
    zones: tuple[str, ...]
    country: str = "US"
    aliases: tuple[str, ...] = ()
    day_windows: tuple[CallingWindow | None, ...] = ()
    max_calls_per_24h: int | None = None
    no_calls_on_holidays: bool = False
    holiday_calendar: str = ""
    no_calls_in_emergency: bool = False
    autodial_needs_written_consent: bool = False
    recorded_message_needs_written_consent: bool = False
    # Hours for prerecorded (ADAD) messages, narrower than the row's calling hours and binding even with
    # consent (Nebraska): per weekday like `day_windows`, and on the row's legal holidays a window (or
    # None: no recorded messages that day) in a one-item tuple, empty when the row sets none.
    recorded_day_windows: tuple[CallingWindow | None, ...] = ()
    recorded_holiday_window: tuple[CallingWindow | None, ...] = ()
    area_code_presumption: bool = False
    list_source: str = ""
    list_max_age_days: int | None = None
    list_required: bool = False
    list_covers_business: bool = False
    ebr_purchase_months: int | None = None
    ebr_inquiry_months: int | None = None
    source: str = ""
    checked: date | None = None

    @property
    def is_country(self) -> bool:
        """A country row (Canada): it applies to every number of the country."""
        return self.code == self.country

    @property
    def window(self) -> CallingWindow | None:
        """The widest window of any day: the earliest opening for next-callable searches."""
        days = [day for day in self.day_windows if day is not None]
        if not days:
            return None
        return CallingWindow(min(d.start for d in days), max(d.end for d in days), self.source)

    @property
    def no_call_weekdays(self) -> tuple[int, ...]:
        return tuple(index for index, day in enumerate(self.day_windows) if day is None)

    def window_on(self, weekday: int) -> CallingWindow | None:
        """This row's window on `weekday`; None when the row sets no hours or forbids the day."""
        return self.day_windows[weekday] if self.day_windows else None

    @property
    def has_hours(self) -> bool:
        return bool(self.day_windows) or self.no_calls_on_holidays or self.no_calls_in_emergency

    @property
    def has_recorded_hours(self) -> bool:
        return bool(self.recorded_day_windows or self.recorded_holiday_window)

    @property
    def has_rules(self) -> bool:
        return bool(
            self.has_hours
            or self.max_calls_per_24h
            or self.autodial_needs_written_consent
            or self.recorded_message_needs_written_consent
            or self.has_recorded_hours
            or self.list_source
            or self.ebr_purchase_months is not None
            or self.ebr_inquiry_months is not None
        )


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Everything the gate decides by, other than the facts of one call."""

    window: CallingWindow = field(default_factory=CallingWindow)
    registry_max_age_days: int = 31
    registry_warn_days: int = 25
    registry_source: str = ""
    ebr_purchase_months: int = 18
    ebr_inquiry_months: int = 3
    ebr_source: str = ""
    prerecorded_needs_written_consent: bool = True
    prerecorded_source: str = ""
    registries: Mapping[str, str] = field(default_factory=lambda: {"US": "national", "CA": "canada"})
    states: Mapping[str, StateRule] = field(default_factory=dict)
    # Country rows (Canada): apply to every number of the country and replace the federal window.
    countries: Mapping[str, StateRule] = field(default_factory=dict)
    # Codes, names and aliases (upper-cased) to rules; filled from `states` (asked for every call).
    _lookup: dict[str, StateRule] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Answers derived from the rows alone (jurisdictions of a lead state and area code), kept per key:
    # the gate asks the same few questions for every decision of a scrub.
    memo: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for rule in self.states.values():
            for text in (rule.code, rule.name, *rule.aliases):
                self._lookup[text.upper()] = rule

    def state(self, text: str) -> StateRule | None:
        """A jurisdiction by its code, name or alias ("FL", "fl", "Florida"), or a postal or newspaper
        abbreviation ("Fla.", "N.Y.", "Calif."); None when unknown."""
        if not text:
            return None
        key = text.strip().upper()
        found = self._lookup.get(key)
        if found is None:
            squeezed = key.replace(".", "").replace(" ", "")
            found = self._lookup.get(squeezed) or self._lookup.get(ABBREVIATIONS.get(squeezed, ""))
        return found

    def unknown_state(self, text: str) -> bool:
        """Whether a recorded state is given but names no jurisdiction ("Fla" is known, "Marylnd" is not):
        the callee's own rules cannot be checked. Placeholders ("N/A", "-") count as none given."""
        key = (text or "").strip().upper()
        return bool(key) and key not in NO_STATE and self.state(key) is None

    def states_named(self, text: str) -> tuple[StateRule, ...]:
        """Every jurisdiction a place name stands for ("Nova Scotia/Prince Edward Island" is two)."""
        found = {rule.code: rule for part in text.split("/") if (rule := self.state(part)) is not None}
        return tuple(found.values())

    def country(self, region: str | None) -> StateRule | None:
        return self.countries.get(region.upper()) if region else None

    def copy_max_age_days(self, source: str) -> int:
        """How old a copy of `source` may be: a state list's own rule (Texas: quarterly, 92 days),
        else the federal safe harbour's 31 days (the National Registry, Canada's DNCL)."""
        if source.startswith("state:"):
            rule = self.state(source.removeprefix("state:"))
            if rule is not None and rule.list_max_age_days is not None:
                return rule.list_max_age_days
        return self.registry_max_age_days

    def registry_of_region(self, region: str | None) -> str | None:
        """The national registry source that covers a region's numbers ("US" -> "national")."""
        return self.registries.get(region.upper()) if region else None


def _time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a time like 08:00") from None


def _window(value: Any, where: str, source: str) -> CallingWindow | None:
    """ "09:00-21:00" as a window; "none" for a day without calls."""
    text = str(value).strip()
    if text.lower() == _NO_CALLS:
        return None
    start, dash, end = text.partition("-")
    if not dash:
        raise ValueError(f"{where}: {value!r} is not hours like 09:00-21:00 or 'none'")
    window = CallingWindow(_time(start.strip(), where), _time(end.strip(), where), source)
    if window.end <= window.start:
        raise ValueError(f"{where}: {value!r} ends before it starts")
    return window


def _day_windows(row: Mapping[str, Any], where: str, source: str) -> tuple[CallingWindow | None, ...]:
    hours = row.get("hours")
    days: list[CallingWindow | None] | None = None
    if hours is not None:
        if not isinstance(hours, Mapping):
            raise ValueError(f"{where}: hours must be a table like {{ all = '08:00-20:00' }}")
        days = [CallingWindow(time(0, 0), time(23, 59, 59, 999999), source)] * 7
        for key in _DAY_GROUPS:  # fixed order: groups first, single days last
            if key in hours:
                for index in _DAY_GROUPS[key]:
                    days[index] = _window(hours[key], f"{where} hours.{key}", source)
        unknown = set(hours) - set(_DAY_GROUPS)
        if unknown:
            raise ValueError(f"{where}: unknown day(s) in hours: {', '.join(sorted(unknown))}")
    for day in row.get("no_call_days", []):
        if str(day).lower() not in WEEKDAYS:
            raise ValueError(f"{where}: {day!r} is not a weekday name")
        if days is None:
            days = [CallingWindow(time(0, 0), time(23, 59, 59, 999999), source)] * 7
        days[WEEKDAYS.index(str(day).lower())] = None
    return tuple(days) if days is not None else ()


def _optional_int(row: Mapping[str, Any], key: str, where: str) -> int | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where}: {key} must be a whole number, not {value!r}")
    return value


def _state(row: Mapping[str, Any], where: str, country: str = "US") -> StateRule:
    code = str(row.get("code", "")).upper()
    if len(code) != 2:
        raise ValueError(f"{where}: code must be a two-letter code")
    source = str(row.get("source", ""))
    checked = row.get("checked")
    if checked is not None and not isinstance(checked, date):
        raise ValueError(f"{where}: checked must be a date like 2026-12-06")
    list_source = str(row.get("list", ""))
    if list_source and not list_source.startswith("state:"):
        raise ValueError(f"{where}: list must name a state registry source like 'state:TX'")
    # A state that keeps its own list forbids calling the numbers on it: without a copy nobody can
    # tell, so a missing copy blocks the calls the list covers. There is no opting out per row.
    if list_source and row.get("list_required", True) is not True:
        raise ValueError(
            f"{where}: list_required cannot be false: a state list nobody imported cannot be checked"
        )
    return StateRule(
        code=code,
        name=str(row.get("name", code)),
        zones=tuple(str(zone) for zone in row.get("zones", [])),
        country=str(row.get("country", country)).upper(),
        aliases=tuple(str(alias) for alias in row.get("aliases", [])),
        day_windows=_day_windows(row, where, source),
        max_calls_per_24h=_optional_int(row, "max_calls_per_24h", where),
        no_calls_on_holidays=bool(row.get("no_calls_on_holidays", False)),
        holiday_calendar=str(row.get("holiday_calendar", f"{country}-{code}")),
        no_calls_in_emergency=bool(row.get("no_calls_in_emergency", False)),
        autodial_needs_written_consent=bool(row.get("autodial_needs_written_consent", False)),
        recorded_message_needs_written_consent=bool(row.get("recorded_message_needs_written_consent", False)),
        recorded_day_windows=_day_windows(
            {"hours": row["recorded_message_hours"]} if "recorded_message_hours" in row else {},
            f"{where} recorded_message_hours",
            source,
        ),
        recorded_holiday_window=(
            (
                _window(
                    row["recorded_message_holiday_hours"], f"{where} recorded_message_holiday_hours", source
                ),
            )
            if "recorded_message_holiday_hours" in row
            else ()
        ),
        area_code_presumption=bool(row.get("area_code_presumption", False)),
        list_source=list_source,
        list_max_age_days=_optional_int(row, "list_max_age_days", where),
        list_required=bool(list_source),
        list_covers_business=bool(row.get("list_covers_business", False)),
        ebr_purchase_months=_optional_int(row, "ebr_purchase_months", where),
        ebr_inquiry_months=_optional_int(row, "ebr_inquiry_months", where),
        source=source,
        checked=checked,
    )


def parse_rulebook(
    text: str, source: str = "us_compliance.toml", jurisdictions: Iterable[tuple[str, str]] = ()
) -> RuleBook:
    """Read a rule book from TOML text, plus jurisdiction files given as (text, source name)."""
    files = [(text, source), *jurisdictions]
    parsed: list[tuple[dict[str, Any], str]] = []
    for body, name in files:
        try:
            parsed.append((tomllib.loads(body), name))
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{name}: {error}") from None
    data = parsed[0][0]
    federal = data.get("federal", {})
    try:
        window = CallingWindow(
            _time(federal.get("start", "08:00"), f"{source} [federal]"),
            _time(federal.get("end", "21:00"), f"{source} [federal]"),
            str(federal.get("source", "")),
        )
        states: dict[str, StateRule] = {}
        countries: dict[str, StateRule] = {}
        for table, name in parsed:
            for index, row in enumerate(table.get("state", []), start=1):
                rule = _state(row, f"{name} [[state]] #{index}", str(row.get("country", "US")).upper())
                if rule.code in states:
                    raise ValueError(f"{name} [[state]] #{index}: {rule.code} is listed twice")
                states[rule.code] = rule
            for index, row in enumerate(table.get("country", []), start=1):
                rule = _state(row, f"{name} [[country]] #{index}", str(row.get("code", "")).upper())
                countries[rule.code] = rule
        return RuleBook(
            window=window,
            registry_max_age_days=int(federal.get("registry_max_age_days", 31)),
            registry_warn_days=int(federal.get("registry_warn_days", 25)),
            registry_source=str(federal.get("registry_source", "")),
            ebr_purchase_months=int(federal.get("ebr_purchase_months", 18)),
            ebr_inquiry_months=int(federal.get("ebr_inquiry_months", 3)),
            ebr_source=str(federal.get("ebr_source", "")),
            prerecorded_needs_written_consent=bool(federal.get("prerecorded_needs_written_consent", True)),
            prerecorded_source=str(federal.get("prerecorded_source", "")),
            registries={str(k).upper(): str(v) for k, v in data.get("registries", {}).items()},
            states=states,
            countries=countries,
        )
    except (TypeError, AttributeError) as error:
        raise ValueError(f"{source}: {error}") from None
