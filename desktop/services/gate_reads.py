"""The gate's reads through the ORM unit of work: what the window, every command and a dial use.

`desktop.storage.plain_gate` answers the same questions with plain sqlite3 for the quick
`dialdesk check`; `tests/cli/test_quick_check.py` holds the two to the same decisions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from desktop.services.gate import LeadLike
from desktop.storage.models import Attempt, Consent, Lead, Phone
from desktop.storage.uow import UnitOfWork


class UowGateRecords:
    """`GateRecords` (and `GateReads`) answered by an open unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def internal_dnc_reason(self, number: str) -> str | None:
        entry = self._uow.dnc.find(number, "internal")
        return None if entry is None else entry.reason

    def latest_consents(self, lead_id: int) -> Mapping[str, date]:
        rows = self._uow.session.execute(
            select(Consent.kind, func.max(Consent.given_on))
            .where(Consent.lead_id == lead_id)
            .group_by(Consent.kind)
        )
        return {str(kind): given for kind, given in rows}

    def allowed_calls_since(self, number: str, since: datetime, lead_id: int | None = None) -> int:
        whom = Attempt.number == number
        if lead_id is not None:
            numbers = select(Phone.e164).where(Phone.lead_id == lead_id, Phone.e164.is_not(None))
            whom = or_(whom, Attempt.lead_id == lead_id, Attempt.number.in_(numbers))
        query = select(func.count(Attempt.id)).where(
            whom, Attempt.allowed.is_(True), Attempt.started_at >= since
        )
        return int(self._uow.session.scalar(query) or 0)

    def setting(self, key: str) -> Any:
        return self._uow.settings.get(key)

    def lead(self, lead_id: int) -> Lead | None:
        return self._uow.leads.get(lead_id)

    def owners(self, e164: str) -> Sequence[tuple[LeadLike, Phone]]:
        phones = self._uow.session.scalars(select(Phone).where(Phone.e164 == e164).order_by(Phone.id))
        return [(phone.lead, phone) for phone in phones]
