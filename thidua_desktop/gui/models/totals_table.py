"""Indicator results (sum / latest / ratio) against targets, for the totals panel and the overview."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.models import Aggregation
from thidua_desktop.core.query import IndicatorResult
from thidua_desktop.core.text import format_money, format_number, format_percent

MISSED = QColor("#b3261e")
MET = QColor("#1d6b2c")


def format_result(result: IndicatorResult | None) -> str:
    if result is None or result.value is None:
        return "—"
    indicator = result.indicator
    if indicator.aggregation is Aggregation.RATIO:
        return f"{format_percent(result.value)} ({format_number(result.numerator)}/{format_number(result.denominator)})"
    if indicator.is_money:
        return format_money(int(result.value))
    return f"{format_number(int(result.value))} {indicator.unit}"


def target_text(result: IndicatorResult | None) -> str:
    if result is None or result.indicator.target is None:
        return ""
    target = result.indicator.target
    unit = "%" if result.indicator.aggregation is Aggregation.RATIO else f" {result.indicator.unit}"
    return f"{'≥' if target.op.value == '>=' else '≤'} {format_number(target.value)}{unit}"


def status_text(result: IndicatorResult | None) -> str:
    if result is None:
        return ""
    met = result.target_met
    return {True: "Đạt", False: "Chưa đạt", None: ""}[met] if result.indicator.target else ""


class TotalsModel(QAbstractTableModel):
    """Rows: criteria headers and indicators; columns: one or more result sets, target, status."""

    def __init__(self, campaign: CampaignInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.campaign = campaign
        self.rows: list[tuple[str, int]] = []  # ("criterion", id) or ("indicator", id)
        for criterion in campaign.criteria:
            indicators = campaign.indicators_of(criterion.id)
            self.rows.append(("criterion", criterion.id))
            self.rows.extend(("indicator", i.id) for i in indicators)
        self.column_titles: list[str] = ["Kết quả"]
        self.results: list[dict[int, IndicatorResult]] = [{}]

    def set_results(self, column_titles: list[str], results: list[dict[int, IndicatorResult]]) -> None:
        self.beginResetModel()
        self.column_titles = column_titles
        self.results = results
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 1 + len(self.column_titles) + 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = ["Chỉ tiêu", *self.column_titles, "Mục tiêu", "Đánh giá"]
        return self.tr(titles[section])

    def _last_result(self, indicator_id: int) -> IndicatorResult | None:
        return self.results[-1].get(indicator_id) if self.results else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        kind, item_id = self.rows[index.row()]
        column = index.column()
        if kind == "criterion":
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and column == 0:
                return self.campaign.criteria_by_id[item_id].label
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor("#eef3f8"))
            return None
        indicator = self.campaign.indicators_by_id[item_id]
        last = self._last_result(item_id)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{indicator.code}  {indicator.name}"
            if column <= len(self.column_titles):
                return format_result(self.results[column - 1].get(item_id))
            if column == len(self.column_titles) + 1:
                return target_text(last)
            return status_text(last)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return indicator.name
        if role == Qt.ItemDataRole.ForegroundRole and column == len(self.column_titles) + 2 and last is not None:
            return QBrush(MISSED if last.target_met is False else MET)
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < column <= len(self.column_titles):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def missed_codes(self) -> list[str]:
        return [
            self.campaign.indicators_by_id[item_id].code
            for kind, item_id in self.rows
            if kind == "indicator" and (r := self._last_result(item_id)) is not None and r.target_met is False
        ]
