"""The built-in softphone in the window: what `PhoneService` reports, shown in the dial bar and the
status bar.

`PhoneService` (Qt-free) owns the SIP dialer: it follows Settings, starts and stops baresip, carries
out the in-call controls and the voicemail drop. `Softphone` starts it off the GUI thread, follows
its events (through `PhoneSignals`, on the GUI thread) and shows them: the dial bar shows dialling,
ringing, connected (timer from the answer), busy, no answer, failed with the SIP reason, ended; the
outcome the signalling suggests is highlighted and Enter records it. The status bar shows
registration and a crashed baresip, with a Restart action. It also creates the in-call controls
(`call_controls`), the voicemail drop (`voicemail_drop`) and the power dialler (`power_dial`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QToolButton

from desktop.services.calling import CallStarted
from desktop.services.leads import display_number
from desktop.services.phone import (
    SIP_BACKEND,
    CallEvent,
    CallSnapshot,
    CallState,
    PhoneService,
    PhoneStartFailed,
    open_phone,
)
from desktop.services.sip_settings import SipSettings
from desktop.ui.calling.call_controls import CallControls
from desktop.ui.calling.host import CallingHost
from desktop.ui.calling.phone_signals import PhoneSignals
from desktop.ui.calling.power_dial import PowerDialer
from desktop.ui.calling.session import ENDED, IDLE
from desktop.ui.calling.voicemail_drop import VoicemailDrop
from desktop.ui.common import style
from desktop.ui.common.labels import format_timer, outcome_label
from desktop.ui.common.workers import Task, run_task

__all__ = ["SIP_BACKEND", "Softphone"]


class Softphone(QObject):
    """Runs the SIP backend for one window and shows what it does."""

    def __init__(self, host: CallingHost, window: QMainWindow, phone: PhoneService | None = None) -> None:
        super().__init__(window)
        self._host = host
        self._window = window
        workspace = host.workspace
        self._workspace = workspace
        self.phone = phone if phone is not None else open_phone(workspace)
        self._reconfigure_after_call = False
        self.start_task: Task | None = None

        self.signals = PhoneSignals(self.phone, self)
        self.signals.callEvent.connect(self.on_sip_event, Qt.ConnectionType.QueuedConnection)
        self._build_status()
        bar = host.dial_bar
        self.controls = CallControls(window, bar, self.phone)
        self.voicemail = VoicemailDrop(host, self.phone, self)
        bar.voicemailRequested.connect(self.voicemail.on_dial_bar_voicemail_requested)
        host.session.callStarted.connect(self.on_session_call_started)
        host.session.stateChanged.connect(self.on_session_state_changed)
        self.power = PowerDialer(
            host, bar.power_bar, workspace.clock, lambda: self.settings.power_countdown_s, self
        )
        self.configure()

    @property
    def settings(self) -> SipSettings:
        """The softphone settings in force (the phone service loads them on each configure)."""
        return self.phone.settings

    @property
    def enabled(self) -> bool:
        return self.phone.enabled

    @property
    def dialer(self) -> object | None:
        """The running SIP dialer, if any (for a look at its state; only the phone service drives it)."""
        return self.phone.dialer

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
        setup = self.phone.configure(self._workspace.current_settings().backend, self._wait_for_start)
        self._host.dial_bar.set_softphone_visible(self.enabled)
        if setup.state == "off":
            self.set_status("")
        elif setup.state == "missing":
            self.set_status(
                self.tr("Softphone: baresip is not installed (sudo apt-get install baresip-core)"), "bad"
            )
        elif setup.state == "not_set_up":
            self.set_status(self.tr("Softphone: not set up (File → Settings)"), "bad")
        elif setup.state == "created":
            self.start_backend()

    def start_backend(self) -> None:
        """Start (or restart) baresip off the GUI thread; registration can take seconds."""
        if self.phone.dialer is None or self.start_task is not None:
            return
        self.set_status(self.tr("Softphone starting…"))
        phone = self.phone
        self.start_task = run_task(
            lambda _progress, _cancelled: phone.start(),
            on_result=self.on_start_task_result,
            on_error=self.on_start_task_error,
        )

    @Slot(object)
    def on_start_task_result(self, started: object) -> None:
        self.start_task = None
        if not self.phone.is_running(started):
            return  # replaced by new settings meanwhile: its own start reports
        if self.phone.registers:
            self._show_registered(self.phone.address)
        else:
            self._show_ready()

    @Slot(object)
    def on_start_task_error(self, error: BaseException) -> None:
        self.start_task = None
        if isinstance(error, PhoneStartFailed) and error.refused:
            self.set_status(self.tr("Softphone: registration refused: {error}").format(error=error), "bad")
        else:
            self.set_status(self.tr("Softphone could not start: {error}").format(error=error), "bad")

    def _wait_for_start(self) -> None:
        if self.start_task is not None:
            self.start_task.wait(15)
            self.start_task = None

    def shutdown(self) -> None:
        """The window closes: stop counting down, hang up, stop baresip (no child outlives the window)."""
        self.power.stop_countdown()
        self.signals.detach()
        self.phone.shutdown(self._wait_for_start)

    @Slot()
    def on_settings_saved(self) -> None:
        if self._host.session.live:
            self._reconfigure_after_call = True
            return
        self.configure()

    @Slot()
    def on_restart_triggered(self) -> None:
        if not self.enabled:
            return
        if self.phone.dialer is None:
            self.configure()
        else:
            self.start_backend()

    # -- the live call ---------------------------------------------------------------------------

    @Slot(object)
    def on_session_call_started(self, call: CallStarted) -> None:
        if not self.phone.follow_call(call.backend):
            return
        self._host.session.waits_for_answer = True
        self.voicemail.prepare()

    @Slot(str)
    def on_session_state_changed(self, state: str) -> None:
        if state == IDLE:
            self.phone.forget_call()
            self.controls.close_pad()
            if self._reconfigure_after_call:
                self._reconfigure_after_call = False
                self.configure()

    @Slot(object)
    def on_sip_event(self, event: CallEvent) -> None:
        self._show_backend_event(event)
        if event.kind == "voicemail_failed":
            self.voicemail.show_failure(event.detail)
            return
        if not self.phone.is_ours(event.call):
            return
        assert event.call is not None
        bar = self._host.dial_bar
        kind = event.kind
        if kind == "dialling":
            bar.set_live_state(self.tr("Dialling {number}…").format(number=self._number()))
        elif kind == "ringing":
            bar.set_live_state(self.tr("Ringing {number}…").format(number=self._number()))
        elif kind == "connected":
            self._host.session.mark_answered(self._workspace.clock())
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
        call = self._host.session.call
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
            if self.phone.registers:
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
        window = self._host
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
        window = self._host
        code = window.dial_bar.suggested
        if code is None or window.session.state != ENDED or window.outcome_dialog is not None:
            return False
        window.record_outcome(code)
        return True
