"""Agents in reports: the name calls are recorded under, and merging two names into one.

Calls are recorded under the agent named in Settings → Your name; before it is set, under the
computer's user name (not a shared placeholder). When one person's calls sit under two names (the
name set late, or typed two ways), a supervisor merges them: reports count the old name's calls as
the new name's from then on. Nothing in the call record changes (records are append-only): the
agent row points to the one it was merged into, and the merge is in the audit log.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from desktop.storage.models import Agent, Attempt
from desktop.storage.uow import UnitOfWorkFactory

FALLBACK_AGENT_NAME = "agent"  # when even the computer's user name cannot be read


def default_agent_name() -> str:
    """The name calls are recorded under before "Your name" is set: the computer's user name."""
    try:
        name = getpass.getuser().strip()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return FALLBACK_AGENT_NAME
    return name or FALLBACK_AGENT_NAME


def recording_name(settings_name: str) -> str:
    """The agent name a call is recorded under: Your name, else the computer's user name."""
    return settings_name.strip() or default_agent_name()


class AgentError(Exception):
    """A merge that cannot be done (an unknown name, a name merged into itself); one line for the user."""


@dataclass(frozen=True)
class AgentsMerged:
    """A merge done: the names, and how many calls now count for the new name."""

    old: str
    new: str
    calls_moved: int


def report_names(session: Session) -> dict[int, str]:
    """Each agent id -> the name reports count its calls under (its own, or the one it was merged into)."""
    target = aliased(Agent, name="target")
    rows = session.execute(
        select(Agent.id, func.coalesce(target.name, Agent.name)).outerjoin(
            target, target.id == Agent.merged_into_id
        )
    )
    return {int(agent_id): str(name) for agent_id, name in rows}


def ids_reported_as(session: Session, name: str) -> tuple[int, ...] | None:
    """The ids whose calls reports count under `name` (None when no agent has that name)."""
    found = session.scalar(select(Agent.id).where(Agent.name == name))
    if found is None:
        return None
    names = report_names(session)
    shown = names[int(found)]
    return tuple(sorted(agent_id for agent_id, reported in names.items() if reported == shown))


def merge_agents(
    uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime], old: str, new: str
) -> AgentsMerged:
    """Count `old`'s calls as `new`'s in every report from now on (audited, reversible by a new merge)."""
    old, new = old.strip(), new.strip()
    with uow_factory() as uow:
        session = uow.session
        agents = {agent.name: agent for agent in session.scalars(select(Agent))}
        for name in (old, new):
            if name not in agents:
                known = ", ".join(sorted(agents)) or "none yet"
                raise AgentError(f"no agent named {name!r} (agents: {known})")
        source, target = agents[old], agents[new]
        if target.merged_into_id is not None:  # one step only: merge into where `new` is counted
            target = session.get(Agent, target.merged_into_id) or target
        if target.id in (source.id, source.merged_into_id):
            raise AgentError(f"{old!r} is already counted as {target.name!r}")
        # Agents merged into `old` before follow it, so no chain ever needs walking.
        session.execute(
            update(Agent)
            .where((Agent.merged_into_id == source.id) | (Agent.id == source.id))
            .values(merged_into_id=target.id)
        )
        merged_ids = select(Agent.id).where(Agent.merged_into_id == target.id)
        calls = int(session.scalar(select(func.count()).where(Attempt.agent_id.in_(merged_ids))) or 0)
        uow.audit.record(
            "agents_merge",
            json.dumps({"old": old, "new": target.name, "old_id": source.id, "new_id": target.id}),
            target.id,
            clock(),
        )
        uow.commit()
    return AgentsMerged(old, target.name, calls)
