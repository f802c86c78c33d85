"""The dial gate's rules: given the facts about one number at one moment, allowed or blocked and why.

Pure functions: the calling service gathers the facts (DNC lookups, the lead's kind, the clock) and
asks `decide()`. Every reason has a stable `code` used in the audit trail, exports and the CLI.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

INVALID_NUMBER = "invalid_number"
DNC_INTERNAL = "dnc_internal"
CALLING_HOURS = "calling_hours"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a decision: a stable code and a plain-English detail."""

    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """The hours in the callee's local time when a call may be placed (start inclusive, end exclusive)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    source: str = ""

    def contains(self, local: datetime) -> bool:
        return self.start <= local.time() < self.end


@dataclass(frozen=True, slots=True)
class DialFacts:
    """Everything the gate needs to decide one dial; gathered by the calling service."""

    number: str | None
    valid: bool
    time_zones: tuple[str, ...]
    at: datetime
    on_internal_dnc: bool = False
    internal_dnc_detail: str = ""
    invalid_detail: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer. A blocked decision never reaches a dialer."""

    number: str | None
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    time_zones: tuple[str, ...] = ()
    local_times: tuple[str, ...] = field(default=())

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    def summary(self) -> str:
        if self.allowed:
            return "allowed"
        return "; ".join(reason.detail for reason in self.reasons)


def decide(facts: DialFacts, window: CallingWindow) -> Decision:
    """Decide one dial. Blocking reasons accumulate so the user sees all of them at once."""
    if facts.at.tzinfo is None:
        raise ValueError("the decision time must be time-zone aware")
    reasons: list[Reason] = []
    if not facts.valid or not facts.number:
        detail = facts.invalid_detail or "not a valid phone number"
        reasons.append(Reason(INVALID_NUMBER, f"{facts.number or 'this number'}: {detail}"))
    if facts.on_internal_dnc:
        detail = "on the firm's internal do-not-call list"
        if facts.internal_dnc_detail:
            detail += f" ({facts.internal_dnc_detail})"
        reasons.append(Reason(DNC_INTERNAL, detail))
    local_times: list[str] = []
    zones = facts.time_zones
    if facts.valid and facts.number:
        outside: list[str] = []
        for zone_name in zones:
            local = _local(facts.at, zone_name)
            if local is None:
                continue
            local_times.append(local.isoformat(timespec="minutes"))
            if not window.contains(local):
                outside.append(f"{local:%H:%M} in {zone_name}")
        if not zones:
            reasons.append(
                Reason(CALLING_HOURS, "the callee's time zone is unknown, so calling hours cannot be checked")
            )
        elif outside:
            reasons.append(
                Reason(
                    CALLING_HOURS,
                    f"outside calling hours {window.start:%H:%M}–{window.end:%H:%M} local time "
                    f"(it is {', '.join(outside[:3])}{' …' if len(outside) > 3 else ''})",
                )
            )
    return Decision(
        number=facts.number,
        allowed=not reasons,
        reasons=tuple(reasons),
        time_zones=zones,
        local_times=tuple(local_times),
    )


def parse_calling_window(text: str, source: str = "calling_hours.toml") -> CallingWindow:
    """Read the default calling window from TOML text."""
    try:
        data = tomllib.loads(text)
        default = data["default"]
        start = time.fromisoformat(default["start"])
        end = time.fromisoformat(default["end"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{source}: {error}") from None
    return CallingWindow(start=start, end=end, source=str(default.get("source", "")))


def _local(at: datetime, zone_name: str) -> datetime | None:
    try:
        return at.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        return None
