"""Lead rules: kinds, statuses, names and the identity used to merge repeated leads."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

BUSINESS = "business"
RESIDENTIAL = "residential"
LEAD_KINDS = (BUSINESS, RESIDENTIAL)

# Lead statuses. "new": never attempted; "active": in the sequence; the rest are out of the queue.
STATUS_NEW = "new"
STATUS_ACTIVE = "active"
STATUS_NO_NUMBER = "no_dialable_number"
STATUS_CLOSED = "closed"
STATUS_DO_NOT_CALL = "do_not_call"
STATUS_EXHAUSTED = "exhausted"
QUEUE_STATUSES = (STATUS_NEW, STATUS_ACTIVE)

DEFAULT_ATTEMPT_TARGET = 18
# Most sellers stop after four attempts; past that the product nudges the agent to keep going.
GIVE_UP_POINT = 4

_KIND_WORDS = {
    BUSINESS: {"business", "b2b", "company", "commercial", "corporate", "biz", "b", "бизнес", "firma"},
    RESIDENTIAL: {
        "residential",
        "b2c",
        "consumer",
        "home",
        "private",
        "personal",
        "household",
        "r",
        "частный",
        "privat",
    },
}


def parse_kind(text: str) -> str | None:
    """Read a lead-type cell; None when the cell says nothing recognisable."""
    word = text.strip().lower()
    for kind, words in _KIND_WORDS.items():
        if word in words:
            return kind
    return None


WARM = "warm"
COLD = "cold"
_WARM_WORDS = {"warm", "hot", "interested", "yes", "y", "1", "true", "тёплый", "теплый", "горячий"}
_COLD_WORDS = {"cold", "no", "n", "0", "false", "new", "холодный"}


def parse_warmth(text: str) -> str | None:
    """Read a warmth cell ("warm", "hot", "cold" …); None when it says nothing recognisable."""
    word = text.strip().lower()
    if word in _WARM_WORDS:
        return WARM
    if word in _COLD_WORDS:
        return COLD
    return None


def split_full_name(full: str) -> tuple[str, str]:
    """Split "Maria Lopez" or "Lopez, Maria" into (first, last)."""
    text = " ".join(full.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    if " " in text:
        first, _, last = text.rpartition(" ")
        return first, last
    return text, ""


_ASCII_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """Case-, accent- and space-insensitive form for comparing names."""
    if text.isascii():
        # Most names: ASCII folds by lower() and needs no decomposition; one regex pass is much faster.
        return _ASCII_NOT_ALNUM.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


@dataclass(frozen=True, slots=True)
class LeadIdentity:
    """Who a lead is, for merging repeats: the same number plus the same person or company."""

    person: str
    company: str

    @classmethod
    def of(cls, first_name: str, last_name: str, company: str) -> LeadIdentity:
        return cls(person=_fold(f"{first_name}{last_name}"), company=_fold(company))

    def same_as(self, other: LeadIdentity) -> bool:
        if self.person and other.person:
            return self.person == other.person
        return bool(self.company) and self.company == other.company

    def key(self) -> str:
        return f"{self.person}|{self.company}"


def display_name(first_name: str, last_name: str, company: str) -> str:
    # Without a generator: a scrub names 100,000 leads.
    if first_name and last_name:
        return f"{first_name} {last_name}"
    return first_name or last_name or company or "(no name)"


def attempt_label(attempts: int, target: int) -> str:
    """The persistence counter as the agent reads it: the attempt about to be made."""
    return (
        f"Attempt {min(attempts + 1, max(target, 1))} of {target}"
        if attempts < target
        else (f"{attempts} attempts (target {target} reached)")
    )


def persistence_nudge(attempts: int, target: int) -> str | None:
    """A word of encouragement past the point where most sellers give up."""
    if attempts >= target:
        return None
    if attempts >= GIVE_UP_POINT:
        return (
            f"Most sellers give up after {GIVE_UP_POINT} attempts. The average buyer answers "
            f"after about {DEFAULT_ATTEMPT_TARGET}: keep going."
        )
    return None


def parse_date(text: str) -> date | None:
    """A date from a spreadsheet cell: 2026-01-31, 01/31/2026 (US), 31.01.2026, or an Excel date-time."""
    value = text.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%m/%d/%y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None
