"""Calling-hours keys of leads: computed once per lead, decided once per key.

A lead's key names where the callee is (the zones of its first valid number, settled by the lead's
state) and which state hour rules apply ("America/Chicago|FL"). The queue asks which keys are open
now and filters leads by key, so even 100,000 leads at night cost a handful of decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from desktop.domain.compliance import hours_key, hours_open_at, hours_reasons
from desktop.domain.compliance_rules import RuleBook
from desktop.domain.leads import QUEUE_STATUSES
from desktop.domain.phones import number_states
from desktop.storage.models import Lead
from desktop.storage.uow import UnitOfWork

NO_ZONE_KEY = "|"  # a lead without a valid number: never open


class HoursKeys:
    """Computes keys (cached per distinct input) and answers which keys are open at a moment."""

    def __init__(self, rules: RuleBook) -> None:
        self.rules = rules
        self._cache: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def key(self, zones: str, state: str, e164: str | None) -> str:
        if not zones or not e164:
            return NO_ZONE_KEY
        states = number_states(e164)
        cache_key = (zones, state.strip().upper(), states)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._cache[cache_key] = hours_key(tuple(zones.split()), state, states, self.rules)
        return found

    def key_for_lead(self, lead: Lead) -> str:
        phone = next((p for p in lead.phones if p.valid and p.e164), None)
        if phone is None:
            return NO_ZONE_KEY
        return self.key(phone.time_zones, lead.state, phone.e164)

    def open_keys(self, keys: Iterable[str], at: datetime) -> list[str]:
        return [key for key in keys if key != NO_ZONE_KEY and not hours_reasons(key, at, self.rules)]

    def reason(self, key: str, at: datetime) -> str:
        if key == NO_ZONE_KEY:
            return "no valid number"
        return "; ".join(reason.detail for reason in hours_reasons(key, at, self.rules))

    def opens_at(self, key: str, at: datetime) -> datetime | None:
        return None if key == NO_ZONE_KEY else hours_open_at(key, at, self.rules)

    def backfill(self, uow: UnitOfWork, lead_ids: Iterable[int] | None = None, batch: int = 2000) -> int:
        """Compute the key of leads that have none (or of `lead_ids`); returns how many were set."""
        query = select(Lead).options(selectinload(Lead.phones)).order_by(Lead.id)
        if lead_ids is None:
            query = query.where(Lead.hours_key.is_(None))
        else:
            query = query.where(Lead.id.in_(list(lead_ids)))
        changes = [
            {"lead_id": lead.id, "key": self.key_for_lead(lead)}
            for lead in uow.session.scalars(query.execution_options(yield_per=batch))
        ]
        for start in range(0, len(changes), batch):
            for change in changes[start : start + batch]:
                uow.session.execute(
                    update(Lead).where(Lead.id == change["lead_id"]).values(hours_key=change["key"])
                )
        return len(changes)


def distinct_queue_keys(uow: UnitOfWork) -> list[str]:
    rows = uow.session.scalars(
        select(Lead.hours_key).where(Lead.status.in_(QUEUE_STATUSES), Lead.hours_key.is_not(None)).distinct()
    )
    return [str(key) for key in rows]
