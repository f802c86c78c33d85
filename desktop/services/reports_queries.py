"""The SQL behind supervisor reports: a few aggregate queries over the call-detail record.

Each query groups in the database and hands back small results, so a report over a million
attempts moves tens of thousands of rows into Python, not a million. SQLite aggregates by sorting
unless rows arrive in the order of the GROUP BY, so every query is written to walk one of three
covering indexes in its own order (docs/reports.md):

- `ix_attempts_report` (started_at, …): time buckets, in time order;
- `ix_attempts_agent` (agent_id, allowed, outcome, …): totals per agent and outcome;
- `ix_attempts_lead` (lead_id, started_at, …): per-lead sequences and script attribution.

When a report covers most of the calls, a date condition that SQLite could use would steer it to
the time index and a sort; `Scope.wide` then writes the condition so that no index serves it and
the query keeps its own order. Without statistics (Dialdesk never runs ANALYZE) SQLite's choice
follows from the conditions alone, so the plans are the same on every user's database.

Times are grouped in UTC buckets of an hour (or ten minutes, or a minute, when a time zone in play
is not a whole number of hours from UTC) and turned into local days and hours in Python, where the
IANA zone rules are; the bucket expression has a SQLite and a PostgreSQL form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    insert,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import Subquery

from desktop.domain.scripts import DEFAULT_SCRIPT_BY_KIND, ScriptAssignments
from desktop.services.agents import report_names
from desktop.services.outcome_undo import UNDONE
from desktop.storage.models import Attempt, Callback, Lead, ScriptAnswer, ScriptAssignment, UtcDateTime

AnySelect = Select[*tuple[Any, ...]]
SelectT = TypeVar("SelectT", bound=AnySelect)


@dataclass(frozen=True)
class ScriptRules:
    """What decides a call's script: the assignments in force and the scripts that exist."""

    assignments: ScriptAssignments
    available: frozenset[str]
    titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """The calls a report covers: a time window and optional agent, list and script filters.

    `wide`: the window holds most calls, so queries walk their own index, not the time index;
    `all_time`: it holds every call, so the date condition is left out.
    `summaries`: the report summaries are current (desktop/storage/rollups.py) and may be read.
    """

    start: datetime
    end: datetime
    agent_ids: tuple[int, ...] | None = None  # an agent and those merged into it (services/agents)
    list_name: str | None = None
    script: str | None = None
    scripts: ScriptRules | None = None
    dialect: str = "sqlite"
    wide: bool = False
    all_time: bool = False
    summaries: bool = False


# -- the script a call belongs to -----------------------------------------------------------------


def answered_scripts(name: str = "answered") -> Subquery:
    """Per attempt with answers: the script they were given in (the first by name, as ScriptService)."""
    return (
        select(ScriptAnswer.attempt_id, func.min(ScriptAnswer.script_name).label("script_name"))
        .where(ScriptAnswer.attempt_id.is_not(None))
        .group_by(ScriptAnswer.attempt_id)
        .subquery(name)
    )


def assigned_script(rules: ScriptRules, lead: Any = Lead) -> ColumnElement[str]:
    """The script the lead is assigned now, as `choose_script_name()` decides it, in SQL."""
    available = rules.available
    assignments = rules.assignments
    whens: list[tuple[ColumnElement[bool], str]] = []
    for name in sorted({n for n in assignments.by_lead.values() if n in available}):
        assigned = leads_with_own_script().where(ScriptAssignment.script_name == name)
        whens.append((lead.id.in_(assigned), name))
    whens += [(lead.list_name == key, name) for key, name in assignments.by_list.items() if name in available]
    whens += [(lead.warmth == key, name) for key, name in assignments.by_warmth.items() if name in available]
    if assignments.default and assignments.default in available:
        fallback = assignments.default
    else:
        whens += [
            (lead.kind == kind, name) for kind, name in DEFAULT_SCRIPT_BY_KIND.items() if name in available
        ]
        business = DEFAULT_SCRIPT_BY_KIND["business"]
        fallback = business if business in available else (min(available) if available else "")
    if not whens:
        return literal(fallback, String)
    return case(*whens, else_=literal(fallback, String))


def script_of_call(rules: ScriptRules | None, answered: Subquery, lead: Any = Lead) -> ColumnElement[str]:
    """The script of a call: where its answers were given, else the one its lead is assigned now."""
    if rules is None:
        return literal("", String)
    return func.coalesce(answered.c.script_name, assigned_script(rules, lead))


# -- filters --------------------------------------------------------------------------------------


def standing_calls(attempt: Any = Attempt) -> list[ColumnElement[bool]]:
    """WHERE terms that leave out what an undo made void: the correction record (outcome `undone`)
    and the call it undoes. Neither is a dial, a connect or an outcome in any report. Both read only
    what the covering indexes hold (outcome, rowid); the undone ids come from `ix_attempts_corrects`.
    The summaries' triggers and rebuild apply the same test (migration 0012, storage/rollups.py)."""
    corrections = aliased(Attempt, name="corrections")
    undone = (
        select(corrections.corrects_id)
        .where(corrections.corrects_id.is_not(None), corrections.outcome == UNDONE)
        .correlate(None)
    )
    return [attempt.outcome.is_distinct_from(UNDONE), attempt.id.not_in(undone)]


def conditions(
    scope: Scope,
    attempt: Any = Attempt,
    lead: Any = Lead,
    answered: Subquery | None = None,
    time_index: bool = False,
    dates: bool = True,
) -> list[ColumnElement[bool]]:
    """WHERE terms for the attempts (`attempt`, an alias or the table) in scope.

    `time_index`: write the date condition so the time index can serve it even for a wide scope.
    `dates=False`: leave the date condition out (a join with the time buckets bounds it already).
    A script filter needs the lead and the answers joined (`lead`, `answered`).
    """
    terms: list[ColumnElement[bool]] = standing_calls(attempt)
    if dates and (time_index or not scope.wide):
        terms += [attempt.started_at >= scope.start, attempt.started_at < scope.end]
    elif dates and not scope.all_time:
        # coalesce() of a NOT NULL column is the column, but no index serves it (see module docs).
        moment = func.coalesce(attempt.started_at, attempt.started_at)
        terms += [moment >= scope.start, moment < scope.end]
    # Joined to time buckets, the calls must come by the time index: an agent or list term that an
    # index could serve would lead SQLite (which has no statistics here) to walk that index once per
    # bucket. coalesce(x, x) is x, but no index serves it.
    agent_id = attempt.agent_id if dates else func.coalesce(attempt.agent_id, attempt.agent_id)
    lead_id = attempt.lead_id if dates else func.coalesce(attempt.lead_id, attempt.lead_id)
    if scope.agent_ids is not None:
        terms.append(agent_id.in_(scope.agent_ids))
    if scope.list_name is not None:
        # correlate(None): the outer query may join leads too; this must stay a list of its own.
        in_list = select(Lead.id).where(Lead.list_name == scope.list_name).correlate(None)
        terms.append(lead_id.in_(in_list))
    if scope.script is not None:
        if answered is None:
            raise ValueError("a script filter needs the script joins")
        terms.append(attempt.lead_id.is_not(None))
        terms.append(script_of_call(scope.scripts, answered, lead) == scope.script)
    return terms


def scoped(
    query: SelectT, scope: Scope, joined_lead: bool = False, time_index: bool = False, dates: bool = True
) -> SelectT:
    """`query` over attempts restricted to `scope` (adding the script joins when a script is chosen)."""
    if scope.script is None:
        return query.where(*conditions(scope, time_index=time_index, dates=dates))
    answered = answered_scripts()
    query = query.outerjoin(answered, answered.c.attempt_id == Attempt.id)
    if not joined_lead:
        query = query.outerjoin(Lead, Lead.id == Attempt.lead_id)
    return query.where(*conditions(scope, answered=answered, time_index=time_index, dates=dates))


# -- time buckets ---------------------------------------------------------------------------------


def bucket_minutes(zones: Collection[str], start: datetime, end: datetime) -> int:
    """The UTC bucket size that maps exactly to local hours in every zone: 60, 10 or 1 minutes."""
    size = 60
    samples = [start, end]
    for year in range(start.year, end.year + 1):
        samples += [datetime(year, 1, 1, tzinfo=UTC), datetime(year, 7, 1, tzinfo=UTC)]
    for name in zones:
        zone = ZoneInfo(name)
        for moment in samples:
            offset = moment.astimezone(zone).utcoffset() or timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            if minutes % 60:
                size = min(size, 10 if minutes % 10 == 0 else 1)
    return size


# Temporary tables of one report pass (on its own connection), created and dropped by the pass.
_TEMPORARY = MetaData()
_BUCKET_LENGTH = {60: 13, 10: 15, 1: 16}  # "YYYY-MM-DD HH", "YYYY-MM-DD HH:M", "YYYY-MM-DD HH:MM"

# The UTC time buckets of one report pass, [start, stop) each, in label order. Joining the calls to
# these ranges hands each bucket's calls to GROUP BY together, straight from the time index: grouping
# by an expression of started_at instead made SQLite sort a million rows (docs/reports.md).
TIME_BUCKETS = Table(
    "report_time_buckets",
    _TEMPORARY,
    Column("label", String(16), primary_key=True),
    Column("start", UtcDateTime, nullable=False),
    Column("stop", UtcDateTime, nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)


@contextmanager
def time_buckets(session: Session, scope: Scope, minutes: int) -> Iterator[Table]:
    """A temporary table of the `minutes`-long UTC buckets covering the scope; dropped afterwards."""
    with _temporary(session, TIME_BUCKETS):
        step = timedelta(minutes=minutes)
        moment = scope.start.astimezone(UTC).replace(second=0, microsecond=0)
        moment -= timedelta(minutes=moment.minute % minutes)
        end = scope.end.astimezone(UTC)
        length = _BUCKET_LENGTH[minutes]
        rows = []
        while moment < end:
            # The first and last buckets are cut to the window: the pass that joins them has no other
            # date condition, and a report zone half an hour off UTC starts a window mid-bucket.
            rows.append(
                {
                    "label": moment.strftime("%Y-%m-%d %H:%M")[:length],
                    "start": max(moment, scope.start),
                    "stop": min(moment + step, scope.end),
                }
            )
            moment += step
        if rows:
            session.execute(insert(TIME_BUCKETS), rows)
        yield TIME_BUCKETS


def _in_bucket(buckets: Table) -> ColumnElement[bool]:
    return and_(Attempt.started_at >= buckets.c.start, Attempt.started_at < buckets.c.stop)


def bucket_start(text: str, minutes: int) -> datetime:
    """The UTC start of a bucket from its text ("YYYY-MM-DD HH…"; read by position: strptime costs
    ten times as much, and a year has 8,760 hours)."""
    hour = datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), tzinfo=UTC)
    if minutes == 60:
        return hour
    if minutes == 10:
        return hour + timedelta(minutes=int(text[14]) * 10)
    return hour + timedelta(minutes=int(text[14:16]))


# -- the aggregates -------------------------------------------------------------------------------


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _in(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    return column.in_(list(values)) if values else false()


def by_agent_and_outcome(
    session: Session, scope: Scope, contact_codes: Sequence[str], conversation_s: float
) -> Iterator[tuple[int | None, bool, str | None, int, float, int]]:
    """(agent id, allowed, outcome, attempts, seconds on the phone, conversations) per group."""
    conversation = and_(_in(Attempt.outcome, contact_codes), Attempt.duration_s >= conversation_s)
    query = select(
        Attempt.agent_id,
        Attempt.allowed,
        Attempt.outcome,
        func.count(),
        func.coalesce(func.sum(Attempt.duration_s), 0.0),
        func.sum(_flag(conversation)),
    ).group_by(Attempt.agent_id, Attempt.allowed, Attempt.outcome)
    for agent_id, allowed, outcome, count, seconds, conversations in session.execute(scoped(query, scope)):
        yield (
            None if agent_id is None else int(agent_id),
            bool(allowed),
            None if outcome is None else str(outcome),
            int(count),
            float(seconds or 0.0),
            int(conversations or 0),
        )


@dataclass(frozen=True)
class BucketRow:
    """Counts in one UTC time bucket."""

    bucket: str
    attempts: int
    dials: int
    connects: int
    conversations: int
    meetings: int
    call_seconds: float
    talk_seconds: float


# Lead id -> zone number, for one report pass: a join on this narrow table costs half as much as
# one on `leads`, whose rows are wide (see docs/reports.md).
LEAD_ZONES = Table(
    "report_lead_zones",
    _TEMPORARY,
    Column("lead_id", Integer, primary_key=True, autoincrement=False),
    Column("zone", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


@contextmanager
def _temporary(session: Session, table: Table) -> Iterator[Table]:
    """`table` created empty on the session's connection, and dropped when the block ends."""
    connection = session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")
    table.create(connection)
    try:
        yield table
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")


@contextmanager
def lead_zones(session: Session, zone_of_key: Mapping[str, int]) -> Iterator[Table]:
    """A temporary table of every lead's zone number (from its hours key); dropped afterwards."""
    with _temporary(session, LEAD_ZONES):
        keys_of: dict[int, list[str]] = {}
        for key, number in zone_of_key.items():
            keys_of.setdefault(number, []).append(key)
        zone: ColumnElement[int] = (
            case(*[(Lead.hours_key.in_(keys), number) for number, keys in keys_of.items()], else_=-1)
            if keys_of
            else literal(-1, Integer)
        )
        session.execute(insert(LEAD_ZONES).from_select(["lead_id", "zone"], select(Lead.id, zone)))
        yield LEAD_ZONES


def by_time_bucket(
    session: Session, scope: Scope, minutes: int, contact_codes: Sequence[str], conversation_s: float
) -> list[BucketRow]:
    """Counts per UTC bucket, for days in the report's zone: one walk of `ix_attempts_report`."""
    contact = _in(Attempt.outcome, contact_codes)
    allowed = cast(Attempt.allowed, Integer)
    with time_buckets(session, scope, minutes) as buckets:
        query = (
            select(
                buckets.c.label,
                func.count(),
                func.sum(allowed),
                func.sum(_flag(contact)),
                func.sum(_flag(and_(contact, Attempt.duration_s >= conversation_s))),
                func.sum(_flag(Attempt.outcome == "meeting")),
                func.sum(allowed * Attempt.duration_s),
                func.sum(case((contact, Attempt.duration_s), else_=None)),
            )
            .select_from(buckets)
            .join(Attempt, _in_bucket(buckets))
            .group_by(buckets.c.label)
        )
        rows = session.execute(scoped(query, scope, dates=False)).all()
    return [
        BucketRow(
            str(b), int(n), int(d or 0), int(c or 0), int(v or 0), int(m or 0), float(cs or 0), float(ts or 0)
        )
        for b, n, d, c, v, m, cs, ts in rows
    ]


def by_zone_and_bucket(
    session: Session, scope: Scope, minutes: int, zones: Table, contact_codes: Sequence[str]
) -> list[tuple[int | None, str, int, int]]:
    """(lead zone number or None, UTC bucket, dials, connects): hours of the lead's local day."""
    with time_buckets(session, scope, minutes) as buckets:
        query = (
            select(
                zones.c.zone,
                buckets.c.label,
                func.count(),
                func.sum(_flag(_in(Attempt.outcome, contact_codes))),
            )
            .select_from(buckets)
            .join(Attempt, _in_bucket(buckets))
            .outerjoin(zones, zones.c.lead_id == Attempt.lead_id)
            # A cast, not `allowed IS 1`: SQLite would build a temporary index for that equality.
            .where(cast(Attempt.allowed, Integer) == 1)
            .group_by(buckets.c.label, zones.c.zone)
        )
        rows = session.execute(scoped(query, scope, dates=False)).all()
    return [(None if z is None else int(z), str(b), int(n), int(c or 0)) for z, b, n, c in rows]


def lead_zone_keys(session: Session) -> list[str]:
    """Every lead hours key in use (a walk of their index): to choose the bucket size."""
    return [
        str(k) for k in session.scalars(select(Lead.hours_key).where(Lead.hours_key.is_not(None)).distinct())
    ]


# One lead's calls in scope: (lead id, calls that count as attempts, attempts up to and including
# the first contact or 0, allowed calls with an outcome, connects, meetings, seconds on connects,
# and what script assignments go by: the lead's list, warmth and kind).
LeadRow = tuple[int, int, int, int, int, int, float, str, str, str]
# What decides the script of a lead's calls: (its id when it is assigned a script of its own, else
# None; its list, warmth and kind).
LeadGroup = tuple[int | None, str, str, str]


@dataclass
class LeadFigures:
    """The per-lead figures of a report, summed: leads per attempt count, leads per attempts to the
    first contact, and (calls, connects, meetings, talk seconds) per `LeadGroup`."""

    attempts: Counter[int] = field(default_factory=Counter)
    to_contact: Counter[int] = field(default_factory=Counter)
    groups: dict[LeadGroup, list[float]] = field(default_factory=dict)

    @classmethod
    def of_rows(cls, rows: Iterable[LeadRow], assigned: Collection[int]) -> LeadFigures:
        """Summed from one row per lead; `assigned`: the leads with a script of their own."""
        figures = cls()
        for lead_id, attempts, first, calls, connects, meetings, talk, list_name, warmth, kind in rows:
            figures.attempts[attempts] += 1
            if first:
                figures.to_contact[first] += 1
            if calls:
                key = (lead_id if lead_id in assigned else None, list_name, warmth, kind)
                group = figures.groups.setdefault(key, [0.0] * 4)
                group[0] += calls
                group[1] += connects
                group[2] += meetings
                group[3] += talk
        return figures


def per_lead(
    session: Session, scope: Scope, counted_codes: Sequence[str], contact_codes: Sequence[str]
) -> list[LeadRow]:
    """Per lead dialled in scope, walking `ix_attempts_lead` in its order (no sort).

    `counted_codes`: the outcomes that count as attempts (a code no rule knows does not).
    """
    contact = _in(Attempt.outcome, contact_codes)
    per = scoped(
        select(
            Attempt.lead_id.label("lead_id"),
            func.count(Attempt.outcome).label("calls"),
            func.sum(_flag(_in(Attempt.outcome, counted_codes))).label("attempts"),
            func.min(case((contact, Attempt.started_at), else_=None)).label("first_contact"),
            func.sum(_flag(contact)).label("connects"),
            func.sum(_flag(Attempt.outcome == "meeting")).label("meetings"),
            func.sum(case((contact, Attempt.duration_s), else_=None)).label("talk"),
        )
        .where(Attempt.allowed.is_(True), Attempt.lead_id.is_not(None))
        .group_by(Attempt.lead_id),
        scope,
    ).subquery("per_lead")
    # Attempts up to the first contact: a seek in the lead's index entries, per contacted lead.
    earlier = aliased(Attempt, name="earlier")
    earlier_lead = aliased(Lead, name="earlier_lead")
    count_query = select(func.count()).select_from(earlier)
    answered = None
    if scope.script is not None:
        answered = answered_scripts("earlier_answered")
        count_query = count_query.outerjoin(answered, answered.c.attempt_id == earlier.id).outerjoin(
            earlier_lead, earlier_lead.id == earlier.lead_id
        )
    to_contact = (
        count_query.where(
            earlier.lead_id == per.c.lead_id,
            earlier.started_at <= per.c.first_contact,
            earlier.allowed.is_(True),
            _in(earlier.outcome, counted_codes),
            *conditions(scope, earlier, earlier_lead, answered),
        )
        .correlate(per)
        .scalar_subquery()
    )
    lead = aliased(Lead, name="lead")
    query = select(
        per.c.lead_id,
        per.c.attempts,
        case((per.c.first_contact.is_(None), 0), else_=to_contact),
        per.c.calls,
        per.c.connects,
        per.c.meetings,
        func.coalesce(per.c.talk, 0.0),
        lead.list_name,
        lead.warmth,
        lead.kind,
    ).join(lead, lead.id == per.c.lead_id)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def leads_with_own_script() -> Select[int]:
    """The ids of leads assigned a script of their own."""
    return (
        select(cast(ScriptAssignment.target, Integer)).where(ScriptAssignment.scope == "lead").correlate(None)
    )


def answered_calls(session: Session, scope: Scope) -> list[tuple[LeadGroup, str, str, int, float]]:
    """(lead group, script answered in, outcome, calls, seconds) for allowed calls with answers and
    an outcome; the group as in `LeadFigures`."""
    answered = answered_scripts()
    own = case((Attempt.lead_id.in_(leads_with_own_script()), Attempt.lead_id), else_=None)
    keys = (own, Lead.list_name, Lead.warmth, Lead.kind, answered.c.script_name, Attempt.outcome)
    query = (
        select(*keys, func.count(), func.coalesce(func.sum(Attempt.duration_s), 0.0))
        .select_from(answered)
        .join(Attempt, answered.c.attempt_id == Attempt.id)
        .join(Lead, Lead.id == Attempt.lead_id)
        .where(Attempt.allowed.is_(True), Attempt.outcome.is_not(None))
        .where(*conditions(scope, answered=answered, time_index=True))
        .group_by(*keys)
    )
    return [
        (
            (None if lead is None else int(lead), str(list_name), str(warmth), str(kind)),
            str(s),
            str(o),
            int(n),
            float(t),
        )
        for lead, list_name, warmth, kind, s, o, n, t in session.connection().execute(query)
    ]


def blocked_reasons(session: Session, scope: Scope) -> Iterator[str]:
    """The decision records (JSON text) of blocked attempts in scope."""
    # Through the time index: the allowed flag is tested in the index, only blocked rows are read.
    query = scoped(select(Attempt.reasons).where(Attempt.allowed.is_(False)), scope, time_index=True)
    yield from session.scalars(query.execution_options(yield_per=5000))


def callbacks_due(session: Session, scope: Scope) -> list[tuple[datetime, datetime | None]]:
    """(due, done) as naive UTC of callbacks due in the window, by the agent who booked them, on
    leads of the list."""
    # Read as stored (naive UTC; text on SQLite) and parsed here: the type's own result processing
    # costs more than the rest of the callback figures.
    query = select(type_coerce(Callback.due_at, String), type_coerce(Callback.done_at, String)).where(
        Callback.due_at >= scope.start, Callback.due_at < scope.end
    )
    if scope.agent_ids is not None:
        query = query.where(Callback.agent_id.in_(scope.agent_ids))
    if scope.list_name is not None:
        query = query.where(Callback.lead_id.in_(select(Lead.id).where(Lead.list_name == scope.list_name)))
    return [(_utc(due), None if done is None else _utc(done)) for due, done in session.execute(query)]


def _utc(value: Any) -> datetime:
    """A stored time as naive UTC (comparisons need no time zone arithmetic)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def agent_names(session: Session) -> dict[int, str]:
    """Agent id -> the name reports show (a merged agent's calls count under the name it joined)."""
    return report_names(session)


def attempts_in(session: Session, start: datetime | None = None, end: datetime | None = None) -> int:
    """How many attempts fall in [start, end) (all of them without bounds): a count on an index."""
    query = select(func.count()).select_from(Attempt)
    if start is not None and end is not None:
        query = query.where(Attempt.started_at >= start, Attempt.started_at < end)
    return int(session.scalar(query) or 0)


def time_span(session: Session) -> tuple[datetime, datetime] | None:
    """The first and the last attempt's start, if any."""
    row = session.execute(select(func.min(Attempt.started_at), func.max(Attempt.started_at))).one()
    return None if row[0] is None else (row[0], row[1])
