"""Which area codes a do-not-call registry copy covers, and how old each area code's copy is.

The FTC sells the National Registry per area code (Canada's DNCL is downloaded the same way), so a
copy is a set of area codes, each downloaded on its own date. A number is checked only against a
copy of its own area code: an area code never downloaded is "missing", one whose copy is older than
the safe harbour allows is "stale", however fresh the other area codes are.

Numbers here are national numbers (`2125550199`); the area code is their first three digits.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

# National numbers of one area code span 10**7 values: 212-000-0000 .. 212-999-9999.
AREA_SPAN = 10_000_000
# How many area codes a status names before "…": a full registry covers about 330.
SHOWN_CODES = 12


@dataclass(frozen=True, slots=True)
class AreaCopy:
    """One area code of a registry copy: its download date, its count and the import that brought it."""

    area_code: int
    as_of: date
    count: int = 0
    snapshot_id: int | None = None


def area_code_of(national: int) -> int:
    """The area code of a 10-digit national number (2125550199 -> 212)."""
    return national // AREA_SPAN


def area_code_of_e164(e164: str | None) -> int | None:
    """The area code of a +1 number (`+12125550199` -> 212); None for other numbers."""
    if not e164 or len(e164) != 12 or not e164.startswith("+1") or not e164[2:].isdigit():
        return None
    return int(e164[2:5])


# What people call the national registries; a state list is "the Texas do-not-call list".
REGISTRY_TITLES = {"national": "National Do Not Call Registry", "canada": "Canada's National DNCL"}


def registry_title(source: str) -> str:
    """The name of a registry source as people know it ("canada" -> "Canada's National DNCL")."""
    if source.startswith("state:"):
        return f"{source.removeprefix('state:')} state do-not-call list"
    return REGISTRY_TITLES.get(source, f"{source} registry")


def is_state_list(source: str) -> bool:
    """A state's do-not-call list covers the whole state, whatever area codes its numbers have."""
    return source.startswith("state:")


def foreign_area_codes(
    source: str, codes: Iterable[int], registries: Mapping[str, str], region_of: Callable[[int], str | None]
) -> dict[int, str]:
    """The area codes of `codes` that a national registry `source` does not cover, with their region.

    The US National Registry covers the US, its territories and toll-free numbers; Canada's DNCL
    covers Canada: a 416 number in a file imported as the US registry is not a US copy of 416.
    An area code whose region is unknown (newer than the phone data) is given the benefit of the
    doubt; a state list holds whatever numbers its residents registered, so nothing is foreign to it.
    """
    if is_state_list(source) or source not in set(registries.values()):
        return {}
    foreign: dict[int, str] = {}
    for code in codes:
        region = region_of(code)
        if region is not None and registries.get(region) != source:
            foreign[code] = region
    return foreign


def code_text(area_code: int) -> str:
    return f"{area_code:03d}"


def parse_area_codes(text: str) -> tuple[int, ...]:
    """`"212, 646"` as (212, 646); ValueError with a one-line reason for anything else."""
    codes: list[int] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        if len(item) != 3 or not item.isdigit() or not item.isascii():
            raise ValueError(f"area code {item!r} is not three digits")
        if item[0] in "01":
            raise ValueError(
                f"area code {item} is not a North American area code (it cannot start with 0 or 1)"
            )
        codes.append(int(item))
    if not codes:
        raise ValueError("no area code given (e.g. 212,646)")
    return tuple(sorted(set(codes)))


def area_groups(keys: Sequence[int], base: int) -> Iterator[tuple[int, int, int]]:
    """(area code, start, end) runs of sorted storage keys (`base` + national number).

    A bisect per area code: a block of a registry file, sorted, holds one or a few area codes, so
    splitting it costs microseconds however many numbers it holds.
    """
    start = 0
    while start < len(keys):
        code = area_code_of(keys[start] - base)
        end = bisect_left(keys, base + (code + 1) * AREA_SPAN, start)
        yield code, start, end
        start = end


def code_runs(codes: Iterable[int], keep: Iterable[int]) -> list[tuple[int, int]]:
    """The area codes `codes` as few inclusive runs (first, last) as possible that hold no code of `keep`.

    A file of every area code of a copy becomes one run: one range delete instead of hundreds.
    """
    kept = sorted(set(keep))
    runs: list[tuple[int, int]] = []
    for code in sorted(set(codes)):
        if runs:
            first, last = runs[-1]
            between = bisect_left(kept, code) - bisect_left(kept, last)
            if between == 0:
                runs[-1] = (first, code)
                continue
        runs.append((code, code))
    return runs


def codes_phrase(codes: Iterable[int], limit: int = SHOWN_CODES) -> str:
    """Area codes as people read them: "212, 646, 718" (cut with "… (N in all)" when long)."""
    ordered = sorted(codes)
    text = ", ".join(code_text(code) for code in ordered[:limit])
    return text + (f" … ({len(ordered)} in all)" if len(ordered) > limit else "")


@dataclass(frozen=True, slots=True)
class CoverageSummary:
    """One source's coverage at a given day: what `dnc status`, the status bar and the registry page show."""

    area_codes: tuple[int, ...]
    oldest: date | None
    newest: date | None
    stale_codes: tuple[int, ...]
    # The area codes that go stale first (those sharing the oldest fresh as-of date) and the day they do.
    next_stale_codes: tuple[int, ...]
    next_stale_on: date | None

    def to_json(self) -> dict[str, object]:
        return {
            "area_codes": [code_text(code) for code in self.area_codes],
            "oldest_as_of": self.oldest.isoformat() if self.oldest else None,
            "newest_as_of": self.newest.isoformat() if self.newest else None,
            "stale_area_codes": [code_text(code) for code in self.stale_codes],
            "next_stale_area_codes": [code_text(code) for code in self.next_stale_codes],
            "next_stale_on": self.next_stale_on.isoformat() if self.next_stale_on else None,
        }


def summarize(copies: Mapping[int, AreaCopy], today: date, max_age_days: int) -> CoverageSummary:
    """The coverage of one source today; an area code is stale once older than `max_age_days`."""
    codes = tuple(sorted(copies))
    dates = [copy.as_of for copy in copies.values()]
    stale = tuple(code for code in codes if (today - copies[code].as_of).days > max_age_days)
    fresh = [copies[code] for code in codes if code not in stale]
    next_codes: tuple[int, ...] = ()
    next_on = None
    if fresh:
        oldest_fresh = min(copy.as_of for copy in fresh)
        next_codes = tuple(copy.area_code for copy in fresh if copy.as_of == oldest_fresh)
        next_on = oldest_fresh + timedelta(days=max_age_days + 1)
    return CoverageSummary(
        area_codes=codes,
        oldest=min(dates) if dates else None,
        newest=max(dates) if dates else None,
        stale_codes=stale,
        next_stale_codes=next_codes,
        next_stale_on=next_on,
    )


@dataclass(frozen=True)
class SnapshotInfo:
    """The registry copy in force for a source: what a gate decision records as its evidence."""

    id: int
    source: str
    kind: str
    as_of: date
    imported_at: datetime
    total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "imported_at": self.imported_at.isoformat(),
            "total": self.total,
        }
