"""What the consolidation tabs share: read-only tables, coloured cells, a PDF save dialog, and running a
database change off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from thidua_desktop.core.progress import CancelFn, ProgressFn, check_cancel
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.messages import ask_text

ATTENTION = QColor("#b3261e")
GOOD = QColor("#1d6b2c")

T = TypeVar("T")


def fill_table(widget: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[Any]],
               *, numeric: Sequence[int] = (), stretch: int | None = 1) -> None:
    """Fill a read-only table widget; numbers (given as text) are right-aligned in the `numeric` columns."""
    widget.clear()
    widget.setColumnCount(len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = value if isinstance(value, QTableWidgetItem) else QTableWidgetItem("" if value is None else str(value))
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, c, item)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None and stretch < len(headers):
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def read_only_table() -> QTableWidget:
    widget = QTableWidget()
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.verticalHeader().hide()
    widget.setWordWrap(True)
    return widget


def colored(text: str, color: QColor | None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color is not None:
        item.setForeground(QBrush(color))
    return item


def save_pdf_dialog(parent: QWidget, title: str, suggested: str) -> Path | None:
    target, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), "PDF (*.pdf)")
    return Path(target) if target else None


def run_change(
    context: AppContext,
    parent: QWidget,
    title: str,
    change: Callable[[], T],
    on_done: Callable[[T], None],
    *,
    on_error: Callable[[BaseException, str], None] | None = None,
) -> None:
    """Run a short database change off the GUI thread; Cancel is heard before it starts (it is one transaction).

    `on_done` (and `on_error`) run back on the GUI thread, where widgets may be touched.
    """

    def job(_progress: ProgressFn, cancel: CancelFn) -> T:
        check_cancel(cancel)
        return change()

    context.tasks.run(job, title=title, parent=parent, on_done=on_done, on_error=on_error)


def with_official_name(context: AppContext, parent: QWidget, then: Callable[[], None]) -> None:
    """Run `then` once the department official's name is known: reviews and approvals carry it, never the
    computer's login name. The first time, ask for it and keep it in Settings (Cài đặt › Máy này)."""
    workspace = context.workspace
    if workspace.official_name:
        then()
        return
    name = ask_text(parent, parent.tr("Người thẩm định"),
                    parent.tr("Họ và tên của đồng chí (ghi vào kết quả thẩm định và duyệt số liệu):"))
    if name is None or not name.strip():
        return
    run_change(context, parent, parent.tr("Đang lưu cài đặt…"),
               lambda: workspace.set_settings(official_name=name.strip()), lambda _changes: then())
