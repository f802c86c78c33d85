"""The rule book of the dial gate, read from data (resources/rules/us_compliance.toml).

Federal hours and registry freshness, the established-business-relationship windows, and per-state
time zones and stricter rules. Parsing errors name the file and the row at fault.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """Hours in the callee's local time when a call may be placed (start inclusive, end exclusive)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    source: str = ""

    def contains(self, local_time: time) -> bool:
        return self.start <= local_time < self.end


@dataclass(frozen=True, slots=True)
class StateRule:
    """One state's time zones and the rules it adds to the federal ones."""

    code: str
    name: str
    zones: tuple[str, ...]
    window: CallingWindow | None = None
    max_calls_per_24h: int | None = None
    no_call_weekdays: tuple[int, ...] = ()
    autodial_needs_written_consent: bool = False
    recorded_message_needs_written_consent: bool = False
    area_code_presumption: bool = False
    source: str = ""

    @property
    def has_rules(self) -> bool:
        return bool(
            self.window
            or self.max_calls_per_24h
            or self.no_call_weekdays
            or self.autodial_needs_written_consent
            or self.recorded_message_needs_written_consent
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
    # Codes and upper-cased names to rules; filled from `states` (the gate asks for every call).
    _lookup: dict[str, StateRule] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for rule in self.states.values():
            self._lookup[rule.code.upper()] = rule
            self._lookup[rule.name.upper()] = rule

    def state(self, text: str) -> StateRule | None:
        """A state by its code or name ("FL", "fl", "Florida"); None when unknown."""
        return self._lookup.get(text.strip().upper()) if text else None


def _time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a time like 08:00") from None


def _state(row: Mapping[str, Any], where: str) -> StateRule:
    code = str(row.get("code", "")).upper()
    if len(code) != 2:
        raise ValueError(f"{where}: code must be a two-letter state code")
    window = None
    if "start" in row or "end" in row:
        window = CallingWindow(
            _time(row.get("start", "08:00"), where),
            _time(row.get("end", "21:00"), where),
            str(row.get("source", "")),
        )
    days = []
    for day in row.get("no_call_days", []):
        if str(day).lower() not in WEEKDAYS:
            raise ValueError(f"{where}: {day!r} is not a weekday name")
        days.append(WEEKDAYS.index(str(day).lower()))
    limit = row.get("max_calls_per_24h")
    return StateRule(
        code=code,
        name=str(row.get("name", code)),
        zones=tuple(str(zone) for zone in row.get("zones", [])),
        window=window,
        max_calls_per_24h=int(limit) if limit is not None else None,
        no_call_weekdays=tuple(days),
        autodial_needs_written_consent=bool(row.get("autodial_needs_written_consent", False)),
        recorded_message_needs_written_consent=bool(row.get("recorded_message_needs_written_consent", False)),
        area_code_presumption=bool(row.get("area_code_presumption", False)),
        source=str(row.get("source", "")),
    )


def parse_rulebook(text: str, source: str = "us_compliance.toml") -> RuleBook:
    """Read a rule book from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{source}: {error}") from None
    federal = data.get("federal", {})
    try:
        window = CallingWindow(
            _time(federal.get("start", "08:00"), f"{source} [federal]"),
            _time(federal.get("end", "21:00"), f"{source} [federal]"),
            str(federal.get("source", "")),
        )
        states = {}
        for index, row in enumerate(data.get("state", []), start=1):
            rule = _state(row, f"{source} [[state]] #{index}")
            states[rule.code] = rule
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
        )
    except (TypeError, AttributeError) as error:
        raise ValueError(f"{source}: {error}") from None
