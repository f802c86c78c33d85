"""The built-in softphone in the window: baresip's life and the live call in the dial bar.

`Softphone` owns the `SipDialer` while the SIP backend is chosen in Settings and hands it to the
workspace (`use_dialer`), so every call still goes through `CallingService.start_call()` and its
gate. It follows the dialer's events (through `SipSignals`, on the GUI thread): the dial bar shows
dialling, ringing, connected (timer from the answer), busy, no answer, failed with the SIP reason,
ended; the outcome the signalling suggests is highlighted and Enter records it. The status bar
shows registration and a crashed baresip, with a Restart action. It also creates the voicemail
drop (`sip_voicemail`) and the power dialler (`power_dial`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QToolButton

from desktop.services.calling import CallStarted
from desktop.services.leads import display_number
from desktop.services.sip_settings import SipSettingsError, SipSettingsService, softphone_problem
from desktop.telephony.baresip import BaresipOptions, CallEvent, RegistrationFailed, SipDialer
from desktop.telephony.call_states import CallSnapshot, CallState
from desktop.telephony.dialers import DialError
from desktop.ui.calling.call_controls import CallControls
from desktop.ui.calling.dial_bar import format_timer, outcome_label
from desktop.ui.calling.phone_signals import SipSignals
from desktop.ui.calling.power_dial import PowerDialer
from desktop.ui.calling.session import ENDED, IDLE
from desktop.ui.calling.voicemail_drop import VoicemailDrop
from desktop.ui.common import style
from desktop.ui.common.workers import Task, run_task

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

SIP_BACKEND = "sip"


class UnavailableDialer:
    """Stands in for the softphone when it cannot run: each dial says why (Manual and Hand-off still work)."""

    name = SIP_BACKEND

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def dial(self, e164: str, extension: str | None = None) -> None:
        raise DialError(self.reason)

    def hang_up(self) -> None:
        return None


class Softphone(QObject):
    """Runs the SIP backend for one window and shows what it does."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        workspace = window.workspace
        self._workspace = workspace
        self.sip_settings: SipSettingsService = getattr(
            workspace, "sip_settings", None
        ) or SipSettingsService(workspace.uow)
        self.settings = self.sip_settings.load()
        self.enabled = False
        self.dialer: SipDialer | None = None
        self._config_key: tuple[Any, ...] | None = None
        self._reconfigure_after_call = False
        self.start_task: Task | None = None
        self._call_dialled_at: Any = None  # identifies the call on screen among the dialer's events

        self.signals = SipSignals(self)
        self.signals.callEvent.connect(self.on_sip_event, Qt.ConnectionType.QueuedConnection)
        self._build_status()
        bar = window.dial_bar
        self.controls = CallControls(window, self.connected_dialer)
        self.voicemail = VoicemailDrop(window, lambda: self.settings, self.connected_dialer)
        bar.voicemailRequested.connect(self.voicemail.on_dial_bar_voicemail_requested)
        window.session.callStarted.connect(self.on_session_call_started)
        window.session.stateChanged.connect(self.on_session_state_changed)
        window.file_actions.settingsSaved.connect(self.on_settings_saved)
        self.power = PowerDialer(
            window, bar.power_bar, workspace.clock, lambda: self.settings.power_countdown_s
        )
        self.configure()

    def _build_status(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("SoftphoneStatus")
        self.restart_action = QAction(self.tr("Restart softphone"), self._window)
        self.restart_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.restart_action.setToolTip(self.tr("Stop baresip and start it again (ends a call in progress)"))
        self.restart_action.triggered.connect(self.on_restart_triggered)
        self._window.addAction(self.restart_action)
        self.restart_button = QToolButton()
        self.restart_button.setDefaultAction(self.restart_action)
        status = self._window.statusBar()
        status.addPermanentWidget(self.restart_button)
        status.addPermanentWidget(self.status_label)
        self.status_label.hide()
        self.restart_button.hide()

    def set_status(self, text: str, tone: str = "", tip: str = "") -> None:
        colour = {"live": style.POSITIVE, "bad": style.DANGER}.get(tone, style.MUTED)
        self.status_label.setStyleSheet(f"color: {colour};")
        self.status_label.setText(text)
        self.status_label.setToolTip(tip or text)
        self.status_label.setVisible(self.enabled)
        # Restart is offered where it helps: baresip stopped, failed or missing (Ctrl+Shift+R works always).
        self.restart_button.setVisible(self.enabled and tone == "bad")

    # -- configuration ---------------------------------------------------------------------------

    def configure(self) -> None:
        """Follow Settings: run the softphone when the SIP backend is chosen, stop it otherwise."""
        self.settings = self.sip_settings.load()
        self.enabled = self._workspace.current_settings().backend == SIP_BACKEND
        self._window.dial_bar.set_softphone_visible(self.enabled)
        if not self.enabled:
            self._stop()
            self._workspace.use_dialer(None)
            self.set_status("")
            return
        problem = softphone_problem()
        if problem is not None:
            self._unavailable(
                problem, self.tr("Softphone: baresip is not installed (sudo apt-get install baresip-core)")
            )
            return
        try:
            account = self.sip_settings.account(self.settings)
            options = BaresipOptions(
                audio_source=self.settings.audio_source, audio_player=self.settings.audio_player
            )
        except (SipSettingsError, ValueError) as error:
            self._unavailable(
                f"the softphone is not set up: {error} (File → Settings)",
                self.tr("Softphone: not set up (File → Settings)"),
            )
            return
        key = (account, options, self.settings.ring_time_s, self.settings.extension_pause_s)
        if self.dialer is not None and key == self._config_key:
            self._workspace.use_dialer(self.dialer)
            return
        self._stop()
        self.dialer = SipDialer(
            account,
            options,
            ring_timeout_s=self.settings.ring_time_s,
            extension_pause_s=self.settings.extension_pause_s,
        )
        self._config_key = key
        self.signals.attach(self.dialer)
        self._workspace.use_dialer(self.dialer)
        self.start_backend()

    def _unavailable(self, reason: str, status: str) -> None:
        self._stop()
        self._workspace.use_dialer(UnavailableDialer(reason))
        self.set_status(status, "bad")

    def start_backend(self) -> None:
        """Start (or restart) baresip off the GUI thread; registration can take seconds."""
        dialer = self.dialer
        if dialer is None or self.start_task is not None:
            return
        self.set_status(self.tr("Softphone starting…"))
        restart = dialer.running

        def start(_progress: object, _cancelled: object) -> SipDialer:
            if restart:
                dialer.restart()
            else:
                dialer.start()
            return dialer

        self.start_task = run_task(
            start, on_result=self.on_start_task_result, on_error=self.on_start_task_error
        )

    @Slot(object)
    def on_start_task_result(self, started: SipDialer) -> None:
        self.start_task = None
        dialer = self.dialer
        if dialer is None or dialer is not started or not dialer.running:
            return  # replaced by new settings meanwhile: its own start reports
        if dialer.account.registers:
            self._show_registered(dialer.account.aor)
        else:
            self._show_ready()

    @Slot(object)
    def on_start_task_error(self, error: BaseException) -> None:
        self.start_task = None
        if isinstance(error, RegistrationFailed):
            self.set_status(self.tr("Softphone: registration refused: {error}").format(error=error), "bad")
        else:
            self.set_status(self.tr("Softphone could not start: {error}").format(error=error), "bad")

    def _stop(self) -> None:
        self.signals.detach()
        dialer, self.dialer = self.dialer, None
        self._config_key = None
        if self.start_task is not None:
            self.start_task.wait(15)
            self.start_task = None
        if dialer is not None:
            dialer.close()

    def shutdown(self) -> None:
        """The window closes: stop counting down, hang up, stop baresip (no child outlives the window)."""
        self.power.stop_countdown()
        self.voicemail.shutdown()
        self._stop()

    @Slot()
    def on_settings_saved(self) -> None:
        if self._window.session.live:
            self._reconfigure_after_call = True
            return
        self.configure()

    @Slot()
    def on_restart_triggered(self) -> None:
        if not self.enabled:
            return
        if self.dialer is None:
            self.configure()
        else:
            self.start_backend()

    # -- the live call ---------------------------------------------------------------------------

    @Slot(object)
    def on_session_call_started(self, call: CallStarted) -> None:
        dialer = self.dialer
        if not self.enabled or dialer is None or call.backend != SIP_BACKEND:
            return
        snapshot = dialer.call
        self._call_dialled_at = snapshot.dialled_at if snapshot is not None else None
        self._window.session.waits_for_answer = True
        self.voicemail.reset()
        self.voicemail.prepare(start_only=True)

    @Slot(str)
    def on_session_state_changed(self, state: str) -> None:
        if state == IDLE:
            self._call_dialled_at = None
            self.voicemail.reset()
            self.controls.close_pad()
            if self._reconfigure_after_call:
                self._reconfigure_after_call = False
                self.configure()

    def _ours(self, call: CallSnapshot | None) -> bool:
        return (
            call is not None
            and self._call_dialled_at is not None
            and call.dialled_at == self._call_dialled_at
        )

    @Slot(object)
    def on_sip_event(self, event: CallEvent) -> None:
        self._show_backend_event(event)
        if not self._ours(event.call):
            return
        assert event.call is not None
        bar = self._window.dial_bar
        kind = event.kind
        if kind == "dialling":
            bar.set_live_state(self.tr("Dialling {number}…").format(number=self._number()))
        elif kind == "ringing":
            bar.set_live_state(self.tr("Ringing {number}…").format(number=self._number()))
        elif kind == "connected":
            self._window.session.mark_answered(self._workspace.clock())
            bar.set_elapsed(0)
            bar.set_live_state(self.tr("Connected with {number}").format(number=self._number()), "live")
            bar.set_call_controls(True)
        elif kind in ("muted", "unmuted"):
            bar.set_toggle(bar.mute_button, kind == "muted")
        elif kind in ("on_hold", "resumed"):
            bar.set_toggle(bar.hold_button, kind == "on_hold")
            text = self.tr("On hold") if kind == "on_hold" else self.tr("Connected")
            bar.set_live_state(text, "live")
        elif kind == "extension_sent":
            self._window.statusBar().showMessage(
                self.tr("Extension {digits} sent").format(digits=event.detail), 5000
            )
        elif kind == "voicemail_started":
            bar.set_call_controls(True, voicemail=False)
            bar.set_live_state(self.tr("Leaving the voicemail message…"), "live")
        elif kind == "ended":
            self.on_call_ended(event.call)

    def _number(self) -> str:
        call = self._window.session.call
        return display_number(call.number, call.number) if call is not None else ""

    def _show_registered(self, aor: str) -> None:
        # Short in the crowded status bar; the address is in the tooltip.
        self.set_status(
            self.tr("Softphone registered"), "live", self.tr("Registered as {aor}").format(aor=aor)
        )

    def _show_ready(self) -> None:
        self.set_status(
            self.tr("Softphone ready"), "live", self.tr("Ready to call (this account does not register)")
        )

    def _show_backend_event(self, event: CallEvent) -> None:
        if event.kind == "backend_started":
            # Also after a dial restarted a stopped baresip by itself.
            dialer = self.dialer
            if dialer is not None and dialer.account.registers:
                self.set_status(self.tr("Softphone registering…"))
            else:
                self._show_ready()
        elif event.kind == "registered":
            self._show_registered(event.detail)
        elif event.kind == "registration_failed":
            self.set_status(
                self.tr("Softphone: registration refused: {reason}").format(reason=event.detail), "bad"
            )
        elif event.kind == "backend_down":
            message = self.tr("Softphone stopped: {reason}").format(reason=event.detail)
            self.set_status(message + " — " + self.tr("Restart it (Ctrl+Shift+R)"), "bad")
            self._window.statusBar().showMessage(message, 10000)

    def on_call_ended(self, call: CallSnapshot) -> None:
        window = self._window
        bar = window.dial_bar
        if window.session.live:
            window.on_hang_up_requested()
        bar.set_call_controls(False)
        self.controls.close_pad()
        if call.voicemail_started and not call.backend_lost:
            window.record_outcome("voicemail")
            return
        if window.session.state != ENDED:
            return
        text, tone = self.describe_end(call)
        suggestion = call.suggested_outcome
        bar.set_suggestion(suggestion)
        if suggestion is not None:
            text += " " + self.tr("Suggested: {label}. Enter records it; 1–0 record another outcome.").format(
                label=outcome_label(window.rules.get(suggestion))
            )
        else:
            text += " " + self.tr("What happened? Press 1–0.")
        bar.set_live_state(text, tone)
        bar.set_elapsed(call.duration_s or 0.0)
        if call.backend_lost:
            bar.show_banner(
                self.tr(
                    "The softphone stopped during the call ({reason}). Record what happened with 1–0; "
                    "Restart the softphone (Ctrl+Shift+R) before the next call."
                ).format(reason=call.reason)
            )

    def describe_end(self, call: CallSnapshot) -> tuple[str, str]:
        """What the end of a call looks like to the agent, and its tone."""
        reason = call.reason.strip()
        if call.backend_lost:
            return self.tr("The softphone stopped: {reason}.").format(reason=reason), "bad"
        if call.state is CallState.BUSY:
            return self.tr("Busy ({reason}).").format(reason=reason or "486"), "bad"
        if call.state is CallState.NO_ANSWER:
            if call.ring_timed_out:
                return self.tr("No answer after {n} s of ringing.").format(
                    n=f"{self.settings.ring_time_s:g}"
                ), "bad"
            return self.tr("No answer ({reason}).").format(reason=reason), "bad"
        if call.state is CallState.FAILED:
            return self.tr("Failed: {reason}.").format(reason=reason or self.tr("no reason given")), "bad"
        if call.answered:
            return self.tr("Call ended after {time}.").format(time=format_timer(call.duration_s or 0)), ""
        return self.tr("Call cancelled before the answer."), ""

    def confirm_suggestion(self) -> bool:
        """Enter after a call: record the highlighted suggestion. True when it did."""
        window = self._window
        code = window.dial_bar.suggested
        if code is None or window.session.state != ENDED or window.outcome_dialog is not None:
            return False
        window.record_outcome(code)
        return True

    # -- the connected call ------------------------------------------------------------------------

    def connected_dialer(self) -> SipDialer | None:
        dialer = self.dialer
        call = dialer.call if dialer is not None else None
        if dialer is None or call is None or not self._ours(call) or call.state is not CallState.CONNECTED:
            return None
        return dialer
