"""The consolidated table on screen: a model with two orientations, a grouped header, frozen leading columns.

The model only formats a core `ConsolidatedTable`; switching period or filter replaces that object and
resets the model, which costs a few milliseconds. Leading columns (unit name and activity count, or the
indicator name) stay frozen through a second view laid over the first, the technique of Qt's
"Frozen Column" example, so they never scroll away and stay resizable.
"""

from __future__ import annotations

import enum
import textwrap
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QStyleOptionHeader, QTableView, QWidget

from thidua_desktop.core.catalogue import IndicatorInfo
from thidua_desktop.core.consolidation.excel import target_label
from thidua_desktop.core.consolidation.table import Cell, ConsolidatedTable, TableRow, format_cell
from thidua_desktop.core.models import Aggregation
from thidua_desktop.core.text import format_number, format_percent

MISSED_TEXT = QColor("#b3261e")
MISSED_FILL = QColor("#fde2e1")
TOTAL_FILL = QColor("#eef1f5")
GROUP_FILLS = (QColor("#d7e4f2"), QColor("#e6e0ef"))

CELL_ROLE = Qt.ItemDataRole.UserRole + 1  # (unit ids or None for the province, indicator id) behind a cell
GROUP_ROLE = Qt.ItemDataRole.UserRole + 2  # a criterion heading row (indicators × units orientation)


class Orientation(enum.Enum):
    UNITS_BY_INDICATORS = "units"
    INDICATORS_BY_UNITS = "indicators"


@dataclass(frozen=True)
class CellRef:
    """What a double-click on a cell drills into."""

    row: TableRow
    indicator: IndicatorInfo

    @property
    def unit_ids(self) -> list[int] | None:
        return [self.row.unit.id] if self.row.unit else None


def header_text(indicator: IndicatorInfo, width: int = 16) -> str:
    """Code, the name wrapped on two lines (elided), and the unit: enough to read without the tooltip."""
    lines = textwrap.wrap(indicator.name, width)
    name = "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")
    return f"{indicator.code}\n{name}\n({indicator.unit})"


def tooltip(indicator: IndicatorInfo, cell: Cell, label: str) -> str:
    parts = [f"{label} — {indicator.code}. {indicator.name}"]
    if indicator.aggregation is Aggregation.RATIO:
        parts.append(f"{format_percent(cell.value)} = {format_number(cell.numerator or 0)} / {format_number(cell.denominator or 0)}")
    elif indicator.aggregation is Aggregation.LATEST:
        parts.append("Chỉ tiêu tồn: số liệu báo cáo mới nhất")
    if indicator.target is not None:
        parts.append(f"Chỉ tiêu kế hoạch: {target_label(indicator)}" + (" — CHƯA ĐẠT" if cell.missed else ""))
    parts.append("Nhấp đúp để xem các hoạt động và minh chứng.")
    return "\n".join(parts)


class ConsolidatedModel(QAbstractTableModel):
    """Units × indicators (frozen: unit, activity count) or indicators × units (frozen: code, indicator)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: ConsolidatedTable | None = None
        self.orientation = Orientation.UNITS_BY_INDICATORS
        self._lines: list[tuple[str, Any]] = []  # indicators × units: ("group", ColumnGroup) | ("indicator", column)

    @property
    def frozen_columns(self) -> int:
        return 2

    def set_table(self, table: ConsolidatedTable | None, orientation: Orientation | None = None) -> None:
        """Show another table; same rows and columns (a period or place switch) only repaint the cells."""
        if self._same_shape(table, orientation or self.orientation):
            self.table = table
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self.table = table
        if orientation is not None:
            self.orientation = orientation
        self._lines = []
        if table is not None:
            for group in table.groups:
                self._lines.append(("group", group))
                self._lines.extend(("indicator", group.start + k) for k in range(group.count))
        self.endResetModel()

    # --- shape ----------------------------------------------------------------------------------
    def _same_shape(self, table: ConsolidatedTable | None, orientation: Orientation) -> bool:
        old = self.table
        if old is None or table is None or orientation is not self.orientation:
            return False
        return old.indicators == table.indicators and [r.unit for r in old.rows] == [r.unit for r in table.rows]

    def _rows(self) -> list[TableRow]:
        return [*self.table.rows, self.table.total] if self.table else []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.table is None:
            return 0
        return len(self._rows()) if self.orientation is Orientation.UNITS_BY_INDICATORS else len(self._lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.table is None:
            return 0
        if self.orientation is Orientation.UNITS_BY_INDICATORS:
            return 2 + len(self.table.indicators)
        return 3 + len(self.table.rows) + 2  # code, name, target | units | province, % achieved

    def group_spans(self) -> list[tuple[int, int, str]]:
        """(first column, count, label) of each criterion heading over the indicator columns."""
        if self.table is None or self.orientation is not Orientation.UNITS_BY_INDICATORS:
            return []
        return [(2 + g.start, g.count, g.criterion.label) for g in self.table.groups]

    def group_rows(self) -> list[int]:
        if self.orientation is not Orientation.INDICATORS_BY_UNITS:
            return []
        return [n for n, (kind, _v) in enumerate(self._lines) if kind == "group"]

    # --- header -----------------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if self.table is None or orientation != Qt.Orientation.Horizontal:
            return None
        if self.orientation is Orientation.UNITS_BY_INDICATORS:
            if section < 2:
                if role == Qt.ItemDataRole.DisplayRole:
                    return [self.tr("Đơn vị"), self.tr("Số\nhoạt động")][section]
                return None
            indicator = self.table.indicators[section - 2]
            if role == Qt.ItemDataRole.DisplayRole:
                return header_text(indicator)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{indicator.code}. {indicator.name} ({indicator.unit})"
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        units = [row.label for row in self.table.rows]
        titles = [self.tr("Mã"), self.tr("Chỉ tiêu"), self.tr("Chỉ tiêu\nkế hoạch"), *units, self.table.total.label,
                  self.tr("Tỷ lệ đạt\nso với\nchỉ tiêu")]
        return "\n".join(textwrap.wrap(titles[section], 14)) if "\n" not in titles[section] else titles[section]

    # --- cells ---------------------------------------------------------------------------------------
    def cell_ref(self, index: QModelIndex) -> CellRef | None:
        """The (row, indicator) under an index, or None for labels and headings."""
        if self.table is None or not index.isValid():
            return None
        if self.orientation is Orientation.UNITS_BY_INDICATORS:
            if index.column() < 2:
                return None
            return CellRef(self._rows()[index.row()], self.table.indicators[index.column() - 2])
        kind, value = self._lines[index.row()]
        if kind != "indicator":
            return None
        units = len(self.table.rows)
        column = index.column() - 3
        if 0 <= column < units:
            return CellRef(self.table.rows[column], self.table.indicators[value])
        if column == units:
            return CellRef(self.table.total, self.table.indicators[value])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid():
            return None
        if self.orientation is Orientation.INDICATORS_BY_UNITS:
            kind, value = self._lines[index.row()]
            if kind == "group":
                return self._group_data(value, index.column(), role)
        ref = self.cell_ref(index)
        if ref is not None:
            return self._cell_data(ref, role)
        return self._label_data(index, role)

    def _group_data(self, group: Any, column: int, role: int) -> Any:
        # The code sits in the frozen part, the title in the scrolling part (each spans its own columns).
        if role == Qt.ItemDataRole.DisplayRole and column in (0, self.frozen_columns):
            return group.criterion.code if column == 0 else group.criterion.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return group.criterion.label
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(GROUP_FILLS[self.table.groups.index(group) % 2])
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == GROUP_ROLE:
            return True
        return None

    def _cell_data(self, ref: CellRef, role: int) -> Any:
        assert self.table is not None
        cell = ref.row.cells[self.table.column_of[ref.indicator.id]]
        is_total = ref.row.unit is None
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(ref.indicator, cell)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and cell.missed:
            return QBrush(MISSED_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole:
            if cell.missed:
                return QBrush(MISSED_FILL)
            if is_total:
                return QBrush(TOTAL_FILL)
        if role == Qt.ItemDataRole.FontRole and (is_total or cell.missed):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(ref.indicator, cell, ref.row.unit.name if ref.row.unit else ref.row.label)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{format_cell(ref.indicator, cell)}{' chưa đạt chỉ tiêu' if cell.missed else ''}"
        if role == CELL_ROLE:
            return ref
        return None

    def _label_data(self, index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
        assert self.table is not None
        if self.orientation is Orientation.UNITS_BY_INDICATORS:
            row = self._rows()[index.row()]
            is_total = row.unit is None
            if role == Qt.ItemDataRole.DisplayRole:
                return row.label if index.column() == 0 else format_number(row.activities)
            if role == Qt.ItemDataRole.ToolTipRole and row.unit:
                return f"{row.unit.name} — {row.unit.kind_label}"
            if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.BackgroundRole and is_total:
                return QBrush(TOTAL_FILL)
            if role == Qt.ItemDataRole.FontRole and is_total:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole and not row.has_data and not is_total:
                return QBrush(QColor("#7a7a7a"))
            return None
        _kind, column = self._lines[index.row()]
        indicator = self.table.indicators[column]
        last = self.columnCount() - 1
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return indicator.code
            if index.column() == 1:
                return f"{indicator.name} ({indicator.unit})"
            if index.column() == 2:
                return target_label(indicator)
            if index.column() == last:
                achieved = self.table.achievement(column)
                return format_percent(achieved) if achieved is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, last):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return f"{indicator.code}. {indicator.name}"
        return None


class GroupedHeaderView(QHeaderView):
    """A horizontal header with a band of criterion headings spanning their indicators' sections."""

    def __init__(self, model: ConsolidatedModel, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.source = model
        self.setSectionsClickable(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
        self.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setHighlightSections(False)

    def band_height(self) -> int:
        return self.fontMetrics().height() * 3 + 8 if self.source.group_spans() else 0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        hint.setHeight(hint.height() + self.band_height())
        return hint

    def _grouped(self, logical: int) -> bool:
        return any(start <= logical < start + count for start, count, _label in self.source.group_spans())

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802 - Qt override
        band = self.band_height()
        target = rect.adjusted(0, band, 0, 0) if band and self._grouped(logical) else rect
        painter.save()
        super().paintSection(painter, target, logical)
        painter.restore()

    def paintEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().paintEvent(event)
        band = self.band_height()
        if not band:
            return
        painter = QPainter(self.viewport())
        for number, (start, count, label) in enumerate(self.source.group_spans()):
            if self.isSectionHidden(start):
                continue
            last = start + count - 1
            left = self.sectionViewportPosition(start)
            right = self.sectionViewportPosition(last) + self.sectionSize(last)
            if right < 0 or left > self.viewport().width():
                continue
            rect = QRect(left, 0, right - left, band)
            option = QStyleOptionHeader()
            self.initStyleOption(option)
            option.rect = rect
            option.section = start
            self.style().drawControl(QStyle.ControlElement.CE_HeaderSection, option, painter, self)
            painter.fillRect(rect.adjusted(1, 1, -1, -1), GROUP_FILLS[number % 2])
            painter.setPen(self.palette().color(self.foregroundRole()))
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            text_rect = rect.adjusted(4, 2, -4, -2)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(text_rect, int(flags), self.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width() * 3))
        painter.end()


class FrozenTableView(QTableView):
    """A table whose first `model.frozen_columns` columns stay put while the rest scroll horizontally."""

    def __init__(self, model: ConsolidatedModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen = QTableView(self)
        for view in (self, self.frozen):
            view.setHorizontalHeader(GroupedHeaderView(model, view))
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
            view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.setWordWrap(True)
            view.setAlternatingRowColors(False)
            view.verticalHeader().hide()
        self.setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 2px solid #9aa5b1; }")
        self.viewport().stackUnder(self.frozen)
        self.horizontalHeader().sectionResized.connect(self._main_resized)
        self.frozen.horizontalHeader().sectionResized.connect(self._frozen_resized)
        self.verticalHeader().sectionResized.connect(lambda index, _old, size: self.frozen.setRowHeight(index, size))
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.doubleClicked.connect(self.doubleClicked.emit)
        model.modelReset.connect(self.refresh_layout)
        self.refresh_layout()

    @property
    def source(self) -> ConsolidatedModel:
        return self.model()  # type: ignore[return-value]

    def refresh_layout(self) -> None:
        """After a reset: frozen columns visible only in the overlay, spans for heading rows, sizes."""
        model = self.source
        count = model.columnCount()
        frozen = min(model.frozen_columns, count)
        for column in range(count):
            self.frozen.setColumnHidden(column, column >= frozen)
        self.clearSpans()
        self.frozen.clearSpans()
        for row in model.group_rows():
            self.setSpan(row, frozen, 1, count - frozen)
            self.frozen.setSpan(row, 0, 1, frozen)
        first_width = 210 if model.orientation is Orientation.UNITS_BY_INDICATORS else 60
        widths = [first_width, 78 if model.orientation is Orientation.UNITS_BY_INDICATORS else 300]
        for column in range(count):
            width = widths[column] if column < len(widths) else 112
            self.setColumnWidth(column, width)
            self.frozen.setColumnWidth(column, width)
        # Both headers get the taller height, so the overlay's rows line up with the main view's.
        height = max(view.horizontalHeader().sizeHint().height() for view in (self, self.frozen))
        if height > 0:
            for view in (self, self.frozen):
                view.horizontalHeader().setFixedHeight(height)
        if model.orientation is Orientation.INDICATORS_BY_UNITS:  # wrapped indicator names need taller rows
            self.resizeRowsToContents()
            for row in model.group_rows():  # one line: the title spans the whole width
                self.setRowHeight(row, self.fontMetrics().height() + 8)
        else:
            for row in range(model.rowCount()):
                self.setRowHeight(row, self.fontMetrics().height() + 8)
        self._update_geometry()
        self.frozen.verticalScrollBar().setValue(self.verticalScrollBar().value())

    def _main_resized(self, index: int, _old: int, size: int) -> None:
        if index < self.source.frozen_columns:
            self.frozen.setColumnWidth(index, size)
            self._update_geometry()

    def _frozen_resized(self, index: int, _old: int, size: int) -> None:
        if index < self.source.frozen_columns:
            self.setColumnWidth(index, size)
            self._update_geometry()

    def _update_geometry(self) -> None:
        width = sum(self.columnWidth(c) for c in range(min(self.source.frozen_columns, self.source.columnCount())))
        self.frozen.setGeometry(
            self.verticalHeader().width() + self.frameWidth(),
            self.frameWidth(),
            width,
            self.viewport().height() + self.horizontalHeader().height(),
        )

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().resizeEvent(event)
        self._update_geometry()

    def moveCursor(self, action, modifiers):  # noqa: ANN001, ANN201, N802 - Qt override: keep the cursor visible
        current = super().moveCursor(action, modifiers)
        frozen_width = self.frozen.width()
        if action == QAbstractItemView.CursorAction.MoveLeft and current.column() >= self.source.frozen_columns:
            position = self.visualRect(current).topLeft().x()
            if position < frozen_width:
                self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + position - frozen_width)
        return current

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: ANN001, N802
        model = self.model()
        if not isinstance(model, ConsolidatedModel) or index.column() >= model.frozen_columns:
            super().scrollTo(index, hint)
