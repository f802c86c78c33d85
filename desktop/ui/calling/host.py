"""What the calling features need from the window that hosts them.

The power dialler and the softphone's view follow the calling loop of the main window (the lead on
screen, its call session, the dial bar) and ask it to call, hang up or record an outcome. They see
the window through this small protocol, not as `MainWindow`, so the calling package never imports
the window that wires it (and the window stays the one place that knows every feature).
"""

from __future__ import annotations

from typing import Protocol

from desktop.domain.outcomes import OutcomeRules
from desktop.services.leads import LeadCard
from desktop.services.workspace import Workspace
from desktop.ui.calling.dial_bar import DialBar
from desktop.ui.calling.outcome_dialog import OutcomeTimeDialog
from desktop.ui.calling.session import CallSession


class CallingHost(Protocol):
    """The window around the calling loop; `MainWindow` is the one implementation."""

    workspace: Workspace
    session: CallSession
    dial_bar: DialBar
    rules: OutcomeRules
    outcome_dialog: OutcomeTimeDialog | None

    @property
    def current_card(self) -> LeadCard | None: ...

    def on_call_requested(self) -> None: ...

    def on_hang_up_requested(self) -> None: ...

    def record_outcome(self, code: str, **details: object) -> bool: ...

    def reload_card(self) -> None: ...

    def show_next_lead(self) -> None: ...

    def show_lead(self, lead_id: int, remember: bool = True) -> bool: ...

    def next_due_lead_id(self, exclude: tuple[int, ...] = ()) -> int | None: ...
