"""The "Drop voicemail" button: the gate decides, the message is made ready, baresip plays it.

When the agent hears a voicemail greeting, one click plays the prepared message into the call;
baresip hangs up when it ends and the softphone records "Voicemail" and shows the next lead. Before
anything is played the gate decides again with `prerecorded=True` (consumers without written
consent are refused, and the refusal is shown and recorded). The message, a WAV file or a template
text spoken with the lead's fields, is prepared off the GUI thread — already while the number
rings — and cached, so a click plays it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from desktop.services.sip_settings import SipSettings
from desktop.services.voicemail import (
    VoicemailError,
    VoicemailRefused,
    VoicemailService,
    message_text,
    prepare_message,
)
from desktop.telephony.baresip import SipDialer
from desktop.telephony.dialers import DialError
from desktop.ui.common.workers import Task, run_task

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


class VoicemailDrop(QObject):
    """Asks the gate, prepares the message (once per text), plays it into the connected call."""

    def __init__(
        self,
        window: MainWindow,
        settings: Callable[[], SipSettings],
        connected_dialer: Callable[[], SipDialer | None],
    ) -> None:
        super().__init__(window)
        self._window = window
        workspace = window.workspace
        self._workspace = workspace
        self._settings = settings
        self._connected_dialer = connected_dialer
        self.service = VoicemailService(
            workspace.uow, workspace.clock, workspace.calling, lambda: workspace.current_settings().agent_name
        )
        self.wanted = False
        self.task: Task | None = None
        self._messages: dict[str, Path] = {}

    def reset(self) -> None:
        """A new call (or none): nothing is waiting to be played."""
        self.wanted = False

    def shutdown(self) -> None:
        if self.task is not None:
            self.task.wait(30)

    def _template_values(self) -> dict[str, str]:
        card = self._window.current_card
        settings = self._workspace.current_settings()
        values = {"agent_name": settings.agent_name, "firm": settings.firm_name}
        if card is not None:
            values.update(
                first_name=card.first_name, last_name=card.last_name, company=card.company, title=card.title
            )
        return values

    def prepare(self, start_only: bool = False) -> None:
        """Have the message for the lead on screen ready; play it too unless `start_only`."""
        settings, values = self._settings(), self._template_values()
        try:
            text = message_text(settings, values)
        except VoicemailError as error:
            if not start_only:
                self._failed(str(error))
            return
        key = "file:" + settings.voicemail_file if text is None else "text:" + text
        ready = self._messages.get(key)
        if ready is not None and ready.exists():
            if not start_only:
                self._play(ready)
            return
        if self.task is not None:
            return  # on_task_result plays it when it is wanted
        self.task = run_task(
            lambda _progress, _cancelled: (key, prepare_message(settings, values)),
            on_result=self.on_task_result,
            on_error=self.on_task_error,
        )

    @Slot(object)
    def on_task_result(self, value: tuple[str, Path]) -> None:
        self.task = None
        key, path = value
        self._messages[key] = path
        if self.wanted:
            self.prepare()

    @Slot(object)
    def on_task_error(self, error: BaseException) -> None:
        self.task = None
        if self.wanted:
            self._failed(str(error))

    @Slot()
    def on_dial_bar_voicemail_requested(self) -> None:
        window = self._window
        call, card = window.session.call, window.current_card
        if self._connected_dialer() is None or call is None or card is None or self.wanted:
            return
        bar = window.dial_bar
        try:
            self.service.authorize(call.attempt_id, card.id, call.number)
        except VoicemailRefused as refused:
            reasons = "; ".join(reason.detail for reason in refused.decision.reasons)
            bar.show_banner(
                self.tr("Voicemail not dropped, the gate refused it: {reasons}").format(reasons=reasons)
            )
            bar.set_call_controls(True, voicemail=False)
            window.reload_card()
            return
        self.wanted = True
        bar.set_call_controls(True, voicemail=False)
        bar.set_live_state(self.tr("Preparing the voicemail message…"), "live")
        self.prepare()

    def _play(self, path: Path) -> None:
        dialer = self._connected_dialer()
        if dialer is None:
            self.wanted = False
            return
        try:
            dialer.drop_voicemail(path)
        except DialError as error:
            self._failed(str(error))

    def _failed(self, reason: str) -> None:
        self.wanted = False
        bar = self._window.dial_bar
        bar.show_banner(self.tr("Voicemail not played: {reason}").format(reason=reason))
        if self._connected_dialer() is not None:
            bar.set_call_controls(True)
            bar.set_live_state(self.tr("Connected"), "live")
