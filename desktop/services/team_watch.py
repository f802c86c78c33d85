"""The live supervisor view of a team database: who is working what, and how the calling goes now.

A `TeamSnapshot` is read in one unit of work:
- per agent: the lead they hold a live claim on (working it), the call they have in progress (an
  allowed dial with no outcome yet, started within `CALL_IN_PROGRESS_LIMIT`), and their dials and
  connects this hour and today — the figures of the reports (docs/reports.md): a dial is a call the
  gate allowed, a connect one whose outcome counts as a contact; undone calls and their corrections
  count for nothing;
- the queue's depth: leads due and callable now that no agent holds (the window's counts);
- blocked dials today, per reason code of the gate.

"This hour" and "today" are the watcher's own (the zone given, by default this computer's), and the
snapshot says which zone that is. The snapshot is recomputed whenever the database notifies a change
(storage/notify.py, revision 0016a): `TeamWatch.listen()` hands out the listener; nothing polls.
When the server goes away (a restart), the views (`team watch`, View → Team) say they are
reconnecting, try again after `reconnect_delay()`, and once listening again read the whole snapshot:
the notifications sent meanwhile reached nobody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.exc import DBAPIError, OperationalError

from desktop.domain.outcomes import OutcomeRules
from desktop.services.clock import Clock
from desktop.services.leads import LeadService
from desktop.services.reports_figures import local_zone_name, reason_codes
from desktop.services.reports_queries import standing_calls
from desktop.storage.models import Agent, Attempt, Lead
from desktop.storage.notify import ChangeListener, ListenerLost, NotificationsUnavailable, first_line
from desktop.storage.queue_statements import BUCKET_CALLBACK, BUCKET_DUE, BUCKET_NEW, BUCKET_WARM
from desktop.storage.uow import UnitOfWorkFactory

__all__ = [
    "AgentActivity",
    "ChangeListener",
    "ListenerLost",
    "NotificationsUnavailable",
    "TeamSnapshot",
    "TeamWatch",
]

# Waits (seconds) before the tries to listen again once the server went away, the last one repeated:
# a restart is usually over within a second or two; a longer outage is not hammered.
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


def reconnect_delay(failures: int) -> float:
    """How long to wait before the next try to reconnect, after `failures` (1, 2, …) in a row."""
    return RECONNECT_DELAYS_S[min(max(failures, 1), len(RECONNECT_DELAYS_S)) - 1]


# A dial still without an outcome after this long was left behind (a window that died mid-call):
# its agent is no longer shown on that call.
CALL_IN_PROGRESS_LIMIT = timedelta(hours=2)


@dataclass(frozen=True)
class AgentActivity:
    """One agent's moment: what they hold and are calling, and their figures this hour and today."""

    name: str
    working_lead: int | None = None
    claimed_until: datetime | None = None
    on_call_lead: int | None = None
    on_call_since: datetime | None = None
    dials_hour: int = 0
    connects_hour: int = 0
    dials_today: int = 0
    connects_today: int = 0

    @property
    def on_call(self) -> bool:
        return self.on_call_since is not None


@dataclass(frozen=True)
class TeamSnapshot:
    """The team at one moment (`at`, UTC); `zone` is whose hour and day the figures count."""

    at: datetime
    zone: str
    agents: tuple[AgentActivity, ...] = ()
    queue_depth: int = 0
    held_leads: int = 0
    blocked_today: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stable form `dialdesk team watch --json` prints (times ISO 8601, UTC)."""

        def shown(value: object) -> object:
            return value.isoformat() if isinstance(value, datetime) else value

        return {
            "at": self.at.isoformat(),
            "zone": self.zone,
            "queue_depth": self.queue_depth,
            "held_leads": self.held_leads,
            "blocked_today": dict(self.blocked_today),
            "agents": [
                {key: shown(value) for key, value in asdict(agent).items()} | {"on_call": agent.on_call}
                for agent in self.agents
            ],
        }


class TeamWatch:
    """Reads team snapshots and opens the listener that says when to read the next one."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        leads: LeadService,
        outcome_rules: Callable[[], OutcomeRules],
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._leads = leads
        self._outcome_rules = outcome_rules

    def listen(self) -> ChangeListener:
        """A listener for the database's change notifications (NotificationsUnavailable on SQLite)."""
        with self._uow_factory() as uow:
            engine = uow.session.get_bind()
        return ChangeListener(engine.engine)

    def reread(self, zone: str | None = None) -> TeamSnapshot:
        """The snapshot read for a live view: ListenerLost when the server cannot be reached (it went
        away, or is still starting), so the view reconnects instead of stopping."""
        try:
            return self.snapshot(zone)
        except DBAPIError as error:
            if not (error.connection_invalidated or isinstance(error, OperationalError)):
                raise
            raise ListenerLost(
                f"lost the connection to the team database: {first_line(error.orig or error)}"
            ) from error

    def snapshot(self, zone: str | None = None) -> TeamSnapshot:
        """The team now, its hour and day counted in `zone` (default: this computer's zone)."""
        zone = zone or local_zone_name()
        now = self._clock().astimezone(UTC)
        local = now.astimezone(ZoneInfo(zone))
        hour_start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        contacts = [rule.code for rule in self._outcome_rules() if rule.counts_as_contact]
        activity: dict[str, dict[str, Any]] = {}

        def of(name: str) -> dict[str, Any]:
            return activity.setdefault(name, {"name": name})

        with self._uow_factory() as uow:
            session = uow.session
            today = and_(Attempt.started_at >= day_start, Attempt.started_at <= now, *standing_calls())
            contact = Attempt.outcome.in_(contacts)
            this_hour = Attempt.started_at >= hour_start
            figures = session.execute(
                select(
                    Agent.name,
                    func.count(),
                    func.sum(case((contact, 1), else_=0), type_=Integer),
                    func.sum(case((this_hour, 1), else_=0), type_=Integer),
                    func.sum(case((and_(this_hour, contact), 1), else_=0), type_=Integer),
                )
                .join(Agent, Agent.id == Attempt.agent_id)
                .where(today, Attempt.allowed.is_(True))
                .group_by(Agent.name)
            )
            for name, dials, connects, dials_hour, connects_hour in figures:
                of(str(name)).update(
                    dials_today=int(dials),
                    connects_today=int(connects or 0),
                    dials_hour=int(dials_hour or 0),
                    connects_hour=int(connects_hour or 0),
                )
            claims = session.execute(
                select(Agent.name, Lead.id, Lead.claimed_until)
                .join(Agent, Agent.id == Lead.claimed_by)
                .where(Lead.claimed_by.is_not(None), Lead.claimed_until > now)  # ix_leads_claims
                .order_by(Lead.claimed_until)
            ).all()
            for name, lead_id, until in claims:
                of(str(name)).setdefault("working_lead", int(lead_id))
                of(str(name)).setdefault("claimed_until", until)
            calls = session.execute(
                select(Agent.name, Attempt.lead_id, Attempt.started_at)
                .join(Agent, Agent.id == Attempt.agent_id)
                .where(
                    Attempt.allowed.is_(True),
                    Attempt.outcome.is_(None),
                    Attempt.ended_at.is_(None),
                    Attempt.started_at > now - CALL_IN_PROGRESS_LIMIT,
                    Attempt.started_at <= now,
                )
                .order_by(Attempt.started_at.desc())
            ).all()
            for name, called_lead, started in calls:
                of(str(name)).setdefault("on_call_lead", called_lead)
                of(str(name)).setdefault("on_call_since", started)
            blocked: Counter[str] = Counter()
            refusals = session.scalars(select(Attempt.reasons).where(today, Attempt.allowed.is_(False)))
            for record in refusals:
                blocked.update(reason_codes(record) or {"unknown"})
            # The queue as no agent sees it: every lead anyone holds is left out (the watcher may be
            # an agent too; their own held lead is being worked, not waiting).
            buckets = uow.leads.queue_counts(now, "", self._leads.open_keys(uow, now), viewer=None)
        waiting = (BUCKET_CALLBACK, BUCKET_WARM, BUCKET_DUE, BUCKET_NEW)
        return TeamSnapshot(
            at=now,
            zone=zone,
            agents=tuple(AgentActivity(**activity[name]) for name in sorted(activity, key=str.casefold)),
            queue_depth=sum(buckets.get(bucket, 0) for bucket in waiting),
            held_leads=len(claims),
            blocked_today=dict(sorted(blocked.items(), key=lambda item: (-item[1], item[0]))),
        )


def snapshot_lines(snapshot: TeamSnapshot) -> list[str]:
    """The snapshot as the CLI prints it: a heading, one line per agent, the blocked dials."""
    zone = ZoneInfo(snapshot.zone)
    at = snapshot.at.astimezone(zone)
    lines = [
        f"Team at {at:%Y-%m-%d %H:%M} ({snapshot.zone}): {snapshot.queue_depth} leads waiting in the queue,"
        f" {snapshot.held_leads} being worked",
    ]
    for agent in snapshot.agents:
        if agent.on_call_since is not None:
            since = agent.on_call_since.astimezone(zone)
            doing = f"on a call (lead #{agent.on_call_lead}) since {since:%H:%M}"
        elif agent.working_lead is not None:
            doing = f"working lead #{agent.working_lead}"
        else:
            doing = "free"
        lines.append(
            f"  {agent.name}: {doing}; this hour {agent.dials_hour} dials, {agent.connects_hour} connects;"
            f" today {agent.dials_today} dials, {agent.connects_today} connects"
        )
    if snapshot.blocked_today:
        shown = ", ".join(f"{code} {count}" for code, count in snapshot.blocked_today.items())
        lines.append(f"  Blocked dials today: {shown}")
    else:
        lines.append("  Blocked dials today: none")
    return lines
