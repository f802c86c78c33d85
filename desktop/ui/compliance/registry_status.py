"""How fresh the do-not-call registry copies are, in the status bar: "National DNC: 12 days old".

A copy is kept per area code, and is shown as old as its oldest area code; the tooltip lists the area
codes, the stale ones and those that go stale next.

Amber from the rule book's warning age (25 days), red past the safe-harbour age (31 days) or when no
copy was imported at all: then the gate refuses every residential US/Canadian call, and the
tooltip says so. A click opens the do-not-call page.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.registry_coverage import codes_phrase, is_state_list
from desktop.services.registry import RegistryImportReport, RegistryStatus
from desktop.ui.common import style

FRESH = "fresh"
AGEING = "ageing"
STALE = "stale"
MISSING = "missing"

LEVEL_COLOURS = {FRESH: style.MUTED, AGEING: "#b7791f", STALE: style.DANGER, MISSING: style.DANGER}
_ORDER = (FRESH, AGEING, STALE, MISSING)


def _tr(text: str) -> str:
    return QCoreApplication.translate("RegistryStatus", text)


def source_label(source: str) -> str:
    """A registry's name as people say it: "National DNC", "Canada DNCL", "FL state DNC"."""
    if source == "national":
        return _tr("National DNC")
    if source == "canada":
        return _tr("Canada DNCL")
    if source.startswith("state:"):
        return _tr("{state} state DNC").format(state=source.removeprefix("state:"))
    if source == "internal":
        return _tr("Internal list")
    return source


def age_text(age_days: int | None) -> str:
    if age_days is None:
        return _tr("age unknown")
    if age_days <= 0:
        return _tr("today's copy")
    if age_days == 1:
        return _tr("1 day old")
    return _tr("{n} days old").format(n=age_days)


def coverage_text(status: RegistryStatus) -> str:
    """A copy's coverage in a line: "3 area codes (212, 646, 718) · stale next: 646 on 2026-12-07"."""
    coverage = status.coverage
    if is_state_list(status.source):
        # One list for the whole state, aging by the state's own rule (Texas: 92 days).
        if coverage is None or coverage.next_stale_on is None:
            return _tr("statewide list · stale (> {max} days)").format(max=status.max_age_days)
        return _tr("statewide list · stale on {day}").format(day=coverage.next_stale_on.isoformat())
    if coverage is None or not coverage.area_codes:
        return _tr("no area code")
    count = len(coverage.area_codes)
    text = (_tr("1 area code ({codes})") if count == 1 else _tr("{n} area codes ({codes})")).format(
        n=count, codes=codes_phrase(coverage.area_codes)
    )
    if coverage.stale_codes:
        text += " · " + _tr("stale: {codes}").format(codes=codes_phrase(coverage.stale_codes))
    if coverage.next_stale_on is not None:
        text += " · " + _tr("stale next: {codes} on {day}").format(
            codes=codes_phrase(coverage.next_stale_codes), day=coverage.next_stale_on.isoformat()
        )
    return text


def level_of(age_days: int | None, warn_days: int, max_days: int) -> str:
    if age_days is None or age_days > max_days:
        return STALE
    if age_days >= warn_days:
        return AGEING
    return FRESH


def status_level(status: RegistryStatus, warn_days: int, max_days: int) -> str:
    """A copy's level by its own freshness rule: a state list published quarterly ages by its 92 days,
    warned as many days ahead as the national copy is (`max_days - warn_days`)."""
    own_max = status.max_age_days
    return level_of(status.age_days, own_max - (max_days - warn_days), own_max)


class RegistryStatusLabel(QLabel):
    """The registry-age indicator of the status bar; `refresh()` with `RegistryService.status()`."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = MISSING
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def refresh(self, statuses: Sequence[RegistryStatus], warn_days: int, max_days: int) -> None:
        registries = [status for status in statuses if status.source != "internal"]
        if not registries:
            self._show(
                MISSING,
                self.tr("No DNC registry imported"),
                self.tr(
                    "Calls to residential US and Canadian numbers are blocked until a copy of the "
                    "National Do Not Call Registry is imported (Tools → Do-not-call lists, Ctrl+D)."
                ),
            )
            return
        levels = {status.source: status_level(status, warn_days, max_days) for status in registries}
        # The national list is the one that matters for most calls; otherwise the oldest copy.
        main = next((s for s in registries if s.source == "national"), None) or max(
            registries, key=lambda s: s.age_days if s.age_days is not None else 10**6
        )
        worst = max(levels.values(), key=_ORDER.index)
        text = self.tr("{name}: {age}").format(name=source_label(main.source), age=age_text(main.age_days))
        others = [s for s in registries if s is not main and levels[s.source] != FRESH]
        if others:
            text += " · " + self.tr("{name}: {age}").format(
                name=source_label(others[0].source), age=age_text(others[0].age_days)
            )
        lines = [
            self.tr("{name}: oldest area code as of {date}, {age}, {count} numbers; {coverage}").format(
                name=source_label(s.source),
                date=s.as_of.isoformat() if s.as_of else "?",
                age=age_text(s.age_days),
                count=f"{s.count:,}",
                coverage=coverage_text(s),
            )
            for s in registries
        ]
        lines.append(self.tr("Residential calls to an area code never downloaded are blocked."))
        if worst == STALE:
            lines.insert(
                0,
                self.tr(
                    "Residential calls are blocked where a registry copy is older than {max} days, the most "
                    "the safe harbour allows. Import a fresh copy (Tools → Do-not-call lists, Ctrl+D)."
                ).format(max=max_days),
            )
        elif worst == AGEING:
            lines.insert(
                0,
                self.tr(
                    "Import a fresh copy soon: past {max} days old, calls to residential numbers are blocked."
                ).format(max=max_days),
            )
        self._show(worst, text, "\n".join(lines))

    def _show(self, level: str, text: str, tooltip: str) -> None:
        self.level = level
        self.setText(text)
        self.setToolTip(tooltip)
        weight = "600" if level != FRESH else "normal"
        self.setStyleSheet(f"color: {LEVEL_COLOURS[level]}; font-weight: {weight}; padding: 0 8px;")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def import_summary(report: RegistryImportReport) -> str:
    """One sentence about a finished registry import."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("RegistriesTab", text)

    if report.source == "internal":
        return tr(
            "Added {added} numbers to the internal list ({total} in all); {rejected} lines rejected."
        ).format(added=f"{report.added:,}", total=f"{report.total:,}", rejected=f"{report.rejected_count:,}")
    kind = tr("change list") if report.kind == "changes" else tr("full list")
    covered = (
        " "
        + tr("Area codes as of {as_of}: {codes}.").format(
            as_of=report.as_of.isoformat(), codes=codes_phrase(report.area_codes)
        )
        if report.area_codes
        else ""
    )
    return (
        tr(
            "Imported the {kind} into the {name}, as of {as_of}: {added} added, {removed} removed, "
            "{total} numbers in all; {rejected} lines rejected."
        ).format(
            kind=kind,
            name=source_label(report.source),
            as_of=report.as_of.isoformat(),
            added=f"{report.added:,}",
            removed=f"{report.removed:,}",
            total=f"{report.total:,}",
            rejected=f"{report.rejected_count:,}",
        )
        + covered
    )
