"""The gate's reads through the ORM unit of work: what the window, every command and a dial use.

`desktop.storage.plain_gate` answers the same questions with plain sqlite3 for the quick
`dialdesk check`; `tests/cli/test_quick_check.py` holds the two to the same decisions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select

from desktop.services.emergencies import EMERGENCIES_KEY
from desktop.services.gate import LeadLike
from desktop.services.offline_hold import CHECKOUT_SETTING
from desktop.storage.models import Attempt, Consent, Lead, Phone, Setting
from desktop.storage.uow import UnitOfWork

# Built once (a dial and every queue choice ask these): building a statement cost SQLAlchemy several
# times what SQLite takes to run it.
_LATEST_CONSENTS = (
    select(Consent.kind, func.max(Consent.given_on))
    .where(Consent.lead_id == bindparam("lead_id"))
    .group_by(Consent.kind)
)


def _allowed_calls_since(to_lead: bool) -> Select[int]:
    """Allowed calls since `since` to `number`, or (`to_lead`) also to the lead or any of its numbers."""
    whom = Attempt.number == bindparam("number")
    if to_lead:
        numbers = select(Phone.e164).where(Phone.lead_id == bindparam("lead_id"), Phone.e164.is_not(None))
        whom = or_(whom, Attempt.lead_id == bindparam("lead_id"), Attempt.number.in_(numbers))
    since = bindparam("since", type_=Attempt.__table__.c.started_at.type)
    return select(func.count(Attempt.id)).where(whom, Attempt.allowed.is_(True), Attempt.started_at >= since)


_CALLS_TO_NUMBER_SINCE = _allowed_calls_since(False)
_CALLS_TO_LEAD_SINCE = _allowed_calls_since(True)
# The settings every decision reads (declared emergencies, an offline copy's hold): one statement for
# both, not one each (on a team server each is a round trip).
GATE_SETTING_KEYS = frozenset({EMERGENCIES_KEY, CHECKOUT_SETTING})
_GATE_SETTINGS = select(Setting.key, Setting.value).where(Setting.key.in_(sorted(GATE_SETTING_KEYS)))


class UowGateRecords:
    """`GateRecords` (and `GateReads`) answered by an open unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._gate_settings: dict[str, str] | None = None  # stored JSON texts, read once

    def internal_dnc_reason(self, number: str) -> str | None:
        entry = self._uow.dnc.find(number, "internal")
        return None if entry is None else entry.reason

    def latest_consents(self, lead_id: int) -> Mapping[str, date]:
        rows = self._uow.session.execute(_LATEST_CONSENTS, {"lead_id": lead_id})
        return {str(kind): given for kind, given in rows}

    def allowed_calls_since(self, number: str, since: datetime, lead_id: int | None = None) -> int:
        query = _CALLS_TO_LEAD_SINCE if lead_id is not None else _CALLS_TO_NUMBER_SINCE
        params = {"number": number, "since": since, "lead_id": lead_id}
        return int(self._uow.session.scalar(query, params) or 0)

    def setting(self, key: str) -> Any:
        if key not in GATE_SETTING_KEYS:
            return self._uow.settings.get(key)
        if self._gate_settings is None:
            self._gate_settings = {str(k): str(v) for k, v in self._uow.session.execute(_GATE_SETTINGS)}
        text = self._gate_settings.get(key)
        return None if text is None else json.loads(text)  # (bad JSON: ValueError, as settings.get)

    def lead(self, lead_id: int) -> Lead | None:
        return self._uow.leads.get(lead_id)

    def owners(self, e164: str) -> Sequence[tuple[LeadLike, Phone]]:
        phones = self._uow.session.scalars(select(Phone).where(Phone.e164 == e164).order_by(Phone.id))
        return [(phone.lead, phone) for phone in phones]
