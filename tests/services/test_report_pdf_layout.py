"""The report PDF as printed (desktop/exports/pdf.py), read back with pdftotext: table headers break
only at spaces ("conn / ects" never), every column is on the page, and no table heading is left at
the foot of a page without its table."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop.exports.charts import ensure_application
from desktop.exports.pdf import header_text, write_pdf
from desktop.services.reports_tables import TALLY_HEADERS
from tests.conftest import require_tool

HEADERS = ("agent", *TALLY_HEADERS, "callbacks_kept", "callbacks_missed")


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: Any
    formats: dict[str, str] = field(default_factory=dict)
    row_formats: Sequence[str] = ()
    brief: Sequence[str] = ()


def pages_of(pdf: Path) -> list[list[str]]:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]


def broken_words(words: set[str], tokens: set[str]) -> list[str]:
    """Header words found only as two pieces ("conn", "ects")."""
    return sorted(
        word
        for word in words
        if word not in tokens
        or any(word[:k] in tokens and word[k:] in tokens for k in range(2, len(word) - 1))
    )


@pytest.mark.parametrize(
    ("columns", "value"),
    [(HEADERS, 1_234_567), (HEADERS[:8], 12), (("agent", "meeting_rate_per_contact", "conversations"), 3)],
)
def test_headers_wrap_at_spaces_and_headings_keep_with_their_tables(
    tmp_path: Path, columns: Sequence[str], value: int
) -> None:
    ensure_application()
    # Tables of 1 to 34 rows (given as one-pass iterators, as the report's are): one of them ends
    # near the foot of every page, whatever the sizes.
    tables = [
        Table(
            f"Breakdown number {n}",
            columns,
            iter([[f"Agent {i}", *[value] * (len(columns) - 1)] for i in range(n)]),
        )
        for n in range(1, 35)
    ]
    pdf = tmp_path / "report.pdf"
    pages = write_pdf(pdf, "Calling report", [("Period", "2026-12-01 to 2026-12-06")], tables, [])
    printed = pages_of(pdf)
    assert pages >= 3
    words = {word for header in columns for word in header_text(header).split()}
    tokens = {token for page in printed for line in page for token in line.split()}
    assert broken_words(words, tokens) == []
    for number in range(1, 35):
        assert f"Breakdown number {number}" in {line.strip() for page in printed for line in page}
    for index, page in enumerate(printed):
        if page:
            assert not page[-1].strip().startswith("Breakdown number"), f"page {index + 1} ends on a heading"
    # Every row is printed whole: its last column too.
    rows = [line.split() for page in printed for line in page if line.strip().startswith("Agent ")]
    assert len(rows) == sum(range(1, 35)) and all(row[-1] == f"{value:,}" for row in rows)
