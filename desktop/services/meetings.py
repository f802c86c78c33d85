"""Booked meetings: the upcoming list and their iCalendar files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, select

from desktop.domain.leads import display_name
from desktop.exports.icalendar import MeetingEvent, write_ics
from desktop.services.clock import Clock
from desktop.storage.models import Lead, Meeting
from desktop.storage.uow import UnitOfWorkFactory

MEETING_LENGTH = timedelta(hours=1)


@dataclass(frozen=True)
class MeetingView:
    """One meeting as the "Upcoming meetings" view and the calendar file show it."""

    id: int
    lead_id: int
    lead_name: str
    company: str
    starts_at: datetime
    where: str
    phone: str
    created_at: datetime
    time_zone: str = ""  # the lead's (IANA name), to show the time as they read it


class MeetingError(Exception):
    """A meeting that cannot be found or written; the message is for the user."""


class MeetingService:
    """Lists meetings and writes them as .ics files."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def _views(self, query: Select[Meeting, Lead]) -> list[MeetingView]:
        with self._uow_factory() as uow:
            rows = uow.session.execute(query)
            views = []
            for meeting, lead in rows:
                phone = next((p.e164 for p in lead.phones if p.valid and p.e164), "") or ""
                zone = next((p.zone_list[0] for p in lead.phones if p.valid and p.zone_list), "")
                views.append(
                    MeetingView(
                        id=meeting.id,
                        lead_id=lead.id,
                        lead_name=display_name(lead.first_name, lead.last_name, lead.company),
                        company=lead.company,
                        starts_at=meeting.starts_at,
                        where=meeting.where,
                        phone=phone,
                        created_at=meeting.created_at,
                        time_zone=zone,
                    )
                )
            return views

    def upcoming(self, limit: int = 200) -> list[MeetingView]:
        since = self._clock() - MEETING_LENGTH
        query = (
            select(Meeting, Lead)
            .join(Lead, Meeting.lead_id == Lead.id)
            .where(Meeting.starts_at >= since)
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
        return self._views(query)

    def get(self, meeting_id: int) -> MeetingView:
        query = select(Meeting, Lead).join(Lead, Meeting.lead_id == Lead.id).where(Meeting.id == meeting_id)
        views = self._views(query)
        if not views:
            raise MeetingError(f"there is no meeting #{meeting_id}")
        return views[0]

    def write_ics(self, meeting_id: int, path: Path, agent: str = "", firm: str = "") -> Path:
        view = self.get(meeting_id)
        who = view.lead_name + (
            f" ({view.company})" if view.company and view.company != view.lead_name else ""
        )
        description = "\n".join(
            line
            for line in (
                f"Meeting with {who}",
                f"Phone: {view.phone}" if view.phone else "",
                f"Booked by {agent}" + (f", {firm}" if firm else "") if agent else "",
                "Booked with Dialdesk",
            )
            if line
        )
        event = MeetingEvent(
            uid=f"dialdesk-meeting-{view.id}-{view.created_at:%Y%m%dT%H%M%S}@dialdesk.invalid",
            starts_at=view.starts_at,
            duration=MEETING_LENGTH,
            summary=f"Meeting: {who}",
            location=view.where,
            description=description,
            created_at=view.created_at,
        )
        try:
            return write_ics(path, [event], self._clock())
        except OSError as error:
            raise MeetingError(f"cannot write {path}: {error.strerror}") from None
