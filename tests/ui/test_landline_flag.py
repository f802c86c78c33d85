"""The lead card's "business landline" flag, driven in the real window: ticking it lets a voicemail
drop to that number pass without written consent; every other number still needs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.services.workspace import Workspace
from desktop.storage.models import AuditEvent, Phone

pytestmark = pytest.mark.gui

LIST = (
    "First Name,Last Name,Company,Type,Work Phone,Mobile,ZIP\n"
    "Ann,Lee,Acme Supply,business,212-555-0101,917-555-0102,10001\n"
    "Bo,Home,,residential,212-555-0103,,\n"
)


def _lead(workspace: Workspace, last_name: str) -> int:
    return next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == last_name)


def _voicemail_codes(workspace: Workspace, lead_id: int, number: str) -> tuple[str, ...]:
    result = workspace.calling.check(lead_id=lead_id, number=number, prerecorded=True)
    return result.decision.codes


def test_marking_a_business_landline_on_the_card(  # type: ignore[no-untyped-def]
    qtbot, make_window, ui_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    ui_workspace.imports.run(path)
    business, consumer = _lead(ui_workspace, "Lee"), _lead(ui_workspace, "Home")
    window = make_window()
    assert window.show_lead(business)
    panel = window.lead_panel
    # The card shows the ZIP and the state it places the lead in.
    assert "ZIP 10001 (NY)" in panel.company_label.text()
    boxes = panel.landline_flags.boxes
    assert len(boxes) == 2 and all(box.isEnabled() and not box.isChecked() for box in boxes.values())
    with ui_workspace.uow() as uow:
        phones = {p.e164: p.id for p in uow.session.query(Phone).filter(Phone.lead_id == business)}
    work, mobile = phones["+12125550101"], phones["+19175550102"]
    # Without written consent a voicemail drop is refused to either number (either may be a mobile).
    assert _voicemail_codes(ui_workspace, business, "+12125550101") == ("prerecorded_consent",)
    box = boxes[work]
    assert box.isVisible()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    qtbot.waitUntil(box.isChecked)
    assert "Work Phone landline" in panel.phones_label.text()
    assert _voicemail_codes(ui_workspace, business, "+12125550101") == ()
    # The other number is not a landline for the gate: still refused.
    assert _voicemail_codes(ui_workspace, business, "+19175550102") == ("prerecorded_consent",)
    assert not boxes[mobile].isChecked()
    with ui_workspace.uow() as uow:
        audited = uow.session.query(AuditEvent).filter(AuditEvent.action == "phone_landline").count()
    assert audited == 1
    # Shown again, the card remembers it; unticking takes it back.
    assert window.show_lead(consumer) and window.show_lead(business)
    box = panel.landline_flags.boxes[work]
    assert box.isChecked()
    box.click()
    assert "landline" not in panel.phones_label.text()
    assert _voicemail_codes(ui_workspace, business, "+12125550101") == ("prerecorded_consent",)
    # A consumer's number can never be ticked: a voicemail drop to it always needs written consent.
    assert window.show_lead(consumer)
    [consumer_box] = panel.landline_flags.boxes.values()
    assert not consumer_box.isEnabled()
    with ui_workspace.uow() as uow:
        phone = uow.session.query(Phone).filter(Phone.lead_id == consumer).one()
        phone.label = "landline"
        uow.commit()
    assert "prerecorded_consent" in _voicemail_codes(ui_workspace, consumer, "+12125550103")
