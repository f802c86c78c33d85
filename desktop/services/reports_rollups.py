"""Report figures read from the summaries (desktop/storage/rollups.py) instead of the calls.

The summaries are per UTC hour, day and lead, for all agents and lists together, so they serve:

- days, totals per agent and outcome, blocked reasons and the lead's local hours: when the report
  has no list or script filter and its window starts and ends on a UTC hour (a report zone a whole
  number of hours from UTC; local hours also need every lead's zone to be one);
- per-lead sequences: when the report covers every call and has no agent or script filter.

Otherwise the passes in reports_queries read the calls. Both give the same figures (a test builds
every report both ways over random call records).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from desktop.services import reports_queries as q
from desktop.services.reports_queries import BucketRow, LeadFigures, Scope
from desktop.storage.models import (
    Lead,
    ReportBlocked,
    ReportDay,
    ReportHour,
    ReportHourTotal,
    ReportLeadStat,
    ReportZoneHour,
)


def hour_label(moment: datetime) -> str:
    """The UTC hour of `moment` as the summaries key it: "YYYY-MM-DD HH"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


def _on_the_hour(moment: datetime) -> bool:
    utc = moment.astimezone(UTC)
    return utc.minute == 0 and utc.second == 0 and utc.microsecond == 0


def serve_times(scope: Scope) -> bool:
    """Whether the hourly summaries hold this scope's time figures exactly."""
    return (
        scope.summaries
        and scope.list_name is None
        and scope.script is None
        and _on_the_hour(scope.start)
        and _on_the_hour(scope.end)
    )


def serve_leads(scope: Scope) -> bool:
    """Whether the per-lead summaries are this scope's sequences: every call, every agent."""
    return scope.summaries and scope.all_time and scope.agent_ids is None and scope.script is None


def _agent(table: Any, scope: Scope) -> list[Any]:
    return [] if scope.agent_ids is None else [table.agent_id.in_(scope.agent_ids)]


def _hours(table: Any, scope: Scope, start: str | None = None, end: str | None = None) -> list[Any]:
    """The window's hours (or [start, end) of them), and its agent."""
    start, end = start or hour_label(scope.start), end or hour_label(scope.end)
    return [table.hour >= start, table.hour < end, *_agent(table, scope)]


def buckets(session: Session, scope: Scope) -> list[BucketRow]:
    """The hourly counts of reports_queries.by_time_bucket(), from `report_hour_totals`."""
    t = ReportHourTotal
    query = (
        select(
            t.hour,
            func.sum(t.calls),
            func.sum(t.dials),
            func.sum(t.connects),
            func.sum(t.conversations),
            func.sum(t.meetings),
            func.sum(t.call_s),
            func.sum(t.talk_s),
        )
        .where(*_hours(t, scope))
        .group_by(t.hour)
    )
    return [
        BucketRow(str(b), int(n), int(d), int(c), int(v), int(m), float(cs), float(ts))
        for b, n, d, c, v, m, cs, ts in _rows(session, query)
    ]


def _rows(session: Session, query: Any) -> Sequence[Any]:
    """The rows of a Core query, without the ORM's per-row work (a summary read returns thousands)."""
    return session.connection().execute(query).all()


def calls_in(session: Session, start: datetime, end: datetime) -> tuple[int | None, int | None]:
    """All calls, and the calls in [start, end) when it is on whole UTC hours (else None)."""
    t = ReportHourTotal
    total = int(session.scalar(select(func.coalesce(func.sum(t.calls), 0))) or 0)
    if not (_on_the_hour(start) and _on_the_hour(end)):
        return total, None
    window = select(func.coalesce(func.sum(t.calls), 0)).where(
        t.hour >= hour_label(start), t.hour < hour_label(end)
    )
    return total, int(session.scalar(window) or 0)


def _whole_days(scope: Scope) -> tuple[str, str] | None:
    """The UTC days wholly inside the window, [first, stop), if there are any."""
    start, end = scope.start.astimezone(UTC), scope.end.astimezone(UTC)
    first = start.date() if start.hour == 0 else start.date() + timedelta(days=1)
    stop = end.date()
    return (first.isoformat(), stop.isoformat()) if first < stop else None


def _outcome_sums(table: Any, *terms: Any) -> Any:
    """(agent, allowed, outcome, calls, seconds, long calls) of `table`'s rows that meet `terms`."""
    return (
        select(
            table.agent_id,
            table.allowed,
            table.outcome,
            func.sum(table.calls),
            func.sum(table.seconds),
            func.sum(table.long_calls),
        )
        .where(*terms)
        .group_by(table.agent_id, table.allowed, table.outcome)
    )


def agent_outcomes(
    session: Session, scope: Scope, contact_codes: Sequence[str]
) -> list[tuple[int | None, bool, str | None, int, float, int]]:
    """What reports_queries.by_agent_and_outcome() returns, from whole days and the hours around them."""
    sums: dict[tuple[int, bool, str], list[float]] = {}
    days = _whole_days(scope)
    if days is None:
        queries = [_outcome_sums(ReportHour, *_hours(ReportHour, scope))]
    else:
        before = and_(*_hours(ReportHour, scope, end=f"{days[0]} 00"))
        after = and_(*_hours(ReportHour, scope, start=f"{days[1]} 00"))
        queries = [
            _outcome_sums(ReportHour, or_(before, after)),
            _outcome_sums(
                ReportDay, ReportDay.day >= days[0], ReportDay.day < days[1], *_agent(ReportDay, scope)
            ),
        ]
    for query in queries:
        for agent_id, allowed, outcome, calls, seconds, long_calls in _rows(session, query):
            row = sums.setdefault((int(agent_id), bool(allowed), str(outcome)), [0, 0.0, 0])
            row[0] += int(calls)
            row[1] += float(seconds)
            row[2] += int(long_calls)
    contact = set(contact_codes)
    return [
        (
            agent_id or None,
            allowed,
            outcome or None,
            int(calls),
            float(seconds),
            int(long_calls) if outcome in contact else 0,
        )
        for (agent_id, allowed, outcome), (calls, seconds, long_calls) in sorted(sums.items())
        if calls
    ]


def blocked(session: Session, scope: Scope) -> Counter[str]:
    """Blocked dials per reason code in the window."""
    query = (
        select(ReportBlocked.reason, func.sum(ReportBlocked.calls))
        .where(*_hours(ReportBlocked, scope))
        .group_by(ReportBlocked.reason)
    )
    return Counter({str(reason): int(calls) for reason, calls in _rows(session, query) if calls})


def zone_hours(session: Session, scope: Scope) -> list[tuple[str, str, int, int]]:
    """(lead hours key, "" for none; UTC hour; dials; connects) in the window."""
    z = ReportZoneHour
    query = (
        select(z.hours_key, z.hour, func.sum(z.dials), func.sum(z.connects))
        .where(*_hours(z, scope))
        .group_by(z.hour, z.hours_key)
    )
    return [(str(k), str(h), int(d), int(c)) for k, h, d, c in _rows(session, query) if d]


def lead_figures(session: Session, scope: Scope) -> LeadFigures:
    """What LeadFigures.of_rows() sums from reports_queries.per_lead(), summed in SQL from
    `report_lead_stats` (for every lead with a call)."""
    s = ReportLeadStat
    own = case((s.lead_id.in_(q.leads_with_own_script()), s.lead_id), else_=None)
    keys = (s.attempts, s.to_contact, own, Lead.list_name, Lead.warmth, Lead.kind)
    query = (
        select(
            *keys,
            func.count(),
            func.sum(s.calls),
            func.sum(s.connects),
            func.sum(s.meetings),
            func.sum(s.talk_s),
        )
        .join(Lead, Lead.id == s.lead_id)
        .where(s.calls > 0)
        .group_by(*keys)
    )
    if scope.list_name is not None:
        query = query.where(Lead.list_name == scope.list_name)
    figures = LeadFigures()
    for attempts, to_contact, lead_id, list_name, warmth, kind, leads, *sums in _rows(session, query):
        figures.attempts[int(attempts)] += int(leads)
        if to_contact:
            figures.to_contact[int(to_contact)] += int(leads)
        group = figures.groups.setdefault((lead_id, list_name, warmth, kind), [0.0] * 4)
        for index, value in enumerate(sums):
            group[index] += float(value)
    return figures
