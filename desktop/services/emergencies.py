"""Declared states of emergency the user adds (Louisiana forbids sales calls in affected parishes).

Kept as one setting row (a JSON list), read by the dial gate for every decision: no schema change.
A row names the state, the first and last day (in the callee's local calendar) and the areas.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.domain.compliance import Emergency

if TYPE_CHECKING:  # the quick `dialdesk check` parses the setting without the ORM
    from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

EMERGENCIES_KEY = "gate.emergencies"


def parse_emergencies(value: Any) -> tuple[Emergency, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ()
    found: list[Emergency] = []
    for row in value if isinstance(value, list) else []:
        try:
            found.append(
                Emergency(
                    state=str(row["state"]).upper(),
                    start=date.fromisoformat(str(row["start"])),
                    end=date.fromisoformat(str(row["end"])),
                    areas=str(row.get("areas", "")),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return tuple(found)


def load_emergencies(uow: UnitOfWork) -> tuple[Emergency, ...]:
    return parse_emergencies(uow.settings.get(EMERGENCIES_KEY))


class EmergencyService:
    """Adds and lists declared emergencies."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def list(self) -> tuple[Emergency, ...]:
        with self._uow_factory() as uow:
            return load_emergencies(uow)

    def add(self, state: str, start: date, end: date, areas: str = "") -> Emergency:
        if len(state.strip()) != 2:
            raise ValueError(f"{state!r} is not a two-letter state code")
        if end < start:
            raise ValueError(f"the emergency ends ({end}) before it starts ({start})")
        emergency = Emergency(state.strip().upper(), start, end, areas.strip())
        with self._uow_factory() as uow:
            rows = [
                {"state": e.state, "start": e.start.isoformat(), "end": e.end.isoformat(), "areas": e.areas}
                for e in (*load_emergencies(uow), emergency)
            ]
            uow.settings.set(EMERGENCIES_KEY, rows)
            uow.commit()
        return emergency
