"""A report as tables: what CSV, XLSX and PDF exports write, with typed values (not text).

Each `Table` has a title, headers and rows of Python values: ints, floats, `date`s and aware
`datetime`s in the report's zone, text. The writers decide how a type looks (an ISO string in CSV,
a real date cell in XLSX). The per-call detail and the gate decisions are generators: a year of
calls is read in batches, never held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from desktop.domain.leads import display_name
from desktop.services import reports_queries as q
from desktop.services.audit import AUDIT_COLUMNS, decisions
from desktop.services.reports import ReportService
from desktop.services.reports_figures import (
    CONVERSATION_MIN_S,
    PERSISTENCE_MARKS,
    Report,
    ReportFilter,
    Tally,
    reason_codes,
)
from desktop.storage.models import Agent, Attempt, Lead
from desktop.storage.uow import UnitOfWorkFactory

PERCENT = "0.0%"
DECIMAL = "0.00"


@dataclass
class Table:
    """One table of an export: a sheet of a workbook, a CSV file, a table in the PDF."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    formats: dict[str, str] = field(default_factory=dict)  # header -> spreadsheet number format
    key: str = ""  # a short stable name: file suffix, CLI --table value
    row_formats: Sequence[str] = ()  # per row, for tables whose rows differ in kind (the summary)
    brief: Sequence[str] = ()  # the columns a printed page has room for (empty: all)


TALLY_HEADERS = (
    "dials",
    "blocked",
    "connects",
    "contact_rate",
    "conversations",
    "meetings",
    "meeting_rate",
    "meeting_rate_per_contact",
    "talk_time_s",
    "call_time_s",
)
TALLY_BRIEF = ("dials", "blocked", "connects", "contact_rate", "meetings", "meeting_rate", "talk_time_s")
TALLY_FORMATS = {
    "contact_rate": PERCENT,
    "meeting_rate": PERCENT,
    "meeting_rate_per_contact": PERCENT,
    "talk_time_s": "0",
    "call_time_s": "0",
}


def _tally_row(tally: Tally) -> list[Any]:
    return [
        tally.dials,
        tally.blocked,
        tally.connects,
        tally.contact_rate,
        tally.conversations,
        tally.meetings,
        tally.meeting_rate,
        tally.meeting_rate_per_contact,
        round(tally.talk_time_s, 1),
        round(tally.call_time_s, 1),
    ]


def summary_rows(report: Report) -> list[tuple[str, Any, str]]:
    """(figure, value, number format) in the order a supervisor reads them."""
    totals, sequences, callbacks = report.totals, report.sequences, report.callbacks
    rows: list[tuple[str, Any, str]] = [
        ("Dials", totals.dials, "0"),
        ("Dials blocked by the gate", totals.blocked, "0"),
        ("Connects", totals.connects, "0"),
        ("Contact rate", totals.contact_rate, PERCENT),
        (f"Conversations (connects of {CONVERSATION_MIN_S:.0f} s or more)", totals.conversations, "0"),
        ("Meetings booked", totals.meetings, "0"),
        ("Meeting rate per dial", totals.meeting_rate, PERCENT),
        ("Meeting rate per contact", totals.meeting_rate_per_contact, PERCENT),
        ("Average attempts to first contact", sequences.avg_attempts_to_contact, DECIMAL),
        ("Leads dialled", sequences.leads_dialled, "0"),
        ("Leads contacted", sequences.leads_contacted, "0"),
    ]
    rows += [
        (f"Leads reaching {mark} attempts", sequences.share(mark), PERCENT) for mark in PERSISTENCE_MARKS
    ]
    rows += [
        ("Talk time (hours)", round(totals.talk_time_s / 3600, 2), DECIMAL),
        ("Callbacks due", callbacks.due, "0"),
        ("Callbacks kept", callbacks.kept, "0"),
        ("Callbacks missed", callbacks.missed, "0"),
        ("Callbacks not yet due", callbacks.pending, "0"),
    ]
    return rows


def summary_tables(report: Report) -> list[Table]:
    """The figures and every breakdown of a report, as small tables."""
    labels = report.outcome_labels
    outcomes_total = sum(report.outcomes.values())
    summary = summary_rows(report)
    tables = [
        Table(
            "Summary",
            ("figure", "value"),
            [(name, value) for name, value, _fmt in summary],
            key="summary",
            row_formats=[fmt for _name, _value, fmt in summary],
        ),
        Table(
            "By day",
            ("date", *TALLY_HEADERS),
            [[day, *_tally_row(t)] for day, t in report.by_day.items()],
            TALLY_FORMATS,
            key="by-day",
            brief=("date", *TALLY_BRIEF),
        ),
        Table(
            "By agent",
            ("agent", *TALLY_HEADERS),
            [[name, *_tally_row(t)] for name, t in report.by_agent.items()],
            TALLY_FORMATS,
            key="by-agent",
            brief=("agent", *TALLY_BRIEF),
        ),
        Table(
            "Outcomes",
            ("outcome", "label", "calls", "share"),
            [
                (code, labels.get(code, code), count, count / outcomes_total if outcomes_total else None)
                for code, count in report.outcomes.items()
            ],
            {"share": PERCENT},
            key="outcomes",
        ),
        Table(
            "Blocked by the gate",
            ("reason", "attempts"),
            list(report.blocked.items()),
            key="blocked",
        ),
        Table(
            "Scripts",
            ("script", "title", "calls", "connects", "contact_rate", "meetings", "meeting_rate_per_contact"),
            [
                (s.name, s.title, s.calls, s.connects, s.contact_rate, s.meetings, s.meeting_rate)
                for s in report.scripts
            ],
            {"contact_rate": PERCENT, "meeting_rate_per_contact": PERCENT},
            key="scripts",
        ),
        Table(
            "Lead's local hour",
            ("hour", "dials", "connects", "contact_rate"),
            [(hour, t.dials, t.connects, t.contact_rate) for hour, t in enumerate(report.by_local_hour)],
            {"contact_rate": PERCENT},
            key="local-hours",
        ),
        Table(
            "Attempts to first contact",
            ("attempts", "leads"),
            list(report.sequences.to_contact.items()),
            key="attempts-to-contact",
        ),
    ]
    return tables


CALL_HEADERS = (
    "attempt_id",
    "started_at",
    "day",
    "agent",
    "lead_id",
    "lead",
    "company",
    "list",
    "number",
    "allowed",
    "blocked_reasons",
    "outcome",
    "contact",
    "duration_s",
    "note",
)


def call_rows(
    uow_factory: UnitOfWorkFactory, service: ReportService, flt: ReportFilter, batch: int = 5000
) -> Iterator[list[Any]]:
    """Every attempt in the report's scope, oldest first: the per-call detail."""
    scope = service.scope(flt)
    zone = flt.tzinfo()
    contact = set(service.contact_codes)
    query = (
        select(
            Attempt.id,
            Attempt.started_at,
            Agent.name,
            Attempt.lead_id,
            Lead.first_name,
            Lead.last_name,
            Lead.company,
            Lead.list_name,
            Attempt.number,
            Attempt.allowed,
            Attempt.reasons,
            Attempt.outcome,
            Attempt.duration_s,
            Attempt.note,
        )
        .outerjoin(Agent, Agent.id == Attempt.agent_id)
        .outerjoin(Lead, Lead.id == Attempt.lead_id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    query = q.scoped(query, scope, joined_lead=True, time_index=True).execution_options(yield_per=batch)
    with uow_factory() as uow:
        for row in uow.session.execute(query):
            (attempt_id, started, agent, lead_id, first, last, company, list_name, number) = row[:9]
            allowed, reasons, outcome, duration, note = row[9:]
            local = started.astimezone(zone)
            yield [
                attempt_id,
                local,
                local.date(),
                agent or "",
                lead_id,
                display_name(first or "", last or "", company or "") if lead_id is not None else "",
                company or "",
                list_name or "",
                number,
                "yes" if allowed else "no",
                "" if allowed else " ".join(sorted(reason_codes(reasons))),
                outcome or "",
                "yes" if outcome in contact else "no",
                duration,
                note,
            ]


def decision_rows(
    uow_factory: UnitOfWorkFactory, service: ReportService, flt: ReportFilter
) -> Iterator[list[Any]]:
    """The compliance evidence for the report's scope: every gate decision with its reasons and the
    registry snapshot in force (desktop/services/audit.py), limited to the report's days and filters."""
    scope = service.scope(flt)
    first = (scope.start - timedelta(days=1)).date()
    last = scope.end.date()
    wanted: set[int] | None = None
    if flt.agent is not None or flt.list_name is not None or flt.script is not None:
        with uow_factory() as uow:
            ids = uow.session.scalars(q.scoped(select(Attempt.id), scope, time_index=True))
            wanted = {int(attempt_id) for attempt_id in ids}
    for row in decisions(uow_factory, first, last):
        decided = datetime.fromisoformat(str(row[1]))
        if decided.tzinfo is None:
            decided = decided.replace(tzinfo=UTC)
        if not scope.start <= decided < scope.end:
            continue
        if wanted is not None and int(row[0]) not in wanted:
            continue
        yield row


def detail_tables(uow_factory: UnitOfWorkFactory, service: ReportService, flt: ReportFilter) -> list[Table]:
    """The two long tables: per-call detail and the gate decisions (compliance)."""
    return [
        Table(
            "Calls",
            CALL_HEADERS,
            call_rows(uow_factory, service, flt),
            {"started_at": "yyyy-mm-dd hh:mm:ss", "day": "yyyy-mm-dd", "duration_s": "0"},
            key="calls",
        ),
        Table("Gate decisions", AUDIT_COLUMNS, decision_rows(uow_factory, service, flt), key="compliance"),
    ]


def text_value(value: Any) -> Any:
    """A cell as CSV text: ISO dates and times, rates as fractions, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(round(value, 6))
        return text[:-2] if text.endswith(".0") else text
    return value


def text_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [text_value(value) for value in row]


REPORT_TITLE = "Calling report"


def report_info(report: Report) -> list[tuple[str, str]]:
    """The title block: period, time zone, filters and when the report was made."""
    flt = report.filter
    period = flt.first_day.isoformat()
    if flt.last_day != flt.first_day:
        period += f" to {flt.last_day.isoformat()}"
    return [
        ("Period", period),
        ("Time zone", flt.zone),
        ("Agent", flt.agent or "all agents"),
        ("Call list", flt.list_name or "all lists"),
        ("Script", flt.script or "all scripts"),
        ("Generated", report.generated_at.astimezone(flt.tzinfo()).strftime("%Y-%m-%d %H:%M %Z")),
    ]
