"""Marking a lead's phone as a business landline, from the lead card.

US numbers rarely tell a mobile from a landline, so the gate treats every number as possibly a
mobile: a prerecorded message (voicemail drop) needs prior express written consent unless the number
is recorded as a business landline (47 CFR 64.1200(a)(2)). The broker records it by its label: the
word "landline" in it. Each change is audited, since it lets recorded messages through.
"""

from __future__ import annotations

import json
import re

from desktop.domain.phones import LANDLINE_WORDS, label_says_landline
from desktop.services.clock import Clock
from desktop.storage.models import Phone
from desktop.storage.uow import UnitOfWorkFactory

_LANDLINE_PATTERN = re.compile(r"\s*\b(?:" + "|".join(re.escape(w) for w in LANDLINE_WORDS) + r")\b", re.I)
MARKED_LABEL = "landline"


def landline_label(label: str, landline: bool) -> str:
    """`label` marked as a landline ("Work" -> "Work landline") or unmarked ("Work landline" -> "Work")."""
    if landline:
        if label_says_landline(label):
            return label
        marked = f"{label} {MARKED_LABEL}".strip()
        # "Mobile" + landline would still read as a possible mobile: the broker's tick replaces it.
        return marked if label_says_landline(marked) else MARKED_LABEL
    return " ".join(_LANDLINE_PATTERN.sub("", label).split())


class PhoneLabelNotFound(Exception):
    """No phone has that id."""


def set_business_landline(uow_factory: UnitOfWorkFactory, clock: Clock, phone_id: int, landline: bool) -> str:
    """Record (or unrecord) a phone as a business landline; returns its new label."""
    with uow_factory() as uow:
        phone = uow.session.get(Phone, phone_id)
        if phone is None:
            raise PhoneLabelNotFound(f"there is no phone #{phone_id}")
        before = phone.label or ""
        after = landline_label(before, landline)
        if len(after) > 100:  # the column's length: keep the mark, cut the rest
            after = f"{MARKED_LABEL} {before}"[:100] if landline else after[:100]
        if after != before:
            phone.label = after
            detail = {"phone_id": phone_id, "lead_id": phone.lead_id, "from": before, "to": after}
            uow.audit.record("phone_landline", json.dumps(detail, ensure_ascii=False), at=clock())
            uow.commit()
        return after
