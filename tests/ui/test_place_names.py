"""Place names on the lead card ("New York, NY"): their data loads after the window is up (it took a
third of the start-up), and the card's numbers gain their places once it has; a command's card has
them at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop.domain import phones
from desktop.services.workspace import Workspace

pytestmark = pytest.mark.gui

LIST = "First Name,Last Name,Company,Type,Work Phone\nAnn,Lee,Acme Supply,business,212-555-0101\n"


def test_the_cards_numbers_gain_their_places_once_loaded(  # type: ignore[no-untyped-def]
    qtbot, make_window, ui_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    ui_workspace.imports.run(path)
    lead_id = ui_workspace.leads.next_lead_id()
    assert lead_id is not None
    # Without the window (a command): the place is there at once.
    assert [phone.location for phone in ui_workspace.leads.card(lead_id).phones] == ["New York, NY"]
    # As in a fresh process: the data not loaded yet (another test may have loaded it in this one).
    monkeypatch.setattr(phones, "_GEOCODER_LOADED", threading.Event())
    window = make_window()
    assert window.leads.place_names_in_background  # the window never waits for the data
    assert window.show_lead(lead_id)
    assert "Work Phone" in window.lead_panel.phones_label.text()
    assert "New York" not in window.lead_panel.phones_label.text()  # not yet: shown without waiting
    qtbot.waitUntil(lambda: "New York, NY" in window.lead_panel.phones_label.text(), timeout=15000)
    assert "Work Phone" in window.lead_panel.phones_label.text()
