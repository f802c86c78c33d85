"""The queue on the left of the window: a filter box, the paged queue table and its counts line.

Rows are two lines high: the name, and under it why a lead waits and until when ("Outside calling
hours · from 08:00 their time, in 2 h 10 min"), why it is blocked, or that a callback is due.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.leads import QueueCounts
from desktop.ui.common import style
from desktop.ui.queue.model import (
    COL_ATTEMPTS,
    COL_COMPANY,
    COL_LIST,
    COL_LOCAL_TIME,
    COL_NAME,
    COL_PHONE,
    COL_POSITION,
    COL_WHEN,
    DETAIL_BLOCKED,
    DETAIL_CALLBACK,
    DetailKindRole,
    DetailRole,
    DueDetailRole,
    LeadIdRole,
    QueueSortProxy,
    QueueTableModel,
    column_titles,
    counts_text,
)

FILTER_DELAY_MS = 250
ROW_HEIGHT = 40
AnyIndex = QModelIndex | QPersistentModelIndex
HIDDEN_COLUMNS = (COL_COMPANY, COL_PHONE, COL_LIST)
_DETAIL_COLOURS = {DETAIL_BLOCKED: style.DANGER, DETAIL_CALLBACK: style.POSITIVE}


def small_font(font: QFont, bold: bool = False) -> QFont:
    """The font of a row's second line."""
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    small.setBold(bold)
    return small


class TwoLineDelegate(QStyledItemDelegate):
    """Paints a cell's text with a second line under it (`detail_role`), smaller and coloured: the
    name with why a lead waits, or the Due bucket with when, on whose clock."""

    def __init__(self, parent: QWidget, detail_role: int = DetailRole) -> None:
        super().__init__(parent)
        self.detail_role = detail_role

    def lines(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> tuple[str, str]:
        """The two lines as painted in `option.rect` (elided with "…" when they do not fit)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        width = opt.rect.adjusted(6, 2, -6, -2).width()
        kind = str(index.data(DetailKindRole) or "")
        top = QFontMetrics(self._top_font(opt, kind)).elidedText(opt.text, Qt.TextElideMode.ElideRight, width)
        detail = str(index.data(self.detail_role) or "")
        bottom = QFontMetrics(small_font(opt.font, kind == DETAIL_CALLBACK)).elidedText(
            detail, Qt.TextElideMode.ElideRight, width
        )
        return top, bottom

    def _top_font(self, opt: QStyleOptionViewItem, kind: str) -> QFont:
        font = QFont(opt.font)
        if kind == DETAIL_CALLBACK and self.detail_role == DetailRole:
            font.setBold(True)
        return font

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        top, detail = self.lines(option, index)
        kind = str(index.data(DetailKindRole) or "")
        opt.text = ""
        widget = opt.widget
        qstyle = widget.style() if widget is not None else QApplication.style()
        qstyle.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = opt.rect.adjusted(6, 2, -6, -2)
        half = rect.height() // 2
        painter.save()
        painter.setFont(self._top_font(opt, kind))
        painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
        area = QRect(rect.left(), rect.top(), rect.width(), half if detail else rect.height())
        horizontal = opt.displayAlignment & Qt.AlignmentFlag.AlignHorizontal_Mask
        align = horizontal | (Qt.AlignmentFlag.AlignBottom if detail else Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(area, align, top)
        if detail:
            painter.setFont(small_font(opt.font, kind == DETAIL_CALLBACK))
            painter.setPen(QColor(_DETAIL_COLOURS.get(kind, style.MUTED)))
            bottom = QRect(rect.left(), rect.top() + half + 1, rect.width(), rect.height() - half - 1)
            painter.drawText(bottom, horizontal | Qt.AlignmentFlag.AlignTop, detail)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), ROW_HEIGHT))


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
        self.view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.name_delegate = TwoLineDelegate(self.view)
        self.view.setItemDelegateForColumn(COL_NAME, self.name_delegate)
        self.due_delegate = TwoLineDelegate(self.view, DueDetailRole)
        self.view.setItemDelegateForColumn(COL_WHEN, self.due_delegate)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        # The queue is narrow: the name takes what the short columns leave, so no horizontal
        # scrollbar is needed. Company, phone and list are in each row's tooltip and in the filter;
        # their columns stay hidden.
        for column in HIDDEN_COLUMNS:
            self.view.setColumnHidden(column, True)
        for column, width in self.column_widths().items():
            self.view.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.clicked.connect(self.on_view_clicked)
        self.view.activated.connect(self.on_view_clicked)
        layout.addWidget(self.view, 1)

        self.counts_label = QLabel()
        self.counts_label.setObjectName("Muted")
        self.counts_label.setWordWrap(True)
        layout.addWidget(self.counts_label)
        model.countsChanged.connect(self.on_model_counts_changed)
        self.setMinimumWidth(220)

    def column_widths(self) -> dict[int, int]:
        """Widths that hold each short column's header and its longest usual text (fonts vary)."""
        fonts = QFontMetrics(self.view.font())
        small = QFontMetrics(small_font(self.view.font()))
        header = QFontMetrics(self.view.horizontalHeader().font())
        titles = column_titles()
        padding = 14  # the cell's margins
        arrow = 14  # the header's sort arrow

        def fit(column: int, *texts: str) -> int:
            title = max(header.horizontalAdvance(line) for line in titles[column].splitlines())
            return max([fonts.horizontalAdvance(text) + padding for text in texts] + [title + arrow])

        due_detail = small.horizontalAdvance(self.tr("their {time}").format(time="Wed 00:00"))
        return {
            COL_POSITION: fit(COL_POSITION, "000"),
            COL_WHEN: max(fit(COL_WHEN, "Due now", "Callback", "Blocked"), due_detail + padding),
            COL_ATTEMPTS: fit(COL_ATTEMPTS, "18/18"),
            COL_LOCAL_TIME: fit(COL_LOCAL_TIME, "00:00"),
            COL_COMPANY: 160,
            COL_PHONE: 140,
            COL_LIST: 110,
        }

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
