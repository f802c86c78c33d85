"""One lead, one agent at a time: agents sharing a database take leads from the queue by claims.

A claim (`leads.claimed_by`, `leads.claimed_until`) says which agent is working a lead and until
when. While it runs no other agent is offered the lead; recording an outcome releases it; a claim
left behind by an agent whose window or script died simply expires (`DEFAULT_HOLD`), and the lead
goes back to the queue. Taking the next lead is one transaction: the queue's next callable lead,
locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL (agents taking leads at the same moment each get
another row instead of waiting on one), then claimed by a conditional UPDATE that only succeeds when
no one else holds it: that UPDATE alone keeps two agents off one lead, on SQLite (one writer at a
time) as on PostgreSQL. A callback belongs to the agent who promised it until it is
`CALLBACK_GRACE` late; then it goes to the pool.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from desktop.services.clock import Clock
from desktop.storage.models import Agent
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from desktop.services.leads import LeadService

# How long a claim lasts without news from its agent: long enough for a call and its notes.
DEFAULT_HOLD = timedelta(minutes=15)
MAX_AGENT_NAME = 200  # agents.name
# A callback belongs to the agent who promised it; once it is this late, the agent is taken to be
# away and the lead goes to whoever is free (the callee was promised a call, not a person).
CALLBACK_GRACE = timedelta(minutes=30)


class ClaimError(ValueError):
    """A claim cannot be made or used as asked; the message is for the user."""


@dataclass(frozen=True)
class Claim:
    """A lead held by an agent until a moment (UTC)."""

    lead_id: int
    agent: str
    until: datetime


def checked_agent_name(name: str) -> str:
    """The agent name as stored: trimmed, not empty, one line, at most 200 characters."""
    cleaned = name.strip()
    if not cleaned:
        raise ClaimError("the agent name is empty")
    if len(cleaned) > MAX_AGENT_NAME or any(ord(char) < 32 for char in cleaned):
        raise ClaimError("an agent name is one line of at most 200 characters")
    # Format characters (zero-width spaces, direction overrides) make a second agent that looks
    # like the first one: "ali\u200bce" and "alice" would split one person's calls in two.
    if any(unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs") for char in cleaned):
        raise ClaimError("an agent name holds invisible or direction-changing characters")
    return cleaned


class ClaimService:
    """Takes, holds and releases leads for named agents on a shared database."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, leads: LeadService) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._leads = leads
        # name -> id of agents already read: an agent row is never deleted or renamed (merging agents
        # points one at another, the row stays), so each take and release need not read it again;
        # forgotten when the database is replaced under the workspace (`forget_agents`).
        self._agent_ids: dict[str, int] = {}

    def agent_id(self, name: str) -> int:
        """The agent's id, the agent created when new (two processes of a new agent may race: both
        get the one row)."""
        name = checked_agent_name(name)
        known = self._agent_ids.get(name)
        if known is not None:
            return known
        self._agent_ids[name] = found = self._read_or_create_agent(name)
        return found

    def forget_agents(self) -> None:
        """The database was replaced (a restored backup): its agents' ids are read again."""
        self._agent_ids.clear()

    def _read_or_create_agent(self, name: str) -> int:
        with self._uow_factory() as uow:
            agent_id = int(uow.agents.get_or_create(name).id)  # a race for a new name: see there
            uow.commit()
        return agent_id

    def claim_next(
        self, agent: str, hold: timedelta = DEFAULT_HOLD, exclude: tuple[int, ...] = ()
    ) -> Claim | None:
        """The lead this agent works next: one it already holds, else the queue's next callable lead
        nobody holds, claimed for `hold`; never one of `exclude`. None when nothing is callable now."""
        if hold <= timedelta(0):
            raise ClaimError("a claim must last some time")
        agent_id = self.agent_id(agent)
        now = self._clock()
        until = now + hold

        def renew_held(uow: UnitOfWork) -> int | None:
            held = self._held(uow, agent_id, now, exclude)
            if not held:
                return None
            # Asked again before recording: the same lead, its claim renewed.
            uow.leads.claim(held[0], agent_id, now, until)
            return held[0]

        lead_id = self._leads.next_lead_id(
            exclude,
            claim_for=(agent_id, until),
            kept_callbacks_since=now - CALLBACK_GRACE,
            held_first=renew_held,
        )
        return None if lead_id is None else Claim(lead_id, checked_agent_name(agent), until)

    def next_for(self, agent: str, exclude: tuple[int, ...] = ()) -> int | None:
        """The lead `claim_next` would give this agent now, not claimed: what a scripted agent is
        told comes next (another agent may take it first; `claim_next` then gives the next one)."""
        agent_id = self.agent_id(agent)
        now = self._clock()
        with self._uow_factory() as uow:
            held = self._held(uow, agent_id, now, exclude)
        if held:
            return held[0]
        return self._leads.next_lead_id(
            exclude, for_agent=agent_id, kept_callbacks_since=now - CALLBACK_GRACE
        )

    @staticmethod
    def _held(uow: UnitOfWork, agent_id: int, now: datetime, exclude: tuple[int, ...]) -> list[int]:
        return [lead_id for lead_id in uow.leads.held_by(agent_id, now) if lead_id not in exclude]

    def take(self, lead_id: int, agent: str, hold: timedelta = DEFAULT_HOLD) -> Claim | None:
        """Claim this lead for the agent (or renew their claim); None when another agent holds it."""
        agent_id = self.agent_id(agent)
        now = self._clock()
        with self._uow_factory() as uow:
            taken = uow.leads.claim(lead_id, agent_id, now, now + hold)
            uow.commit()
        return Claim(lead_id, checked_agent_name(agent), now + hold) if taken else None

    def release(self, lead_id: int, agent: str) -> bool:
        """End the agent's claim on the lead; False when the agent did not hold it."""
        agent_id = self.agent_id(agent)
        with self._uow_factory() as uow:
            released = uow.leads.release(lead_id, agent_id)
            uow.commit()
        return released

    def holder(self, lead_id: int) -> tuple[str, datetime] | None:
        """(agent name, until) of a live claim on the lead; None when nobody holds it."""
        with self._uow_factory() as uow:
            claim = uow.leads.claim_of(lead_id, self._clock())
            if claim is None:
                return None
            name = uow.session.scalar(select(Agent.name).where(Agent.id == claim[0]))
            return (str(name), claim[1])
