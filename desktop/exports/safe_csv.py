"""CSV written safely: user-only file permissions and spreadsheet formula injection neutralised."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

# A cell starting with one of these is run as a formula by Excel/LibreOffice/Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    # Spreadsheets skip leading spaces before a formula (" =HYPERLINK(…)" runs too).
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def open_private(path: Path) -> IO[str]:
    """Open `path` for writing text, created readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if os.name == "posix":
        os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "w", encoding="utf-8", newline="")


def write_csv(stream: IO[str], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows with every cell neutralised; returns the number of data rows."""
    writer = csv.writer(stream)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        count += 1
    return count
