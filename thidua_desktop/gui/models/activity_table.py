"""The activity list model: holds only the ordered ids and fills a row cache page by page on demand.

100,000 activities open instantly because only the visible pages are ever fetched (Anki's browser
table works the same way).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from thidua_desktop.core.query import ActivityFilter, ActivityQueries, ActivityRow, SortColumn
from thidua_desktop.core.text import format_date, format_number

PAGE_SIZE = 200
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

_COLUMNS: list[tuple[SortColumn, str]] = [
    (SortColumn.DATE, "Ngày"),
    (SortColumn.UNIT, "Đơn vị"),
    (SortColumn.CRITERION, "Tiêu chí"),
    (SortColumn.TITLE, "Tên hoạt động"),
    (SortColumn.PLACE, "Địa bàn"),
    (SortColumn.FIGURES, "Số liệu chính"),
    (SortColumn.EVIDENCE, "Minh chứng"),
    (SortColumn.STATUS, "Trạng thái"),
]
_STATUS_COLOURS = {"Chưa gửi": "#8a5a00", "Đã sửa, chưa gửi": "#b03a00", "Đã gửi": "#1d6b2c", "Đã xóa": "#7a7a7a",
                   "Nhận qua gói": "#1d4f91", "Nhập tại Sở": "#444444"}


class ActivityTableModel(QAbstractTableModel):
    def __init__(
        self, queries: ActivityQueries, flt: ActivityFilter, *, show_unit: bool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.queries = queries
        self.filter = flt
        self.columns = [c for c in _COLUMNS if show_unit or c[0] is not SortColumn.UNIT]
        self.department_view = show_unit  # the department's copy: status tells where a record came from
        self.sort_column = SortColumn.DATE
        self.descending = True
        self.ids: list[int] = []
        self.cache: dict[int, ActivityRow] = {}
        self.reload()

    # --- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self.ids = self.queries.ids(self.filter, self.sort_column, self.descending)
        self.cache = {}
        self.endResetModel()

    def set_filter(self, flt: ActivityFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload()

    def _row(self, position: int) -> ActivityRow | None:
        row_id = self.ids[position]
        row = self.cache.get(row_id)
        if row is None:
            start = (position // PAGE_SIZE) * PAGE_SIZE
            page = self.ids[start : start + PAGE_SIZE]
            self.cache.update(self.queries.rows(page))
            row = self.cache.get(row_id)
        return row

    def uuid_at(self, position: int) -> str | None:
        row = self._row(position)
        return row.uuid if row else None

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.columns[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if column is SortColumn.STATUS and self.department_view:
                return row.department_status
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (SortColumn.TITLE, SortColumn.PLACE, SortColumn.FIGURES):
            return self._display(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is SortColumn.STATUS:
            status = row.department_status if self.department_view else row.status
            return QBrush(QColor(_STATUS_COLOURS.get(status, "#000000")))
        if role == Qt.ItemDataRole.ForegroundRole and column is SortColumn.EVIDENCE and row.evidence_count == 0:
            return QBrush(QColor("#b03a00"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column is SortColumn.EVIDENCE:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == UUID_ROLE:
            return row.uuid
        if role == ROW_ROLE:
            return row
        return None

    @staticmethod
    def _display(row: ActivityRow, column: SortColumn) -> str:
        match column:
            case SortColumn.DATE:
                return format_date(row.activity_date)
            case SortColumn.UNIT:
                return row.unit_name
            case SortColumn.CRITERION:
                return row.criterion_code
            case SortColumn.TITLE:
                return row.title
            case SortColumn.PLACE:
                return row.place
            case SortColumn.FIGURES:
                return row.figures
            case SortColumn.EVIDENCE:
                return format_number(row.evidence_count) if row.evidence_count else "Thiếu"
            case SortColumn.STATUS:
                return row.status
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column = self.columns[column][0]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()
