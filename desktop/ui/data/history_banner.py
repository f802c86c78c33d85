"""The red banner the window shows when the tamper-evident history does not verify.

Checked at start (and again after a restore or merge, which restart the window's content): the
incremental check reads only events newer than the last verified point, so it costs little.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.ui.common.banners import DANGER, BannerArea

if TYPE_CHECKING:
    from desktop.services.history_chain import Verification
    from desktop.services.workspace import Workspace

HISTORY_BANNER = "history-broken"


def check_history(workspace: Workspace, banners: BannerArea) -> Verification | None:
    """Verify what is new in the history; show (or take down) the red banner. None on a team's
    PostgreSQL server: the hash chain is read from SQLite files (services/history_chain.py); there
    the records are kept by the server's triggers and roles (revision 0015, `dialdesk team init`)."""
    if workspace.engine.dialect.name != "sqlite":
        return None
    result = workspace.history.verify(full=False)
    if result.intact:
        banners.dismiss(HISTORY_BANNER)
    else:
        text = QCoreApplication.translate(
            "HistoryBanner",
            "The call history was changed outside Dialdesk: {problem}. "
            "Run “dialdesk audit verify” and keep this file as evidence.",
        ).format(problem=result.problem)
        banners.show_banner(HISTORY_BANNER, text, DANGER)
    return result
