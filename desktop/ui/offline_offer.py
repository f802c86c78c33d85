"""The team server cannot be reached at start: say so, and offer the agent's local copy instead.

The local copy is the file `dialdesk team checkout` wrote (services/team_checkout.py): the agent's
claimed leads with the do-not-call list and registries, to be merged back with `dialdesk merge`
once the server is back.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

# The application made here, if any: kept so Qt does not lose it before the window starts.
_made: list[QApplication] = []


def _tr(text: str) -> str:
    return QCoreApplication.translate("OfflineOffer", text)


def ask_to_open_offline_copy(problem: str, copy: Path) -> bool:
    """Show why the team server is away and ask whether to work on `copy`; True: open it."""
    if QApplication.instance() is None:
        _made.append(QApplication(sys.argv[:1]))
    box = QMessageBox(QMessageBox.Icon.Warning, "Dialdesk", problem[:1].upper() + problem[1:])
    box.setWindowTitle(_tr("Team server unreachable"))
    box.setInformativeText(
        _tr(
            "Work offline on your local copy {path}? Calls you record there go back to the team with "
            "`dialdesk merge {path} --db URL` when the server is back."
        ).format(path=copy)
    )
    box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Open)
    return box.exec() == QMessageBox.StandardButton.Open
