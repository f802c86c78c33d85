"""Outcomes for the CRM the leads came from: one Salesforce Task per call, keyed by the lead's record id.

The CSV has the columns of Salesforce's Task object (its API field names, which Data Loader and the
Data Import Wizard map by name): `WhoId` is the Contact or Lead id the list was exported with (the
lead's `external_id`, from a "Record ID"/"Id" column), `Subject`, `ActivityDate` (the call's day in
the report's zone), `Status` (Completed), `TaskSubtype` (Call), `CallType` (Outbound),
`CallDisposition` (the outcome), `CallDurationInSeconds` and `Description` (the note, the call's
time and agent). Calls whose outcome was undone, and the correction records themselves, are left
out (reports_queries.standing_calls); so are calls to leads without a record id (counted, so the
user learns how many). Cells are written by exports/safe_csv (owner-only file, no formula runs).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from desktop.exports.safe_csv import open_private, write_csv
from desktop.services.reports_queries import standing_calls
from desktop.storage.models import Agent, Attempt, Lead
from desktop.storage.uow import UnitOfWorkFactory

SALESFORCE_TASK_COLUMNS = (
    "WhoId",
    "Subject",
    "ActivityDate",
    "Status",
    "TaskSubtype",
    "CallType",
    "CallDisposition",
    "CallDurationInSeconds",
    "Description",
)


@dataclass(frozen=True)
class OutcomesExported:
    """What the export wrote: calls written, and calls left out for want of a CRM record id."""

    written: int
    without_record_id: int


def _window(first_day: date, last_day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _rows(
    uow_factory: UnitOfWorkFactory,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    labels: Mapping[str, str],
) -> Iterator[list[Any]]:
    query = (
        select(
            Lead.external_id,
            Attempt.id,
            Attempt.started_at,
            Attempt.outcome,
            Attempt.duration_s,
            Attempt.note,
            Agent.name,
        )
        .join(Lead, Lead.id == Attempt.lead_id)
        .outerjoin(Agent, Agent.id == Attempt.agent_id)
        .where(
            Attempt.started_at >= start,
            Attempt.started_at < end,
            Attempt.outcome.is_not(None),
            Lead.external_id != "",
            *standing_calls(),
        )
        .order_by(Attempt.started_at, Attempt.id)
    )
    with uow_factory() as uow:
        for record_id, call_id, started, outcome, seconds, note, agent in uow.session.execute(query):
            local = started.astimezone(zone)
            label = labels.get(str(outcome), str(outcome))
            about = f"Dialdesk call #{call_id} at {local:%H:%M} {zone.key}" + (
                f" by {agent}" if agent else ""
            )
            yield [
                record_id,
                f"Call: {label}",
                local.date().isoformat(),
                "Completed",
                "Call",
                "Outbound",
                label,
                round(seconds or 0),
                f"{note}\n{about}" if note else about,
            ]


def export_outcomes(
    uow_factory: UnitOfWorkFactory,
    path: Path,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    labels: Mapping[str, str],
) -> OutcomesExported:
    """Write the calls of [first_day, last_day] (days in `zone`) as Salesforce Tasks to `path`."""
    start, end = _window(first_day, last_day, zone)
    with uow_factory() as uow:
        without_id = int(
            uow.session.scalar(
                select(func.count())
                .select_from(Attempt)
                .join(Lead, Lead.id == Attempt.lead_id)
                .where(
                    Attempt.started_at >= start,
                    Attempt.started_at < end,
                    Attempt.outcome.is_not(None),
                    Lead.external_id == "",
                    *standing_calls(),
                )
            )
            or 0
        )
    with open_private(path) as stream:
        written = write_csv(stream, SALESFORCE_TASK_COLUMNS, _rows(uow_factory, start, end, zone, labels))
    return OutcomesExported(written, without_id)
