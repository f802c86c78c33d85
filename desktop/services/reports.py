"""Supervisor reports: what the calling did over a period, per agent, per day and per script.

A report is built from the call-detail record (`attempts`) by a few aggregate queries
(`reports_queries`), for a date range in one time zone and optionally one agent, one call list or one
script. The figures and their definitions (docs/reports.md):

- dials: attempts the gate allowed; blocked: attempts it refused, counted per reason code;
- connects: dials whose outcome counts as a contact (resources/rules/outcomes.toml); contact rate
  = connects / dials; conversations: connects that lasted at least `CONVERSATION_MIN_S`;
- meetings: dials with the outcome "meeting"; meeting rate per dial and per contact;
- per lead dialled in the report (calls that count as attempts, numbered in order): attempts to
  the first contact, and how many leads reached 4 and 18 attempts — within the report's filters;
- talk time: seconds on connects; call time: seconds on all dials;
- callbacks due in the period: kept (an outcome recorded for the lead by the due time plus
  `CALLBACK_GRACE`), missed (not by then), pending (that time is still to come).

`Report.to_json()` is the stable form: the CLI prints it and the PDF and charts are drawn from it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop.domain.outcomes import OutcomeRules
from desktop.domain.scripts import ScriptAssignments, choose_script_name
from desktop.services import reports_queries as q
from desktop.services import reports_rollups as summaries
from desktop.services.agents import ids_reported_as
from desktop.services.clock import Clock
from desktop.services.reports_figures import (
    CALLBACK_GRACE,
    CONVERSATION_MIN_S,
    NO_AGENT,
    NO_SCRIPT,
    PERSISTENCE_MARKS,
    CallbackFigures,
    Report,
    ReportCancelled,
    ReportError,
    ReportFilter,
    ScriptResult,
    SequenceFigures,
    Tally,
    first_zone,
    known_zone,
    local_zone_name,
    reason_codes,
)
from desktop.storage import rollups
from desktop.storage.models import Agent, Lead, ScriptAnswer
from desktop.storage.uow import UnitOfWorkFactory

# The figures' types live in reports_figures; they are part of this module's interface too.
__all__ = [
    "CALLBACK_GRACE",
    "CONVERSATION_MIN_S",
    "PERSISTENCE_MARKS",
    "WIDE_SHARE",
    "CallbackFigures",
    "Report",
    "ReportCancelled",
    "ReportError",
    "ReportFilter",
    "ReportOptions",
    "ReportService",
    "ScriptResult",
    "SequenceFigures",
    "Tally",
    "local_zone_name",
    "reason_codes",
    "report_service_for",
]

# A window holding more than 1/WIDE_SHARE of all calls is scanned in each query's own index order.
WIDE_SHARE = 4
REPORT_CACHE_KIB = -65536  # negative: KiB, as PRAGMA cache_size takes it
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class ReportOptions:
    """What the filters can be set to: agents, lists and scripts in the database, and its date span."""

    agents: list[str]
    lists: list[str]
    scripts: list[tuple[str, str]]  # (name, title)
    first_day: date | None
    last_day: date | None


class ScriptCatalog(Protocol):
    """What reports need of the script service (desktop.services.scripts.ScriptService)."""

    def names(self) -> set[str]: ...

    def catalog(self) -> Any: ...

    def assignments(self) -> Any: ...


def script_rules(scripts: ScriptCatalog | None) -> q.ScriptRules | None:
    """The assignments and available scripts, as `choose_script_name()` uses them."""
    if scripts is None:
        return None
    by_lead: dict[int, str] = {}
    by_list: dict[str, str] = {}
    by_warmth: dict[str, str] = {}
    default: str | None = None
    for row in scripts.assignments():
        if row.scope == "lead" and str(row.target).isdigit():
            by_lead[int(row.target)] = row.script_name
        elif row.scope == "list":
            by_list[row.target] = row.script_name
        elif row.scope == "warmth":
            by_warmth[row.target] = row.script_name
        elif row.scope == "default":
            default = row.script_name
    titles = {info.name: info.title for info in scripts.catalog()}  # parses every script: once
    return q.ScriptRules(ScriptAssignments(by_lead, by_list, by_warmth, default), frozenset(titles), titles)


@contextmanager
def _reading_much(session: Session) -> Iterator[None]:
    """A bigger SQLite page cache for one report pass (64 MiB instead of 2): the lead look-ups of a
    million calls otherwise re-read the same pages from the OS. Restored afterwards."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar()
    session.execute(text(f"PRAGMA cache_size = {REPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before or -2000)}"))


class ReportService:
    """Builds reports and lists what they can be filtered by."""

    # Parallel passes at most (one per CPU, fewer on a single core).
    max_workers = 4
    # Read the report summaries where they hold the figures (False: always read the calls).
    use_summaries = True

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        outcome_rules: OutcomeRules | Callable[[], OutcomeRules],
        scripts: ScriptCatalog | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        # A callable gives the rules in force when each report starts (the user may change them
        # while a Reports window stays open).
        self._rules_now = outcome_rules if callable(outcome_rules) else lambda: outcome_rules
        self._scripts = scripts
        self._use_rules(self._rules_now())

    def _use_rules(self, outcome_rules: OutcomeRules) -> None:
        self.outcome_rules = outcome_rules
        self.contact_codes = tuple(r.code for r in outcome_rules if r.counts_as_contact)
        self.counted_codes = tuple(r.code for r in outcome_rules if r.counts_as_attempt)
        self._rule_flags = rollups.rule_flags(outcome_rules)

    # -- filters ---------------------------------------------------------------------------------

    def script_titles(self) -> dict[str, str]:
        if self._scripts is None:
            return {}
        return {info.name: info.title for info in self._scripts.catalog()}

    def options(self) -> ReportOptions:
        with self._uow_factory() as uow:
            # A merged agent's calls are under the name it joined: only those names are offered.
            agents = sorted(
                str(n) for n in uow.session.scalars(select(Agent.name).where(Agent.merged_into_id.is_(None)))
            )
            lists = [name for name, _count in uow.leads.lists()]
            answered = {str(n) for n in uow.session.scalars(select(ScriptAnswer.script_name).distinct())}
            span = q.time_span(uow.session)
        titles = self.script_titles()
        names = sorted(set(titles) | answered)
        return ReportOptions(
            agents=agents,
            lists=lists,
            scripts=[(name, titles.get(name, name)) for name in names],
            first_day=span[0].date() if span else None,
            last_day=span[1].date() if span else None,
        )

    def scope(self, flt: ReportFilter) -> q.Scope:
        """The SQL scope of a filter; unknown agents, lists and scripts are errors, not empty reports."""
        flt.validate()
        start, end = flt.bounds()
        agent_ids: tuple[int, ...] | None = None
        with self._uow_factory() as uow:
            session = uow.session
            dialect = session.get_bind().dialect.name
            if flt.agent is not None:
                agent_ids = ids_reported_as(session, flt.agent)
                if agent_ids is None:
                    known = ", ".join(sorted(str(n) for n in session.scalars(select(Agent.name))))
                    raise ReportError(f"no agent named {flt.agent!r} (agents: {known or 'none yet'})")
            if flt.list_name is not None:
                exists = session.scalar(select(Lead.id).where(Lead.list_name == flt.list_name).limit(1))
                if exists is None:
                    raise ReportError(f"no call list named {flt.list_name!r}")
            # Built with other outcome rules (or never), the summaries are rebuilt first; a database
            # that cannot be written now (read-only, or busy past the timeout) is read call by call.
            try:
                current = self.use_summaries and rollups.ensure_current(
                    session.connection(), self._rule_flags
                )
                uow.commit()
            except OperationalError:
                uow.rollback()
                current = False
            # How much of the record the window holds decides which index each query walks (and
            # whether the per-lead summaries, which cover every call, can serve).
            total, inside = summaries.calls_in(session, start, end) if current else (None, None)
            if total is None or inside is None:
                total = q.attempts_in(session)
                inside = q.attempts_in(session, start, end) if total else 0
        # Reading the script catalogue parses every script file: done here only for a script filter,
        # else by the per-lead pass, side by side with the others.
        rules = script_rules(self._scripts) if flt.script is not None else None
        if flt.script is not None and rules is not None and flt.script not in rules.available:
            with self._uow_factory() as uow:
                answered = uow.session.scalar(
                    select(ScriptAnswer.id).where(ScriptAnswer.script_name == flt.script).limit(1)
                )
            if answered is None:
                raise ReportError(f"no script named {flt.script!r}")
        return q.Scope(
            start,
            end,
            agent_ids,
            flt.list_name,
            flt.script,
            rules,
            dialect,
            wide=inside * WIDE_SHARE > total,
            all_time=inside == total,
            summaries=current,
        )

    # -- the report ------------------------------------------------------------------------------

    def build(
        self, flt: ReportFilter, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> Report:
        """Every figure of the report; `progress(done, total)` after each step, `cancelled()` checked."""
        self._use_rules(self._rules_now())
        scope = self.scope(flt)
        report = Report(
            filter=flt,
            generated_at=self._clock(),
            outcome_labels={rule.code: rule.label for rule in self.outcome_rules},
        )
        # Four independent passes, each on its own connection and index; they run side by side
        # (SQLite reads in parallel and releases the GIL while it works), the longest first.
        steps: list[Callable[[Session, q.Scope, Report], None]] = [
            self._leads,
            self._local_hours,
            self._days,
            self._agents_blocked_callbacks,
        ]
        done = 0
        if progress is not None:
            progress(done, len(steps))
        workers = max(1, min(len(steps), os.cpu_count() or 1, self.max_workers))
        with ThreadPoolExecutor(workers, thread_name_prefix="report") as pool:
            futures = [pool.submit(self._run_step, step, scope, report, cancelled) for step in steps]
            try:
                for future in as_completed(futures):
                    future.result()
                    done += 1
                    if progress is not None:
                        progress(done, len(steps))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return report

    def _run_step(
        self,
        step: Callable[[Session, q.Scope, Report], None],
        scope: q.Scope,
        report: Report,
        cancelled: Cancelled | None,
    ) -> None:
        if cancelled is not None and cancelled():
            raise ReportCancelled("the report was cancelled")
        with self._uow_factory() as uow, _reading_much(uow.session):
            if scope.summaries and not self._summaries_still_current(uow.session):
                scope = replace(scope, summaries=False)
            step(uow.session, scope, report)

    def _summaries_still_current(self, session: Session) -> bool:
        """Open this pass's read snapshot and check, in it, that the summaries were built with this
        report's rules: another window or process may have saved new ones since `scope()`."""
        connection = session.connection()
        connection.exec_driver_sql("BEGIN")  # Python's sqlite3 opens none for reads on its own
        return rollups.stored_rules(connection) == self._rule_flags

    def _agents_blocked_callbacks(self, session: Session, scope: q.Scope, report: Report) -> None:
        self._outcomes(session, scope, report)
        self._blocked(session, scope, report)
        self._callbacks(session, scope, report)

    def _outcomes(self, session: Session, scope: q.Scope, report: Report) -> None:
        names = q.agent_names(session)
        outcomes: Counter[str] = Counter({rule.code: 0 for rule in self.outcome_rules})
        contact = set(self.contact_codes)
        by_agent: dict[str, Tally] = {}
        rows: Iterable[tuple[int | None, bool, str | None, int, float, int]]
        if summaries.serve_times(scope):
            rows = summaries.agent_outcomes(session, scope, self.contact_codes)
        else:
            rows = q.by_agent_and_outcome(session, scope, self.contact_codes, CONVERSATION_MIN_S)
        for agent_id, allowed, outcome, count, seconds, conversations in rows:
            name = names.get(agent_id, NO_AGENT) if agent_id is not None else NO_AGENT
            for tally in (report.totals, by_agent.setdefault(name, Tally())):
                if not allowed:
                    tally.blocked += count
                    continue
                tally.dials += count
                tally.call_time_s += seconds
                if outcome is None:
                    continue
                tally.with_outcome += count
                if outcome in contact:
                    tally.connects += count
                    tally.conversations += conversations
                    tally.talk_time_s += seconds
                if outcome == "meeting":
                    tally.meetings += count
            if allowed and outcome is not None:
                outcomes[outcome] += count
        report.outcomes = dict(outcomes)
        report.by_agent = dict(sorted(by_agent.items()))

    def _days(self, session: Session, scope: q.Scope, report: Report) -> None:
        """Days in the report's zone, from one pass in time order."""
        report_zone = report.filter.tzinfo()
        minutes = q.bucket_minutes([report.filter.zone], scope.start, scope.end)
        days = {day: Tally() for day in report.filter.days()}
        if minutes == 60 and summaries.serve_times(scope):
            rows = summaries.buckets(session, scope)
        else:
            rows = q.by_time_bucket(session, scope, minutes, self.contact_codes, CONVERSATION_MIN_S)
        for row in rows:
            day = q.bucket_start(row.bucket, minutes).astimezone(report_zone).date()
            tally = days.setdefault(day, Tally())
            tally.dials += row.dials
            tally.blocked += row.attempts - row.dials
            tally.connects += row.connects
            tally.conversations += row.conversations
            tally.meetings += row.meetings
            tally.call_time_s += row.call_seconds
            tally.talk_time_s += row.talk_seconds
        report.by_day = dict(sorted(days.items()))

    def _local_hours(self, session: Session, scope: q.Scope, report: Report) -> None:
        """Dials and connects by hour of the lead's local day (the first zone of its hours key)."""
        zone_names: list[str] = []
        zone_of_key: dict[str, int] = {}
        for key in q.lead_zone_keys(session):
            name = first_zone(key)
            if name is None or not known_zone(name):
                continue
            if name not in zone_names:
                zone_names.append(name)
            zone_of_key[key] = zone_names.index(name)
        zones = [ZoneInfo(name) for name in zone_names]
        minutes = q.bucket_minutes(zone_names, scope.start, scope.end)
        rows: list[tuple[int | None, str, int, int]]
        if minutes == 60 and summaries.serve_times(scope):
            rows = [
                (zone_of_key.get(key), hour, dials, connects)
                for key, hour, dials, connects in summaries.zone_hours(session, scope)
            ]
        else:
            with q.lead_zones(session, zone_of_key) as table:
                rows = q.by_zone_and_bucket(session, scope, minutes, table, self.contact_codes)
        starts: dict[str, datetime] = {}
        for zone, bucket, dials, connects in rows:
            if zone is None or zone < 0:
                report.local_hour_unknown += dials
                continue
            moment = starts.get(bucket)
            if moment is None:
                moment = starts[bucket] = q.bucket_start(bucket, minutes)
            hour = report.by_local_hour[moment.astimezone(zones[zone]).hour]
            hour.dials += dials
            hour.connects += connects

    def _leads(self, session: Session, scope: q.Scope, report: Report) -> None:
        """Per lead: the sequence figures, and each call credited to its script."""
        figures = report.sequences
        rules = scope.scripts or script_rules(self._scripts)
        by_lead = rules.assignments.by_lead if rules is not None else {}
        if summaries.serve_leads(scope):
            leads = summaries.lead_figures(session, scope)
        else:
            rows = q.per_lead(session, scope, self.counted_codes, self.contact_codes)
            leads = q.LeadFigures.of_rows(rows, by_lead)
        attempts = leads.attempts
        attempts.pop(0, None)
        figures.leads_dialled = sum(attempts.values())
        figures.to_contact = dict(sorted((n, leads) for n, leads in leads.to_contact.items() if n))
        figures.reached = {
            mark: sum(n for count, n in attempts.items() if count >= mark) for mark in PERSISTENCE_MARKS
        }
        if rules is not None:
            report.scripts = self._script_results(session, scope, rules, leads.groups)

    def _script_results(
        self, session: Session, scope: q.Scope, rules: q.ScriptRules, groups: dict[q.LeadGroup, list[float]]
    ) -> list[ScriptResult]:
        """Calls with answers go to the script answered in; the others to the lead's assigned script.

        `groups`: (calls, connects, meetings, talk seconds) of the leads that share what decides
        their script (their list, warmth and kind; a lead assigned a script of its own on its own).
        """
        contact = set(self.contact_codes)
        assignments, available = rules.assignments, rules.available
        sums: dict[str, list[float]] = {}
        answered = {key: list(values) for key, values in groups.items()}
        for group_key, script, outcome, calls, seconds in q.answered_calls(session, scope):
            is_contact = outcome in contact
            add = (
                float(calls),
                float(calls) if is_contact else 0.0,
                float(calls) if outcome == "meeting" else 0.0,
                seconds if is_contact else 0.0,
            )
            target = sums.setdefault(script, [0.0] * 4)
            # Answered calls leave the script the lead is assigned, for the one they were given in.
            group = answered.setdefault(group_key, [0.0] * 4)
            for index, value in enumerate(add):
                target[index] += value
                group[index] -= value
        for (own_lead, list_name, warmth, kind), values in answered.items():
            name = choose_script_name(own_lead or 0, list_name, warmth, kind, assignments, available) or ""
            target = sums.setdefault(name, [0.0] * 4)
            for index, value in enumerate(values):
                target[index] += value
        titles = rules.titles
        return [
            ScriptResult(
                name=name,
                title=titles.get(name, name) if name else NO_SCRIPT,
                calls=round(row[0]),
                connects=round(row[1]),
                meetings=round(row[2]),
                talk_time_s=float(row[3]),
            )
            for name, row in sorted(sums.items(), key=lambda item: (item[0] == "", item[0]))
            if round(row[0]) > 0
        ]

    def _blocked(self, session: Session, scope: q.Scope, report: Report) -> None:
        counts: Counter[str] = Counter()
        if summaries.serve_times(scope):
            counts = summaries.blocked(session, scope)
        else:
            for record in q.blocked_reasons(session, scope):
                counts.update(reason_codes(record) or {"unknown"})
        report.blocked = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def _callbacks(self, session: Session, scope: q.Scope, report: Report) -> None:
        figures = report.callbacks
        now = self._clock().astimezone(UTC).replace(tzinfo=None)
        for due, done in q.callbacks_due(session, scope):
            figures.due += 1
            deadline = due + CALLBACK_GRACE
            if done is not None and done <= deadline:
                figures.kept += 1
            elif deadline <= now:
                figures.missed += 1
            else:
                figures.pending += 1


class WorkspaceLike(Protocol):
    """What a report service needs of an open workspace (desktop.services.workspace.Workspace)."""

    uow: UnitOfWorkFactory
    clock: Clock

    @property
    def scripts(self) -> Any: ...

    @property
    def calling(self) -> Any: ...


def report_service_for(workspace: WorkspaceLike) -> ReportService:
    """A report service on a workspace's database, clock, outcome rules and scripts."""
    return ReportService(
        workspace.uow, workspace.clock, lambda: workspace.calling.outcome_rules, workspace.scripts
    )
