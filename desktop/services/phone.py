"""The built-in softphone's session, without Qt: the SIP dialer's life, the live call's controls and
the voicemail drop.

`PhoneService` builds the `SipDialer` from the saved softphone settings when the SIP backend is
chosen and hands it to the workspace (`use_dialer`), so every call still goes through
`CallingService.start_call()` and its gate; it starts, restarts and stops baresip; it carries out
mute, hold and DTMF on the connected call it follows; and it drops the voicemail message — asking
the gate (`VoicemailService.authorize`) and playing in one call, so no caller can play a message the
gate has not allowed. The window's softphone view only shows what it reports and forwards clicks.

Events reach `add_listener` callbacks on the dialer's notifier thread (or the thread that prepared a
message); a GUI relays them to its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.services.clock import Clock
from desktop.services.sip_settings import SipSettings, SipSettingsError, SipSettingsService, softphone_problem
from desktop.services.voicemail import VoicemailError, VoicemailService, message_text, prepare_message
from desktop.services.workspace import Workspace
from desktop.telephony.baresip import BaresipOptions, CallEvent, RegistrationFailed, SipDialer
from desktop.telephony.call_states import CallSnapshot, CallState
from desktop.telephony.dialers import Dialer, DialError

__all__ = [
    "SIP_BACKEND",
    "CallEvent",
    "CallSnapshot",
    "CallState",
    "PhoneError",
    "PhoneService",
    "PhoneSetup",
    "PhoneStartFailed",
    "UnavailableDialer",
    "open_phone",
]

SIP_BACKEND = "sip"
# How long closing waits for a message still being prepared (text-to-speech takes seconds).
PREPARE_WAIT_S = 30.0

PhoneListener = Callable[[CallEvent], None]


class PhoneError(Exception):
    """An in-call request could not be carried out (no connected call, baresip refused)."""


class PhoneStartFailed(Exception):
    """baresip did not start; `refused` when the registrar turned the account down."""

    def __init__(self, message: str, refused: bool) -> None:
        super().__init__(message)
        self.refused = refused


class UnavailableDialer:
    """Stands in for the softphone when it cannot run: each dial says why (Manual and Hand-off still work)."""

    name = SIP_BACKEND

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def dial(self, e164: str, extension: str | None = None) -> None:
        raise DialError(self.reason)

    def hang_up(self) -> None:
        return None


@dataclass(frozen=True)
class PhoneSetup:
    """What `configure()` did. `state`: off (another backend), missing (no baresip), not_set_up
    (settings incomplete), unchanged (the running dialer fits), created (start it with `start()`)."""

    state: str
    reason: str = ""


class PhoneService:
    """One softphone for one workspace: configure, start, follow a call, control it, drop a message."""

    def __init__(
        self,
        sip_settings: SipSettingsService,
        use_dialer: Callable[[Dialer | None], None],
        voicemail: VoicemailService,
        clock: Clock,
        make_dialer: Callable[..., SipDialer] = SipDialer,
    ) -> None:
        self._sip_settings = sip_settings
        self._use_dialer = use_dialer
        self._voicemail = voicemail
        self._clock = clock
        self._make_dialer = make_dialer
        self.settings: SipSettings = sip_settings.load()
        self.enabled = False
        self._lock = threading.Lock()
        self._dialer: SipDialer | None = None
        self._config_key: tuple[Any, ...] | None = None
        self._listeners: list[PhoneListener] = []
        self._call_dialled_at: Any = None  # identifies the followed call among the dialer's events
        self._messages: dict[str, Path] = {}
        self._preparing: threading.Thread | None = None
        self._drop_lock = threading.RLock()
        self._drop_wanted = False
        self._played = False  # the message went into the followed call (once per call)
        self._wanted_values: Mapping[str, str] = {}

    # -- listeners -------------------------------------------------------------------------------

    def add_listener(self, listener: PhoneListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: PhoneListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _relay(self, event: CallEvent) -> None:
        # Runs on the dialer's notifier thread: events of a dialer replaced meanwhile are dropped.
        with self._lock:
            current = self._dialer
            listeners = list(self._listeners)
        if current is None:
            return
        for listener in listeners:
            listener(event)

    def _notify(self, kind: str, detail: str = "") -> None:
        dialer = self._dialer
        event = CallEvent(kind, self._clock(), dialer.call if dialer is not None else None, detail)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)

    # -- the dialer's life -----------------------------------------------------------------------

    @property
    def dialer(self) -> SipDialer | None:
        return self._dialer

    @property
    def registers(self) -> bool:
        """True when the account registers with a registrar (else it only places calls)."""
        dialer = self._dialer
        return dialer is not None and dialer.account.registers

    @property
    def address(self) -> str:
        """The account's address of record ("sip:agent@example.com"), "" without a dialer."""
        dialer = self._dialer
        return dialer.account.aor if dialer is not None else ""

    def configure(self, backend: str, before_close: Callable[[], None] | None = None) -> PhoneSetup:
        """Follow the settings: a dialer for the SIP backend (made, not started), none otherwise.
        A dialer replaced or stopped is closed after `before_close` (see `stop`)."""
        self.settings = self._sip_settings.load()
        self.enabled = backend == SIP_BACKEND
        if not self.enabled:
            self.stop(before_close)
            self._use_dialer(None)
            return PhoneSetup("off")
        problem = softphone_problem()
        if problem is not None:
            self._unavailable(problem, before_close)
            return PhoneSetup("missing", problem)
        try:
            account = self._sip_settings.account(self.settings)
            options = BaresipOptions(
                audio_source=self.settings.audio_source, audio_player=self.settings.audio_player
            )
        except (SipSettingsError, ValueError) as error:
            self._unavailable(f"the softphone is not set up: {error} (File → Settings)", before_close)
            return PhoneSetup("not_set_up", str(error))
        key = (account, options, self.settings.ring_time_s, self.settings.extension_pause_s)
        if self._dialer is not None and key == self._config_key:
            self._use_dialer(self._dialer)
            return PhoneSetup("unchanged")
        self.stop(before_close)
        dialer = self._make_dialer(
            account,
            options,
            ring_timeout_s=self.settings.ring_time_s,
            extension_pause_s=self.settings.extension_pause_s,
        )
        self._config_key = key
        with self._lock:
            self._dialer = dialer
        dialer.add_listener(self._relay)
        self._use_dialer(dialer)
        return PhoneSetup("created")

    def _unavailable(self, reason: str, before_close: Callable[[], None] | None) -> None:
        self.stop(before_close)
        self._use_dialer(UnavailableDialer(reason))

    def start(self) -> object | None:
        """Start baresip (restart it when it runs); blocks until registered. Returns the dialer it
        started, to compare with `dialer` afterwards (None when there was none). Run off a GUI thread."""
        dialer = self._dialer
        if dialer is None:
            return None
        try:
            if dialer.running:
                dialer.restart()
            else:
                dialer.start()
        except RegistrationFailed as error:
            raise PhoneStartFailed(str(error), refused=True) from error
        except Exception as error:  # noqa: BLE001 - whatever stops baresip is shown, not raised further
            raise PhoneStartFailed(str(error), refused=False) from error
        return dialer

    def is_running(self, started: object | None) -> bool:
        """True when `started` (what `start()` returned) is still this phone's dialer and runs."""
        dialer = self._dialer
        return dialer is not None and dialer is started and dialer.running

    def stop(self, before_close: Callable[[], None] | None = None) -> None:
        """Stop listening, then close baresip (hangs up a call). `before_close` runs in between (the
        window waits there for a start still running)."""
        with self._lock:
            dialer, self._dialer = self._dialer, None
        if dialer is not None:
            dialer.remove_listener(self._relay)
        self._config_key = None
        if before_close is not None:
            before_close()
        if dialer is not None:
            dialer.close()

    def shutdown(self, before_close: Callable[[], None] | None = None) -> None:
        """The window closes: let a message being prepared finish, then stop baresip."""
        thread = self._preparing
        if thread is not None:
            thread.join(PREPARE_WAIT_S)
        self.stop(before_close)

    # -- the followed call -----------------------------------------------------------------------

    def follow_call(self, backend: str) -> bool:
        """A call was just placed through the gate: follow it if it went to this softphone."""
        dialer = self._dialer
        if not self.enabled or dialer is None or backend != SIP_BACKEND:
            return False
        snapshot = dialer.call
        self._call_dialled_at = snapshot.dialled_at if snapshot is not None else None
        with self._drop_lock:
            self._drop_wanted = self._played = False
        return True

    def forget_call(self) -> None:
        self._call_dialled_at = None
        with self._drop_lock:
            self._drop_wanted = self._played = False

    def is_ours(self, call: CallSnapshot | None) -> bool:
        return (
            call is not None
            and self._call_dialled_at is not None
            and call.dialled_at == self._call_dialled_at
        )

    def _connected_dialer(self) -> SipDialer | None:
        dialer = self._dialer
        call = dialer.call if dialer is not None else None
        if dialer is None or call is None or not self.is_ours(call) or call.state is not CallState.CONNECTED:
            return None
        return dialer

    @property
    def connected(self) -> bool:
        """True while the followed call is connected (in-call controls and the drop work)."""
        return self._connected_dialer() is not None

    def _control(self, action: Callable[[SipDialer], None]) -> None:
        dialer = self._connected_dialer()
        if dialer is None:
            raise PhoneError("no connected call")
        try:
            action(dialer)
        except DialError as error:
            raise PhoneError(str(error)) from error

    def set_muted(self, muted: bool) -> None:
        self._control(lambda dialer: dialer.set_muted(muted))

    def set_on_hold(self, hold: bool) -> None:
        self._control(lambda dialer: dialer.hold() if hold else dialer.resume())

    def send_dtmf(self, digits: str) -> None:
        self._control(lambda dialer: dialer.send_dtmf(digits))

    # -- the voicemail drop ----------------------------------------------------------------------

    def prepare_voicemail(self, values: Mapping[str, str]) -> None:
        """Have the message for this lead ready before it is wanted (while the number rings)."""
        self._message(values, play=False)

    def leave_voicemail(self, attempt_id: int, lead_id: int, number: str, values: Mapping[str, str]) -> bool:
        """Ask the gate, then play the message into the connected call (once it is prepared).

        Raises `VoicemailRefused` (recorded in the call's history) when the gate says no. False when
        there is nothing to do (no connected call, a drop already under way). A message that cannot
        be made or played is reported as a `voicemail_failed` event.
        """
        if self._connected_dialer() is None or self._drop_wanted:
            return False
        self._voicemail.authorize(attempt_id, lead_id, number)
        with self._drop_lock:
            self._drop_wanted = True
            self._wanted_values = dict(values)
        self._message(values, play=True)
        return True

    def _message(self, values: Mapping[str, str], play: bool) -> None:
        settings = self.settings
        try:
            text = message_text(settings, values)
        except VoicemailError as error:
            if play:
                self._failed(str(error))
            return
        key = "file:" + settings.voicemail_file if text is None else "text:" + text
        with self._drop_lock:  # the preparing thread checks the cache and the wish under the same lock
            ready = self._messages.get(key)
            if ready is None or not ready.exists():
                if self._preparing is None or not self._preparing.is_alive():
                    self._preparing = threading.Thread(
                        target=self._prepare,
                        args=(key, settings, dict(values)),
                        name="voicemail-message",
                        daemon=True,
                    )
                    self._preparing.start()
                return  # the preparation under way plays it when it is wanted
        if play:
            self._play(ready)

    def _prepare(self, key: str, settings: SipSettings, values: Mapping[str, str]) -> None:
        try:
            path = prepare_message(settings, values)
        except Exception as error:  # noqa: BLE001 - a message that cannot be made is reported
            with self._drop_lock:
                self._preparing = None
                wanted = self._drop_wanted
            if wanted:
                self._failed(str(error))
            return
        with self._drop_lock:
            self._messages[key] = path
            self._preparing = None
            wanted = self._drop_wanted
        if wanted:
            self._message(self._wanted_values, play=True)

    def _play(self, path: Path) -> None:
        with self._drop_lock:
            if self._played:
                return  # the click and the end of the preparation both got here: play once
            self._played = True
        dialer = self._connected_dialer()
        if dialer is None:
            with self._drop_lock:
                self._drop_wanted = self._played = False
            return
        try:
            dialer.drop_voicemail(path)
        except DialError as error:
            self._failed(str(error))

    def _failed(self, reason: str) -> None:
        with self._drop_lock:
            self._drop_wanted = self._played = False
        self._notify("voicemail_failed", reason)


def open_phone(workspace: Workspace) -> PhoneService:
    """The softphone of `workspace`: its saved settings, its dialer slot, its gate for voicemail drops."""
    voicemail = VoicemailService(
        workspace.uow, workspace.clock, workspace.calling, lambda: workspace.current_settings().agent_name
    )
    return PhoneService(workspace.sip_settings, workspace.use_dialer, voicemail, workspace.clock)
