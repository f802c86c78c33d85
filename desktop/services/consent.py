"""Consent records per lead: written consent, inquiries and purchases, with their evidence.

They let a residential call pass the national and state registries (never the internal list).
Every change is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, delete, select

from desktop.services.clock import Clock
from desktop.services.history_seal import reseal
from desktop.storage.models import Consent
from desktop.storage.uow import UnitOfWorkFactory

CONSENT_KINDS = ("written", "inquiry", "purchase")
CONSENT_LABELS = {
    "written": "Prior express written consent",
    "inquiry": "Inquiry (established business relationship, 3 months)",
    "purchase": "Purchase (established business relationship, 18 months)",
}


# Built once: the lead card reads this for every lead shown.
_CONSENTS_OF_LEAD = (
    select(Consent).where(Consent.lead_id == bindparam("lead_id")).order_by(Consent.given_on.desc())
)


class ConsentError(Exception):
    """A consent record that cannot be stored; the message is for the user."""


@dataclass(frozen=True)
class ConsentRecord:
    """One piece of evidence of permission to call."""

    id: int
    lead_id: int
    kind: str
    given_on: date
    evidence: str


class ConsentService:
    """Adds, lists and removes consent records of a lead."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def for_lead(self, lead_id: int) -> list[ConsentRecord]:
        with self._uow_factory() as uow:
            rows = uow.session.scalars(_CONSENTS_OF_LEAD, {"lead_id": lead_id})
            return [ConsentRecord(r.id, r.lead_id, r.kind, r.given_on, r.evidence) for r in rows]

    def add(self, lead_id: int, kind: str, given_on: date, evidence: str) -> ConsentRecord:
        if kind not in CONSENT_KINDS:
            raise ConsentError(f"unknown consent kind {kind!r}; use one of {', '.join(CONSENT_KINDS)}")
        if given_on > self._clock().date():
            raise ConsentError("a consent date cannot be in the future")
        if not evidence.strip():
            raise ConsentError("say what the evidence is (a signed form, a web form id, an order number …)")
        with self._uow_factory() as uow:
            if uow.leads.get(lead_id) is None:
                raise ConsentError(f"there is no lead #{lead_id}")
            record = Consent(lead_id=lead_id, kind=kind, given_on=given_on, evidence=evidence.strip())
            uow.session.add(record)
            uow.session.flush()
            uow.leads.clear_gate_blocks(lead_id)
            uow.audit.record(
                "consent_add",
                json.dumps({"lead_id": lead_id, "kind": kind, "given_on": given_on.isoformat()}),
                at=self._clock(),
            )
            uow.commit()
            return ConsentRecord(record.id, lead_id, kind, given_on, record.evidence)

    def remove(self, consent_id: int) -> None:
        with self._uow_factory() as uow:
            record = uow.session.get(Consent, consent_id)
            if record is None:
                raise ConsentError(f"there is no consent record #{consent_id}")
            uow.audit.record(
                "consent_remove",
                json.dumps(
                    {"lead_id": record.lead_id, "kind": record.kind, "given_on": record.given_on.isoformat()}
                ),
                at=self._clock(),
            )
            uow.session.execute(delete(Consent).where(Consent.id == consent_id))
            reseal(uow.session, "consents", [consent_id], self._clock())  # a consent older than the history
            uow.leads.clear_gate_blocks(record.lead_id)
            uow.commit()
