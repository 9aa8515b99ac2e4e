"""Shared pieces of the bundles page: sortable record tables, notes, sizes and local times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

from thidua_desktop.core.bundles.importer import local_time
from thidua_desktop.core.text import format_date, format_datetime, format_number
from thidua_desktop.gui.empty_hint import HintTableView
from thidua_desktop.gui.models.records import RECORD_ROLE, RecordTableModel

BUNDLE_FILTER = "Gói dữ liệu ThiĐua (*.thidua)"
INCIDENT_LABELS = {"equivocation": "Hai gói khác nhau cùng số thứ tự", "fork": "Chuỗi gói không khớp"}


def size_text(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{format_number(value / 1024 / 1024, decimals=1)} MB"
    return f"{format_number(max(value, 0) / 1024, decimals=0)} KB"


class Shown(str):
    """Display text carrying its own sort key, so dd/mm/yyyy dates sort by time."""

    sort_key: str

    def __new__(cls, text: str, sort_key: str) -> Shown:
        shown = super().__new__(cls, text)
        shown.sort_key = sort_key
        return shown


def when(value: Any) -> str:
    return Shown(format_datetime(local_time(value)), value.isoformat()) if value else ""


def day(value: Any) -> str:
    return Shown(format_date(value), value.isoformat()) if value else ""


SORT_ROLE = Qt.ItemDataRole.UserRole + 31


class Records(RecordTableModel):
    """RecordTableModel that also gives raw values for sorting, so 10 sorts after 9 and dates by time."""

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: ANN001
        if role == SORT_ROLE and index.isValid():
            value = self.columns[index.column()][1](self.records[index.row()])
            return value if isinstance(value, int | float) else getattr(value, "sort_key", str(value))
        return super().data(index, role)


def table(model: RecordTableModel, *, stretch: int | None = None, empty: str = "") -> QTableView:
    view = HintTableView(empty)
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the model's order at first
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def selected(view: QTableView) -> list[Any]:
    return [index.data(RECORD_ROLE) for index in view.selectionModel().selectedRows()]


def note(text: str = "", *, style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


WARNING_STYLE = "background: #fff4ce; border: 1px solid #e0c36a; padding: 6px;"
NOTICE_STYLE = "background: #e8f1fb; border: 1px solid #9cc0e6; padding: 6px;"


def local_text(iso_utc: str) -> str:
    """An incident's UTC time stamp as the local dd/mm/yyyy hh:mm the rest of the app shows."""
    try:
        moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone().replace(tzinfo=None))
