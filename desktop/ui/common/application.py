"""The one QApplication of the process, set up the same way for the window, the single-instance
hand-off and the tests."""

from __future__ import annotations

from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication

from desktop import APP_NAME, __version__
from desktop.paths import resource


def make_application(argv: list[str]) -> QApplication:
    """The QApplication (the existing one when there is one, as under tests)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    # The installed dialdesk.desktop names the window's icon on Wayland; the icon set is package data.
    app.setDesktopFileName("dialdesk")
    app.setWindowIcon(QIcon(str(resource("icons", "256x256", "dialdesk.png"))))
    app.setStyle("Fusion")
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return app
