"""Call lists for team tests: many callable leads (businesses in New York, open at README_MOMENT)."""

from __future__ import annotations

from pathlib import Path


def business_list(path: Path, count: int, first: int = 0) -> Path:
    """A CSV of `count` New York businesses with distinct numbers (no registry needed to call them)."""
    lines = ["First Name,Last Name,Company,Phone,Type,State"]
    lines += [f"Ann{n},Lee{n},Co {n},+1212555{n:04d},business,NY" for n in range(first, first + count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
