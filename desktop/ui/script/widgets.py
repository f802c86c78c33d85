"""The small pieces of the script panel: its style sheet, filled-in text, a key-friendly button and
the progress bar. The answer inputs and the question block are in desktop/ui/script_inputs.py.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from desktop.domain.scripts import TextPiece
from desktop.ui.common import style
from desktop.ui.common.text import plural

# The one window key a focused answer or card button takes for itself: Enter picks or presses it.
# Space (call), Esc (hang up) and the digits (outcomes) stay the window's.
ENTER_KEYS = frozenset({int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)})
CLAIMED_KEYS = ENTER_KEYS
CHOICE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

SCRIPT_STYLE = f"""
QLabel#StageTitle {{ font-size: 17px; font-weight: 600; }}
QLabel#StageKind {{ color: {style.MUTED}; font-size: 10px; font-weight: 600; letter-spacing: 1px; }}
QLabel#SayLine {{ font-size: 15px; line-height: 140%; }}
QLabel#Hint {{ color: {style.MUTED}; font-size: 12px; font-style: italic; }}
QLabel#StepLabel {{ color: {style.MUTED}; font-size: 12px; }}
QLabel#Feedback {{ color: {style.POSITIVE}; font-size: 12px; }}
QLabel#Feedback[error="true"] {{ color: {style.DANGER}; }}
QFrame#QuestionBlock {{ background: #f8fafc; border: 1px solid {style.LINE}; border-radius: 8px; }}
QFrame#QuestionBlock[current="true"] {{ background: #f3f7ff; border: 1px solid #9dbcf0;
    border-left: 4px solid {style.ACCENT}; }}
QLabel#QuestionNumber {{ color: white; background: {style.FAINT}; border-radius: 9px;
    font-size: 11px; font-weight: 700; min-width: 18px; max-width: 18px; min-height: 18px;
    max-height: 18px; qproperty-alignment: AlignCenter; }}
QLabel#QuestionNumber[current="true"] {{ background: {style.ACCENT}; }}
QLabel#QuestionNumber[answered="true"] {{ background: {style.POSITIVE}; }}
QLabel#QuestionAsk {{ font-size: 14px; font-weight: 600; }}
QLabel#QuestionAsk[folded="true"] {{ font-size: 13px; font-weight: normal; color: {style.MUTED}; }}
QFrame#QuestionBlock[folded="true"] {{ background: transparent; border: 1px solid #e6ebf1; }}
QLabel#AnswerSaved {{ color: {style.POSITIVE}; font-weight: 600; margin-left: 26px; }}
QToolButton#OpenButton {{ border: none; color: {style.ACCENT}; padding: 0 2px; }}
QToolButton#OpenButton:hover {{ text-decoration: underline; }}
QLabel#AnswerError {{ color: {style.DANGER}; font-size: 12px; }}
QLabel#KeyHint {{ color: {style.FAINT}; font-size: 11px; }}
QFrame#Option {{ background: white; border: 1px solid #bcccdc; border-radius: 6px; }}
QFrame#Option:hover {{ border: 1px solid {style.ACCENT}; }}
QFrame#Option[cursor="true"] {{ border: 2px solid {style.ACCENT}; }}
QFrame#Option[picked="true"] {{ background: {style.POSITIVE_SOFT}; border: 1px solid #7fc79b; }}
QFrame#Option[picked="true"][cursor="true"] {{ border: 2px solid {style.POSITIVE}; }}
QLabel#KeyCap {{ color: {style.MUTED}; background: #eef2f6; border: 1px solid #cbd5e1; border-radius: 4px;
    font-size: 11px; font-weight: 700; min-width: 16px; max-width: 16px; qproperty-alignment: AlignCenter; }}
QLabel#OptionText {{ font-size: 13px; }}
QFrame#Card {{ background: white; border: 1px solid {style.LINE}; border-radius: 8px; }}
QFrame#AdviceCard {{ background: #fffaf0; border: 1px solid #f0d9a8; border-radius: 8px; }}
QFrame#AdviceCard[fresh="true"] {{ border: 2px solid #e0a800; }}
QFrame#ObjectionCard {{ background: #f5f3ff; border: 1px solid #c4b5fd; border-radius: 8px; }}
QFrame#EndBanner {{ background: {style.POSITIVE_SOFT}; border: 1px solid #7fc79b; border-radius: 8px; }}
QLabel#CardTitle {{ font-size: 14px; font-weight: 600; }}
QLabel#CardText {{ font-size: 14px; }}
QLabel#Says {{ font-size: 14px; font-style: italic; color: #4c1d95; }}
QLabel#SectionTitle {{ color: {style.MUTED}; font-size: 11px; font-weight: 600; letter-spacing: 1px; }}
QPushButton#SoftButton {{ background: white; border: 1px solid #bcccdc; border-radius: 6px;
    padding: 4px 10px; }}
QPushButton#SoftButton:hover {{ border-color: {style.ACCENT}; }}
QPushButton#SoftButton:focus {{ border: 2px solid {style.ACCENT}; }}
QPushButton#SoftButton:disabled {{ color: {style.FAINT}; border-color: {style.LINE}; }}
QPushButton#PrimaryButton {{ background: {style.ACCENT}; color: white; border: none; border-radius: 6px;
    padding: 5px 12px; font-weight: 600; }}
QPushButton#PrimaryButton:focus {{ border: 2px solid #1d4ed8; }}
QPushButton#PrimaryButton:disabled {{ background: #a9c3f0; }}
QToolButton#FooterButton {{ background: transparent; border: 1px solid transparent; border-radius: 6px;
    padding: 3px 6px; color: {style.INK}; }}
QToolButton#FooterButton:hover {{ background: #eef2f6; border-color: {style.LINE}; }}
QToolButton#FooterButton:disabled {{ color: {style.FAINT}; }}
QToolButton#StepButton {{ background: transparent; border: none; padding: 1px 0; color: {style.MUTED};
    font-size: 12px; }}
QToolButton#StepButton:hover {{ color: {style.ACCENT}; }}
QToolButton#StepButton::menu-indicator {{ image: none; width: 0; }}
QToolButton#ScriptChooser {{ border: 1px solid {style.LINE}; border-radius: 6px; padding: 2px 8px;
    color: {style.INK}; background: #f5f7fa; }}
QToolButton#ScriptChooser::menu-indicator {{ subcontrol-position: right center; right: 4px; }}
"""


def pieces_html(pieces: Sequence[TextPiece]) -> str:
    """Rendered text as HTML: filled fields in bold, missing ones highlighted so they are noticed."""
    parts = []
    for piece in pieces:
        text = html.escape(piece.text, quote=False)
        if piece.missing:
            parts.append(
                f'<span style="background:{style.WARNING_SOFT}; color:{style.WARNING_INK};">{text}</span>'
            )
        elif piece.field:
            parts.append(f"<b>{text}</b>")
        else:
            parts.append(text)
    return "".join(parts)


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_flag(widget: QWidget, name: str, value: bool) -> None:
    if widget.property(name) != value:
        widget.setProperty(name, value)
        repolish(widget)


def after_text(after: timedelta) -> str:
    """ "3 days", "1 week", "12 hours": how a card's callback offset is said on its button."""
    hours = int(after.total_seconds() // 3600)
    if hours and hours % (24 * 7) == 0:
        return plural("ScriptPanel", hours // (24 * 7), "{n} week", "{n} weeks")
    if hours and hours % 24 == 0:
        return plural("ScriptPanel", hours // 24, "{n} day", "{n} days")
    return plural("ScriptPanel", max(hours, 1), "{n} hour", "{n} hours")


def wrapping_label(text: str = "", name: str = "", rich: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


class KeyButton(QPushButton):
    """A button that Enter presses while it has focus (the window would dial otherwise)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("SoftButton")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in CLAIMED_KEYS
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS and not event.isAutoRepeat():
            self.click()
            return
        super().keyPressEvent(event)


# -- answer inputs --------------------------------------------------------------------------------


# -- progress -------------------------------------------------------------------------------------


class StepBar(QWidget):
    """A thin bar of segments: stages done, the current one, and the usual stages still ahead."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.total = 0
        self.current = 0
        self.finished = False
        self.setFixedHeight(6)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_steps(self, current: int, total: int, finished: bool = False) -> None:
        self.current, self.total, self.finished = current, total, finished
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.total <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        gap = 3.0
        width = (self.width() - gap * (self.total - 1)) / self.total
        for index in range(self.total):
            if self.finished or index < self.current:
                colour = QColor(style.POSITIVE if self.finished else style.ACCENT)
            elif index == self.current:
                colour = QColor(style.ACCENT)
                colour.setAlpha(150)
            else:
                colour = QColor(style.LINE)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(index * (width + gap), 0, width, self.height()), 3, 3)
        painter.end()
