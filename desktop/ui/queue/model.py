"""The call queue as a Qt table model that pages from `LeadService.queue_page`, 200 rows at a time.

Rows come in the order the queue offers leads; the view may sort the loaded rows through
`QueueSortProxy` (column "#" restores the offered order). Each row also has a second line
(`DetailRole`): why a later or blocked lead is not offered now and when it can be, or that a callback
is due, so the agent reads it without hovering. Filtering is done by the service, so a
filter finds leads that have not been loaded yet. Testable without a window.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services.leads import LeadService, QueueCounts, QueueRow, describe_wait
from desktop.ui.common import style
from desktop.ui.common.clocks import TIME, labelled_time
from desktop.ui.common.text import plural

PAGE_SIZE = 200

# The columns an agent glances at come first; the queue panel is narrow.
COL_POSITION = 0
COL_NAME = 1
COL_WHEN = 2
COL_ATTEMPTS = 3
COL_LOCAL_TIME = 4
COL_COMPANY = 5
COL_PHONE = 6
COL_LIST = 7
COLUMN_COUNT = 8

# Buckets of leads the queue shows but does not offer now (greyed).
WAITING_BUCKETS = ("later", "blocked")

LeadIdRole = Qt.ItemDataRole.UserRole + 1
BucketRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
RowRole = Qt.ItemDataRole.UserRole + 4
DetailRole = Qt.ItemDataRole.UserRole + 5  # the row's second line, in the name column
DetailKindRole = Qt.ItemDataRole.UserRole + 6  # how to colour it: DETAIL_* below
DueDetailRole = Qt.ItemDataRole.UserRole + 7  # the Due cell's second line: when, on whose clock

DETAIL_PLAIN = "plain"
DETAIL_WAIT = "wait"
DETAIL_BLOCKED = "blocked"
DETAIL_CALLBACK = "callback"

AnyIndex = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("QueueTableModel", text)


def column_titles() -> dict[int, str]:
    return {
        COL_POSITION: _tr("#"),
        COL_NAME: _tr("Name"),
        COL_COMPANY: _tr("Company"),
        COL_WHEN: _tr("Due"),
        COL_ATTEMPTS: _tr("Tries"),
        COL_LOCAL_TIME: _tr("Their\ntime"),  # on two lines: the column is as narrow as "09:30"
        COL_PHONE: _tr("Phone"),
        COL_LIST: _tr("List"),
    }


def bucket_label(bucket: str) -> str:
    return {
        "callback": _tr("Callback"),
        "warm": _tr("Warm"),
        "due": _tr("Due now"),
        "new": _tr("New"),
        "later": _tr("Later"),
        "blocked": _tr("Blocked"),
    }.get(bucket, bucket)


def blocked_reason(waiting: str) -> str:
    """A refusal as stored ("dnc_national: on the National …") in a few words for the queue."""
    code, sep, detail = waiting.partition(": ")
    if not sep or not code.replace("_", "").isalpha():
        return waiting
    short = {
        "dnc_internal": _tr("On the internal DNC list"),
        "dnc_national": _tr("On the National DNC registry"),
        "dnc_state": _tr("On a state DNC list"),
        "registry_stale": _tr("No fresh DNC registry copy"),
        "registry_missing": _tr("No DNC registry copy of this area code"),
        "invalid_number": _tr("No valid number"),
        "prerecorded_consent": _tr("No consent for recorded messages"),
        "offline_copy_expired": _tr("Offline copy expired: merge it back"),
    }.get(code)
    return short or detail[:1].upper() + detail[1:]


def row_detail(item: QueueRow, now: datetime | None) -> tuple[str, str]:
    """The second line of a queue row and its kind: why not now and when, a due callback, or the company."""
    wait = describe_wait(item.callable_at, item.time_zone, now) if now is not None else ""
    if item.bucket == "blocked":
        return blocked_reason(item.waiting or _tr("blocked by the dial gate")), DETAIL_BLOCKED
    if item.bucket == "callback":
        promised = item.due_at
        if promised is not None and item.time_zone:
            when = promised.astimezone(ZoneInfo(item.time_zone)).strftime("%H:%M")
            return _tr("Call back now ({time} their time)").format(time=when), DETAIL_CALLBACK
        return _tr("Call back now"), DETAIL_CALLBACK
    if item.bucket == "later":
        if item.waiting == "call back":
            text = _tr("Call back {wait}").format(wait=wait) if wait else _tr("Call back later")
            return text, DETAIL_CALLBACK
        if item.waiting == "due again":
            why = _tr("Next try")
        elif item.waiting.startswith("outside calling hours"):
            why = _tr("Outside calling hours")
        else:
            why = item.waiting.split(" (")[0] or _tr("Not now")
            why = why[:1].upper() + why[1:]
        return (f"{why} · {wait}" if wait else why), DETAIL_WAIT
    return (item.company if item.company != item.name else ""), DETAIL_PLAIN


def _plural(count: int, one: str, many: str) -> str:
    return plural("QueueTableModel", count, one, many)


def counts_text(counts: QueueCounts) -> str:
    """The counts line under the queue: "1,234 leads · 12 due · 900 new · 3 later"."""
    parts = [_plural(counts.total, "{n} lead", "{n} leads")]
    if counts.callback:
        parts.append(_plural(counts.callback, "{n} callback", "{n} callbacks"))
    if counts.warm:
        parts.append(_tr("{n} warm").format(n=f"{counts.warm:,}"))
    parts.append(_tr("{n} due").format(n=f"{counts.due:,}"))
    parts.append(_tr("{n} new").format(n=f"{counts.new:,}"))
    parts.append(_tr("{n} later").format(n=f"{counts.later:,}"))
    if counts.blocked:
        parts.append(_tr("{n} blocked").format(n=f"{counts.blocked:,}"))
    return " · ".join(parts)


class QueueTableModel(QAbstractTableModel):
    """The queue, loaded page by page as the view scrolls; `refresh()` re-reads it from the service."""

    countsChanged = Signal(object)  # QueueCounts

    def __init__(
        self,
        leads: LeadService,
        page_size: int = PAGE_SIZE,
        clock: Callable[[], datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._leads = leads
        self._page_size = page_size
        self._clock = clock
        self._rows: list[QueueRow] = []
        self._filter = ""
        self._exhausted = False
        self.counts = QueueCounts()

    # -- loading ---------------------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter

    def set_filter(self, text: str) -> None:
        """Show only leads whose name, company, list or number contains `text`."""
        if text.strip() == self._filter.strip():
            self._filter = text
            return
        self._filter = text
        self.refresh()

    def refresh(self) -> None:
        """Re-read the queue from the start (after an outcome, an import or a new filter)."""
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self._load_page()
        self.endResetModel()
        self.counts = self._leads.queue_counts(self._filter.strip())
        self.countsChanged.emit(self.counts)

    def update_leads(self, lead_ids: Sequence[int]) -> bool:
        """Move the rows of a few changed leads (an outcome, an undo) to where the queue now puts
        them, and adjust the counts, without re-reading the queue: a primary-key look-up each.

        False (nothing changed) when a lead's old place is not known (its row not loaded yet):
        then only `refresh()` can tell the counts.
        """
        ids = list(dict.fromkeys(lead_ids))
        old_rows = {lead_id: self.row_for_lead(lead_id) for lead_id in ids}
        if any(row is None for row in old_rows.values()) and not self._exhausted:
            return False
        fresh = self._leads.queue_rows_for(ids, self._filter.strip())
        counts = dict(asdict(self.counts))
        for lead_id in ids:
            old = self.row_for_lead(lead_id)
            if old is not None:
                counts[self._rows[old].counted_as] -= 1
                self.beginRemoveRows(QModelIndex(), old, old)
                del self._rows[old]
                self.endRemoveRows()
            item = fresh.get(lead_id)
            if item is None:
                continue
            counts[item.counted_as] += 1
            place = bisect_left([row.order for row in self._rows], item.order)
            if place < len(self._rows) or self._exhausted:  # else it comes with a later page
                self.beginInsertRows(QModelIndex(), place, place)
                self._rows.insert(place, item)
                self.endInsertRows()
        counts["total"] = sum(value for name, value in counts.items() if name != "total")
        self.counts = QueueCounts(**counts)
        self.countsChanged.emit(self.counts)
        return True

    def _load_page(self) -> list[QueueRow]:
        page = self._leads.queue_page(len(self._rows), self._page_size, self._filter.strip())
        if len(page) < self._page_size:
            self._exhausted = True
        self._rows.extend(page)
        return page

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return False
        return not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        if parent.isValid() or self._exhausted:
            return
        page = self._leads.queue_page(len(self._rows), self._page_size, self._filter.strip())
        if len(page) < self._page_size:
            self._exhausted = True
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # -- lookup ----------------------------------------------------------------------------------

    def row_of(self, row: int) -> QueueRow:
        return self._rows[row]

    def row_for_lead(self, lead_id: int) -> int | None:
        """The row of a loaded lead, or None (not loaded yet, or not in the queue)."""
        for number, item in enumerate(self._rows):
            if item.lead_id == lead_id:
                return number
        return None

    # -- the model interface ---------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return column_titles().get(section)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section == COL_ATTEMPTS:
                return _tr("Attempts made / attempt target")
            if section == COL_LOCAL_TIME:
                return _tr("The time now where the lead is")
            if section == COL_POSITION:
                return _tr("Place in the queue; sort by it to restore the queue order")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, index.row(), column)
        if role == SortRole:
            return self._sort_key(item, index.row(), column)
        if role == LeadIdRole:
            return item.lead_id
        if role == BucketRole:
            return item.bucket
        if role == RowRole:
            return item
        if role == DueDetailRole:
            return self._due_detail(item) if column == COL_WHEN else ""
        if role in (DetailRole, DetailKindRole):
            text, kind = row_detail(item, self._clock() if self._clock is not None else None)
            return text if role == DetailRole else kind
        if role == Qt.ItemDataRole.BackgroundRole and item.bucket == "callback":
            return QBrush(QColor(style.POSITIVE_SOFT))
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_WHEN and item.bucket == "blocked":
                return QBrush(QColor(style.DANGER))
            if item.bucket in WAITING_BUCKETS:
                return QBrush(QColor(style.FAINT))
            if column == COL_WHEN and item.bucket == "callback":
                return QBrush(QColor(style.POSITIVE))
            return None
        if role == Qt.ItemDataRole.FontRole and column == COL_WHEN and item.bucket == "callback":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_POSITION, COL_ATTEMPTS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        return None

    def _display(self, item: QueueRow, row: int, column: int) -> str:
        if column == COL_POSITION:
            return str(row + 1)
        if column == COL_NAME:
            return item.name
        if column == COL_COMPANY:
            return item.company
        if column == COL_WHEN:
            # When a later lead is due is the cell's second line (DueDetailRole), on their clock.
            return bucket_label(item.bucket)
        if column == COL_ATTEMPTS:
            return f"{item.attempts}/{item.target}"
        if column == COL_LOCAL_TIME:
            return item.local_time
        if column == COL_PHONE:
            return item.phone
        if column == COL_LIST:
            return item.list_name
        return ""

    def _due_detail(self, item: QueueRow) -> str:
        """When a later lead may be called, labelled: "their 17:30" today (theirs), else "their Wed 09:30"."""
        when = item.callable_at or item.due_at
        if item.bucket != "later" or when is None:
            return ""
        zone = ZoneInfo(item.time_zone) if item.time_zone else None
        local = when.astimezone(zone) if zone is not None else when.astimezone()
        now = self._clock().astimezone(local.tzinfo) if self._clock is not None else None
        text = local.strftime(TIME if now is not None and local.date() == now.date() else "%a %H:%M")
        label = _tr("their {time}") if zone is not None else _tr("your {time}")
        return label.format(time=text)

    def _sort_key(self, item: QueueRow, row: int, column: int) -> Any:
        if column == COL_POSITION:
            return row
        if column == COL_ATTEMPTS:
            return item.attempts
        if column == COL_WHEN:
            when = item.callable_at or item.due_at
            return when.timestamp() if when is not None else 0.0
        return self._display(item, row, column).casefold()

    def _tooltip(self, item: QueueRow) -> str:
        lines = [item.name]
        if item.company and item.company != item.name:
            lines.append(item.company)
        if item.waiting:
            lines.append(_tr("Not now: {why}").format(why=item.waiting))
            wait = describe_wait(item.callable_at, item.time_zone, self._clock()) if self._clock else ""
            if wait:
                lines.append(_tr("Callable {wait}").format(wait=wait))
        lines.append(_tr("{n} of {target} attempts made").format(n=item.attempts, target=item.target))
        # Phone and list have columns of their own, hidden by default in the narrow queue panel.
        if item.phone:
            lines.append(item.phone)
        if item.list_name:
            lines.append(_tr("List: {name}").format(name=item.list_name))
        if item.due_at is not None:
            lines.append(_tr("Next try: {when}").format(when=labelled_time(item.due_at, item.time_zone)))
        return "\n".join(lines)


class QueueSortProxy(QSortFilterProxyModel):
    """Sorts the loaded queue rows by a column's natural value (numbers as numbers, times as times)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a = left.data(SortRole)
        b = right.data(SortRole)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
