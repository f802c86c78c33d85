"""Where a lead lives by its ZIP or postal code: the state (or province) and, for a US ZIP, the zone.

US ZIP codes come from the `zipcodes` package (the USPS list with each ZIP's state and time zone,
territories included); a Canadian postal code's first letter names its province (its forward
sortation area tells Nunavut from the Northwest Territories). A ZIP settles where the callee lives
the way a recorded state does: it narrows the number's zones and adds its state's rules, and never
widens what the number allows (see compliance_locate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ZIP, ZIP+4; a spreadsheet often drops a New England or Puerto Rico ZIP's leading zeros (2134).
_US_ZIP = re.compile(r"(\d{3,5})(?:[- ]?\d{4})?")
_CANADIAN = re.compile(r"([A-Z])(\d)([A-Z]) ?(\d[A-Z]\d)?")
# Canada Post's first letters (D, F, I, O, Q, U, W, Z are never used).
_PROVINCE_BY_LETTER = {
    "A": "NL",
    "B": "NS",
    "C": "PE",
    "E": "NB",
    "G": "QC",
    "H": "QC",
    "J": "QC",
    "K": "ON",
    "L": "ON",
    "M": "ON",
    "N": "ON",
    "P": "ON",
    "R": "MB",
    "S": "SK",
    "T": "AB",
    "V": "BC",
    "Y": "YT",
}
# X is shared: X0A, X0B and X0C are Nunavut, the rest the Northwest Territories.
_NUNAVUT_AREAS = ("X0A", "X0B", "X0C")


@dataclass(frozen=True, slots=True)
class PostalPlace:
    """A postal code as stored with a lead: its normal form, its state or province, its zone if one."""

    code: str
    state: str
    zone: str = ""


@lru_cache(maxsize=1)
def _us_zips() -> dict[str, tuple[str, str]]:
    """Every US ZIP -> (state, zone), read once: one lookup per ZIP in the package scans all of them."""
    import zipcodes  # about a second to load: only a list with ZIP codes needs it

    return {
        str(row["zip_code"]): (str(row["state"]), str(row.get("timezone") or ""))
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if row.get("country") in ("US", "") and row.get("state")
    }


def locate_postal_code(text: str) -> PostalPlace | str:
    """The place of a ZIP or Canadian postal code; a one-line reason (str) when it is not one."""
    cleaned = " ".join(text.strip().upper().split())
    if not cleaned:
        return "empty"
    us = _US_ZIP.fullmatch(cleaned)
    if us is not None:
        zip5 = us.group(1).zfill(5)
        found = _us_zips().get(zip5)
        if found is None:
            return f"{text.strip()!r} is not a known US ZIP code"
        state, zone = found
        return PostalPlace(zip5, state, zone)
    canadian = _CANADIAN.fullmatch(cleaned)
    if canadian is not None:
        letter = canadian.group(1)
        area = "".join(canadian.group(1, 2, 3))
        province = (
            "NU" if area in _NUNAVUT_AREAS else ("NT" if letter == "X" else _PROVINCE_BY_LETTER.get(letter))
        )
        if province is None:
            return f"{text.strip()!r} is not a Canadian postal code (no province starts with {letter})"
        rest = canadian.group(4)
        return PostalPlace(f"{area} {rest}" if rest else area, province)
    return f"{text.strip()!r} is not a US ZIP code or a Canadian postal code"
