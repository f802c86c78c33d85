"""Promised callbacks as the agent follows them: which are coming up soon and which are overdue.

A callback is open until it is kept (an outcome that reached the person), rescheduled (a new
callback) or the lead leaves the queue (a terminal outcome); the calling service closes it then and
never on a no answer, busy or voicemail (see `calling.closes_callback`).
Agent-only callbacks are shown only to the agent who booked them; the others to anyone working
this database. The queue itself puts a due callback on top; this is for reminders and the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import selectinload

from desktop.domain.leads import QUEUE_STATUSES, display_name
from desktop.services.agents import recording_name
from desktop.services.clock import Clock
from desktop.storage.models import Agent, Callback, Lead
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

# How far ahead the agent is reminded of a callback.
REMIND_BEFORE = timedelta(minutes=5)


def past_time_problem(moment: datetime, now: datetime, what: str = "callback") -> str | None:
    """Why `moment` cannot be booked (a callback or meeting time not after `now`), or None if it can.

    A promise for a moment already gone would sit on top of the queue as overdue from the start; a
    typo in the year or a dialog left open too long is the usual cause, so the user is asked again.
    """
    if moment > now:
        return None
    return (
        f"the {what} time {moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC is not in the future "
        f"(it is {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC now): give a time still to come"
    )


@dataclass(frozen=True)
class CallbackView:
    """One open callback, ready to show: who, when (UTC) and in which time zone they live."""

    id: int
    lead_id: int
    lead_name: str
    company: str
    due_at: datetime
    time_zone: str
    note: str

    def minutes_until(self, now: datetime) -> int:
        """Whole minutes until it is due, rounded up (negative once overdue, rounded towards zero)."""
        # -(-s // 60) is ceil(s / 60) for s > 0, and -floor(|s| / 60) for s <= 0.
        return -int(-(self.due_at - now).total_seconds() // 60)


def _time_zone(lead: Lead) -> str:
    for phone in lead.phones:
        if phone.valid and phone.zone_list:
            return phone.zone_list[0]
    return ""


class CallbackService:
    """Reads the open callbacks of the current agent, by how soon they are due."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, agent_name: Callable[[], str] | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._agent_name = agent_name or (lambda: "")

    def _mine(self, uow: UnitOfWork) -> ColumnElement[bool]:
        name = recording_name(self._agent_name())
        agent_id = uow.session.scalar(select(Agent.id).where(Agent.name == name))
        if agent_id is None:
            return Callback.agent_only.is_(False)
        return or_(Callback.agent_only.is_(False), Callback.agent_id == agent_id)

    def _open(self, condition: ColumnElement[bool], limit: int) -> list[CallbackView]:
        with self._uow_factory() as uow:
            query = (
                select(Callback, Lead)
                .join(Lead, Callback.lead_id == Lead.id)
                .where(
                    Callback.done_at.is_(None),
                    Lead.status.in_(QUEUE_STATUSES),
                    self._mine(uow),
                    condition,
                )
                .order_by(Callback.due_at, Callback.id)
                .limit(limit)
                .options(selectinload(Lead.phones))
            )
            return [
                CallbackView(
                    id=callback.id,
                    lead_id=lead.id,
                    lead_name=display_name(lead.first_name, lead.last_name, lead.company),
                    company=lead.company,
                    due_at=callback.due_at,
                    time_zone=_time_zone(lead),
                    note=callback.note,
                )
                for callback, lead in uow.session.execute(query)
            ]

    def due_soon(self, within: timedelta = REMIND_BEFORE, limit: int = 200) -> list[CallbackView]:
        """Open callbacks not due yet but due within `within` from now, soonest first."""
        now = self._clock()
        return self._open(and_(Callback.due_at > now, Callback.due_at <= now + within), limit)

    def overdue(self, limit: int = 500) -> list[CallbackView]:
        """Open callbacks whose time has come (due now or earlier), the longest waiting first."""
        return self._open(Callback.due_at <= self._clock(), limit)
