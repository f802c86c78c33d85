"""The "Drop voicemail" button: the phone service asks the gate and plays; this shows what happened.

When the agent hears a voicemail greeting, one click asks `PhoneService.leave_voicemail()`, which has
the gate decide again with `prerecorded=True` (consumers without written consent are refused, and
the refusal is shown and recorded) and plays the prepared message into the call; baresip hangs up
when it ends and the softphone records "Voicemail" and shows the next lead. The message (a WAV file
or a template text spoken with the lead's fields) is prepared already while the number rings.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from desktop.services.phone import PhoneService
from desktop.services.voicemail import VoicemailRefused
from desktop.ui.calling.host import CallingHost


class VoicemailDrop(QObject):
    """Forwards the click to the phone service and shows its answer in the dial bar."""

    def __init__(self, host: CallingHost, phone: PhoneService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._phone = phone

    def _template_values(self) -> dict[str, str]:
        card = self._host.current_card
        settings = self._host.workspace.current_settings()
        values = {"agent_name": settings.agent_name, "firm": settings.firm_name}
        if card is not None:
            values.update(
                first_name=card.first_name, last_name=card.last_name, company=card.company, title=card.title
            )
        return values

    def prepare(self) -> None:
        """A call to the lead on screen started: have its message ready before it is wanted."""
        self._phone.prepare_voicemail(self._template_values())

    @Slot()
    def on_dial_bar_voicemail_requested(self) -> None:
        host = self._host
        call, card = host.session.call, host.current_card
        if call is None or card is None:
            return
        bar = host.dial_bar
        try:
            started = self._phone.leave_voicemail(
                call.attempt_id, card.id, call.number, self._template_values()
            )
        except VoicemailRefused as refused:
            reasons = "; ".join(reason.detail for reason in refused.decision.reasons)
            bar.show_banner(
                self.tr("Voicemail not dropped, the gate refused it: {reasons}").format(reasons=reasons)
            )
            bar.set_call_controls(True, voicemail=False)
            host.reload_card()
            return
        if not started:
            return
        bar.set_call_controls(True, voicemail=False)
        bar.set_live_state(self.tr("Preparing the voicemail message…"), "live")

    def show_failure(self, reason: str) -> None:
        """The message could not be made or played (reported by the phone service)."""
        bar = self._host.dial_bar
        bar.show_banner(self.tr("Voicemail not played: {reason}").format(reason=reason))
        if self._phone.connected:
            bar.set_call_controls(True)
            bar.set_live_state(self.tr("Connected"), "live")
