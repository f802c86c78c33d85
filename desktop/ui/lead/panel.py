"""The current lead in the centre of the window: who, where and when they are, numbers, notes, history.

Shows a `LeadCard` from `LeadService.card()` and saves the notes through `LeadService.update_notes`
(after a short pause in typing, when the lead changes, and when the notes box loses focus).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.services.consent import ConsentRecord
from desktop.services.leads import LeadCard, LeadService, PhoneView
from desktop.ui.common import style
from desktop.ui.common.clocks import labelled_time
from desktop.ui.common.fit.elided_label import ElidedLabel
from desktop.ui.common.labels import consent_summary
from desktop.ui.lead.history import HistoryTree
from desktop.ui.lead.landline import LandlineFlags

NOTES_SAVE_DELAY_MS = 800


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadPanel", text)


def status_text(status: str) -> str:
    """Why a lead is (not) in the queue, in words."""
    return {
        "new": _tr("New"),
        "active": _tr("In sequence"),
        "no_dialable_number": _tr("No dialable number"),
        "closed": _tr("Closed"),
        "do_not_call": _tr("Do not call"),
        "exhausted": _tr("Attempt target reached"),
    }.get(status, status)


def phone_html(phone: PhoneView) -> str:
    """One number as the agent needs to see it: usable or not, and why not."""
    label = html.escape(phone.label or _tr("Phone"))
    number = html.escape(phone.display)
    if phone.extension:
        number += html.escape(_tr(" ext. {ext}").format(ext=phone.extension))
    if not phone.valid:
        problem = html.escape(phone.problem or _tr("not a valid number"))
        return (
            f'<span style="color:{style.DANGER};">&#10007; <b>{label}</b> {number} '
            f"&mdash; {html.escape(_tr('invalid'))}: {problem}</span>"
        )
    details = [phone.number_type.replace("_", " ")] if phone.number_type not in ("", "unknown") else []
    if phone.location:
        details.append(phone.location)
    suffix = f' <span style="color:{style.MUTED};">&middot; {html.escape(" · ".join(details))}</span>'
    if phone.on_internal_dnc:
        return (
            f'<span style="color:{style.DANGER};">&#9940; <b>{label}</b> {number} '
            f"&mdash; {html.escape(_tr('on the do-not-call list'))}</span>"
        )
    return f'<span style="color:{style.POSITIVE};">&#10003;</span> <b>{label}</b> {number}' + (
        suffix if details else ""
    )


def lead_subtitle(card: LeadCard) -> str:
    """The line under the name: role and company (unless it is the name), state and list."""
    role = [part for part in (card.title, card.company if card.company != card.display_name else "") if part]
    postal = (
        _tr("ZIP {code} ({state})").format(code=card.postal_code, state=card.postal_state)
        if card.postal_code
        else ""
    )
    where = [card.state, postal, _tr("list: {name}").format(name=card.list_name) if card.list_name else ""]
    return " — ".join(part for part in (" · ".join(role), " · ".join(p for p in where if p)) if part)


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PanelTitle")
    return label


class LeadPanel(QWidget):
    """The lead being worked: header with the persistence counter, numbers, notes and call history."""

    previousRequested = Signal()
    notesSaved = Signal(int)
    consentRequested = Signal(int)  # lead id: open its consent records

    def __init__(self, leads: LeadService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._leads = leads
        # The panel itself holds the keyboard between calls: 1–0 and Space are shortcuts there.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.card: LeadCard | None = None
        self._notes_lead_id: int | None = None
        self._notes_dirty = False
        # Reads a lead's consent records (ConsentService.for_lead); the window wires it.
        self.consent_lookup: Callable[[int], list[ConsentRecord]] | None = None
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(NOTES_SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.on_save_timer_timeout)
        self._build()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)

        header = QHBoxLayout()
        header.setSpacing(16)
        who = QVBoxLayout()
        who.setSpacing(4)
        name_row = QHBoxLayout()
        name_row.setSpacing(8)
        # A long name ends in "…" with the full name as its tooltip, never widening the panel.
        self.name_label = ElidedLabel()
        self.name_label.setObjectName("LeadName")
        self.kind_badge = QLabel()
        self.status_badge = QLabel()
        self.status_badge.setObjectName("BadgeStatus")
        name_row.addWidget(self.name_label)
        name_row.addWidget(self.kind_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        name_row.addWidget(self.status_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        name_row.addStretch(1)
        who.addLayout(name_row)
        self.company_label = QLabel()
        self.company_label.setObjectName("LeadCompany")
        self.company_label.setWordWrap(True)
        who.addWidget(self.company_label)
        self.time_label = QLabel()
        self.time_label.setTextFormat(Qt.TextFormat.RichText)
        self.time_label.setWordWrap(True)
        who.addWidget(self.time_label)
        self.gate_label = QLabel()
        self.gate_label.setTextFormat(Qt.TextFormat.RichText)
        self.gate_label.setWordWrap(True)
        who.addWidget(self.gate_label)
        self.due_label = QLabel()
        self.due_label.setObjectName("Muted")
        self.due_label.setWordWrap(True)
        who.addWidget(self.due_label)
        # A narrow card wraps these lines: each keeps the height its lines need (never cut in half).
        for label in (self.company_label, self.time_label, self.gate_label, self.due_label):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        who.addStretch(1)
        header.addLayout(who, 1)

        counter = QVBoxLayout()
        counter.setSpacing(4)
        self.previous_button = QPushButton(self.tr("← Previous lead"))
        self.previous_button.setToolTip(self.tr("Go back to the lead you worked before (Alt+Left)"))
        self.previous_button.setFlat(True)
        self.previous_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.previous_button.setEnabled(False)
        self.previous_button.clicked.connect(self.previousRequested)
        counter.addWidget(self.previous_button, 0, Qt.AlignmentFlag.AlignRight)
        self.attempt_label = QLabel()
        self.attempt_label.setObjectName("AttemptCounter")
        self.attempt_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        counter.addWidget(self.attempt_label)
        self.target_bar = QProgressBar()
        self.target_bar.setObjectName("TargetBar")
        self.target_bar.setTextVisible(False)
        self.target_bar.setFixedSize(180, 6)
        counter.addWidget(self.target_bar, 0, Qt.AlignmentFlag.AlignRight)
        counter.addStretch(1)
        header.addLayout(counter)
        outer.addLayout(header)
        # Full width, under the header: the nudge is read at a glance, not squeezed into a column.
        self.nudge_label = QLabel()
        self.nudge_label.setObjectName("Nudge")
        self.nudge_label.setWordWrap(True)
        self.nudge_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        outer.addWidget(self.nudge_label)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet(f"color: {style.LINE};")
        outer.addWidget(line)

        middle = QHBoxLayout()
        middle.setSpacing(16)
        phones_box = QVBoxLayout()
        phones_box.setSpacing(4)
        phones_box.addWidget(section_title(self.tr("NUMBERS")))
        self.phones_label = QLabel()
        self.phones_label.setTextFormat(Qt.TextFormat.RichText)
        self.phones_label.setWordWrap(True)
        self.phones_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.phones_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        phones_box.addWidget(self.phones_label)
        self.landline_flags = LandlineFlags(self._leads)
        self.landline_flags.changed.connect(self.on_landline_flags_changed)
        phones_box.addWidget(self.landline_flags)
        self.contact_label = QLabel()
        self.contact_label.setObjectName("Muted")
        self.contact_label.setWordWrap(True)
        self.contact_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        phones_box.addWidget(self.contact_label)
        phones_box.addSpacing(6)
        consent_head = QHBoxLayout()
        consent_head.addWidget(section_title(self.tr("CONSENT")))
        consent_head.addStretch(1)
        self.consent_button = QPushButton(self.tr("Edit consent…"))
        self.consent_button.setObjectName("LinkButton")
        self.consent_button.setFlat(True)
        self.consent_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.consent_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.consent_button.setStyleSheet(f"color: {style.ACCENT}; border: none; padding: 0 2px;")
        self.consent_button.setToolTip(
            self.tr("Written consent, inquiries and purchases let residential calls pass the registries")
        )
        self.consent_button.clicked.connect(self.on_consent_button_clicked)
        consent_head.addWidget(self.consent_button)
        phones_box.addLayout(consent_head)
        self.consent_label = QLabel()
        self.consent_label.setTextFormat(Qt.TextFormat.RichText)
        self.consent_label.setWordWrap(True)
        phones_box.addWidget(self.consent_label)
        phones_box.addStretch(1)
        middle.addLayout(phones_box, 1)

        notes_box = QVBoxLayout()
        notes_box.setSpacing(4)
        notes_head = QHBoxLayout()
        notes_head.addWidget(section_title(self.tr("NOTES")))
        notes_head.addStretch(1)
        self.notes_state = QLabel()
        self.notes_state.setObjectName("Muted")
        notes_head.addWidget(self.notes_state)
        notes_box.addLayout(notes_head)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText(self.tr("What you learned on this call. Saved as you type."))
        self.notes_edit.setMinimumHeight(64)
        self.notes_edit.setMaximumHeight(140)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.textChanged.connect(self.on_notes_text_changed)
        self.notes_edit.installEventFilter(self)
        notes_box.addWidget(self.notes_edit, 1)
        middle.addLayout(notes_box, 1)
        outer.addLayout(middle)
        # The lead's script answers; the script panel fills it (desktop/ui/script_answers.py).
        from desktop.ui.lead.answers import ScriptAnswersBox

        self.answers_box = ScriptAnswersBox()
        outer.addWidget(self.answers_box)

        outer.addWidget(section_title(self.tr("HISTORY")))
        # Calls first; each call's script answers folded under it (desktop/ui/lead/history.py).
        self.history = HistoryTree()
        self.history.setMinimumHeight(110)
        outer.addWidget(self.history, 1)
        self.setMinimumWidth(340)

    # -- showing a lead --------------------------------------------------------------------------

    def show_card(self, card: LeadCard, now: datetime) -> None:
        """Show `card`; notes of the previous lead are saved first, notes being typed are kept."""
        same_lead = self.card is not None and self.card.id == card.id
        if not same_lead:
            self.save_notes()
        self.card = card
        self.name_label.setText(card.display_name)
        business = card.kind == "business"
        self.kind_badge.setText(self.tr("Business") if business else self.tr("Residential"))
        self.kind_badge.setObjectName("Badge" if business else "BadgeResidential")
        self.kind_badge.style().unpolish(self.kind_badge)
        self.kind_badge.style().polish(self.kind_badge)
        if card.status in ("new", "active"):
            self.status_badge.hide()
        else:
            self.status_badge.setText(
                self.tr("Out of the queue: {status}").format(status=status_text(card.status))
            )
            self.status_badge.show()
        self.company_label.setText(lead_subtitle(card))
        self.attempt_label.setText(card.attempt_label)
        self.target_bar.setRange(0, max(card.target, 1))
        self.target_bar.setValue(min(card.attempts, card.target))
        self.target_bar.setToolTip(
            self.tr("{n} of {target} attempts made").format(n=card.attempts, target=card.target)
        )
        self.nudge_label.setText(card.nudge or "")
        self.nudge_label.setVisible(bool(card.nudge))
        self.update_time(now)
        self._show_phones(card)
        self.landline_flags.show_card(card)
        contact = [
            card.email,
            card.source and self.tr("source: {source}").format(source=card.source),
            card.external_id and self.tr("CRM id: {id}").format(id=card.external_id),
        ]
        self.contact_label.setText(" · ".join(part for part in contact if part))
        self.contact_label.setVisible(any(contact))
        if not same_lead:
            self._set_notes(card.id, card.notes)
        self.history.show_items(card.history)
        self.refresh_consent()

    def _show_phones(self, card: LeadCard) -> None:
        self.phones_label.setText(
            "<br>".join(phone_html(phone) for phone in card.phones) or self.tr("No phone numbers")
        )

    @Slot(int)
    def on_landline_flags_changed(self, _phone_id: int) -> None:
        """A number was (un)marked a business landline: its label on the card shows it."""
        self.refresh_phones()

    def refresh_phones(self) -> None:
        """Read the card's numbers again and show them (marks and place names), nothing else."""
        if self.card is not None:
            self.card = self._leads.card(self.card.id)
            self._show_phones(self.card)

    def refresh_consent(self) -> None:
        """Re-read the consent records of the lead on screen (after the consent dialog changed them)."""
        card = self.card
        if card is None or self.consent_lookup is None:
            self.consent_label.setText("")
            return
        records = self.consent_lookup(card.id)
        text = html.escape(consent_summary(records))
        if records:
            self.consent_label.setText(f'<span style="color:{style.POSITIVE};">&#10003;</span> {text}')
        else:
            self.consent_label.setText(f'<span style="color:{style.MUTED};">{text}</span>')

    @Slot()
    def on_consent_button_clicked(self) -> None:
        if self.card is not None:
            self.consentRequested.emit(self.card.id)

    def update_time(self, now: datetime) -> None:
        """Refresh the lead's local time (called by the window's clock tick)."""
        card = self.card
        if card is None:
            return
        if card.next_due_at is not None and card.next_due_at > now:
            self.due_label.setText(
                self.tr("Next try: {when}").format(when=labelled_time(card.next_due_at, card.time_zone))
            )
            self.due_label.show()
        else:
            self.due_label.hide()
        if not card.time_zone:
            unknown = html.escape(self.tr("Their time zone is unknown"))
            self.time_label.setText(f'<span style="color:{style.MUTED};">{unknown}</span>')
            return
        local = now.astimezone(ZoneInfo(card.time_zone))
        text = html.escape(
            self.tr("Their time: {time} · {zone}").format(
                time=local.strftime("%a %H:%M"), zone=card.time_zone.replace("_", " ")
            )
        )
        self.time_label.setText(text)

    def set_gate(self, reasons: list[str] | None) -> None:
        """What the dial gate would say about the selected number now: None = allowed, else reasons.

        Only a preview (the gate decides again at the moment of the call); it warns the agent before
        they press Call, e.g. that it is too late in the evening where the lead is.
        """
        if reasons is None:
            allowed = html.escape(self.tr("OK to call now"))
            self.gate_label.setText(f'<span style="color:{style.POSITIVE};">&#10003; {allowed}</span>')
            return
        text = html.escape(
            self.tr("The gate would block a call now: {reasons}").format(reasons="; ".join(reasons))
        )
        self.gate_label.setText(f'<span style="color:{style.DANGER};"><b>&#9888;</b> {text}</span>')

    def history_texts(self) -> list[str]:
        """Each history row as one line of text, as the agent reads it (for tests and copying)."""
        return self.history.texts()

    def clear(self) -> None:
        self.save_notes()
        self.card = None
        self._notes_lead_id = None

    # -- notes -----------------------------------------------------------------------------------

    def _set_notes(self, lead_id: int, text: str) -> None:
        self._notes_lead_id = None  # not dirty while we fill the box ourselves
        self.notes_edit.setPlainText(text)
        self._notes_lead_id = lead_id
        self._notes_dirty = False
        self.notes_state.setText("")

    @Slot()
    def on_notes_text_changed(self) -> None:
        if self._notes_lead_id is None:
            return
        self._notes_dirty = True
        self.notes_state.setText(self.tr("Editing…"))
        self.save_timer.start()

    @Slot()
    def on_save_timer_timeout(self) -> None:
        self.save_notes()

    def save_notes(self) -> bool:
        """Write unsaved notes now; True when something was saved."""
        self.save_timer.stop()
        if not self._notes_dirty or self._notes_lead_id is None:
            return False
        lead_id = self._notes_lead_id
        self._leads.update_notes(lead_id, self.notes_edit.toPlainText())
        self._notes_dirty = False
        self.notes_state.setText(self.tr("Saved"))
        self.notesSaved.emit(lead_id)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # getattr: Qt may still deliver events while the panel is being built or torn down.
        if watched is getattr(self, "notes_edit", None) and event.type() == QEvent.Type.FocusOut:
            self.save_notes()
        return super().eventFilter(watched, event)
