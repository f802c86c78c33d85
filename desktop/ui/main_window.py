"""The main window: queue on the left, the current lead in the centre, the script on the right, and
the dial bar at the bottom. Keyboard first: 1–0 record an outcome, Space/Enter call, Esc hangs up.

Every action goes through the workspace's services; the window keeps only what is on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import desktop
from desktop.domain.phones import load_geocoder_in_background
from desktop.services.calling import CallingError, GateRefused, OutcomeRecorded
from desktop.services.imports import ImportReport
from desktop.services.leads import LeadCard, LeadNotFound, QueueCounts, display_number
from desktop.services.outcome_undo import OutcomeUndone
from desktop.services.workspace import Workspace
from desktop.ui.agent_desk import AgentDesk
from desktop.ui.calling.dial_bar import DialBar
from desktop.ui.calling.keys import CallingKeys
from desktop.ui.calling.outcome_dialog import OutcomeTimeDialog
from desktop.ui.calling.session import ENDED, IDLE, ON_CALL, CallSession
from desktop.ui.calling.softphone import Softphone
from desktop.ui.calling.stray_keys import StrayOutcomeGuard, needs_confirmation
from desktop.ui.calling.undo_outcome import UndoLastOutcome
from desktop.ui.common import style
from desktop.ui.common.banners import BannerArea
from desktop.ui.common.fit.elided_label import ElidedLabel
from desktop.ui.common.fit.status_bar import MessageStatusBar
from desktop.ui.common.fit.window_fit import WindowPlacement
from desktop.ui.common.focus_home import FocusHome
from desktop.ui.common.labels import outcome_label
from desktop.ui.compliance.actions import ComplianceActions
from desktop.ui.compliance.registry_status import RegistryStatusLabel
from desktop.ui.data.actions import DataActions
from desktop.ui.data.exam_export import ExamExport
from desktop.ui.data.history_banner import check_history
from desktop.ui.data.import_summary import import_status_message
from desktop.ui.file_actions import FileActions
from desktop.ui.help_dialogs import ShortcutsDialog, about_text
from desktop.ui.lead.panel import LeadPanel
from desktop.ui.pages import EmptyQueuePage, WelcomePage
from desktop.ui.queue.follow_up import FollowUpActions
from desktop.ui.queue.model import QueueTableModel, counts_text
from desktop.ui.queue.panel import QueuePanel
from desktop.ui.script.panel import ScriptPanel

PREFERRED_SIZE = QSize(1440, 900)
DATABASE_LABEL_MAX_WIDTH = 280
PAGE_WELCOME = 0
PAGE_LEAD = 1
PAGE_EMPTY = 2
TICK_MS = 1000
# After an outcome only the lead's row moves at once; the whole queue is re-read when keys pause this long.
QUEUE_CATCH_UP_MS = 3000
BACKEND_NAMES = {
    "manual": "Manual",
    "handoff_tel": "Hand-off (tel:)",
    "handoff_sip": "Hand-off (sip:)",
    "sip": "Built-in softphone",
}


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: it shrinks with the window and scrolls when it must."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.viewport().setAutoFillBackground(False)
    area.setStyleSheet("QScrollArea { background: transparent; }")
    area.setWidget(widget)
    widget.setAutoFillBackground(False)  # setWidget() turned it on: the white panel shows through
    return area


def panel(widget: QWidget) -> QFrame:
    """Wrap a widget in the white rounded panel frame."""
    frame = QFrame()
    frame.setObjectName("Panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return frame


# Place names load this long after the window starts (see `MainWindow._load_place_names`).
PLACE_NAMES_AFTER_MS = 1000


class MainWindow(QMainWindow):
    """The calling workstation: works one lead at a time through the dial gate."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.calling = workspace.calling
        self.leads = workspace.leads
        self.rules = workspace.calling.outcome_rules
        # Hand-off backends open tel:/sip: links with whatever this desktop has registered.
        workspace.set_url_opener(lambda uri: QDesktopServices.openUrl(QUrl(uri)))
        self.session = CallSession(self.calling, workspace.clock, self)
        # Team mode (--agent / $DIALDESK_AGENT): the lead on screen is claimed for the agent.
        self.agent_desk = AgentDesk(workspace)
        self.previous_leads: list[int] = []
        self.outcome_dialog: OutcomeTimeDialog | None = None
        self.reports_window: QMainWindow | None = None  # Reports → Open reports…, made on first use
        self.team_view: QDialog | None = None  # View → Team… on a team database, while it is open
        self.file_actions = FileActions(workspace, self)
        # Back up / restore / check (File menu) and Help → Open log folder; the same service as `dialdesk db`.
        self.data_actions = DataActions(workspace, self)
        self.file_actions.imported.connect(self.on_import_finished)
        self.file_actions.settingsSaved.connect(self.on_settings_saved)
        self.file_actions.busyChanged.connect(self.on_file_actions_busy_changed)
        self._gate_minute: datetime | None = None
        self.startup_pending = False  # True from start() until the queue list has been read
        # True while the script panel starts on a card just read: its answers are in that card's history.
        self._history_fresh = False

        self.setWindowTitle(self.tr("Dialdesk — calling workstation"))
        if self.agent_desk.agent is not None:
            self.setWindowTitle(self.windowTitle() + f" — {self.agent_desk.agent}")
        self.setStyleSheet(style.APP_STYLE)
        self._build()
        self.compliance = ComplianceActions(workspace, self, self.banners, self.registry_label)
        self.compliance.listsChanged.connect(self.on_queue_changed)
        self.lead_panel.consentRequested.connect(self.compliance.on_consent_requested)
        self.follow_up = FollowUpActions(workspace, self, self.banners)
        self.exam_export = ExamExport(workspace, self)
        self.follow_up.showLeadRequested.connect(self.on_queue_lead_chosen)
        self.follow_up.queueChanged.connect(self.on_queue_changed)
        self._build_menus()
        self.keys = CallingKeys(self, self.rules)
        self.keys.outcomePressed.connect(self.on_outcome_key_pressed)
        self.stray_guard = StrayOutcomeGuard(self, self.on_outcome_chosen)
        self.undo_outcome = UndoLastOutcome(self, workspace.outcome_undo)
        self.undo_outcome.blocked = lambda: self.session.live or self.outcome_dialog is not None
        self.undo_outcome.undone.connect(self.on_outcome_undone)
        self.undo_outcome.refused.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.keys.callPressed.connect(self.on_call_requested)
        self.keys.hangUpPressed.connect(self.on_hang_up_requested)
        # The built-in softphone (SIP backend) and the power dialler follow the calling loop.
        self.softphone = Softphone(self, self)
        self.file_actions.settingsSaved.connect(self.softphone.on_settings_saved)
        self._queue_catch_up = QTimer(self, singleShot=True, interval=QUEUE_CATCH_UP_MS)
        self._queue_catch_up.timeout.connect(self.on_queue_refresh_due)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._tick.start()
        self.refresh_settings()
        self._load_place_names()
        self.start()
        self.follow_up.check()
        # Keys belong to the calling loop from the first moment, not to the filter box; the filter
        # has the focus only when the broker gives it (after a dialog the focus comes home).
        self.focus_home = FocusHome(self.focus_lead, self)
        self.focus_home.watch(self.queue_panel.filter_edit)
        self.focus_lead()
        # Sized to this screen (never larger), or where the broker left it when that still fits.
        self.placement = WindowPlacement(self, "main", PREFERRED_SIZE, {"splitter": self.splitter})
        self.placement.restore()

    placeNamesLoaded = Signal()

    def _load_place_names(self) -> None:
        """Place names ("New York, NY") load in the background once the window is up: the first lead
        shows at once and its numbers gain their places a moment later. Their data took a third of
        the start-up, and loading it on a thread at once still slowed the start (Python runs one
        thread at a time), so it starts a second after the window does."""
        self.leads.place_names_in_background = True
        self.placeNamesLoaded.connect(self.lead_panel.refresh_phones, Qt.ConnectionType.QueuedConnection)

        def loaded() -> None:  # on the loading thread: the signal carries it to the window's
            with suppress(RuntimeError):  # the window was closed meanwhile
                self.placeNamesLoaded.emit()

        QTimer.singleShot(PLACE_NAMES_AFTER_MS, self, lambda: load_geocoder_in_background(loaded))

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.queue_model = QueueTableModel(self.leads, clock=self.workspace.clock, parent=self)
        self.queue_panel = QueuePanel(self.queue_model)
        self.queue_panel.leadChosen.connect(self.on_queue_lead_chosen)
        self.queue_model.countsChanged.connect(self.on_queue_counts_changed)

        self.lead_panel = LeadPanel(self.leads)
        self.lead_panel.previousRequested.connect(self.on_previous_triggered)
        self.lead_panel.consent_lookup = self.workspace.consent.for_lead
        self.welcome_page = WelcomePage()
        self.welcome_page.importRequested.connect(self.file_actions.on_import_triggered)
        self.welcome_page.sampleRequested.connect(self.file_actions.on_sample_triggered)
        self.empty_page = EmptyQueuePage()
        self.empty_page.importRequested.connect(self.file_actions.on_import_triggered)
        self.centre = QStackedWidget()
        # The lead scrolls inside its panel on a short screen instead of pushing the dial bar off it.
        for page in (self.welcome_page, scrolling(self.lead_panel), self.empty_page):
            self.centre.addWidget(page)

        self.script_panel = ScriptPanel(
            self.workspace.scripts,
            self.rules,
            versions=self.workspace.script_versions,
            firm_mode=lambda: self.workspace.current_settings().firm_mode,
        )
        self.script_panel.outcomeRequested.connect(self.on_outcome_clicked)
        self.script_panel.callbackScheduled.connect(self.on_script_callback_scheduled)
        self.script_panel.answersChanged.connect(self.lead_panel.answers_box.show_answers)
        self.script_panel.answersChanged.connect(self.on_script_answers_changed)
        self.script_panel.editorRequested.connect(self.on_scripts_triggered)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(8)
        for widget in (self.queue_panel, self.centre, self.script_panel):
            self.splitter.addWidget(panel(widget))
        for index, stretch in enumerate((3, 5, 3)):
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setSizes([440, 580, 400])

        self.dial_bar = DialBar(self.rules)
        self.dial_bar.callRequested.connect(self.on_call_requested)
        self.dial_bar.hangUpRequested.connect(self.on_hang_up_requested)
        self.dial_bar.outcomeChosen.connect(self.on_outcome_clicked)
        self.dial_bar.numberChanged.connect(self.on_dial_bar_number_changed)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.setSpacing(8)
        self.banners = BannerArea()
        layout.addWidget(self.banners)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(panel(self.dial_bar))
        self.setCentralWidget(central)

        status = MessageStatusBar()
        self.setStatusBar(status)
        # The database's file name only (the full path is the tooltip), and a long server address loses
        # its middle: messages need the room at 1280 pixels.
        database = self.tr("Database: {path}")
        self.database_label = ElidedLabel(
            database.format(path=self.workspace.describe_briefly()), mode=Qt.TextElideMode.ElideMiddle
        )
        self.database_label.setMaximumWidth(DATABASE_LABEL_MAX_WIDTH)
        self.database_label.set_plain_tooltip(database.format(path=self.workspace.describe()))
        self.backend_label = QLabel()
        self.counts_label = QLabel()
        self.registry_label = RegistryStatusLabel()
        for label in (self.registry_label, self.counts_label, self.backend_label, self.database_label):
            status.addPermanentWidget(label)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.import_action = self._action(
            file_menu, self.tr("&Import call list…"), "Ctrl+O", self.file_actions.on_import_triggered
        )
        self.sample_action = self._action(
            file_menu, self.tr("Try the &sample list"), None, self.file_actions.on_sample_triggered
        )
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Settings…"), "Ctrl+,", self.file_actions.on_settings_triggered)
        file_menu.addSeparator()
        data = self.data_actions
        self._action(file_menu, self.tr("&Back up now…"), None, data.on_backup_triggered)
        self._action(file_menu, self.tr("&Restore from backup…"), None, data.on_restore_triggered)
        self._action(file_menu, self.tr("Check &database"), None, data.on_check_triggered)
        self._action(
            file_menu, self.tr("Export for an e&xamination…"), None, self.exam_export.on_exam_triggered
        )
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), "Ctrl+Q", self.close)

        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        self._action(go_menu, self.tr("&Previous lead"), "Alt+Left", self.on_previous_triggered)
        self._action(go_menu, self.tr("&Next lead in queue"), "Alt+Right", self.on_next_triggered)
        self._action(go_menu, self.tr("&Filter the queue"), "Ctrl+F", self.on_filter_triggered)
        self._action(go_menu, self.tr("Write &notes"), "Ctrl+N", self.on_notes_triggered)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self._action(view_menu, self.tr("&Callbacks…"), None, self.follow_up.on_callbacks_triggered)
        self._action(view_menu, self.tr("Upcoming &meetings…"), None, self.follow_up.on_meetings_triggered)
        if self.workspace.engine.dialect.name == "postgresql":  # a team database notifies its changes
            self.team_action = self._action(view_menu, self.tr("&Team…"), None, self.on_team_triggered)

        self.script_panel.fill_menu(self.menuBar().addMenu(self.tr("&Script")))
        tools_menu = self.menuBar().addMenu(self.tr("&Tools"))
        self._action(tools_menu, self.tr("&Scripts…"), None, self.on_scripts_triggered)
        tools_menu.addSeparator()
        self._action(tools_menu, self.tr("&Do-not-call lists…"), "Ctrl+D", self.compliance.on_dnc_triggered)
        self._action(tools_menu, self.tr("&Check the list…"), None, self.compliance.on_check_triggered)
        tools_menu.addSeparator()
        self._action(tools_menu, self.tr("&Outcome rules…"), None, self.on_outcome_rules_triggered)

        reports_menu = self.menuBar().addMenu(self.tr("&Reports"))
        self.reports_action = self._action(
            reports_menu, self.tr("Open &reports…"), None, self.on_reports_triggered
        )

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Keyboard shortcuts"), "F1", self.on_shortcuts_triggered)
        self._action(help_menu, self.tr("Open &log folder"), None, self.data_actions.on_log_folder_triggered)
        self._action(help_menu, self.tr("&About Dialdesk"), None, self.on_about_triggered)

    @Slot()
    def on_outcome_rules_triggered(self) -> None:
        from desktop.ui.settings.outcome_rules_dialog import OutcomeRulesDialog

        dialog = OutcomeRulesDialog(self.workspace, self)
        if dialog.exec():
            self.rules = self.workspace.calling.outcome_rules
            self.statusBar().showMessage(self.tr("Outcome rules saved."), 5000)

    @Slot()
    def on_team_triggered(self) -> None:
        """View → Team: the live supervisor view, one dialog at a time, redrawn on notifications."""
        from desktop.ui.reports.team_view import TeamViewDialog

        if self.team_view is None:
            self.team_view = TeamViewDialog(self.workspace.team_watch, self)
            self.team_view.finished.connect(self.on_team_view_finished)
        self.team_view.show()
        self.team_view.raise_()

    @Slot()
    def on_team_view_finished(self) -> None:
        if self.team_view is not None:
            self.team_view.deleteLater()
        self.team_view = None

    @Slot()
    def on_reports_triggered(self) -> None:
        from desktop.ui.reports.window import ReportsWindow

        if self.reports_window is None:
            window = ReportsWindow(self.workspace, self)
            window.merged.connect(lambda _report: self.on_queue_changed())  # merged leads, calls, DNC
            window.merged.connect(lambda _report: check_history(self.workspace, self.banners))
            self.reports_window = window
            window.refresh()
        self.reports_window.show()
        self.reports_window.raise_()
        self.reports_window.activateWindow()

    def _action(self, menu: QMenu, text: str, shortcut: str | None, handler: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(handler)
        menu.addAction(action)
        return action

    # -- showing leads ---------------------------------------------------------------------------

    def start(self) -> None:
        """Show the welcome page on an empty database, else the first lead the queue offers.

        The queue list and its counts are read just after the window first shows: with 100,000
        leads they take longer than everything else at start, and the lead on screen can be called
        meanwhile (`startup_pending` is True until the list is in).
        """
        self.startup_pending = True
        QTimer.singleShot(0, self.on_startup_queue_due)
        check_history(self.workspace, self.banners)  # at start and after a restore: red when altered
        if self.leads.count() == 0:
            self.centre.setCurrentIndex(PAGE_WELCOME)
            self.dial_bar.setEnabled(False)
            return
        self.show_next_lead()

    @Slot()
    def on_startup_queue_due(self) -> None:
        self.queue_model.refresh()
        card = self.current_card
        if card is not None:
            self.queue_panel.select_lead(card.id)
        self.startup_pending = False

    @property
    def current_card(self) -> LeadCard | None:
        return self.lead_panel.card if self.centre.currentIndex() == PAGE_LEAD else None

    def show_lead(self, lead_id: int, remember: bool = True, gate_at: datetime | None = None) -> bool:
        """Make `lead_id` the lead being worked; refused while a call is live. `gate_at`: the moment
        the gate's preview is for (the queue's choice of this lead, in the same key press), else now."""
        if self.session.live:
            self.statusBar().showMessage(self.tr("Hang up first (Esc), then choose an outcome."), 5000)
            return False
        refusal = self.agent_desk.hold(lead_id)
        if refusal is not None:
            self.statusBar().showMessage(refusal, 8000)
            return False
        current = self.current_card
        try:
            card = self.leads.card(lead_id)
        except LeadNotFound as error:
            self.statusBar().showMessage(str(error), 5000)
            return False
        if remember and current is not None and current.id != lead_id:
            self.previous_leads.append(current.id)
        self.session.reset()
        self.lead_panel.show_card(card, self.workspace.clock())
        self.lead_panel.previous_button.setEnabled(bool(self.previous_leads))
        self.centre.setCurrentIndex(PAGE_LEAD)
        self.dial_bar.setEnabled(True)
        self.dial_bar.set_phones(card.phones)
        self.dial_bar.clear_banner()
        if card.status in ("new", "active"):
            ready = self.tr("Ready: Space calls, 1–0 record what happened.")
        else:
            ready = self.tr("This lead is out of the queue. You can still look, and the gate still decides.")
        self.dial_bar.set_state(IDLE, ready)
        self.queue_panel.select_lead(lead_id)
        self._update_script(history_fresh=True)
        self.refresh_gate(gate_at)
        return True

    def reload_card(self) -> None:
        """Re-read the lead on screen (history, counter, DNC marks) without losing typed notes."""
        card = self.current_card
        if card is None:
            return
        self.lead_panel.save_notes()
        selected = self.dial_bar.selected_phone_id()
        fresh = self.leads.card(card.id)
        self.lead_panel.show_card(fresh, self.workspace.clock())
        if not self.session.live:
            self.dial_bar.set_phones(fresh.phones, selected)
        self.refresh_gate()

    @Slot()
    def on_dial_bar_number_changed(self) -> None:
        self.refresh_gate()

    def refresh_gate(self, at: datetime | None = None) -> None:
        """Preview the gate's answer for the selected number (now, or at `at`): a refusal is no surprise."""
        card = self.current_card
        if card is None:
            return
        moment = at or self.workspace.clock()
        self._gate_minute = moment.replace(second=0, microsecond=0)
        try:
            result = self.calling.check(card.id, phone_id=self.dial_bar.selected_phone_id(), at=moment)
        except CallingError as error:
            self.lead_panel.set_gate([str(error)])
            return
        decision = result.decision  # check() answers a GateResult: the decision and its evidence
        self.lead_panel.set_gate(None if decision.allowed else [reason.detail for reason in decision.reasons])

    def next_due_lead_id(self, exclude: tuple[int, ...] = ()) -> int | None:
        """The queue's next callable, due lead (whatever is on screen), or None."""
        return self.leads.next_lead_id(exclude=exclude)

    def show_next_lead(self) -> None:
        exclude = (self.current_card.id,) if self.current_card is not None else ()
        # Through the calling service: as an agent, the lead left is released and the next claimed.
        lead_id = self.calling.next_lead_id(exclude) or self.calling.next_lead_id()
        if lead_id is None:
            self.show_empty()
        else:
            self.show_lead(lead_id)

    def show_empty(self) -> None:
        current = self.current_card
        if current is not None:
            self.previous_leads.append(current.id)
        self.session.reset()
        self.lead_panel.clear()
        self.centre.setCurrentIndex(PAGE_EMPTY)
        self.dial_bar.set_phones([])
        self.dial_bar.set_state(IDLE, "")
        self.dial_bar.setEnabled(False)
        self.queue_panel.select_lead(None)
        self._update_script()

    def refresh_settings(self) -> None:
        backend = self.workspace.current_settings().backend
        name = self.tr(BACKEND_NAMES.get(backend, backend))
        self.backend_label.setText(self.tr("Backend: {name}").format(name=name))
        self._update_script()

    def _update_script(self, history_fresh: bool = False) -> None:
        """Start the script of the lead on screen; `history_fresh`: its card was just read (with the
        answers in its history), so the answers the panel announces need no second read."""
        card = self.current_card
        self._history_fresh = history_fresh
        try:
            self.script_panel.show_lead(card.id if card is not None else None)
        finally:
            self._history_fresh = False

    @Slot(object)
    def on_script_answers_changed(self, _answers: object) -> None:
        """A new answer shows in the history at once, folded under the call it was given in."""
        card = self.current_card
        if card is not None and not self._history_fresh:
            self.lead_panel.history.show_items(self.leads.card(card.id).history)

    @Slot(str)
    def on_script_callback_scheduled(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.queue_model.refresh()
        self.reload_card()

    @Slot()
    def on_scripts_triggered(self) -> None:
        # Imported on use: the editor and the script-format checks are a fifth of the window's
        # imports, paid at every start for a dialog opened now and then.
        from desktop.ui.script.editor import ScriptsDialog

        card = self.current_card
        self.scripts_dialog = ScriptsDialog(self.workspace, card.id if card is not None else None, self)
        self.scripts_dialog.scriptsChanged.connect(self.script_panel.reload)
        self.scripts_dialog.open()

    # -- calling ---------------------------------------------------------------------------------

    @Slot()
    def on_call_requested(self) -> None:
        card = self.current_card
        if card is None or self.session.live or self.outcome_dialog is not None:
            return
        if self.softphone.confirm_suggestion():  # Enter after a call records the suggested outcome
            return
        self.dial_bar.clear_banner()
        refusal = self.agent_desk.hold(card.id)  # still this agent's (a sleeping machine lets it lapse)
        if refusal is not None:
            self.dial_bar.show_banner(refusal)
            return
        try:
            call = self.session.start(card.id, self.dial_bar.selected_phone_id())
        except GateRefused as refused:
            self._show_refusal(refused)
        except CallingError as error:
            self.dial_bar.show_banner(self.tr("Could not call: {error}").format(error=error))
            self.dial_bar.set_state(IDLE, "")
        else:
            number = display_number(call.number, call.number)
            self.dial_bar.set_state(
                ON_CALL,
                self.tr("On the line with {number}. Esc hangs up; 1–0 record the outcome.").format(
                    number=number
                ),
            )
        self.reload_card()

    def _show_refusal(self, refused: GateRefused) -> None:
        reasons = "; ".join(reason.detail for reason in refused.decision.reasons)
        self.dial_bar.show_banner(self.tr("Blocked: {reasons}").format(reasons=reasons))
        self.dial_bar.set_state(IDLE, self.tr("Not dialled. The refusal is in the history."))

    def focus_lead(self) -> None:
        """Give the keyboard back to the lead on screen (the queue when there is none)."""
        if self.current_card is not None:
            self.lead_panel.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.queue_panel.view.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def on_hang_up_requested(self) -> None:
        if self.queue_panel.filter_edit.hasFocus():
            # Esc in the filter clears it and leaves it (and still hangs up a live call).
            self.queue_panel.filter_edit.clear()
            self.queue_panel.apply_filter()
            self.focus_lead()
        if not self.session.live:
            return
        try:
            duration = self.session.hang_up()
        except CallingError as error:
            self.dial_bar.show_banner(str(error))
            return
        self.dial_bar.set_state(ENDED, self.tr("Call ended. What happened? Press 1–0."))
        self.dial_bar.set_elapsed(duration)
        self.reload_card()

    @Slot(str)
    def on_outcome_key_pressed(self, code: str) -> None:
        self._choose_outcome(code, from_key=True)

    @Slot(str)
    def on_outcome_clicked(self, code: str) -> None:
        self._choose_outcome(code, from_key=False)

    def _choose_outcome(self, code: str, from_key: bool) -> None:
        card = self.current_card
        if card is None or self.outcome_dialog is not None or self.stray_guard.box is not None:
            return
        rule = self.rules.get(code)
        if needs_confirmation(rule, call_placed=self.session.call is not None, from_key=from_key):
            self.stray_guard.ask(rule, card.display_name)
            return
        self.on_outcome_chosen(code)

    @Slot(str)
    def on_outcome_chosen(self, code: str) -> None:
        card = self.current_card
        if card is None or self.outcome_dialog is not None:
            return
        if not self.rules.get(code).needs_time:
            # A live call ends with its outcome (one record, one commit): nothing to show in between.
            self.record_outcome(code)
            return
        self.on_hang_up_requested()
        dialog = OutcomeTimeDialog(
            code,
            card.display_name,
            self.workspace.clock(),
            card.time_zone,
            self,
            self.leads.calling_hours_check(card.id),
            clock=self.workspace.clock,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self.on_outcome_dialog_accepted)
        dialog.finished.connect(self.on_outcome_dialog_finished)
        self.outcome_dialog = dialog
        dialog.open()
        dialog.activateWindow()

    @Slot()
    def on_outcome_dialog_accepted(self) -> None:
        dialog = self.outcome_dialog
        if dialog is None:
            return
        if dialog.kind == "callback":
            self.record_outcome("callback", callback_at=dialog.chosen_at())
        else:
            self.record_outcome("meeting", meeting_at=dialog.chosen_at(), where=dialog.where())

    @Slot()
    def on_outcome_dialog_finished(self) -> None:
        if self.outcome_dialog is not None:
            self.outcome_dialog.deleteLater()
        self.outcome_dialog = None

    def record_outcome(self, code: str, **details: object) -> bool:
        """Commit the outcome now, then bring up the next lead at once."""
        card = self.current_card
        if card is None:
            return False
        self.lead_panel.save_notes()
        if not self.session.live:
            # Renew the agent's claim; whether another agent took the lead meanwhile is the calling
            # service's to decide (it refuses in the transaction that would write the outcome).
            self.agent_desk.hold(card.id)
        try:
            result = self.session.record(card.id, code, self.dial_bar.selected_phone_id(), **details)
        except GateRefused as refused:
            self._show_refusal(refused)
            self.reload_card()
            return False
        except CallingError as error:
            if self.session.state == ENDED:  # a live call was hung up all the same
                self.dial_bar.set_state(ENDED, self.tr("Call ended. What happened? Press 1–0."))
                self.reload_card()
            self.dial_bar.show_banner(self.tr("Not recorded: {error}").format(error=error))
            return False
        # Short, the way to undo before the details: the message fits the status bar at 1280 pixels.
        message = self.tr("Saved “{outcome}” for {name} · Ctrl+Z undoes").format(
            outcome=outcome_label(self.rules.get(code)), name=card.display_name
        )
        if result.added_to_dnc:
            message += " · " + self.tr("{numbers} added to the do-not-call list").format(
                numbers=", ".join(display_number(number, number) for number in result.added_to_dnc)
            )
        self.statusBar().showMessage(message, 8000)
        self.undo_outcome.remember(result)
        self.follow_up.outcome_recorded(card.id, result.meeting_id)
        if result.next_lead_id is not None:
            # The preview is the gate's answer at the moment the queue chose the lead: the same facts,
            # not read twice while nothing was written (services/gate_preview.py).
            self.show_lead(result.next_lead_id, gate_at=result.next_lead_checked_at)
        else:
            self.show_empty()
        # The queue list moves in the same turn, so the first frame shows the next lead and the queue
        # together: the lead's row moves (a look-up); a do-not-call entry may concern other leads, so
        # the whole queue is re-read then, right after this frame.
        self.on_queue_leads_changed(() if result.added_to_dnc else (card.id,))
        return True

    @Slot(object, object)
    def on_outcome_undone(self, result: OutcomeRecorded, undone: OutcomeUndone) -> None:
        """The lead whose outcome was undone comes back on screen, as it was before."""
        message = self.tr("Undone: “{outcome}”; the call stays in the history, corrected.").format(
            outcome=outcome_label(self.rules.get(result.outcome))
        )
        if undone.removed_from_dnc:
            message += " " + self.tr("{numbers} taken off the do-not-call list.").format(
                numbers=", ".join(display_number(number, number) for number in undone.removed_from_dnc)
            )
        self.show_lead(result.lead_id)
        self.statusBar().showMessage(message, 8000)
        self.on_queue_leads_changed(() if undone.removed_from_dnc else (result.lead_id,))

    def on_queue_leads_changed(self, lead_ids: tuple[int, ...]) -> None:
        """Move the changed leads' rows at once (within a frame); the whole queue, whose buckets also
        move with the clock, is re-read once the broker pauses (QUEUE_CATCH_UP_MS after the last one).
        When rows cannot simply move (none named, or a row not loaded), the whole queue is re-read on
        the event loop's next turn, after the frame that shows the next lead."""
        if not lead_ids or not self.queue_model.update_leads(lead_ids):
            QTimer.singleShot(0, self.on_queue_refresh_due)
            return
        card = self.current_card
        if card is not None:
            self.queue_panel.select_lead(card.id)
        self._queue_catch_up.start()

    @Slot()
    def on_queue_refresh_due(self) -> None:
        self._queue_catch_up.stop()
        self.queue_model.refresh()
        card = self.current_card
        if card is not None:
            self.queue_panel.select_lead(card.id)

    # -- navigation ------------------------------------------------------------------------------

    @Slot(int)
    def on_queue_lead_chosen(self, lead_id: int) -> None:
        card = self.current_card
        if card is None or card.id != lead_id:
            self.show_lead(lead_id)

    @Slot()
    def on_previous_triggered(self) -> None:
        if not self.previous_leads or self.session.live:
            return
        lead_id = self.previous_leads.pop()
        if not self.show_lead(lead_id, remember=False):
            self.previous_leads.append(lead_id)
        self.lead_panel.previous_button.setEnabled(bool(self.previous_leads))

    @Slot()
    def on_next_triggered(self) -> None:
        if not self.session.live:
            self.show_next_lead()

    @Slot()
    def on_filter_triggered(self) -> None:
        self.queue_panel.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.queue_panel.filter_edit.selectAll()

    @Slot()
    def on_notes_triggered(self) -> None:
        if self.current_card is not None:
            self.lead_panel.notes_edit.setFocus()

    @Slot()
    def on_tick_timeout(self) -> None:
        now = self.workspace.clock()
        self.softphone.power.update_rate()  # the dials per hour appear after ten minutes, call or not
        self.agent_desk.keep_alive()
        if self.session.live:
            self.dial_bar.set_elapsed(self.session.elapsed())
        if self.current_card is not None:
            self.lead_panel.update_time(now)
            if now.replace(second=0, microsecond=0) != self._gate_minute:
                self.refresh_gate()

    @Slot(object)
    def on_queue_counts_changed(self, counts: QueueCounts) -> None:
        self.counts_label.setText(counts_text(counts))

    @Slot()
    def on_queue_changed(self) -> None:
        """A DNC list, registry, consent or due callback changed who may be called: re-read queue and card."""
        self.queue_model.refresh()
        card = self.current_card
        if card is not None:
            self.reload_card()
            self.queue_panel.select_lead(card.id)
        elif self.centre.currentIndex() == PAGE_EMPTY:
            self.show_next_lead()

    # -- files and settings ----------------------------------------------------------------------

    @Slot(bool)
    def on_file_actions_busy_changed(self, busy: bool) -> None:
        self.welcome_page.sample_button.setEnabled(not busy)
        self.sample_action.setEnabled(not busy)
        if busy:
            self.statusBar().showMessage(self.tr("Importing the sample list…"))
        else:
            self.statusBar().clearMessage()

    @Slot(object)
    def on_import_finished(self, report: ImportReport) -> None:
        self.statusBar().showMessage(import_status_message(report), 10000)
        self.queue_model.refresh()
        self.compliance.scrub_in_background(report.list_name)
        if self.current_card is None:
            self.show_next_lead()
        else:
            self.queue_panel.select_lead(self.current_card.id)
        # The import's button or dialog had the focus: the keys go to the lead, not the next field.
        self.focus_lead()

    @Slot()
    def on_settings_saved(self) -> None:
        self.refresh_settings()
        self.queue_model.refresh()
        self.reload_card()

    @Slot()
    def on_shortcuts_triggered(self) -> None:
        ShortcutsDialog(self.rules, self).exec()

    @Slot()
    def on_about_triggered(self) -> None:
        QMessageBox.about(self, self.tr("About Dialdesk"), about_text(desktop.__version__))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.placement.save()
        self.on_hang_up_requested()
        self.softphone.shutdown()
        self.lead_panel.save_notes()
        self.file_actions.shutdown()
        if self.reports_window is not None:
            self.reports_window.close()
        if self.team_view is not None:
            self.team_view.close()  # its LISTEN connection goes with it
        self.compliance.shutdown()
        self.script_panel.shutdown()
        self.agent_desk.release()
        super().closeEvent(event)
