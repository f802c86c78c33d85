"""Which number of which lead the gate decides: one answer for `dialdesk check`, the window and a dial.

A check or a dial names a lead, a phone, a bare number, or a lead and a number. This module picks
the phone (the lead's first the gate allows, the one asked for, or every lead owning a bare
number) and asks `DialGate` for each. It reads the database only through `GateRecords`, so the
ORM (`desktop.services.gate_reads`) and the quick plain-sqlite3 check (`desktop.storage.plain_gate`)
run exactly this code and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from desktop.domain.phones import parse_phone
from desktop.services.gate import CallerIdFacts, DialGate, GateReads, GateResult, LeadLike, PhoneLike


class CallingError(Exception):
    """A use-case error meant for the user (unknown lead, missing callback time …)."""


class RecordPhone(PhoneLike, Protocol):
    """A stored phone: what the gate reads, and its row id."""

    @property
    def id(self) -> int: ...


PhoneT = TypeVar("PhoneT", bound=RecordPhone)
PhoneT_co = TypeVar("PhoneT_co", bound=RecordPhone, covariant=True)


class RecordLead(LeadLike, Protocol[PhoneT_co]):
    """A stored lead with its phones in their order."""

    @property
    def phones(self) -> Sequence[PhoneT_co]: ...


class GateRecords(GateReads, Protocol[PhoneT_co]):
    """The stored leads and phones a check reads, besides the gate's own facts."""

    def lead(self, lead_id: int) -> RecordLead[PhoneT_co] | None:
        """The lead with its phones; None when there is no such lead."""
        ...

    def owners(self, e164: str) -> Sequence[tuple[LeadLike, PhoneT_co]]:
        """Every stored phone with this number and its lead, by phone id."""
        ...


def gate_answer(
    records: GateRecords[PhoneT],
    gate: DialGate,
    lead_id: int | None,
    phone_id: int | None,
    number: str | None,
    region: str,
    at: datetime,
    kind: str | None = None,
    automated: bool = False,
    prerecorded: bool = False,
    caller_id: CallerIdFacts | None = None,
) -> tuple[GateResult, PhoneT | None]:
    """The gate's decision for a call to a lead, a phone or a number, and the phone it decided."""
    cid = caller_id or CallerIdFacts()
    lead = records.lead(lead_id) if lead_id is not None else None
    if lead_id is not None and phone_id is None and not number:
        if lead is None:
            raise CallingError(f"there is no lead #{lead_id}")
        return best_phone(records, gate, lead, at, automated, prerecorded, cid)
    phone = pick_phone(records, lead_id, lead, phone_id, number)
    if phone is not None:
        return gate.decide_phone(records, lead, phone, at, automated, prerecorded, caller_id=cid), phone
    if lead_id is None and number:
        owned = owners_decision(records, gate, number, region, at, automated, prerecorded, cid)
        if owned is not None and (kind is None or not owned.decision.allowed):
            return owned, None
        if owned is not None:  # a kind given by the user must allow the call too
            asked = gate.decide_number(
                records, None, number, region, at, kind, automated, prerecorded, caller_id=cid
            )
            return (owned if asked.decision.allowed else asked), None
    decided = gate.decide_number(
        records, lead, number or "", region, at, kind, automated, prerecorded, caller_id=cid
    )
    return decided, None


def best_phone(
    records: GateRecords[PhoneT],
    gate: DialGate,
    lead: RecordLead[PhoneT],
    at: datetime,
    automated: bool,
    prerecorded: bool,
    caller_id: CallerIdFacts | None = None,
) -> tuple[GateResult, PhoneT]:
    """The lead's first number the gate allows; else the first valid one, so the refusal says why."""
    first: tuple[GateResult, PhoneT] | None = None
    for phone in lead.phones:
        result = gate.decide_phone(records, lead, phone, at, automated, prerecorded, caller_id=caller_id)
        if result.decision.allowed:
            return result, phone
        if first is None or (phone.valid and not first[1].valid):
            first = (result, phone)
    if first is None:
        raise CallingError(f"lead #{lead.id} has no phone number")
    return first


def pick_phone(
    records: GateRecords[PhoneT],
    lead_id: int | None,
    lead: RecordLead[PhoneT] | None,
    phone_id: int | None,
    number: str | None,
) -> PhoneT | None:
    """The phone of `lead_id` a dial or check names (by id or number), else its default one."""
    if lead_id is None:
        return None
    if lead is None:
        raise CallingError(f"there is no lead #{lead_id}")
    if phone_id is not None:
        phone = next((p for p in lead.phones if p.id == phone_id), None)
        if phone is None:
            raise CallingError(f"lead #{lead_id} has no phone #{phone_id}")
        return phone
    if number:
        parsed = parse_phone(number)
        phone = next((p for p in lead.phones if p.e164 and p.e164 == parsed.e164), None)
        if phone is None:
            raise CallingError(f"{number} is not a number of lead #{lead_id}")
        return phone
    phone = default_phone(records, lead)
    if phone is None:
        raise CallingError(f"lead #{lead_id} has no phone number")
    return phone


def default_phone(records: GateReads, lead: RecordLead[PhoneT]) -> PhoneT | None:
    """The number to dial by default: the first valid one not on the internal list, else the first."""
    for phone in lead.phones:
        if phone.valid and phone.e164 and records.internal_dnc_reason(phone.e164) is None:
            return phone
    return lead.phones[0] if lead.phones else None


def owners_decision(
    records: GateRecords[PhoneT],
    gate: DialGate,
    number: str,
    region: str,
    at: datetime,
    automated: bool,
    prerecorded: bool,
    caller_id: CallerIdFacts | None = None,
) -> GateResult | None:
    """A bare number is decided as the lead(s) that own it (state, consent, kind, counts).

    When several leads share it, each must allow the call: the first refusal is the answer.
    None when no lead owns it (it is then decided as a residential number by its area code).
    """
    parsed = parse_phone(number, region)
    if not parsed.dialable or parsed.e164 is None:
        return None
    first: GateResult | None = None
    for lead, phone in records.owners(parsed.e164):
        result = gate.decide_phone(records, lead, phone, at, automated, prerecorded, caller_id=caller_id)
        if not result.decision.allowed:
            return result
        first = first or result
    return first
