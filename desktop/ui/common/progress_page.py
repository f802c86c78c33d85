"""The progress of a long task off the GUI thread, as the import, check and registry-import screens show
it: a title, a progress bar, a detail line under it and a Cancel button.

`ProgressPage` lays them out as a page of its own (centred, Cancel at the right under the bar) or, when
`compact`, as one row of a form (bar, detail line, Cancel) whose bar and Cancel show only while a task
runs. The owner keeps the task: it starts the page, passes progress on and answers `cancelRequested`
with `cancel_task`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.ui.common.workers import Task

# The bar runs in tenths of a percent: a QProgressBar holds ints, and a file's byte count may pass 2**31.
PER_MILLE = 1000


class ProgressPage(QWidget):
    """A running task's title, bar, detail line and Cancel button; emits `cancelRequested` on Cancel.

    `counting`: the bar counts the items themselves (done of total) and is busy until the first count
    arrives; otherwise it shows the share done. `detail_line=False` leaves the line under the bar out.
    `compact` has room for one label only, so the title stands in the detail line until progress
    replaces it, and `spacing` matches the row to the form around it.
    """

    cancelRequested = Signal()

    def __init__(
        self,
        *,
        compact: bool = False,
        counting: bool = False,
        detail_line: bool = True,
        spacing: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._counting = counting
        self.bar = QProgressBar()
        self.bar.setRange(0, 0 if counting else PER_MILLE)
        self.bar.setTextVisible(False)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("Muted")
        if not detail_line:
            self.detail_label.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.on_cancel_button_clicked)
        if compact:
            self.title_label = self.detail_label
            self._build_row(spacing)
        else:
            self.title_label = QLabel()
            self.title_label.setStyleSheet("font-size: 15px;")
            self._build_page(spacing)

    def _build_page(self, spacing: int | None) -> None:
        layout = QVBoxLayout(self)
        if spacing is not None:
            layout.setSpacing(spacing)
        layout.addStretch(1)
        layout.addWidget(self.title_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def _build_row(self, spacing: int | None) -> None:
        layout = QHBoxLayout(self)
        # The row sits inside the owner's layout, which already gives it its margins.
        layout.setContentsMargins(0, 0, 0, 0)
        if spacing is not None:
            layout.setSpacing(spacing)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.detail_label)
        layout.addStretch(0)
        layout.addWidget(self.cancel_button)
        self.bar.hide()
        self.cancel_button.hide()

    def start(self, title: str) -> None:
        """Show a task starting: `title`, an empty (or, when counting, busy) bar, no detail, Cancel on."""
        if self._counting:
            self.bar.setRange(0, 0)
        else:
            self.bar.setValue(0)
        self.bar.show()
        self.detail_label.setText("")
        self.title_label.setText(title)
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)

    def stop(self) -> None:
        """No task runs any more: the bar empties and hides with Cancel, and the text goes."""
        self.bar.setValue(0)
        self.bar.hide()
        self.cancel_button.hide()
        self.cancel_button.setEnabled(False)
        self.detail_label.setText("")

    def show_progress(self, done: int, total: int, detail: str = "") -> None:
        """Move the bar to `done` of `total` (nothing to show while the total is unknown, 0) and put
        `detail`, with its "{percent}" filled in, on the detail line (unless it is empty)."""
        if total <= 0:
            return
        if self._counting:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setValue(int(PER_MILLE * min(done, total) / total))
        if detail:
            self.detail_label.setText(detail.format(percent=int(100 * done / total)))

    def cancel_task(self, task: Task | None, detail: str = "") -> None:
        """Ask `task` to stop (None: nothing runs, nothing to do); Cancel stays off until the task ends,
        as stopping may take a while (a rollback), and `detail` says what happens meanwhile."""
        if task is None:
            return
        task.cancel()
        self.cancel_button.setEnabled(False)
        if detail:
            self.detail_label.setText(detail)

    @Slot()
    def on_cancel_button_clicked(self) -> None:
        self.cancelRequested.emit()
