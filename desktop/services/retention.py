"""Privacy erasure and the retention period: what may be forgotten, and what must be kept.

`erase` answers a person's request to be forgotten: the lead's personal fields (names, company,
title, email, notes) are blanked, but its calls and do-not-call entries stay — they are the
firm's books and records (call detail records five years under the TSR, six under FINRA 4511 /
SEC 17a-4) and the list that keeps the person from being called again. The erasure is an event
of the history (who, when, why, which fields). Earlier events keep what they recorded: the
history is append-only, so erasure is recorded rather than rewritten (docs/records.md).

`purge` deletes calls older than a date, and refuses any date inside the retention period
(setting `retention_years`, six by default): nothing younger is ever purged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from desktop.domain import leads as lead_rules
from desktop.domain.plain_text import hidden_character
from desktop.services import history_events
from desktop.services.clock import Clock
from desktop.services.history_seal import reseal
from desktop.storage.events import local_agent, raw_connection
from desktop.storage.models import Attempt, AuditEvent
from desktop.storage.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from desktop.services.settings import Settings

# Lead ids only: names and reasons never go to the log.
log = logging.getLogger(__name__)

ERASED_FIELDS = ("first_name", "last_name", "company", "title", "email", "notes", "identity_key")
DEFAULT_RETENTION_YEARS = 6
# The least a stored setting can lower it to (the TSR's five years for call records).
MIN_RETENTION_YEARS = 5
PURGE = "purge"


class RetentionError(Exception):
    """An erasure or purge that is refused (unknown lead, no reason, a date inside retention)."""


@dataclass(frozen=True)
class Erased:
    lead_id: int
    fields: tuple[str, ...]
    calls_kept: int


@dataclass(frozen=True)
class Purged:
    before: date
    calls: int
    audit_records: int


def retention_start(today: date, years: int) -> date:
    """The first day inside the retention period: records from this day on are kept."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        return today.replace(year=today.year - years, day=28)


class RetentionService:
    """Erases a lead's personal fields on request and purges what is past the retention period."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, settings: Callable[[], Settings]
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._settings = settings

    def erase(self, lead_id: int, reason: str) -> Erased:
        hidden = hidden_character(reason)
        if hidden is not None:
            raise RetentionError(f"the reason holds a control or invisible character ({hidden})")
        reason = " ".join(reason.split())
        if not reason:
            raise RetentionError("an erasure needs a reason (--reason, e.g. the date and way it was asked)")
        now = self._clock()
        with self._uow_factory() as uow:
            lead = uow.leads.get(lead_id)
            if lead is None:
                raise RetentionError(f"there is no lead #{lead_id}")
            blanked = tuple(name for name in ERASED_FIELDS if getattr(lead, name))
            for name in ERASED_FIELDS:
                setattr(lead, name, "")
            # Out of the queue for good: nobody calls a person who asked to be forgotten.
            lead.status = lead_rules.STATUS_CLOSED
            lead.next_due_at = None
            lead.due_reason = "erased"
            calls = int(uow.session.scalar(select(func.count()).where(Attempt.lead_id == lead_id)) or 0)
            payload = {"lead": lead_id, "reason": reason, "fields": list(blanked), "calls_kept": calls}
            history_events.plain_event(
                uow, history_events.LEAD_ERASED, payload, now, local_agent(uow.session)
            )
            uow.commit()
        log.info("lead %s: personal fields erased (%d calls kept)", lead_id, calls)
        return Erased(lead_id, blanked, calls)

    def retention_years(self) -> int:
        return max(MIN_RETENTION_YEARS, int(self._settings().retention_years))

    def purge(self, before: date) -> Purged:
        """Delete calls (and audit records) started before `before`; refused inside retention."""
        years = self.retention_years()
        keep_from = retention_start(self._clock().date(), years)
        if before > keep_from:
            raise RetentionError(
                f"records are kept {years} years: nothing after {keep_from.isoformat()} can be purged "
                f"(--before {before.isoformat()} is inside the retention period)"
            )
        cutoff = datetime.combine(before, time(0), tzinfo=UTC)
        with self._uow_factory() as uow:
            connection = raw_connection(uow.session)
            row = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'attempts_kept'").fetchone()
            # Completed calls are kept by a trigger; past retention they may go: lifted for this
            # transaction only, and made again from its own text before the commit.
            if row is not None:
                connection.execute("DROP TRIGGER attempts_kept")
            old = select(Attempt.id).where(Attempt.started_at < cutoff)
            # A correction younger than the cutoff keeps the call it corrects.
            kept = select(Attempt.corrects_id).where(
                Attempt.started_at >= cutoff, Attempt.corrects_id.is_not(None)
            )
            going = select(Attempt.id).where(Attempt.id.in_(old), Attempt.id.not_in(kept))
            gone = list(uow.session.scalars(going))
            deleted = uow.session.execute(delete(Attempt).where(Attempt.id.in_(old), Attempt.id.not_in(kept)))
            # Calls made before the history, past retention: the seal follows the purge.
            reseal(uow.session, "calls", gone, self._clock())
            calls = int(getattr(deleted, "rowcount", 0))
            deleted = uow.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
            audits = int(getattr(deleted, "rowcount", 0))
            if row is not None:
                connection.execute(str(row[0]))
            payload = {"before": before.isoformat(), "calls": calls, "audit_records": audits, "years": years}
            history_events.plain_event(uow, PURGE, payload, self._clock(), local_agent(uow.session))
            uow.commit()
        log.info("purged %d calls and %d audit records before %s", calls, audits, before)
        return Purged(before, calls, audits)
