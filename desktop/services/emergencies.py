"""Declared states of emergency the user adds (Louisiana forbids sales calls in affected parishes).

Kept as one setting row (a JSON list), read by the dial gate for every decision: no schema change.
A row names the state, the first and last day (in the callee's local calendar) and the areas.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.domain.compliance import Emergency
from desktop.domain.compliance_hours import ANY_STATE

if TYPE_CHECKING:  # the quick `dialdesk check` parses the setting without the ORM
    from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

EMERGENCIES_KEY = "gate.emergencies"


def parse_emergencies(value: Any) -> tuple[Emergency, ...]:
    """The stored emergencies. An entry that cannot be read is kept as one with a `problem`, which
    the gate treats as covering every day of its state (of every state when its state cannot be
    read either): a damaged entry refuses the calls it might cover instead of allowing them."""
    if value is None:
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return (_unreadable(ANY_STATE, "the stored list is not JSON"),)
    if not isinstance(value, list):
        return (_unreadable(ANY_STATE, "the stored list is not a list"),)
    return tuple(_entry(row, number) for number, row in enumerate(value, start=1))


def _unreadable(state: str, problem: str) -> Emergency:
    return Emergency(state=state, start=date.min, end=date.max, problem=problem)


def _entry(row: Any, number: int) -> Emergency:
    if not isinstance(row, dict):
        return _unreadable(ANY_STATE, f"entry {number} is not a record")
    state = str(row.get("state", "")).strip().upper()
    if not (len(state) == 2 and state.isascii() and state.isalpha()):
        return _unreadable(ANY_STATE, f"entry {number} has no two-letter state code ({row.get('state')!r})")
    try:
        start = date.fromisoformat(str(row["start"]))
        end = date.fromisoformat(str(row["end"]))
    except (KeyError, TypeError, ValueError):
        return _unreadable(state, f"entry {number} has no readable first and last day")
    if end < start:
        return _unreadable(state, f"entry {number} ends ({end}) before it starts ({start})")
    areas = row.get("areas", "")
    return Emergency(state=state, start=start, end=end, areas=areas if isinstance(areas, str) else str(areas))


def read_emergencies(setting: Callable[[str], Any]) -> tuple[Emergency, ...]:
    """The emergencies stored under EMERGENCIES_KEY, read through `setting` (which decodes JSON)."""
    try:
        value = setting(EMERGENCIES_KEY)
    except ValueError:  # the stored text is not JSON at all
        return (_unreadable(ANY_STATE, "the stored list is not JSON"),)
    return parse_emergencies(value)


def load_emergencies(uow: UnitOfWork) -> tuple[Emergency, ...]:
    return read_emergencies(uow.settings.get)


class EmergencyService:
    """Adds and lists declared emergencies."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def list(self) -> tuple[Emergency, ...]:
        with self._uow_factory() as uow:
            return load_emergencies(uow)

    def add(self, state: str, start: date, end: date, areas: str = "") -> Emergency:
        """Store a declared emergency; ValueError (with the reason) for an entry the gate could not
        read back. Entries already stored are kept as they are, readable or not."""
        code = state.strip().upper()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise ValueError(f"{state!r} is not a two-letter state code")
        if not isinstance(start, date) or not isinstance(end, date):
            raise ValueError("the first and last day must be dates like 2026-08-31")
        if end < start:
            raise ValueError(f"the emergency ends ({end}) before it starts ({start})")
        emergency = Emergency(code, start, end, areas.strip())
        with self._uow_factory() as uow:
            try:
                stored = uow.settings.get(EMERGENCIES_KEY)
            except ValueError:
                stored = "unreadable"
            if stored is not None and not isinstance(stored, list):
                raise ValueError(
                    "the stored emergencies cannot be read (every call is refused until they are fixed): "
                    f"repair the setting {EMERGENCIES_KEY}"
                )
            row = {"state": code, "start": start.isoformat(), "end": end.isoformat()}
            row["areas"] = emergency.areas
            uow.settings.set(EMERGENCIES_KEY, [*(stored or []), row])
            uow.commit()
        return emergency
