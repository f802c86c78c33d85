"""The compliance side of the window: the do-not-call page, consent records, checking the list, and
the registry-age indicator in the status bar.

Like `FileActions`, it shares nothing with the calling loop except its results: `listsChanged` after a
DNC list, a registry or a lead's consent changed (the window re-reads the queue and the gate
preview). Scrubs run off the GUI thread; their summary appears in a banner.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop.services.leads import LeadNotFound
from desktop.services.registry import RegistryImportReport
from desktop.services.scrub import ScrubReport
from desktop.services.workspace import Workspace
from desktop.ui.common.banners import POSITIVE, WARNING, BannerArea
from desktop.ui.common.workers import Task
from desktop.ui.compliance.consent_dialog import ConsentDialog
from desktop.ui.compliance.dnc_page import DncPage
from desktop.ui.compliance.registry_status import RegistryStatusLabel
from desktop.ui.compliance.scrub_dialog import ScrubDialog, run_scrub, scrub_summary

STATUS_REFRESH_MS = 60_000
SCRUB_BANNER = "scrub"


class ComplianceActions(QObject):
    """Opens the compliance dialogs over `window`, keeps the registry indicator current, runs scrubs."""

    listsChanged = Signal()

    def __init__(
        self,
        workspace: Workspace,
        window: QWidget,
        banners: BannerArea,
        registry_label: RegistryStatusLabel,
    ) -> None:
        super().__init__(window)
        self._workspace = workspace
        self._window = window
        self._banners = banners
        self.registry_label = registry_label
        self.dnc_page: DncPage | None = None
        self.consent_dialog: ConsentDialog | None = None
        self.scrub_dialog: ScrubDialog | None = None
        self.scrub_task: Task | None = None
        self.scrub_report: ScrubReport | None = None
        self._scrub_list: str | None = None
        self._scrub_again: tuple[str | None] | None = None
        registry_label.clicked.connect(self.on_dnc_triggered)
        # The copy ages at midnight, not only when something is imported.
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self.refresh_registry_status)
        self.status_timer.start()
        self.refresh_registry_status()

    # -- the registry indicator ------------------------------------------------------------------

    @Slot()
    def refresh_registry_status(self) -> None:
        rules = self._workspace.rulebook
        self.registry_label.refresh(
            self._workspace.registry_service.status(),
            rules.registry_warn_days,
            rules.registry_max_age_days,
        )

    # -- the do-not-call page --------------------------------------------------------------------

    @Slot()
    def on_dnc_triggered(self) -> None:
        self.open_dnc_page()

    def open_dnc_page(self) -> DncPage:
        if self.dnc_page is not None:
            self.dnc_page.refresh()
            self.dnc_page.raise_()
            self.dnc_page.activateWindow()
            return self.dnc_page
        page = DncPage(self._workspace, self._window)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page.listsChanged.connect(self.on_dnc_page_lists_changed)
        page.registryImported.connect(self.on_dnc_page_registry_imported)
        page.finished.connect(self.on_dnc_page_finished)
        self.dnc_page = page
        page.show()
        page.internal.number_edit.setFocus()
        return page

    @Slot()
    def on_dnc_page_lists_changed(self) -> None:
        self.refresh_registry_status()
        self.listsChanged.emit()

    @Slot(object)
    def on_dnc_page_registry_imported(self, report: RegistryImportReport) -> None:
        # A new copy changes who may be called: check the whole list again, as before a session.
        self.scrub_in_background(None)

    @Slot()
    def on_dnc_page_finished(self) -> None:
        self.dnc_page = None

    # -- consent ---------------------------------------------------------------------------------

    @Slot(int)
    def on_consent_requested(self, lead_id: int) -> None:
        self.open_consent_dialog(lead_id)

    def open_consent_dialog(self, lead_id: int) -> ConsentDialog | None:
        if self.consent_dialog is not None:
            self.consent_dialog.close()
        try:
            name = self._workspace.leads.card(lead_id).display_name
        except LeadNotFound:
            return None
        dialog = ConsentDialog(
            self._workspace.consent, lead_id, name, self._workspace.clock().date(), self._window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.on_consent_dialog_changed)
        dialog.finished.connect(self.on_consent_dialog_finished)
        self.consent_dialog = dialog
        dialog.open()
        return dialog

    @Slot(int)
    def on_consent_dialog_changed(self, lead_id: int) -> None:
        self._workspace.lists_changed(lead_id)
        self.listsChanged.emit()

    @Slot()
    def on_consent_dialog_finished(self) -> None:
        self.consent_dialog = None

    # -- checking the list -----------------------------------------------------------------------

    @Slot()
    def on_check_triggered(self) -> None:
        self.open_scrub_dialog()

    def open_scrub_dialog(
        self, list_name: str | None = None, report: ScrubReport | None = None
    ) -> ScrubDialog:
        if self.scrub_dialog is not None:
            self.scrub_dialog.close()
        dialog = ScrubDialog(self._workspace.scrub, list_name, report, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self.on_scrub_dialog_finished)
        self.scrub_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def on_scrub_dialog_finished(self) -> None:
        self.scrub_dialog = None

    def scrub_in_background(self, list_name: str | None) -> None:
        """Check `list_name` (None: every list) off the GUI thread; the summary comes up as a banner."""
        if self.scrub_task is not None:
            self._scrub_again = (list_name,)  # one more run once this one ends, with the latest facts
            return
        self._scrub_list = list_name
        self.scrub_task = run_scrub(
            self._workspace.scrub, list_name, on_result=self.on_scrub_result, on_error=self.on_scrub_error
        )

    @Slot(object)
    def on_scrub_result(self, report: ScrubReport) -> None:
        self.scrub_task = None
        self.scrub_report = report
        list_name = self._scrub_list
        where = (
            self.tr("Checked “{name}”:").format(name=list_name)
            if list_name
            else self.tr("Checked all lists:")
        )
        self._banners.show_banner(
            SCRUB_BANNER,
            f"{where} {scrub_summary(report)}",
            WARNING if report.skipped else POSITIVE,
            [(self.tr("Details…"), lambda: self.open_scrub_dialog(list_name, report))],
            tooltip=self.tr("The dial gate's answer for every lead now; nothing was dialled or recorded."),
        )
        self._run_pending_scrub()

    @Slot(object)
    def on_scrub_error(self, error: BaseException) -> None:
        self.scrub_task = None
        self._banners.show_banner(
            SCRUB_BANNER, self.tr("The list could not be checked: {error}").format(error=error), WARNING, []
        )
        self._run_pending_scrub()

    def _run_pending_scrub(self) -> None:
        if self._scrub_again is not None:
            (list_name,) = self._scrub_again
            self._scrub_again = None
            self.scrub_in_background(list_name)

    # -- closing ---------------------------------------------------------------------------------

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Cancel background work and wait for it; it must not outlive the database."""
        self._scrub_again = None
        tasks = [
            self.scrub_task,
            self.dnc_page.task if self.dnc_page is not None else None,
            self.scrub_dialog.task if self.scrub_dialog is not None else None,
        ]
        for task in tasks:
            if task is not None:
                task.cancel()
                task.wait(timeout_s)
