"""Calling-hours keys of leads: computed once per lead, decided once per key.

A lead's key names where the callee is (the zones of its first valid number, settled by the lead's
state) and which state hour rules apply ("America/Chicago|FL"). The queue asks which keys are open
now and filters leads by key, so even 100,000 leads at night cost a handful of decisions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from time import monotonic
from typing import TYPE_CHECKING

from desktop.domain.compliance import hours_key, hours_open_at, hours_reasons
from desktop.domain.compliance_rules import RuleBook
from desktop.domain.phones import number_states
from desktop.services.gate import gate_zones

if TYPE_CHECKING:  # the ORM is imported on use: the quick `dialdesk check` needs the fingerprint only
    from desktop.storage.models import Lead
    from desktop.storage.uow import UnitOfWork

NO_ZONE_KEY = "|"  # a lead without a valid number: never open
# Keys stored with leads were computed by some version of the rules: this setting names which.
KEYS_VERSION_SETTING = "hours_keys.rules"
# Bumped when the way a key is computed changes (2: every zone of the area code).
_KEY_FORMAT = "2"
# Another process (a colleague's window on a shared database) may import too: keys are re-read this often.
_KEYS_TTL_S = 60.0


class HoursKeys:
    """Computes keys (cached per distinct input) and answers which keys are open at a moment."""

    def __init__(self, rules: RuleBook) -> None:
        self.rules = rules
        self._cache: dict[tuple[str, str, tuple[str, ...], str, str], str] = {}
        self._known_keys: list[str] | None = None
        self._known_at = 0.0
        self._open_cache: tuple[datetime, list[str]] | None = None

    def key(
        self, zones: str, state: str, e164: str | None, postal_state: str = "", postal_zone: str = ""
    ) -> str:
        if not zones or not e164:
            return NO_ZONE_KEY
        states = number_states(e164)
        # Every zone of the area code, as the gate checks (the stored zones are the exchange's).
        every_zone = " ".join(gate_zones(e164, tuple(zones.split())))
        cache_key = (every_zone, state.strip().upper(), states, postal_state, postal_zone)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._cache[cache_key] = hours_key(
                tuple(every_zone.split()),
                state,
                states,
                self.rules,
                postal_state=postal_state,
                postal_zone=postal_zone,
            )
        return found

    def key_for_lead(self, lead: Lead) -> str:
        phone = next((p for p in lead.phones if p.valid and p.e164), None)
        if phone is None:
            return NO_ZONE_KEY
        return self.key(phone.time_zones, lead.state, phone.e164, lead.postal_state, lead.postal_zone)

    def open_keys(self, keys: Iterable[str], at: datetime) -> list[str]:
        return [key for key in keys if key != NO_ZONE_KEY and not hours_reasons(key, at, self.rules)]

    def open_keys_now(self, uow: UnitOfWork, at: datetime) -> list[str]:
        """The keys open at `at`, from the keys in use; both cached briefly, since the queue asks often.

        Keys in use change only by imports and merges (which call `forget()`); which keys are open
        changes only at whole minutes of the hours rules, so the answer is kept for the minute.
        """
        now = monotonic()
        if self._known_keys is None or now - self._known_at > _KEYS_TTL_S:
            self._known_keys = distinct_queue_keys(uow)
            self._known_at = now
            self._open_cache = None
        minute = at.replace(second=0, microsecond=0)
        if self._open_cache is None or self._open_cache[0] != minute:
            self._open_cache = (minute, self.open_keys(self._known_keys, minute))
        return self._open_cache[1]

    def forget(self) -> None:
        """The keys in use may have changed (an import, a merge, a restored backup)."""
        self._known_keys = None
        self._open_cache = None

    def reason(self, key: str, at: datetime) -> str:
        if key == NO_ZONE_KEY:
            return "no valid number"
        return "; ".join(reason.detail for reason in hours_reasons(key, at, self.rules))

    def opens_at(self, key: str, at: datetime) -> datetime | None:
        return None if key == NO_ZONE_KEY else hours_open_at(key, at, self.rules)

    def rules_fingerprint(self) -> str:
        """What the stored keys depend on: the key format and every row's zones and hour rules."""
        rows = [
            (code, rule.zones, rule.day_windows, rule.no_calls_on_holidays, rule.no_calls_in_emergency)
            for code, rule in sorted(
                {**self.rules.states, **{"@" + c: r for c, r in self.rules.countries.items()}}.items()
            )
        ]
        text = repr((_KEY_FORMAT, self.rules.window, rows))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def forget_stale_keys(self, uow: UnitOfWork) -> bool:
        """Clear every stored key when the rules they were computed by changed (a backfill follows)."""
        from sqlalchemy import update

        from desktop.storage.models import Lead

        fingerprint = self.rules_fingerprint()
        if uow.settings.get(KEYS_VERSION_SETTING) == fingerprint:
            return False
        uow.session.execute(update(Lead).values(hours_key=None))
        uow.settings.set(KEYS_VERSION_SETTING, fingerprint)
        self.forget()
        return True

    def backfill(self, uow: UnitOfWork, lead_ids: Iterable[int] | None = None, batch: int = 2000) -> int:
        """Compute the key of leads that have none (or of `lead_ids`); returns how many were set."""
        from sqlalchemy import select, update
        from sqlalchemy.orm import selectinload

        from desktop.storage.models import Lead

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
    """Every hours key in use (a walk of the hours_key index; leads out of the queue add harmless keys)."""
    from sqlalchemy import select

    from desktop.storage.models import Lead

    rows = uow.session.scalars(select(Lead.hours_key).where(Lead.hours_key.is_not(None)).distinct())
    return [str(key) for key in rows]
