"""Calling hours: whether the clock allows a call in every zone the callee may be in.

The window is the federal one (or a country's, for Canada) narrowed by every applicable
jurisdiction's hours for that weekday; a jurisdiction may forbid whole days, its legal holidays, and
the days of a declared state of emergency the user added. The callee's zones are all checked: one
zone outside the window blocks the call.

The queue stores, per lead, where the callee is and which jurisdictions' hour rules apply, as a short
key ("America/New_York|FL"). Leads sharing a key open and close together, so "who may be called now"
is decided once per key instead of once per lead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.compliance_codes import CALLING_HOURS, STATE_RULE, Reason
from desktop.domain.compliance_rules import WEEKDAYS, CallingWindow, RuleBook, StateRule
from desktop.domain.legal_holidays import holiday_name

# The state of an unreadable emergency entry whose state cannot be read: it may be any state's.
ANY_STATE = "*"
_WHOLE_DAY = CallingWindow(time(0, 0), time(23, 59, 59, 999999))


@dataclass(frozen=True, slots=True)
class Emergency:
    """A declared state of emergency during which a jurisdiction forbids sales calls (user data).

    `areas` names the parishes or counties affected; a number cannot be placed in a parish, so the
    gate blocks calls to the whole jurisdiction for the dates, and the areas are shown in the reason.

    A stored entry that cannot be read has a `problem`: its dates are unknown, so it covers every
    day, and its state is `ANY_STATE` when that cannot be read either (it blocks every call).
    """

    state: str
    start: date
    end: date
    areas: str = ""
    problem: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@lru_cache(maxsize=256)
def zone_info(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def federal_applies(states: Iterable[StateRule], region: str | None, rules: RuleBook) -> bool:
    """The US federal window applies unless the number is of a country with its own rules (Canada)
    and no US jurisdiction is involved."""
    if rules.country(region) is None:
        return True
    return any(state.country == "US" for state in states)


def _window_on(
    weekday: int, rules: RuleBook, states: tuple[StateRule, ...], federal: bool
) -> tuple[CallingWindow | None, list[StateRule]]:
    """The window on `weekday` (None: no calls that day) and the rows that narrowed it."""
    window = rules.window if federal else _WHOLE_DAY
    narrowing: list[StateRule] = []
    for state in states:
        if not state.day_windows:
            continue
        own = state.day_windows[weekday]
        if own is None:
            return None, [state]
        if own.start > window.start or own.end < window.end:
            narrowing.append(state)
        window = CallingWindow(max(window.start, own.start), min(window.end, own.end), state.source)
    return window, narrowing


@dataclass(frozen=True, slots=True)
class HoursPlan:
    """The hours of a set of jurisdictions, worked out once: per weekday the window (None: no calls)
    and the names of the rows that narrowed or forbade it; the rows with holiday rules."""

    days: tuple[tuple[CallingWindow | None, tuple[str, ...]], ...]
    holiday_rows: tuple[StateRule, ...]


def hours_plan(rules: RuleBook, states: tuple[StateRule, ...], federal: bool) -> HoursPlan:
    """The plan of `states`' hours (with the federal window or not), kept in the rule book's memo."""
    key = ("hours-plan", tuple(id(state) for state in states), federal)
    plan = rules.memo.get(key)
    if plan is None:
        days = []
        for weekday in range(7):
            window, narrowing = _window_on(weekday, rules, states, federal)
            days.append((window, tuple(state.name for state in narrowing)))
        plan = rules.memo[key] = HoursPlan(tuple(days), tuple(s for s in states if s.no_calls_on_holidays))
    return plan  # type: ignore[return-value]


def hours_reasons_for(
    at: datetime,
    rules: RuleBook,
    states: tuple[StateRule, ...],
    zones: tuple[str, ...],
    federal: bool = True,
    emergencies: tuple[Emergency, ...] = (),
) -> list[Reason]:
    """Why the clock forbids a call at `at` to a callee in any of `zones` (empty when it allows)."""
    zone_infos = tuple((name, zone_info(name)) for name in zones)
    return plan_hours_reasons(at, hours_plan(rules, states, federal), states, zone_infos, emergencies)


def plan_hours_reasons(
    at: datetime,
    plan: HoursPlan,
    states: tuple[StateRule, ...],
    zone_infos: tuple[tuple[str, ZoneInfo | None], ...],
    emergencies: tuple[Emergency, ...] = (),
) -> list[Reason]:
    """`hours_reasons_for` with the plan worked out and the zones looked up: the dial gate's hot path."""
    if not zone_infos:
        return [
            Reason(CALLING_HOURS, "the callee's time zone is unknown, so calling hours cannot be checked")
        ]
    outside: list[str] = []
    shown_window: CallingWindow | None = None
    whose: list[str] = []
    day_rules: list[str] = []
    holiday_rows = plan.holiday_rows
    for zone_name, zone in zone_infos:
        if zone is None:
            outside.append(f"an unknown time in {zone_name}")
            continue
        local = at.astimezone(zone)
        weekday = local.weekday()
        window, names = plan.days[weekday]
        if window is None:
            day_rules.append(f"{names[0]} forbids calls on {WEEKDAYS[weekday].capitalize()}s")
        elif not window.start <= local.time() < window.end:
            outside.append(f"{local:%H:%M} {WEEKDAYS[weekday][:3].capitalize()} in {zone_name}")
            shown_window = shown_window or window
            whose.extend(names)
        if holiday_rows:
            day = local.date()
            for state in holiday_rows:
                name = holiday_name(state.holiday_calendar, day)
                if name:
                    day_rules.append(
                        f"{state.name} forbids calls on legal holidays ({name}, {day.isoformat()})"
                    )
        for emergency in emergencies:
            hit = next((s for s in states if s.code == emergency.state.upper()), None)
            if emergency.problem and (hit is not None or emergency.state == ANY_STATE):
                # Refuse rather than guess: the entry may well cover this callee today.
                day_rules.append(
                    f"a declared emergency entry ({emergency.state if hit else 'any state'}) cannot be "
                    f"read ({emergency.problem}): calls it could cover are refused until it is fixed "
                    "(dialdesk emergency list)"
                )
            elif hit is not None and emergency.covers(local.date()):
                where = f" ({emergency.areas})" if emergency.areas else ""
                day_rules.append(
                    f"{hit.name} forbids sales calls during the declared state of emergency{where}, "
                    f"{emergency.start.isoformat()} to {emergency.end.isoformat()}"
                )
    if not outside and not day_rules:
        return []
    reasons: list[Reason] = []
    if outside:
        window_text = (
            f"{shown_window.start:%H:%M}–{shown_window.end:%H:%M} " if shown_window is not None else ""
        )
        rule_text = f" ({', '.join(dict.fromkeys(whose))} rule)" if whose else ""
        more = " …" if len(outside) > 3 else ""
        now_text = ", ".join(outside[:3]) + more
        reasons.append(
            Reason(
                CALLING_HOURS,
                f"outside calling hours {window_text}local time{rule_text} (it is {now_text})",
            )
        )
    for detail in dict.fromkeys(day_rules):
        reasons.append(Reason(STATE_RULE, detail))
    return reasons


def recorded_message_reasons(
    at: datetime, rows: tuple[StateRule, ...], zone_infos: tuple[tuple[str, ZoneInfo | None], ...]
) -> list[Reason]:
    """Why the hours a jurisdiction sets for prerecorded messages (Nebraska's ADAD rule) forbid one at
    `at` in any of the callee's zones; they bind whatever consent the lead gave."""
    found: list[str] = []
    for state in rows:
        for zone_name, zone in zone_infos:
            if zone is None:
                continue  # an unknown zone is refused by the calling hours already
            local = at.astimezone(zone)
            weekday = local.weekday()
            day_name = WEEKDAYS[weekday].capitalize() + "s"
            windows: list[tuple[CallingWindow | None, str]] = []
            if state.recorded_day_windows:
                windows.append((state.recorded_day_windows[weekday], f"on {day_name}"))
            if state.recorded_holiday_window:
                holiday = holiday_name(state.holiday_calendar, local.date())
                if holiday:
                    when = f"on legal holidays ({holiday}, {local.date().isoformat()})"
                    windows.append((state.recorded_holiday_window[0], when))
            for window, when in windows:
                if window is None:
                    found.append(f"{state.name} forbids prerecorded messages {when}")
                elif not window.start <= local.time() < window.end:
                    found.append(
                        f"{state.name} allows prerecorded messages {when} only "
                        f"{window.start:%H:%M}–{window.end:%H:%M} local time, even with consent "
                        f"(it is {local:%H:%M} {WEEKDAYS[weekday][:3].capitalize()} in {zone_name})"
                    )
    return [Reason(STATE_RULE, detail) for detail in dict.fromkeys(found)]


def window_starts(rules: RuleBook, states: Iterable[StateRule]) -> set[time]:
    """Every moment of a day when some window opens: where a blocked call may become allowed."""
    starts = {rules.window.start, time(0, 0)}
    for state in states:
        starts.update(day.start for day in state.day_windows if day is not None)
        # A prerecorded message may wait for these (Nebraska's Sunday 13:00).
        recorded = (*state.recorded_day_windows, *state.recorded_holiday_window)
        starts.update(day.start for day in recorded if day is not None)
    return starts


def first_open(
    at: datetime,
    zones: tuple[str, ...],
    starts: set[time],
    allowed: Callable[[datetime], bool],
    horizon_days: int = 8,
) -> datetime | None:
    """The first window opening after `at`, in any zone, at which `allowed(moment)` is true."""
    candidates: set[datetime] = set()
    for zone_name in zones:
        zone = zone_info(zone_name)
        if zone is None:
            continue
        local_now = at.astimezone(zone)
        for offset in range(horizon_days + 1):
            day = local_now.date() + timedelta(days=offset)
            for start in starts:
                moment = datetime.combine(day, start, tzinfo=zone)
                if moment > at:
                    candidates.add(moment)
    return next((moment for moment in sorted(candidates) if allowed(moment)), None)


# -- calling hours by key ------------------------------------------------------------------------


def make_hours_key(zones: tuple[str, ...], states: Iterable[StateRule], federal: bool) -> str:
    """ "zone zone|CODE,@COUNTRY" plus "|nofederal" when the federal window does not apply (Canada)."""
    codes = sorted(("@" if state.is_country else "") + state.code for state in states if state.has_hours)
    key = " ".join(zones) + "|" + ",".join(codes)
    return key if federal else key + "|" + "nofederal"


def _key_parts(key: str, rules: RuleBook) -> tuple[tuple[str, ...], tuple[StateRule, ...], bool]:
    zone_text, _, rest = key.partition("|")
    state_text, _, federal_text = rest.partition("|")
    found: list[StateRule] = []
    for code in state_text.split(","):
        rule = rules.country(code[1:]) if code.startswith("@") else rules.state(code)
        if rule is not None:
            found.append(rule)
    return tuple(zone_text.split()), tuple(found), federal_text != "nofederal"


def hours_reasons(key: str, at: datetime, rules: RuleBook) -> tuple[Reason, ...]:
    """Why the hours of `key` forbid a call at `at` (empty when they allow it)."""
    zones, states, federal = _key_parts(key, rules)
    return tuple(hours_reasons_for(at, rules, states, zones, federal))


def hours_open_at(key: str, at: datetime, rules: RuleBook, horizon_days: int = 8) -> datetime | None:
    """The first moment from `at` on when the hours of `key` allow a call."""
    if not hours_reasons(key, at, rules):
        return at
    zones, states, _federal = _key_parts(key, rules)
    return first_open(
        at,
        zones,
        window_starts(rules, states),
        lambda moment: not hours_reasons(key, moment, rules),
        horizon_days,
    )
