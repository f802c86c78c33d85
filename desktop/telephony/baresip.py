"""The built-in SIP backend: `SipDialer` places calls through a baresip child process.

Qt-free and thread-safe. Events (`CallEvent`: ringing, connected, ended …) reach listeners on one
notifier thread of their own, in order, so a listener may call back into the dialer (drop a
voicemail when the call connects) without blocking baresip's reader; `subscribe()` gives a queue
instead. A GUI adapter turns either into Qt signals. Every wait has a timeout: a wedged or crashed
baresip makes a `BaresipError` (a `DialError`) or a `backend_down` event, never a hang.

Like every backend, it dials only when `services.calling.CallingService.start_call()` tells it to.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from desktop.telephony.baresip_process import BaresipProcess
from desktop.telephony.baresip_setup import BaresipError, BaresipNotInstalled, BaresipOptions, find_baresip
from desktop.telephony.call_states import (
    DEFAULT_RING_TIMEOUT_S,
    MIN_RING_TIMEOUT_S,
    CallSnapshot,
    CallState,
    CallTracker,
    validate_ring_timeout,
)
from desktop.telephony.ctrl_protocol import CtrlEvent
from desktop.telephony.dialers import DialError
from desktop.telephony.sip_account import SipAccount
from desktop.telephony.sip_events import (
    COMMA_PAUSE_S,
    DEFAULT_EXTENSION_PAUSE_S,
    DTMF_DIGITS,
    CallEvent,
    Listener,
    RegistrationFailed,
    check_digits,
    check_phone_wav,
    now_utc,
    registrar_reason,
    registration_status,
)

__all__ = [
    "BaresipError",
    "BaresipNotInstalled",
    "BaresipOptions",
    "CallEvent",
    "RegistrationFailed",
    "SipDialer",
    "find_baresip",
    "registration_status",
]


class SipDialer:
    """Places calls through baresip, follows their signalling, and can drop a voicemail into them."""

    name = "sip"

    def __init__(
        self,
        account: SipAccount,
        options: BaresipOptions | None = None,
        *,
        ring_timeout_s: float = DEFAULT_RING_TIMEOUT_S,
        extension_pause_s: float = DEFAULT_EXTENSION_PAUSE_S,
        min_ring_timeout_s: float = MIN_RING_TIMEOUT_S,
    ) -> None:
        # `min_ring_timeout_s` exists for tests against a local peer; users get the product minimum.
        if min_ring_timeout_s == MIN_RING_TIMEOUT_S:
            validate_ring_timeout(ring_timeout_s)
        elif ring_timeout_s < min_ring_timeout_s:
            raise ValueError(f"ring time {ring_timeout_s:g} s is under {min_ring_timeout_s:g} s")
        self.account = account
        self.options = options or BaresipOptions()
        self.ring_timeout_s = float(ring_timeout_s)
        self.extension_pause_s = max(0.0, float(extension_pause_s))
        self._lock = threading.RLock()
        self._start_lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._process: BaresipProcess | None = None
        self._tracker: CallTracker | None = None
        self._extension: str | None = None
        self._timers: list[threading.Timer] = []
        self._muted = False
        self._on_hold = False
        self._registration_detail = ""
        # While start() runs, registration is reported by start() itself (it asks baresip for the state).
        self._starting = False
        self._listeners: list[Listener] = []
        self._outbox: queue.Queue[CallEvent | None] = queue.Queue()
        self._notifier = threading.Thread(target=self._notify_loop, name="sip-events", daemon=True)
        self._notifier.start()
        self._closed = False

    # -- listening --------------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` for every event, on the dialer's notifier thread (keep it short)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def subscribe(self) -> queue.Queue[CallEvent]:
        """A queue that receives every later event (for a thread that polls rather than listens)."""
        events: queue.Queue[CallEvent] = queue.Queue()
        self.add_listener(events.put)
        return events

    def _emit(self, kind: str, detail: str = "") -> None:
        call = self._tracker.snapshot if self._tracker is not None else None
        self._outbox.put(CallEvent(kind, now_utc(), call, detail))

    def _notify_loop(self) -> None:
        while (event := self._outbox.get()) is not None:
            with self._lock:
                listeners = list(self._listeners)
            for listener in listeners:
                with contextlib.suppress(Exception):
                    listener(event)

    # -- the backend ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        process = self._process
        return process is not None and process.alive

    @property
    def pid(self) -> int | None:
        """baresip's process id while it runs (for diagnostics and tests)."""
        process = self._process
        return process.pid if process is not None and process.alive else None

    @property
    def call(self) -> CallSnapshot | None:
        with self._lock:
            return self._tracker.snapshot if self._tracker is not None else None

    def start(self) -> None:
        """Start baresip and register the account if it registers. Idempotent; restarts a dead one."""
        with self._start_lock:
            if self._closed:
                raise BaresipError("this SIP session is closed")
            if self._process is not None:
                if self._process.alive:
                    return
                self._process.stop()
                self._process = None
            self._registration_detail = ""
            self._starting = True
            try:
                self._start_process()
            finally:
                self._starting = False

    def _start_process(self) -> None:
        process = BaresipProcess(self.account, self.options, self._on_ctrl_event, self._on_down)
        process.start()
        self._process = process
        with self._lock:
            self._emit("backend_started", f"pid {process.pid}")
        if self.account.registers:
            try:
                self._await_registration(process)
            except BaseException:
                self._process = None
                process.stop()
                raise

    def restart(self) -> None:
        """Stop baresip (ending any call) and start a fresh one."""
        self._stop_process()
        self.start()

    def _await_registration(self, process: BaresipProcess) -> None:
        deadline = time.monotonic() + self.options.register_timeout_s
        # Events sent before our connection existed are lost, so ask for the state as well.
        while True:
            status = registration_status(process.command("reginfo").data)
            if status in ("ok", "none"):
                with self._lock:
                    self._emit("registered", self.account.aor)
                return
            if status == "failed":
                time.sleep(0.1)  # let a REGISTER_FAIL event with the SIP reason arrive
                detail = self._registration_detail or registrar_reason(process.output_tail(30))
                with self._lock:
                    self._emit("registration_failed", detail)
                raise RegistrationFailed(
                    f"the registrar refused the SIP account {self.account.aor}"
                    + (f": {detail}" if detail else "")
                )
            if time.monotonic() > deadline:
                with self._lock:
                    self._emit("registration_failed", "no answer from the registrar")
                raise RegistrationFailed(
                    f"no answer from the registrar for {self.account.aor} within "
                    f"{self.options.register_timeout_s:g} s"
                )
            time.sleep(0.1)

    def _command(self, name: str, params: str | None = None) -> str:
        process = self._process
        if process is None or not process.alive:
            raise BaresipError("baresip is not running")
        response = process.command(name, params)
        if not response.ok:
            raise BaresipError(f"baresip refused {name!r}: {response.data.strip() or 'no reason given'}")
        return response.data

    # -- calls ------------------------------------------------------------------------------------

    def dial(self, e164: str, extension: str | None = None) -> None:
        """Place a call to an allowed number (the gate has decided); returns once baresip dialled."""
        # An odd character in a stored extension must not cost the call: the agent can key the rest.
        extension = "".join(c for c in (extension or "").upper() if c in DTMF_DIGITS or c == ",")
        with self._lock:
            if self._tracker is not None and not self._tracker.snapshot.terminal:
                raise DialError("a call is already in progress; hang up first")
        self.start()
        uri = self.account.dial_uri(e164)
        # A voicemail switched the source to its file; every call starts on the live source again.
        self._command("ausrc", self.options.audio_source)
        with self._lock:
            self._cancel_timers()
            self._tracker = CallTracker(uri, now_utc())
            self._extension = extension if extension.strip(",") else None
            self._muted = self._on_hold = False
            self._emit("dialling", uri)
        try:
            dialling = self.account.dialling_account()
            if dialling is not None:
                # The account whose From shows the caller ID places the call (uafind makes it current).
                self._command("uafind", dialling.aor)
            self._command("dial", uri)
        except BaresipError as error:
            with self._lock:
                if self._tracker is not None and self._tracker.fail(str(error), now_utc()):
                    self._emit("ended", str(error))
                    self._ended.notify_all()
            raise
        self._schedule(self.ring_timeout_s, self._on_ring_timeout)

    def hang_up(self) -> None:
        """End the current call (or stop it ringing); nothing happens when there is no call."""
        with self._lock:
            tracker = self._tracker
            if tracker is None or tracker.snapshot.terminal:
                return
            tracker.on_local_hangup()
        with contextlib.suppress(BaresipError):
            self._command("hangup")

    def wait_until_ended(self, timeout: float) -> CallSnapshot | None:
        """Block up to `timeout` seconds for the current call to end; its final snapshot, or None."""
        deadline = time.monotonic() + timeout
        with self._ended:
            while self._tracker is not None and not self._tracker.snapshot.terminal:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._ended.wait(left)
            return self._tracker.snapshot if self._tracker is not None else None

    def send_dtmf(self, digits: str) -> None:
        """Send touch tones (RFC 4733 events) into the connected call: 0-9 * # A-D."""
        digits = digits.upper()
        check_digits(digits)
        self._require_connected("send touch tones")
        self._command("sndcode", digits)
        with self._lock:
            self._emit("dtmf_sent", digits)

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute the microphone (baresip only toggles, so the state is tracked here)."""
        self._require_connected("mute")
        with self._lock:
            if self._muted == muted:
                return
        data = self._command("mute")
        now_muted = "un-muted" not in data if "muted" in data else muted
        with self._lock:
            self._muted = now_muted
            self._emit("muted" if now_muted else "unmuted")

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def on_hold(self) -> bool:
        return self._on_hold

    def hold(self) -> None:
        self._require_connected("hold")
        self._command("hold")
        with self._lock:
            self._on_hold = True
            self._emit("on_hold")

    def resume(self) -> None:
        self._require_connected("resume")
        self._command("resume")
        with self._lock:
            self._on_hold = False
            self._emit("resumed")

    def drop_voicemail(self, wav_path: str | Path) -> None:
        """Play a prepared message (8 kHz mono 16-bit WAV) into the connected call; baresip hangs up
        when it ends. Prepare files with `desktop.speech.prepare_for_phone` beforehand."""
        path = Path(wav_path).resolve()
        check_phone_wav(path)
        self._require_connected("leave a voicemail")
        data = self._command("ausrc", f"aufile,{path}")
        if "failed" in data or "no such" in data:
            raise BaresipError(f"baresip could not play {path}: {data.strip()}")
        with self._lock:
            if self._tracker is not None:
                for kind in self._tracker.on_voicemail_started():
                    self._emit(kind, str(path))

    def _require_connected(self, what: str) -> None:
        with self._lock:
            snapshot = self._tracker.snapshot if self._tracker is not None else None
        if snapshot is None or snapshot.state is not CallState.CONNECTED:
            raise DialError(f"cannot {what}: no connected call")

    # -- reactions (reader, timer and notifier threads) -------------------------------------------

    def _on_ctrl_event(self, event: CtrlEvent) -> None:
        with self._lock:
            if event.type == "REGISTER_OK":
                if not self._starting:
                    self._emit("registered", event.param)
                return
            if event.type == "REGISTER_FAIL":
                self._registration_detail = event.param
                if not self._starting:
                    self._emit("registration_failed", event.param)
                return
            tracker = self._tracker
            if tracker is None:
                return
            for kind in tracker.on_event(event, now_utc()):
                self._emit(kind, event.param)
                if kind == "connected" and self._extension:
                    self._schedule(self.extension_pause_s, self._send_extension)
                elif kind == "voicemail_finished":
                    # baresip closes the call at the end of the file; make sure of it.
                    self._schedule(2.0, self.hang_up)
                elif kind == "ended":
                    self._call_over()

    def _on_down(self, reason: str) -> None:
        with self._lock:
            if self._tracker is not None and self._tracker.on_backend_down(reason, now_utc()):
                self._emit("ended", reason)
                self._call_over()
            self._emit("backend_down", reason)

    def _call_over(self) -> None:
        self._cancel_timers()
        self._ended.notify_all()

    def _on_ring_timeout(self) -> None:
        with self._lock:
            hang_up = self._tracker is not None and self._tracker.on_ring_timeout()
        if hang_up:
            with contextlib.suppress(BaresipError):
                self._command("hangup")

    def _send_extension(self) -> None:
        with self._lock:
            extension = self._extension
        if not extension:
            return
        groups = extension.split(",")
        for index, digits in enumerate(groups):
            if index:
                time.sleep(COMMA_PAUSE_S)
            if not digits:
                continue
            try:
                self._require_connected("send the extension")
                self._command("sndcode", digits)
            except DialError:
                return
        with self._lock:
            self._emit("extension_sent", extension)

    def _schedule(self, delay: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(delay, action)
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
        timer.start()

    def _cancel_timers(self) -> None:
        current = threading.current_thread()
        for timer in self._timers:
            if timer is not current:
                timer.cancel()
        self._timers = [t for t in self._timers if t is current]

    # -- the end ----------------------------------------------------------------------------------

    def _stop_process(self) -> None:
        with self._start_lock:
            process, self._process = self._process, None
        if process is not None:
            self.hang_up()
            process.stop()
            with self._lock:
                if self._tracker is not None and self._tracker.on_backend_down("baresip stopped", now_utc()):
                    self._emit("ended", "baresip stopped")
                    self._call_over()

    def close(self) -> None:
        """Hang up, stop baresip, remove its files, stop the notifier (after the last event)."""
        if self._closed:
            return
        self._stop_process()
        self._closed = True
        with self._lock:
            self._cancel_timers()
        self._outbox.put(None)
        if self._notifier is not threading.current_thread():
            self._notifier.join(timeout=2.0)

    def __enter__(self) -> SipDialer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
