"""What registry imports and copies are reported as: an import's result and a copy's status.

Shared by the CLI (`--json`), the window's registry page and the status bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from desktop.domain.dnc_files import LineProblem
from desktop.domain.registry_coverage import CoverageSummary


@dataclass
class RegistryImportReport:
    """What a registry import did, for the window and for `--json`."""

    source: str
    kind: str
    as_of: date
    file_name: str
    added: int = 0
    removed: int = 0
    total: int = 0
    rejected: list[LineProblem] = field(default_factory=list)
    rejected_count: int = 0
    files: int = 0
    lines: int = 0
    snapshot_id: int | None = None
    # Area codes named by the user as covered by the file (even with no number in it).
    declared_codes: tuple[int, ...] = ()
    # The area codes this import replaced (full list) or updated (change list).
    area_codes: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "area_codes": [f"{code:03d}" for code in self.area_codes],
            "source": self.source,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "added": self.added,
            "removed": self.removed,
            "total": self.total,
            "rejected": [
                {"file": item.file, "line": item.line, "value": item.value, "reason": item.reason}
                for item in self.rejected
            ],
            "rejected_count": self.rejected_count,
            "file": self.file_name,
            "files": self.files,
            "lines": self.lines,
            "snapshot_id": self.snapshot_id,
        }


@dataclass(frozen=True)
class RegistryStatus:
    """One loaded registry: how old its copy is and how many numbers it holds."""

    source: str
    as_of: date | None
    age_days: int | None
    count: int
    imported_at: datetime | None
    snapshot_id: int | None = None
    coverage: CoverageSummary | None = None
    # How old this source's copy may be: 31 days for the national registries, a state's own rule.
    max_age_days: int = 31

    @property
    def fresh(self) -> bool:
        stale = self.coverage.stale_codes if self.coverage is not None else ()
        return self.age_days is not None and self.age_days <= self.max_age_days and not stale

    def to_json(self) -> dict[str, Any]:
        return {
            **(self.coverage.to_json() if self.coverage is not None else {}),
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "age_days": self.age_days,
            "count": self.count,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "snapshot_id": self.snapshot_id,
            "max_age_days": self.max_age_days,
            "fresh": self.fresh,
        }
