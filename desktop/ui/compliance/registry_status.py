"""How fresh the do-not-call registry copies are, in the status bar: "National DNC: 12 days old".

Amber from the rule book's warning age (25 days), red past the safe-harbour age (31 days) or when no
copy was imported at all: then the gate refuses every residential US/Canadian call, and the
tooltip says so. A click opens the do-not-call page.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from desktop.services.registry import RegistryStatus
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


def level_of(age_days: int | None, warn_days: int, max_days: int) -> str:
    if age_days is None or age_days > max_days:
        return STALE
    if age_days >= warn_days:
        return AGEING
    return FRESH


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
        levels = {status.source: level_of(status.age_days, warn_days, max_days) for status in registries}
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
            self.tr("{name}: as of {date}, {age}, {count} numbers").format(
                name=source_label(s.source),
                date=s.as_of.isoformat() if s.as_of else "?",
                age=age_text(s.age_days),
                count=f"{s.count:,}",
            )
            for s in registries
        ]
        if worst == STALE:
            lines.insert(
                0,
                self.tr(
                    "Residential calls are blocked: a registry copy is older than {max} days, the most "
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
