"""The window on any screen from 1280×720 up: it opens no larger than the screen, every outcome key,
the Call button, the status bar and the Reports "Show" button are in sight, the lead's name is never
cut off silently, and the window comes back where it was left only when that still fits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QWidget

# Available areas of common screens (the 1366×768 one with a 27-pixel top panel).
SCREENS = {
    "1280x720": QRect(0, 0, 1280, 720),
    "1366x768": QRect(0, 27, 1366, 741),
    "1920x1080": QRect(0, 0, 1920, 1080),
}
LONG_NAME = "Maximilian Alexander Bartholomew Featherstonehaugh-Worthington"


def fully_in_sight(widget: QWidget, window: QWidget) -> bool:
    """The widget is shown, lies inside the window and no parent (a scroll area, a splitter) cuts it."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = window.rect().contains(QRect(top_left, widget.size()))
    unclipped = widget.visibleRegion().boundingRect() == widget.rect()
    return inside and unclipped


def place(window: QWidget, area: QRect) -> None:
    window.placement.restore(area)  # type: ignore[attr-defined]
    QApplication.processEvents()


def in_area(window: QWidget, area: QRect) -> bool:
    return window.width() <= area.width() and window.height() <= area.height()


@pytest.mark.parametrize("screen", SCREENS)
def test_main_window_fits_the_screen_with_every_key_in_sight(make_window, ui_workspace, tmp_path, screen):
    ui_workspace.imports.import_sample()
    window = make_window()
    area = SCREENS[screen]
    place(window, area)
    window.grab().save(str(tmp_path / f"main-{screen}.png"))
    assert in_area(window, area), (window.size(), area)
    assert area.contains(window.frameGeometry())
    keys = list(window.dial_bar.outcome_buttons.values())
    assert len(keys) == 10
    for widget in [*keys, window.dial_bar.call_button, window.statusBar()]:
        assert fully_in_sight(widget, window), (screen, widget.text() if hasattr(widget, "text") else widget)
    name = window.lead_panel.name_label  # a usual name is shown whole, in sight
    assert fully_in_sight(name, window) and not name.is_elided() and name.shown_text() == "Maria Lopez"


@pytest.mark.parametrize("screen", SCREENS)
def test_reports_show_button_is_in_sight(make_window, ui_workspace, screen):
    from desktop.ui.reports.window import ReportsWindow

    ui_workspace.imports.import_sample()
    window = make_window()
    reports = ReportsWindow(ui_workspace, window)
    area = SCREENS[screen]
    place(reports, area)
    reports.show()
    QApplication.processEvents()
    try:
        assert in_area(reports, area), (reports.size(), area)
        assert fully_in_sight(reports.show_button, reports)
    finally:
        reports.close()


def test_a_long_name_is_elided_with_the_full_name_as_tooltip(make_window, ui_workspace, tmp_path):
    first, last = LONG_NAME.split(" ", 1)
    csv = tmp_path / "long.csv"
    csv.write_text(
        f"First Name,Last Name,Company,Phone,Type\n{first},{last},Long Inc,(212) 555-0134,business\n"
    )
    ui_workspace.imports.run(csv, region="US")
    window = make_window()
    place(window, SCREENS["1280x720"])
    label = window.lead_panel.name_label
    assert label.text() == LONG_NAME  # the full name stays the label's text
    assert fully_in_sight(label, window)
    assert label.is_elided() and label.shown_text().endswith("…")
    assert label.toolTip() == LONG_NAME
    # Wide enough, the whole name is shown and no tooltip repeats it.
    window.resize(2600, 1000)
    window.splitter.setSizes([300, 1900, 400])
    QApplication.processEvents()
    assert not label.is_elided() and label.shown_text() == LONG_NAME
    assert fully_in_sight(label, window)


def test_geometry_and_splitter_come_back_only_when_they_fit(make_window, ui_workspace):
    ui_workspace.imports.import_sample()
    big = SCREENS["1920x1080"]
    first = make_window()
    place(first, big)
    first.setGeometry(QRect(100, 50, 1500, 950))
    first.splitter.setSizes([500, 600, 380])
    QApplication.processEvents()
    kept = first.splitter.sizes()
    first.close()

    again = make_window()
    assert again.placement.restore(big) is True
    QApplication.processEvents()
    assert again.geometry() == QRect(100, 50, 1500, 950)
    assert again.splitter.sizes() == kept
    again.close()

    small = SCREENS["1366x768"]
    laptop = make_window()
    assert laptop.placement.restore(small) is False  # the saved window would not fit: not restored
    QApplication.processEvents()
    assert in_area(laptop, small) and small.contains(laptop.frameGeometry())


def test_the_window_opens_sized_to_the_real_screen(tmp_path):
    """A process whose only screen is 1366×768 (Qt's offscreen platform, configured) opens the window
    at that size, not the 1440×900 it prefers."""
    config = tmp_path / "screen.json"
    config.write_text(
        '{"screens": [{"name": "s", "x": 0, "y": 0, "width": 1366, "height": 768,'
        ' "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}'
    )
    code = (
        "from desktop.services.workspace import open_workspace\n"
        "from desktop.ui.common.application import make_application\n"
        "from desktop.ui.main_window import MainWindow\n"
        f"ws = open_workspace({str(tmp_path / 't.db')!r})\n"
        "make_application([])\n"
        "w = MainWindow(ws)\n"
        "print(w.frameGeometry().width(), w.frameGeometry().height())\n"
        "w.close(); ws.close()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["1366", "768"]
    assert Path(os.environ["XDG_CONFIG_HOME"], "dialdesk", "window.ini").exists()


def shows_all_its_text(label: QLabel) -> bool:
    """A label's whole text is in sight: a wrapped one has the height its lines need at its width, an
    unwrapped one the width of its text (an eliding label says so itself and carries a tooltip)."""
    if label.wordWrap():
        return label.height() >= label.heightForWidth(label.width())
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setHtml(label.text()) if label.textFormat() == Qt.TextFormat.RichText else document.setPlainText(
        label.text()
    )
    return label.fontMetrics().horizontalAdvance(document.toPlainText()) <= label.contentsRect().width()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_line_of_the_lead_card_is_whole_on_any_screen(make_window, ui_workspace, ui_clock, screen):  # type: ignore[no-untyped-def]
    """The card's lines (company and list, their time and zone, the gate, "Next try: their … · your …")
    are never cut, in width or in height, from 1280×720 up."""
    from datetime import timedelta

    ui_workspace.imports.import_sample()
    window = make_window()
    maria = window.current_card.id
    window.record_outcome("callback", callback_at=ui_clock() + timedelta(hours=2))
    assert window.show_lead(maria)
    place(window, SCREENS[screen])
    QApplication.processEvents()
    panel = window.lead_panel
    assert panel.due_label.isVisible() and "your" in panel.due_label.text()
    named = [panel.company_label, panel.time_label, panel.gate_label, panel.due_label, panel.attempt_label]
    assert all(label.isVisible() for label in named)
    # Every other line of the card too (numbers, consent, notes' state…); the name elides by design.
    labels = [label for label in panel.findChildren(QLabel) if label.isVisible() and label.text()]
    assert set(named) <= set(labels)
    for label in labels:
        if label is not panel.name_label:
            assert shows_all_its_text(label), (screen, label.objectName(), label.text(), label.size())
            assert fully_in_sight(label, window), (screen, label.text())
