"""The lead card's "business landline" checkboxes: one per dialable number of the lead.

A voicemail drop is a prerecorded message: to a number that may be a mobile it needs prior express
written consent, even for a business. A broker who knows a business number is a landline ticks it
here; the phone's label then says so (audited), and the gate lets a voicemail drop to it pass
without written consent. Only a business lead's numbers can be ticked: a consumer's never can.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from desktop.services.leads import LeadCard, LeadService


class LandlineFlags(QWidget):
    """A checkbox per dialable number: "… is a business landline"; ticking it records it."""

    changed = Signal(int)  # the phone id whose label changed

    def __init__(self, leads: LeadService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._leads = leads
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.boxes: dict[int, QCheckBox] = {}
        self._shown: tuple[object, ...] = ()

    def show_card(self, card: LeadCard) -> None:
        shown = (card.id, card.kind, tuple(phone.id for phone in card.phones if phone.valid))
        if shown == self._shown:
            # The same numbers again (the card refreshes after every call): keep the boxes, and the
            # focus on one, and only bring their ticks up to date.
            for phone in card.phones:
                box = self.boxes.get(phone.id)
                if box is not None and box.isChecked() != phone.business_landline:
                    box.blockSignals(True)
                    box.setChecked(phone.business_landline)
                    box.blockSignals(False)
            return
        self._shown = shown
        for box in self.boxes.values():
            box.hide()
            box.deleteLater()
        self.boxes = {}
        business = card.kind == "business"
        for phone in card.phones:
            if not phone.valid:
                continue
            box = QCheckBox(self.tr("{number} is a business landline").format(number=phone.display))
            box.setChecked(phone.business_landline)
            box.setEnabled(business)
            box.setToolTip(
                self.tr(
                    "A voicemail drop to this number needs no written consent: it is a business landline, "
                    "not a mobile"
                )
                if business
                else self.tr("A consumer's number always needs written consent for a voicemail drop")
            )
            box.toggled.connect(lambda checked, phone_id=phone.id: self.on_box_toggled(phone_id, checked))
            self._layout.addWidget(box)
            self.boxes[phone.id] = box
        self.setVisible(bool(self.boxes))

    def on_box_toggled(self, phone_id: int, checked: bool) -> None:
        self._leads.set_business_landline(phone_id, checked)
        self.changed.emit(phone_id)
