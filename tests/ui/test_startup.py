"""Start-up order: the first lead is on screen before the queue list is read (issue 16's "usable in 1 s").

With 100,000 leads, reading the queue's first page and counting every bucket cost more than the rest
of the start; the window shows the lead the queue offers first, and the list on the left is read on
the event loop's first turn. These tests hold both halves: usable at once, and the list complete and
pointing at the lead on screen right after.
"""

from __future__ import annotations

from desktop.services.workspace import Workspace


def test_the_first_lead_is_shown_before_the_queue_list_is_read(qtbot, ui_workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.app import make_application
    from desktop.ui.main_window import PAGE_LEAD, MainWindow

    ui_workspace.imports.import_sample()
    make_application([])
    window = MainWindow(ui_workspace)
    qtbot.addWidget(window)
    # Constructed, not yet through the event loop: the lead is there and callable ...
    assert window.centre.currentIndex() == PAGE_LEAD and window.current_card is not None
    assert window.dial_bar.isEnabled()
    # ... and the queue list has not been read yet.
    assert window.startup_pending and window.queue_model.rowCount() == 0
    window.show()
    qtbot.waitUntil(lambda: not window.startup_pending)
    model = window.queue_model
    assert model.rowCount() > 0 and window.counts_label.text()
    shown = window.current_card.id
    panel = window.queue_panel
    selected = [panel.proxy.mapToSource(index) for index in panel.view.selectionModel().selectedRows()]
    assert [model.row_of(index.row()).lead_id for index in selected] == [shown]
    window.close()


def test_an_empty_database_shows_the_welcome_page_and_an_empty_queue(qtbot, ui_workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.app import make_application
    from desktop.ui.main_window import PAGE_WELCOME, MainWindow

    make_application([])
    window = MainWindow(ui_workspace)
    qtbot.addWidget(window)
    assert window.centre.currentIndex() == PAGE_WELCOME and not window.dial_bar.isEnabled()
    window.show()
    qtbot.waitUntil(lambda: not window.startup_pending)
    assert window.queue_model.rowCount() == 0 and window.centre.currentIndex() == PAGE_WELCOME
    window.close()
