"""A call list's do-not-call flags: every number of a flagged lead goes on the firm's internal list.

A CRM export says "do not call" in a column (Salesforce "DoNotCall", HubSpot "Do not call", "DNC").
The firm's own do-not-call list covers everyone it was asked not to call, so at import every number
of such a lead is added to the internal list (its source naming the file, audited like every other
addition) and the lead is marked do-not-call. A cell that is neither yes nor no counts as do not call:
a wrong "no" would let a call through the law forbids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select, update

from desktop.domain import leads as lead_rules
from desktop.domain.columns import do_not_call_flag
from desktop.storage.models import DncEntry, Lead
from desktop.storage.uow import UnitOfWork

INTERNAL = "internal"
# Numbers looked up per query when checking which are already listed (SQLite's variable limit).
_LOOKUP_CHUNK = 500


class FlaggedLead(Protocol):
    """What the import knows of a lead: its id once written, and its dialable numbers."""

    lead_id: int | None
    numbers: set[str]


class DoNotCallFlags:
    """The leads of one import whose row flags do-not-call, and writing their numbers to the list."""

    def __init__(self, columns: Sequence[int]) -> None:
        self.columns = list(columns)
        self._leads: dict[int, FlaggedLead] = {}

    def row_flag(self, cells: Sequence[str]) -> tuple[bool, list[int]]:
        """Whether the row says do not call, and the columns whose value was neither yes nor no."""
        flagged = False
        unreadable: list[int] = []
        for index in self.columns:
            if index >= len(cells):
                continue
            flag = do_not_call_flag(cells[index])
            if flag is None:
                unreadable.append(index)
            flagged = flagged or flag is not False
        return flagged, unreadable

    def add(self, lead: FlaggedLead) -> None:
        self._leads[id(lead)] = lead

    def write(self, uow: UnitOfWork, file_name: str, batch_id: int, now: datetime) -> tuple[int, int]:
        """Put every number of the flagged leads on the internal list; (numbers added, leads flagged)."""
        if not self._leads:
            return 0, 0
        owner: dict[str, int | None] = {}
        for lead in self._leads.values():
            for number in sorted(lead.numbers):
                owner.setdefault(number, lead.lead_id)
        listed = _already_internal(uow, list(owner))
        reason = f"marked do-not-call in the imported file {file_name}"
        rows = [
            {
                "number": number,
                "source": INTERNAL,
                "reason": reason,
                "lead_id": lead_id,
                "agent_id": None,
                "added_at": now,
            }
            for number, lead_id in owner.items()
            if number not in listed
        ]
        if rows:
            uow.session.execute(insert(DncEntry), rows)
            uow.audit.record(
                "dnc_add",
                json.dumps(
                    {
                        "numbers": [row["number"] for row in rows],
                        "via": "import",
                        "file": file_name,
                        "batch": batch_id,
                    }
                ),
                at=now,
            )
        lead_ids = sorted({lead.lead_id for lead in self._leads.values() if lead.lead_id is not None})
        if lead_ids:
            uow.session.execute(
                update(Lead)
                .where(Lead.id.in_(lead_ids))
                .values(status=lead_rules.STATUS_DO_NOT_CALL, next_due_at=None)
            )
        uow.leads.clear_gate_blocks()
        return len(rows), len(self._leads)


def _already_internal(uow: UnitOfWork, numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), _LOOKUP_CHUNK):
        chunk = numbers[start : start + _LOOKUP_CHUNK]
        found.update(
            uow.session.scalars(
                select(DncEntry.number).where(DncEntry.source == INTERNAL, DncEntry.number.in_(chunk))
            )
        )
    return found
