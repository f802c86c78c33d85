"""The figures of a supervisor report as values: the filter, the tallies, and their stable JSON form.

`desktop.services.reports` computes them; this module only holds and names them (and reads the
reason codes of a stored gate decision). See docs/reports.md for every definition.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.leads import DEFAULT_ATTEMPT_TARGET, GIVE_UP_POINT

# A connect this long or longer was a conversation, not a quick "not interested".
CONVERSATION_MIN_S = 60.0
# A callback made up to this long after the promised time still counts as kept.
CALLBACK_GRACE = timedelta(hours=1)
# The persistence marks: most sellers give up after 4 attempts; buyers answer after about 18.
PERSISTENCE_MARKS = (GIVE_UP_POINT, DEFAULT_ATTEMPT_TARGET)
NO_AGENT = "(no agent)"
# A period's bounds in any time zone (and the day after its end) stay representable inside these.
EARLIEST_REPORT_DAY = date(1900, 1, 1)
LATEST_REPORT_DAY = date(2199, 12, 31)
NO_SCRIPT = "(no script)"


class ReportError(Exception):
    """A report that cannot be made as asked; the message is meant for the user."""


class ReportCancelled(ReportError):
    """The user cancelled the report."""


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers: days (inclusive) in a time zone, and optionally an agent, list or script."""

    first_day: date
    last_day: date
    zone: str = "UTC"
    agent: str | None = None
    list_name: str | None = None
    script: str | None = None

    def tzinfo(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ReportError(
                f"unknown time zone {self.zone!r}; use an IANA name such as America/New_York"
            ) from None

    def validate(self) -> None:
        for day in (self.first_day, self.last_day):
            if not EARLIEST_REPORT_DAY <= day <= LATEST_REPORT_DAY:
                raise ReportError(
                    f"{day} is outside the years a report covers "
                    f"({EARLIEST_REPORT_DAY.year} to {LATEST_REPORT_DAY.year})"
                )
        if self.last_day < self.first_day:
            raise ReportError("the last day is before the first day")
        self.tzinfo()

    def bounds(self) -> tuple[datetime, datetime]:
        """The UTC start of the first day and the UTC start of the day after the last, in the zone."""
        zone = self.tzinfo()
        start = datetime.combine(self.first_day, time(0), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        return start, end

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=n) for n in range(count)]

    def to_json(self) -> dict[str, str | None]:
        return {"agent": self.agent, "list": self.list_name, "script": self.script}


@dataclass
class Tally:
    """Counts for one slice of the calls: everything, one agent, one day or one script."""

    dials: int = 0
    blocked: int = 0
    connects: int = 0
    conversations: int = 0
    meetings: int = 0
    with_outcome: int = 0
    call_time_s: float = 0.0
    talk_time_s: float = 0.0

    @property
    def contact_rate(self) -> float | None:
        return _ratio(self.connects, self.dials)

    @property
    def meeting_rate(self) -> float | None:
        """Meetings per dial."""
        return _ratio(self.meetings, self.dials)

    @property
    def meeting_rate_per_contact(self) -> float | None:
        return _ratio(self.meetings, self.connects)

    def to_json(self) -> dict[str, Any]:
        return {
            "dials": self.dials,
            "blocked": self.blocked,
            "connects": self.connects,
            "contact_rate": self.contact_rate,
            "conversations": self.conversations,
            "meetings": self.meetings,
            "meeting_rate": self.meeting_rate,
            "meeting_rate_per_contact": self.meeting_rate_per_contact,
            "talk_time_s": self.talk_time_s,
            "call_time_s": self.call_time_s,
        }


@dataclass
class SequenceFigures:
    """Per lead dialled: attempts to the first contact, and how far the sequence went."""

    leads_dialled: int = 0
    to_contact: dict[int, int] = field(default_factory=dict)  # attempts to first contact -> leads
    reached: dict[int, int] = field(default_factory=dict)  # mark (4, 18) -> leads with that many or more

    @property
    def leads_contacted(self) -> int:
        return sum(self.to_contact.values())

    @property
    def avg_attempts_to_contact(self) -> float | None:
        return _ratio(sum(k * n for k, n in self.to_contact.items()), self.leads_contacted)

    def share(self, mark: int) -> float | None:
        return _ratio(self.reached.get(mark, 0), self.leads_dialled)


@dataclass
class CallbackFigures:
    """Callbacks due in the period and whether they were kept."""

    due: int = 0
    kept: int = 0
    missed: int = 0
    pending: int = 0


@dataclass(frozen=True)
class ScriptResult:
    """How calls went under one script."""

    name: str
    title: str
    calls: int
    connects: int
    meetings: int
    talk_time_s: float

    @property
    def contact_rate(self) -> float | None:
        return _ratio(self.connects, self.calls)

    @property
    def meeting_rate(self) -> float | None:
        """Meetings per connect, as the scripts' own figures."""
        return _ratio(self.meetings, self.connects)


@dataclass
class Report:
    """The figures of one report; `to_json()` is their stable form."""

    filter: ReportFilter
    generated_at: datetime
    totals: Tally = field(default_factory=Tally)
    outcomes: dict[str, int] = field(default_factory=dict)
    blocked: dict[str, int] = field(default_factory=dict)
    by_agent: dict[str, Tally] = field(default_factory=dict)
    by_day: dict[date, Tally] = field(default_factory=dict)
    by_local_hour: list[Tally] = field(default_factory=lambda: [Tally() for _ in range(24)])
    local_hour_unknown: int = 0
    sequences: SequenceFigures = field(default_factory=SequenceFigures)
    callbacks: CallbackFigures = field(default_factory=CallbackFigures)
    scripts: list[ScriptResult] = field(default_factory=list)
    outcome_labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        totals, sequences = self.totals, self.sequences
        return {
            "from": self.filter.first_day.isoformat(),
            "to": self.filter.last_day.isoformat(),
            "time_zone": self.filter.zone,
            "filters": self.filter.to_json(),
            "generated_at": self.generated_at.isoformat(),
            "dials": totals.dials,
            "blocked_dials": totals.blocked,
            "connects": totals.connects,
            "contact_rate": totals.contact_rate,
            "conversations": totals.conversations,
            "conversation_min_s": CONVERSATION_MIN_S,
            "meetings": totals.meetings,
            "meeting_rate": totals.meeting_rate,
            "meeting_rate_per_contact": totals.meeting_rate_per_contact,
            "avg_attempts_to_contact": sequences.avg_attempts_to_contact,
            "leads_dialled": sequences.leads_dialled,
            "leads_contacted": sequences.leads_contacted,
            **{f"reached_{mark}_attempts": sequences.reached.get(mark, 0) for mark in PERSISTENCE_MARKS},
            **{f"reached_{mark}_share": sequences.share(mark) for mark in PERSISTENCE_MARKS},
            "talk_time_s": totals.talk_time_s,
            "call_time_s": totals.call_time_s,
            "dials_without_outcome": totals.dials - totals.with_outcome,
            "callbacks": {
                "due": self.callbacks.due,
                "kept": self.callbacks.kept,
                "missed": self.callbacks.missed,
                "pending": self.callbacks.pending,
            },
            "outcomes": dict(self.outcomes),
            "outcome_labels": dict(self.outcome_labels),
            "blocked": dict(self.blocked),
            "by_agent": {name: tally.to_json() for name, tally in self.by_agent.items()},
            "by_day": {day.isoformat(): tally.to_json() for day, tally in self.by_day.items()},
            "by_local_hour": {
                f"{hour:02d}": {"dials": t.dials, "connects": t.connects, "contact_rate": t.contact_rate}
                for hour, t in enumerate(self.by_local_hour)
            },
            "local_hour_unknown": self.local_hour_unknown,
            "attempts_to_contact": {str(k): n for k, n in sorted(self.sequences.to_contact.items())},
            "scripts": {
                s.name: {
                    "title": s.title,
                    "calls": s.calls,
                    "connects": s.connects,
                    "contact_rate": s.contact_rate,
                    "meetings": s.meetings,
                    "meeting_rate": s.meeting_rate,
                    "talk_time_s": s.talk_time_s,
                }
                for s in self.scripts
            },
        }


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def first_zone(hours_key: str | None) -> str | None:
    zones = (hours_key or "").partition("|")[0].split()
    return zones[0] if zones else None


_CODE = re.compile(r'"code": "([^"\\]*)"')
_RECORD_START = '{"reasons": ['


def reason_codes(record_text: str) -> set[str]:
    """The reason codes of one stored decision record (a JSON object, or an early bare list).

    A code is non-empty text; the report summaries' triggers read records the same way (migration
    0007). Records written by the gate start with their reasons and go on with "notes": the codes
    are read from that first part directly (a tenth of the time of parsing the whole record) unless
    it holds an escaped character; anything else is parsed as JSON.
    """
    if record_text.startswith(_RECORD_START):
        end = record_text.find('], "notes": [')
        if end > 0 and "\\" not in record_text[len(_RECORD_START) : end]:
            return {code for code in _CODE.findall(record_text, len(_RECORD_START), end) if code}
    try:
        data = json.loads(record_text or "{}")
    except json.JSONDecodeError:
        return set()
    reasons = data.get("reasons", []) if isinstance(data, dict) else data
    if not isinstance(reasons, list):
        return set()
    codes = (r.get("code") for r in reasons if isinstance(r, dict))
    return {code for code in codes if isinstance(code, str) and code}


def local_zone_name() -> str:
    """This computer's IANA time zone ($TZ, else where /etc/localtime points), or "UTC"."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and known_zone(name):
            return name
    return "UTC"
