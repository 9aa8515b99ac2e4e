"""Biểu đồ: progress per criterion, total score per unit, or one indicator per unit.

The numbers come from the core (`criterion_progress`, the ranking, the table); this tab only draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from thidua_desktop.core.consolidation.scoring import Ranking, criterion_progress, format_points
from thidua_desktop.core.consolidation.table import ConsolidatedTable, format_cell
from thidua_desktop.core.models import Aggregation, TargetOp
from thidua_desktop.core.text import format_number, format_percent
from thidua_desktop.gui.consolidation.charts import Bar, BarChart, TargetLine

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.consolidation import ConsolidationPage


def percent_axis(value: float) -> str:
    return f"{format_number(value)}%"


class ChartsTab(QWidget):
    CHART_KINDS = ("criteria", "units_score", "indicator")

    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Tiến độ theo tiêu chí (% điểm chuẩn)"), "criteria")
        self.kind.addItem(self.tr("Tổng điểm theo đơn vị"), "units_score")
        self.kind.addItem(self.tr("Một chỉ tiêu theo đơn vị"), "indicator")
        self.subject = QComboBox()
        self.subject.setMinimumContentsLength(40)
        row.addWidget(QLabel(self.tr("Biểu đồ:")))
        row.addWidget(self.kind)
        row.addWidget(self.subject, 1)
        export = QPushButton(self.tr("Lưu ảnh PNG…"))
        export.clicked.connect(lambda: self.export_png())
        row.addWidget(export)
        layout.addLayout(row)
        self.chart = BarChart()
        layout.addWidget(self.chart, 1)
        self.kind.currentIndexChanged.connect(lambda _i: self._fill_subjects())
        self.subject.currentIndexChanged.connect(lambda _i: self.draw())
        self._fill_subjects()

    def _fill_subjects(self) -> None:
        self.subject.blockSignals(True)
        self.subject.clear()
        kind = self.kind.currentData()
        table = self.page.table
        if kind == "criteria":
            self.subject.addItem(self.tr("Bình quân các đơn vị"), None)
            for row in table.rows if table else ():
                if row.unit is not None:
                    self.subject.addItem(row.unit.name, row.unit.id)
        elif kind == "indicator":
            for ind in self.page.campaign.indicators:
                self.subject.addItem(f"{ind.code}. {ind.name}", ind.id)
        else:
            self.subject.addItem(self.tr("Tất cả đơn vị trong bảng"), None)
        self.subject.setEnabled(kind != "units_score")
        self.subject.blockSignals(False)
        self.draw()

    def refresh(self) -> None:
        current = self.subject.currentData()
        self._fill_subjects()
        index = self.subject.findData(current)
        if index >= 0:
            self.subject.setCurrentIndex(index)

    def _award_lines(self, ranking: Ranking) -> list[TargetLine]:
        return [TargetLine(a.min_percent, f"{a.title.replace('của ', '')}: {format_number(a.min_percent)}%")
                for a in sorted(ranking.scheme.awards, key=lambda a: a.min_percent)]

    def draw(self) -> None:
        kind = self.kind.currentData()
        table = self.page.table
        if table is None:
            self.chart.set_data("", [])
            return
        if kind == "indicator":
            self._draw_indicator(table)
            return
        ranking = self.page.ranking()
        if ranking is None:
            self.chart.set_data(self.page.scheme_problem or "", [])
            return
        period = table.filter.description
        if kind == "units_score":
            bars = [Bar(r.unit.short_name, r.percent, f"{format_points(r.reviewed_total)} điểm ({format_percent(r.percent)})")
                    for r in ranking.rows]
            self.chart.set_data(self.tr("Tổng điểm thi đua theo đơn vị (% điểm chuẩn)"), bars, self._award_lines(ranking),
                                subtitle=period, axis_format=percent_axis)
            return
        bars = [Bar(f"{p.code}. {p.title}", p.percent,
                    f"{format_points(round(p.points, 1))}/{format_points(p.standard)} ({format_percent(p.percent)})",
                    p.below_awards)
                for p in criterion_progress(ranking, self.subject.currentData())]
        who = self.subject.currentText()
        self.chart.set_data(self.tr("Tiến độ theo tiêu chí — {who}").format(who=who), bars, self._award_lines(ranking),
                            subtitle=period, axis_format=percent_axis)

    def _draw_indicator(self, table: ConsolidatedTable) -> None:
        indicator = self.page.campaign.indicators_by_id.get(self.subject.currentData())
        if indicator is None:
            return
        column = table.column_of[indicator.id]
        is_ratio = indicator.aggregation is Aggregation.RATIO
        bars = [Bar(row.label, row.cells[column].value, format_cell(indicator, row.cells[column]), row.cells[column].missed)
                for row in table.rows]
        lines = []
        if indicator.target is not None:
            sign = "≥" if indicator.target.op is TargetOp.AT_LEAST else "≤"
            lines.append(TargetLine(indicator.target.value, self.tr("Chỉ tiêu {sign} {v}").format(
                sign=sign, v=f"{indicator.target.value}%" if is_ratio else format_number(indicator.target.value))))
        total = table.total.cells[column]
        if is_ratio and total.value is not None:
            lines.append(TargetLine(total.value, self.tr("{total} {v}").format(total=table.total.label, v=format_percent(total.value))))
        axis: Callable[[float], str] | None = percent_axis if is_ratio else None
        self.chart.set_data(f"{indicator.code}. {indicator.name} ({indicator.unit})", bars, lines,
                            subtitle=table.filter.description, axis_format=axis)

    def export_png(self, target: Path | None = None) -> Path | None:
        if target is None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu biểu đồ"), str(Path.home() / "bieu-do.png"),
                                                  self.tr("Ảnh PNG (*.png)"))
            if not name:
                return None
            target = Path(name)
        return self.chart.save_png(target)
