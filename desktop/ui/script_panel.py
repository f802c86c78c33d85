"""The call script on the right: a plain soft-selling script, filled in with the lead and the agent.

The script is data (`DEFAULT_SCRIPT`), not code, so a later version can load rich scripts from the
database. Fields the lead or the settings do not have are shown as a visible placeholder («first
name?») so the agent notices them before reading them out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from desktop.ui import style


@dataclass(frozen=True)
class ScriptStage:
    """One step of a call: a heading, what to say, and an optional hint for the agent."""

    title: str
    lines: tuple[str, ...]
    hint: str = ""


# Leads with questions and with free advice; never pushes. Placeholders: {first_name}, {last_name},
# {company}, {title}, {agent_name}, {firm}.
DEFAULT_SCRIPT: tuple[ScriptStage, ...] = (
    ScriptStage(
        "Opening",
        ("Hi {first_name}, this is {agent_name} with {firm}.",),
        "Smile, say your name slowly, then pause.",
    ),
    ScriptStage(
        "Permission",
        (
            "I'm calling people who run places like {company} about one thing we keep hearing. "
            "I don't know yet if it applies to you. Would you give me thirty seconds, and then you "
            "decide whether it's worth a conversation?",
        ),
        "If now is bad, offer a callback (key 6) and ask when suits them.",
    ),
    ScriptStage(
        "Discovery",
        (
            "How are you handling this today?",
            "What would you change about it if you could?",
            "If nothing changes, what does that cost you over the next year?",
        ),
        "Ask, then listen. Write what you hear in the notes.",
    ),
    ScriptStage(
        "Advice offer",
        (
            "Whatever you decide, one thing that helps people in your spot is a short review of "
            "what you pay today. I can send you our one-page checklist, no strings attached.",
        ),
    ),
    ScriptStage(
        "Next step",
        (
            "Would it make sense to take twenty minutes next week to go through it together? "
            "Does Tuesday or Thursday work better for you?",
        ),
        "Meeting booked: key 7. Asked to be called later: key 6.",
    ),
)

# What each placeholder is called when it is missing, shown as «first name?».
PLACEHOLDER_NAMES: dict[str, str] = {
    "first_name": "first name",
    "last_name": "last name",
    "company": "company",
    "title": "title",
    "agent_name": "your name",
    "firm": "firm",
}

_FIELD = re.compile(r"\{(\w+)\}")


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScriptPanel", text)


def render_text(text: str, values: Mapping[str, str]) -> str:
    """Plain-text rendering: known fields filled in, missing ones as «field?»."""

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "").strip()
        return value or f"«{_tr(PLACEHOLDER_NAMES.get(match.group(1), match.group(1)))}?»"

    return _FIELD.sub(fill, text)


def render_html(stages: Sequence[ScriptStage], values: Mapping[str, str]) -> str:
    """The script as HTML for the panel; filled fields in bold, missing ones highlighted."""

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "").strip()
        if value:
            return f"<b>{html.escape(value)}</b>"
        name = html.escape(_tr(PLACEHOLDER_NAMES.get(match.group(1), match.group(1))))
        return (
            f'<span style="background:{style.WARNING_SOFT}; color:{style.WARNING_INK};">'
            f"&laquo;{name}?&raquo;</span>"
        )

    parts = []
    for number, stage in enumerate(stages, start=1):
        parts.append(
            f'<p style="margin:14px 0 4px 0; color:{style.MUTED}; font-size:11px; font-weight:600;">'
            f"{number}. {html.escape(_tr(stage.title).upper())}</p>"
        )
        for line in stage.lines:
            # Escape the text first, then fill: values are escaped on their own in fill().
            escaped = html.escape(_tr(line), quote=False)
            parts.append(f'<p style="margin:2px 0 6px 0; font-size:14px;">{_FIELD.sub(fill, escaped)}</p>')
        if stage.hint:
            parts.append(
                f'<p style="margin:0 0 4px 0; color:{style.MUTED}; font-size:12px;"><i>'
                f"{html.escape(_tr(stage.hint))}</i></p>"
            )
    return "".join(parts)


class ScriptPanel(QWidget):
    """Shows the script for the current lead, re-rendered whenever the lead or the settings change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stages: tuple[ScriptStage, ...] = DEFAULT_SCRIPT
        self._values: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        title = QLabel(self.tr("SCRIPT"))
        title.setObjectName("PanelTitle")
        layout.addWidget(title)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        layout.addWidget(self.browser, 1)
        self.setMinimumWidth(260)
        self.set_values({})

    def set_values(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.browser.setHtml(render_html(self.stages, self._values))

    def plain_text(self) -> str:
        """The script as the agent reads it (used by tests and for copying)."""
        return self.browser.toPlainText()
