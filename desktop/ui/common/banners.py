"""Banners across the top of the window: a reminder or a result that must be seen but must not stop
the calling loop (no modal dialog takes the keys away). Each has a key, so a new message about the
same thing replaces the old one, and up to two buttons plus a close cross.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.ui.common import style

INFO = "info"
WARNING = "warning"
POSITIVE = "positive"
DANGER = "danger"

# kind: (background, border, text)
_COLOURS = {
    INFO: ("#e6eefc", "#b6c9f0", "#1d3f8a"),
    POSITIVE: (style.POSITIVE_SOFT, "#7fc79b", "#14532d"),
    WARNING: (style.WARNING_SOFT, "#f0d48a", style.WARNING_INK),
    DANGER: (style.DANGER_SOFT, "#e8a39b", style.DANGER),
}


def banner_style() -> str:
    rules = []
    for kind, (background, border, text) in _COLOURS.items():
        rules.append(
            f'QFrame#NoticeBanner[kind="{kind}"] {{ background: {background}; border: 1px solid {border};'
            " border-radius: 6px; }"
            f'QFrame#NoticeBanner[kind="{kind}"] QLabel {{ color: {text}; font-weight: 600; }}'
            f'QFrame#NoticeBanner[kind="{kind}"] QPushButton#BannerButton {{ background: white;'
            f" color: {text}; border: 1px solid {border}; border-radius: 5px; padding: 2px 12px; }}"
            f'QFrame#NoticeBanner[kind="{kind}"] QPushButton#BannerButton:hover {{'
            f" border: 1px solid {text}; }}"
            f'QFrame#NoticeBanner[kind="{kind}"] QPushButton#BannerClose {{ color: {text};'
            " border: none; font-size: 13px; }"
        )
    return "\n".join(rules)


class Banner(QFrame):
    """One message with its actions; `kind` picks the colours (see style.APP_STYLE, QFrame#Banner)."""

    def __init__(self, key: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("NoticeBanner")
        self.setProperty("kind", kind)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 3, 4, 3)
        layout.setSpacing(8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self._actions = QHBoxLayout()
        self._actions.setSpacing(6)
        layout.addLayout(self._actions)
        self.close_button = QPushButton("✕")
        self.close_button.setObjectName("BannerClose")
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(28)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.setToolTip(self.tr("Dismiss"))
        layout.addWidget(self.close_button)

    def set_kind(self, kind: str) -> None:
        if self.property("kind") != kind:
            self.setProperty("kind", kind)
            self.style().unpolish(self)
            self.style().polish(self)

    def set_actions(self, actions: list[tuple[str, Callable[[], object]]]) -> None:
        for button in self.buttons:
            self._actions.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for text, handler in actions:
            button = QPushButton(text)
            button.setObjectName("BannerButton")
            # The calling keys (Space, Enter) must keep working while a banner is up.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.clicked.connect(handler)
            self._actions.addWidget(button)
            self.buttons.append(button)

    def text(self) -> str:
        return self.label.text()


class BannerArea(QWidget):
    """The stack of banners; empty (and taking no room) when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._banners: dict[str, Banner] = {}
        self.setStyleSheet(banner_style())
        self.hide()

    def show_banner(
        self,
        key: str,
        text: str,
        kind: str = INFO,
        actions: list[tuple[str, Callable[[], object]]] | None = None,
        tooltip: str = "",
    ) -> Banner:
        """Show `text` under `key`, replacing what was shown under that key (its actions too)."""
        banner = self._banners.get(key)
        if banner is None:
            banner = Banner(key, kind, self)
            banner.close_button.clicked.connect(lambda _=False, k=key: self.dismiss(k))
            self._banners[key] = banner
            self._layout.addWidget(banner)
            banner.set_actions(actions or [])
        else:
            banner.set_kind(kind)
            if actions is not None:
                banner.set_actions(actions)
        banner.label.setText(text)
        banner.setToolTip(tooltip)
        self.show()
        return banner

    def update_text(self, key: str, text: str) -> None:
        banner = self._banners.get(key)
        if banner is not None:
            banner.label.setText(text)

    @Slot()
    def dismiss(self, key: str) -> None:
        banner = self._banners.pop(key, None)
        if banner is not None:
            self._layout.removeWidget(banner)
            banner.hide()
            banner.deleteLater()
        if not self._banners:
            self.hide()

    def banner(self, key: str) -> Banner | None:
        return self._banners.get(key)

    def keys(self) -> list[str]:
        return list(self._banners)

    def texts(self) -> list[str]:
        """What the banners say, top to bottom (for tests and screen readers)."""
        return [banner.text() for banner in self._banners.values()]
