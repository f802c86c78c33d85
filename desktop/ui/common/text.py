"""Small text helpers shared by the widgets: English singular/plural through Qt's translator."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def plural(context: str, count: int, one: str, many: str) -> str:
    """`one` or `many` (each with a {n} placeholder), translated in `context`, with `count` as "1,234".

    Qt's %n plurals need a compiled English translation to avoid showing "lead(s)"; two source
    strings keep English right without one, and translators still get both forms.
    """
    template = QCoreApplication.translate(context, one if count == 1 else many)
    return template.format(n=f"{count:,}")
