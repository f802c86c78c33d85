"""The lead card's compact "Answers" block: what the lead answered to the script's questions.

Shows the latest answer to each question (when and by whom in the tooltip, with earlier answers
that were changed); filled by the script panel through the window's wiring, never from the
database directly.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.services.scripts import SavedAnswer
from desktop.ui.common import style

MAX_LINES = 5


def short(text: str, length: int = 56) -> str:
    words = " ".join(text.split())
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


class ScriptAnswersBox(QWidget):
    """Latest answers first, one line each: “question — answer”; hidden while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        title = QLabel(self.tr("ANSWERS"))
        title.setObjectName("PanelTitle")
        layout.addWidget(title)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.lines: list[str] = []
        self.hide()

    def show_answers(self, answers: Sequence[SavedAnswer]) -> None:
        """Every answer given for the lead, oldest first (as ScriptService.answers_for_lead gives them)."""
        latest: dict[str, SavedAnswer] = {}
        earlier: dict[str, list[SavedAnswer]] = {}
        for saved in answers:
            if saved.question_id in latest:
                earlier.setdefault(saved.question_id, []).append(latest[saved.question_id])
            latest[saved.question_id] = saved
        ordered = sorted(latest.values(), key=lambda saved: (saved.answered_at, saved.id), reverse=True)
        self.lines = [f"{saved.question} — {saved.label}" for saved in ordered]
        rows = []
        for saved in ordered[:MAX_LINES]:
            rows.append(
                f'<tr><td style="color:{style.MUTED}; padding-right:10px;">'
                f"{html.escape(short(saved.question, 46))}</td>"
                f"<td><b>{html.escape(short(saved.label, 36))}</b></td></tr>"
            )
        more = len(ordered) - MAX_LINES
        if more > 0:
            rows.append(
                f'<tr><td colspan="2" style="color:{style.MUTED};">'
                + html.escape(self.tr("and {n} more (hover to see all)").format(n=more))
                + "</td></tr>"
            )
        self.label.setText(f'<table cellspacing="0" cellpadding="1">{"".join(rows)}</table>')
        tips = []
        for saved in ordered:
            line = self.tr("{question}: {answer} ({when}, {agent})").format(
                question=saved.question,
                answer=saved.label,
                when=saved.answered_at.astimezone().strftime("%d %b %H:%M"),
                agent=saved.agent or "—",
            )
            changed = earlier.get(saved.question_id, [])
            if changed:
                line += " " + self.tr("— earlier: {answers}").format(
                    answers=", ".join(old.label for old in changed)
                )
            tips.append(line)
        self.label.setToolTip("\n".join(tips))
        self.setVisible(bool(ordered))
