"""The firm's internal do-not-call list: add at once, remove only deliberately, every change audited."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.phones import normalize_e164
from desktop.services.agents import recording_name
from desktop.services.clock import Clock
from desktop.services.history_seal import reseal
from desktop.services.settings import Settings
from desktop.storage.models import DncEntry
from desktop.storage.uow import UnitOfWorkFactory

INTERNAL = "internal"


class DncError(Exception):
    """A DNC change that cannot be made; the message is for the user."""


@dataclass(frozen=True)
class DncListing:
    """One number of the internal list as the do-not-call page shows it."""

    number: str
    reason: str
    added_at: datetime


class DncService:
    """Adds, removes and lists internal do-not-call numbers."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, settings: Callable[[], Settings]
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._settings = settings

    def _normalise(self, number: str, region: str | None) -> str:
        try:
            return normalize_e164(number, region or self._settings().default_region)
        except ValueError as error:
            raise DncError(str(error)) from None

    def add(self, number: str, reason: str = "", region: str | None = None) -> str:
        e164 = self._normalise(number, region)
        now = self._clock()
        with self._uow_factory() as uow:
            agent = uow.agents.get_or_create(recording_name(self._settings().agent_name))
            if uow.dnc.find(e164, INTERNAL) is None:
                uow.dnc.add(
                    DncEntry(number=e164, source=INTERNAL, reason=reason, agent_id=agent.id, added_at=now)
                )
                uow.audit.record("dnc_add", json.dumps({"number": e164, "reason": reason}), agent.id, now)
                uow.commit()
        return e164

    def remove(self, number: str, region: str | None = None) -> str:
        e164 = self._normalise(number, region)
        now = self._clock()
        with self._uow_factory() as uow:
            agent = uow.agents.get_or_create(recording_name(self._settings().agent_name))
            entry = uow.dnc.find(e164, INTERNAL)
            if entry is None or uow.dnc.remove(e164, INTERNAL) == 0:
                raise DncError(f"{e164} is not on the internal do-not-call list")
            uow.audit.record("dnc_remove", json.dumps({"number": e164}), agent.id, now)
            reseal(uow.session, "dnc", [entry.id], now)  # an entry made before the history: its seal follows
            uow.leads.clear_gate_blocks()
            uow.commit()
        return e164

    def is_listed(self, number: str) -> bool:
        with self._uow_factory() as uow:
            return uow.dnc.find(number, INTERNAL) is not None

    def list(self, text: str = "", limit: int = 10_000) -> list[DncEntry]:
        with self._uow_factory() as uow:
            return uow.dnc.list(INTERNAL, text, limit)

    def listing(self, text: str = "", limit: int = 1_000) -> builtins.list[DncListing]:
        """The newest `limit` internal numbers whose digits contain those of `text`, as plain rows."""
        return [DncListing(e.number, e.reason, e.added_at) for e in self.list(text, limit)]
