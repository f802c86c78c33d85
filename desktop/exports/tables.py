"""The shape of a report table that the writers (XLSX, PDF) take: one protocol for both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol


class TableLike(Protocol):
    """A table to write (desktop.services.reports_tables.Table has these). Read-only, so a
    dataclass with narrower field types fits."""

    @property
    def title(self) -> str: ...

    @property
    def headers(self) -> Sequence[str]: ...

    @property
    def rows(self) -> Iterable[Sequence[Any]]: ...

    @property
    def formats(self) -> Mapping[str, str]: ...

    @property
    def row_formats(self) -> Sequence[str]: ...


class PrintedTableLike(TableLike, Protocol):
    """A table the PDF prints: also the short lines said above it."""

    @property
    def brief(self) -> Sequence[str]: ...
