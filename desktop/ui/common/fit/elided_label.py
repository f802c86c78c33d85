"""A one-line label that never widens its panel: a text too long for the room it has ends in "…"
(or loses its middle, for paths) and the full text is its tooltip. `text()` is always the full text."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# The narrowest an elided label asks to be: a few letters and the ellipsis.
MIN_CHARS = 6


class ElidedLabel(QLabel):
    """Shows as much of its text as fits; the rest is in the tooltip."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(text, parent)
        self.elide_mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setWordWrap(False)
        self._own_tooltip = ""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._update_tooltip()

    def shown_text(self) -> str:
        """What the label paints: the text, or its start and "…" when it does not fit."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), self.elide_mode, max(width, 0))

    def is_elided(self) -> bool:
        return self.shown_text() != self.text()

    def set_plain_tooltip(self, tooltip: str) -> None:
        """A tooltip of the label's own, shown when the whole text fits."""
        self._own_tooltip = tooltip
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        self.setToolTip(self.text() if self.text() and self.is_elided() else self._own_tooltip)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        narrow = self.fontMetrics().horizontalAdvance("M" * MIN_CHARS + "…")
        return QSize(min(hint.width(), narrow), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tooltip()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(self.foregroundRole()))
        align = self.alignment() | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), int(align), self.shown_text())
