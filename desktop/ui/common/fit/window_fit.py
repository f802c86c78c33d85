"""Windows that fit the screen they open on, and come back where the broker left them.

A window opens at its preferred size cut down to the screen's available area (never larger), in the
middle of it. Its geometry and splitter positions are kept in `window.ini` in the per-user config
folder when it closes; they are restored at the next start only when the saved rectangle lies inside
the current screen's available area (a laptop after a big monitor gets a fitting window instead).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget

from desktop.paths import user_config_dir

SETTINGS_FILE = "window.ini"


def window_settings() -> QSettings:
    """The window-placement settings file (INI, in the per-user config folder)."""
    return QSettings(str(user_config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def available_geometry(widget: QWidget) -> QRect:
    """The part of the widget's screen a window may use (without panels and docks)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def _rect_text(rect: QRect) -> str:
    return f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}"


def _parse_rect(text: object) -> QRect | None:
    try:
        x, y, width, height = (int(part) for part in str(text).split(","))
    except ValueError:
        return None
    return QRect(x, y, width, height) if width > 0 and height > 0 else None


class WindowPlacement:
    """Sizes `window` to its screen and keeps its geometry and splitters under `name`."""

    def __init__(
        self,
        window: QWidget,
        name: str,
        preferred: QSize,
        splitters: dict[str, QSplitter] | None = None,
    ) -> None:
        self.window = window
        self.name = name
        self.preferred = preferred
        self.splitters = splitters or {}

    def restore(self, available: QRect | None = None) -> bool:
        """Place the window on `available` (default: its screen's available area). Returns True when
        the saved placement was used, False when the window got its preferred size cut to fit."""
        area = available if available is not None else available_geometry(self.window)
        settings = window_settings()
        saved = _parse_rect(settings.value(f"{self.name}/geometry"))
        minimum = self.window.minimumSizeHint().expandedTo(self.window.minimumSize())
        fits = (
            saved is not None
            and area.contains(saved)
            and saved.width() >= minimum.width()
            and saved.height() >= minimum.height()
        )
        if saved is not None and fits:
            self.window.setGeometry(saved)
        else:
            self.fit(area)
        for key, splitter in self.splitters.items():
            state = settings.value(f"{self.name}/{key}")
            if fits and isinstance(state, QByteArray | bytes):
                splitter.restoreState(QByteArray(state))
        return fits

    def fit(self, area: QRect) -> None:
        """The preferred size, no larger than `area` (frame included), centred in it."""
        self.window.winId()  # the platform window exists: its frame margins are known where they can be
        frame_extra = self.window.frameGeometry().size() - self.window.geometry().size()
        room = area.size() - frame_extra
        self.window.resize(self.preferred.boundedTo(room))
        frame = QRect(QPoint(0, 0), self.window.size() + frame_extra)
        frame.moveCenter(area.center())
        self.window.move(max(frame.left(), area.left()), max(frame.top(), area.top()))

    def save(self) -> None:
        """Keep the window's geometry (not when maximised: the normal size is kept then) and splitters."""
        settings = window_settings()
        if not (self.window.isMaximized() or self.window.isFullScreen()):
            settings.setValue(f"{self.name}/geometry", _rect_text(self.window.geometry()))
        for key, splitter in self.splitters.items():
            settings.setValue(f"{self.name}/{key}", splitter.saveState())
        settings.sync()
