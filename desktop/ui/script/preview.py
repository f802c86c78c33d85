"""The script editor's "Preview" and "Assignment" tabs.

Preview: the whole script as the agent will see it for a real lead (or with sample values), fields
filled in and missing ones marked, every question with its answers and where they lead.
Assignment: which call lists, warm leads, the default and the lead on screen get the script.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.script_engine import ScriptSession
from desktop.domain.scripts import REHEARSAL_VALUES, CallScript
from desktop.services.scripts import Assignment, ScriptError, ScriptService
from desktop.ui.common import style
from desktop.ui.script.widgets import after_text, pieces_html

SAMPLE = -1


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScriptPreview", text)


def preview_html(script: CallScript, values: dict[str, str], today: date) -> str:
    """Every stage, question and card of `script` filled in with `values`, as HTML."""
    session = ScriptSession(script, values, today)
    titles = {stage.id: session.render(stage.title) for stage in script.stages}
    for stage in script.stages:
        for question in stage.questions:
            titles[question.id] = "? " + session.render(question.ask)[:50]
    muted = f'style="color:{style.MUTED};"'

    def goes(target: str | None, advice: Sequence[str] = ()) -> str:
        parts = []
        if target:
            parts.append("&rarr; " + _esc(titles.get(target, target)))
        if advice:
            parts.append(_esc(_tr("advice: {ids}").format(ids=", ".join(advice))))
        return f" <span {muted}>{' · '.join(parts)}</span>" if parts else ""

    out = [f"<h2>{_esc(session.render(script.title))}</h2>"]
    if script.description:
        out.append(f"<p {muted}>{_esc(script.description)}</p>")
    for number, stage in enumerate(script.stages, start=1):
        view = session.stage_view(stage.id)
        kind = view.kind.replace("_", " ")
        tags = kind if kind == stage.id.replace("_", " ") else f"{kind} · {stage.id}"
        out.append(
            f'<h3 style="margin-top:18px;">{number}. {_esc(view.title)} '
            f'<span style="color:{style.FAINT}; font-size:11px;">{_esc(tags)}</span></h3>'
        )
        out.extend(f'<p style="font-size:14px;">{pieces_html(pieces)}</p>' for pieces in view.line_pieces)
        if view.hint:
            out.append(f"<p {muted}><i>{_esc(view.hint)}</i></p>")
        if view.questions:
            out.append("<ol>")
            for shown in view.questions:
                item = script.question(shown.id)
                details = [
                    f"<b>{pieces_html(shown.ask_pieces)}</b> <span {muted}>({_esc(_tr(shown.kind))})</span>"
                ]
                details[0] += goes(item.route.next, item.route.advice)
                if item.choices:
                    details.append(
                        "<ul>"
                        + "".join(
                            f"<li>{_esc(session.render(choice.label))}"
                            f"{goes(choice.route.next, choice.route.advice)}</li>"
                            for choice in item.choices
                        )
                        + "</ul>"
                    )
                if item.kind == "yes_no":
                    details.append(
                        f"<ul><li>yes{goes(item.if_yes.next, item.if_yes.advice)}</li>"
                        f"<li>no{goes(item.if_no.next, item.if_no.advice)}</li></ul>"
                    )
                if item.ranges:
                    details.append(
                        "<ul>"
                        + "".join(
                            f"<li>{_esc(band.describe())}{goes(band.route.next, band.route.advice)}</li>"
                            for band in item.ranges
                        )
                        + "</ul>"
                    )
                out.append(f"<li>{''.join(details)}</li>")
            out.append("</ol>")
        if stage.end:
            end = _tr("End of the script")
            if stage.outcome:
                end = _tr("End of the script — suggests {outcome}").format(outcome=stage.outcome)
            out.append(f'<p style="color:{style.POSITIVE};">&#9632; {_esc(end)}</p>')
        elif stage.next:
            out.append(f"<p {muted}>&rarr; {_esc(titles.get(stage.next, stage.next))}</p>")
    if script.advice:
        out.append(f'<h3 style="margin-top:22px;">{_esc(_tr("Advice cards"))}</h3>')
        for card in script.advice:
            advice = session.advice_view(card)
            callback = ""
            if card.callback_after:
                callback = " · " + _tr("callback in {after}").format(after=after_text(card.callback_after))
            out.append(
                f"<p><b>{_esc(advice.title)}</b> <span {muted}>({_esc(card.id)}{_esc(callback)})"
                f"</span><br>{_esc(advice.text)}</p>"
            )
    if script.objections:
        out.append(f'<h3 style="margin-top:22px;">{_esc(_tr("Objection cards"))}</h3>')
        for objection in script.objections:
            said = session.objection_view(objection)
            outcome = f" &rarr; {_esc(objection.outcome)}" if objection.outcome else ""
            out.append(f"<p><i>“{_esc(said.says)}”</i>{outcome}<br>{_esc(said.response)}</p>")
    return "".join(out)


class PreviewTab(QWidget):
    """The script rendered for a chosen lead; `leadChanged` when the agent picks another one."""

    leadChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Preview with")))
        self.lead_combo = QComboBox()
        self.lead_combo.setMinimumWidth(260)
        self.lead_combo.activated.connect(lambda _index: self.leadChanged.emit())
        row.addWidget(self.lead_combo)
        row.addStretch(1)
        layout.addLayout(row)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        layout.addWidget(self.browser, 1)

    def set_leads(self, leads: Sequence[tuple[int, str]], current: int | None) -> None:
        self.lead_combo.clear()
        for lead_id, name in leads:
            self.lead_combo.addItem(self.tr("{name} (lead #{id})").format(name=name, id=lead_id), lead_id)
        self.lead_combo.addItem(self.tr("Sample values (no lead)"), SAMPLE)
        index = self.lead_combo.findData(current) if current is not None else -1
        self.lead_combo.setCurrentIndex(max(index, 0))

    def lead_id(self) -> int | None:
        value = self.lead_combo.currentData()
        return None if value in (None, SAMPLE) else int(value)

    def show_script(
        self, script: CallScript | None, scripts: ScriptService, today: date, agent: str, firm: str
    ) -> None:
        if script is None:
            self.browser.setHtml(
                f'<p style="color:{style.DANGER};">'
                + _esc(self.tr("Fix the errors listed below to see the preview."))
                + "</p>"
            )
            return
        lead_id = self.lead_id()
        if lead_id is not None:
            values = scripts.lead_values(lead_id)
        else:
            values = dict(REHEARSAL_VALUES.get(script.language, REHEARSAL_VALUES["en"]))
            values["agent_name"] = agent or values["agent_name"]
            values["firm"] = firm or values["firm"]
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(preview_html(script, values, today))
        self.browser.verticalScrollBar().setValue(scroll)

    def plain_text(self) -> str:
        return self.browser.toPlainText()


class AssignmentTab(QWidget):
    """Who gets the selected script: call lists, warm leads, everyone else, the lead on screen."""

    assigned = Signal(str)  # a message for the dialog's status line

    def __init__(self, scripts: ScriptService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scripts = scripts
        self.name: str | None = None
        self.lead: tuple[int, str] | None = None
        self._filling = False
        layout = QVBoxLayout(self)
        order = QLabel(
            self.tr(
                "A lead gets its own script first, then its call list's, then the one for warm leads, "
                "then the default; otherwise the shipped script for business or residential leads."
            )
        )
        order.setWordWrap(True)
        order.setObjectName("Muted")
        layout.addWidget(order)

        lists_box = QGroupBox(self.tr("Call lists that use this script"))
        lists = QVBoxLayout(lists_box)
        self.lists_widget = QListWidget()
        self.lists_widget.setMaximumHeight(110)
        lists.addWidget(self.lists_widget)
        self.no_lists_label = QLabel(self.tr("No call list has this script of its own yet."))
        self.no_lists_label.setObjectName("Muted")
        lists.addWidget(self.no_lists_label)
        row = QHBoxLayout()
        self.list_combo = QComboBox()
        self.list_combo.setEditable(True)
        self.list_combo.setMinimumWidth(220)
        line = self.list_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("call list name"))
        row.addWidget(self.list_combo, 1)
        self.assign_list_button = QPushButton(self.tr("Use for this list"))
        self.assign_list_button.clicked.connect(self.on_assign_list_clicked)
        row.addWidget(self.assign_list_button)
        self.unassign_list_button = QPushButton(self.tr("Stop using for the selected list"))
        self.unassign_list_button.clicked.connect(self.on_unassign_list_clicked)
        row.addWidget(self.unassign_list_button)
        lists.addLayout(row)
        layout.addWidget(lists_box)

        self.warm_box = QCheckBox(self.tr("Warm leads get this script (unless their list has one)"))
        self.warm_box.toggled.connect(lambda checked: self._toggle("warmth", "warm", checked))
        layout.addWidget(self.warm_box)
        self.default_box = QCheckBox(self.tr("Default for every lead without another assignment"))
        self.default_box.toggled.connect(lambda checked: self._toggle("default", "", checked))
        layout.addWidget(self.default_box)
        self.lead_box = QCheckBox()
        self.lead_box.toggled.connect(self.on_lead_box_toggled)
        layout.addWidget(self.lead_box)
        self.lead_now_label = QLabel()
        self.lead_now_label.setWordWrap(True)
        layout.addWidget(self.lead_now_label)
        self.others_label = QLabel()
        self.others_label.setWordWrap(True)
        self.others_label.setObjectName("Muted")
        layout.addWidget(self.others_label)
        layout.addStretch(1)

    def show_script(self, name: str | None, known_lists: Sequence[str], lead: tuple[int, str] | None) -> None:
        self.name, self.lead = name, lead
        self.setEnabled(name is not None)
        assignments = self.scripts.assignments() if name is not None else []
        self._filling = True
        try:
            self.lists_widget.clear()
            mine = sorted(a.target for a in assignments if a.scope == "list" and a.script_name == name)
            for list_name in mine:
                item = QListWidgetItem(list_name or self.tr("(leads without a list)"))
                item.setData(Qt.ItemDataRole.UserRole, list_name)
                self.lists_widget.addItem(item)
            self.lists_widget.setVisible(bool(mine))
            self.no_lists_label.setVisible(not mine)
            self.list_combo.clear()
            self.list_combo.addItems([item for item in known_lists if item not in mine])
            self.warm_box.setChecked(self._has(assignments, "warmth", "warm"))
            self.default_box.setChecked(self._has(assignments, "default", ""))
            self.lead_box.setVisible(lead is not None)
            if lead is not None:
                self.lead_box.setText(
                    self.tr("{name} (the lead on screen) gets this script").format(name=lead[1])
                )
                self.lead_box.setChecked(self._has(assignments, "lead", str(lead[0])))
            self.lead_now_label.setVisible(lead is not None)
            if lead is not None:
                try:
                    now = self.scripts.load(self.scripts.script_name_for_lead(lead[0])).title
                except ScriptError as error:
                    now = str(error)
                self.lead_now_label.setText(
                    self.tr("{name} gets “{title}” now.").format(name=lead[1], title=now)
                )
            own = [a.target for a in assignments if a.scope == "lead" and a.script_name == name]
            self.others_label.setText(
                self.tr("Leads with this script as their own choice: {ids}").format(
                    ids=", ".join(f"#{target}" for target in own)
                )
                if own
                else ""
            )
        finally:
            self._filling = False

    def _has(self, assignments: Sequence[Assignment], scope: str, target: str) -> bool:
        return any(
            a.scope == scope and a.target == target and a.script_name == self.name for a in assignments
        )

    def _assign(self, scope: str, target: str | int, name: str | None, message: str) -> None:
        try:
            self.scripts.assign(scope, target, name)
        except ScriptError as error:
            self.assigned.emit(str(error))
            return
        self.assigned.emit(message)

    def _toggle(self, scope: str, target: str, checked: bool) -> None:
        if self._filling or self.name is None:
            return
        if checked:
            self._assign(scope, target, self.name, self.tr("Assigned."))
        elif self._has(self.scripts.assignments(), scope, target):
            self._assign(scope, target, None, self.tr("Assignment removed."))

    def on_lead_box_toggled(self, checked: bool) -> None:
        if self.lead is not None:
            self._toggle("lead", str(self.lead[0]), checked)

    def on_assign_list_clicked(self) -> None:
        list_name = self.list_combo.currentText().strip()
        if self.name is None or not list_name:
            return
        self._assign(
            "list", list_name, self.name, self.tr("“{list}” now uses this script.").format(list=list_name)
        )
        self.show_script(
            self.name, [self.list_combo.itemText(i) for i in range(self.list_combo.count())], self.lead
        )

    def on_unassign_list_clicked(self) -> None:
        item = self.lists_widget.currentItem()
        if self.name is None or item is None:
            return
        list_name = str(item.data(Qt.ItemDataRole.UserRole))
        self._assign(
            "list", list_name, None, self.tr("“{list}” no longer has its own script.").format(list=list_name)
        )
        known = [list_name, *(self.list_combo.itemText(i) for i in range(self.list_combo.count()))]
        self.show_script(self.name, known, self.lead)
