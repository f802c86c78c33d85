"""Voicemail drops: the gate's decision on playing a recorded message into a call, and the message.

A drop plays a prerecorded message, which some rules forbid (consumers without written consent,
Florida and Oklahoma without written consent), so before anything is played the gate decides again
with `prerecorded=True`. That decision is recorded like every other: an audit event with its
reasons, and a note on the call's attempt so the lead's history shows it.

`prepare_message()` renders a template text (with the lead's fields) or converts a WAV file into
the 8 kHz mono file a call carries; it blocks for seconds, so the GUI runs it off its thread.
Results are cached by content (desktop.speech), so the same message is rendered once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from desktop.domain.compliance import Decision
from desktop.services.agents import recording_name
from desktop.services.calling import CallingError, CallingService
from desktop.services.clock import Clock
from desktop.services.sip_settings import SipSettings
from desktop.speech import AudioError, SpeechError, fill_template, prepare_for_phone, render_wav
from desktop.speech.phone_audio import default_cache_dir
from desktop.storage.uow import UnitOfWorkFactory


class VoicemailRefused(CallingError):
    """The gate refused the recorded message; `decision` holds the reasons (already recorded)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__("voicemail refused: " + "; ".join(r.detail for r in decision.reasons))
        self.decision = decision


class VoicemailError(CallingError):
    """No message is set, or it cannot be rendered or converted; the message says what to fix."""


class VoicemailService:
    """Asks the gate about a drop (and records the answer); prepares message files."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        calling: CallingService,
        agent_name: Callable[[], str],
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._calling = calling
        self._agent_name = agent_name

    def authorize(self, attempt_id: int, lead_id: int, number: str) -> Decision:
        """The gate's decision on a recorded message to this call; VoicemailRefused when blocked."""
        result = self._calling.check(lead_id, number=number, prerecorded=True)
        decision = result.decision
        now = self._clock()
        with self._uow_factory() as uow:
            agent = uow.agents.get_or_create(recording_name(self._agent_name()))
            detail = {
                "attempt_id": attempt_id,
                "lead_id": lead_id,
                "number": number,
                "allowed": decision.allowed,
                "decision": json.loads(result.record),
            }
            uow.audit.record("voicemail_gate", json.dumps(detail, ensure_ascii=False), agent.id, now)
            attempt = uow.attempts.get(attempt_id)
            if attempt is not None:
                note = (
                    "voicemail drop allowed by the gate"
                    if decision.allowed
                    else "voicemail drop refused: " + "; ".join(r.detail for r in decision.reasons)
                )
                attempt.note = (attempt.note + "\n" + note).strip()
            uow.commit()
        if not decision.allowed:
            raise VoicemailRefused(decision)
        return decision


def message_text(settings: SipSettings, values: Mapping[str, str]) -> str | None:
    """The spoken text of the message for this lead, or None when a WAV file is set instead."""
    if settings.voicemail_file.strip():
        return None
    if not settings.voicemail_text.strip():
        raise VoicemailError(
            "no voicemail message is set: choose a WAV file or write a message text in Settings"
        )
    try:
        return fill_template(settings.voicemail_text, values)
    except SpeechError as error:
        raise VoicemailError(str(error)) from None


def prepare_message(settings: SipSettings, values: Mapping[str, str], cache_dir: Path | None = None) -> Path:
    """The phone-ready WAV to drop for a lead (blocking: seconds for speech, cached afterwards)."""
    try:
        text = message_text(settings, values)
        if text is None:
            source = Path(settings.voicemail_file).expanduser()
            if not source.is_file():
                raise VoicemailError(f"the voicemail file {source} does not exist")
            return prepare_for_phone(source, cache_dir)
        folder = cache_dir or default_cache_dir()
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
        spoken = folder / f"tts-{key}.wav"
        if not spoken.exists():
            render_wav(text, spoken)
        return prepare_for_phone(spoken, folder)
    except (AudioError, SpeechError) as error:
        raise VoicemailError(str(error)) from None
