"""The queue on the left of the window: a filter box, the paged queue table and its counts line."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.leads import QueueCounts
from desktop.ui.queue_model import (
    COL_ATTEMPTS,
    COL_COMPANY,
    COL_LIST,
    COL_LOCAL_TIME,
    COL_NAME,
    COL_PHONE,
    COL_POSITION,
    COL_WHEN,
    LeadIdRole,
    QueueSortProxy,
    QueueTableModel,
    counts_text,
)

FILTER_DELAY_MS = 250


class QueuePanel(QWidget):
    """Lets the agent see what is coming and pick a lead; emits `leadChosen` on a click."""

    leadChosen = Signal(int)

    def __init__(self, model: QueueTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = QueueSortProxy(self)
        self.proxy.setSourceModel(model)
        self._selecting = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        title = QLabel(self.tr("QUEUE"))
        title.setObjectName("PanelTitle")
        layout.addWidget(title)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter: name, company, list or number"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.on_filter_edit_changed)
        layout.addWidget(self.filter_edit)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.on_filter_timer_timeout)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_POSITION, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        widths = {
            COL_POSITION: 34,
            COL_NAME: 130,
            COL_WHEN: 84,
            COL_ATTEMPTS: 44,
            COL_LOCAL_TIME: 88,
            COL_COMPANY: 160,
            COL_PHONE: 140,
            COL_LIST: 110,
        }
        for column, width in widths.items():
            self.view.setColumnWidth(column, width)
        self.view.clicked.connect(self.on_view_clicked)
        self.view.activated.connect(self.on_view_clicked)
        layout.addWidget(self.view, 1)

        self.counts_label = QLabel()
        self.counts_label.setObjectName("Muted")
        self.counts_label.setWordWrap(True)
        layout.addWidget(self.counts_label)
        model.countsChanged.connect(self.on_model_counts_changed)
        self.setMinimumWidth(300)

    @Slot(str)
    def on_filter_edit_changed(self, _text: str) -> None:
        self._filter_timer.start()

    @Slot()
    def on_filter_timer_timeout(self) -> None:
        self.apply_filter()

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.model.set_filter(self.filter_edit.text())

    @Slot(object)
    def on_model_counts_changed(self, counts: QueueCounts) -> None:
        text = counts_text(counts)
        if self.model.filter_text.strip():
            text = self.tr("Filtered: {counts}").format(counts=text)
        self.counts_label.setText(text)

    @Slot(QModelIndex)
    def on_view_clicked(self, index: QModelIndex) -> None:
        if self._selecting or not index.isValid():
            return
        lead_id = index.data(LeadIdRole)
        if lead_id is not None:
            self.leadChosen.emit(int(lead_id))

    def select_lead(self, lead_id: int | None) -> None:
        """Highlight the lead being worked, if it is loaded; never emits `leadChosen`."""
        self._selecting = True
        try:
            selection = self.view.selectionModel()
            row = self.model.row_for_lead(lead_id) if lead_id is not None else None
            if row is None:
                selection.clearSelection()
                return
            index = self.proxy.mapFromSource(self.model.index(row, COL_NAME))
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index)
        finally:
            self._selecting = False
