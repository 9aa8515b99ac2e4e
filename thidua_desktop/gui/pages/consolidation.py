"""Tổng hợp: the department's consolidated table, with completeness, review, ranking and charts tabs.

The page builds a month × place cube of the campaign once, in the background, then answers every
period, unit-kind or place switch from memory in a few milliseconds. Any change announced on the
context (an edit, an import, a review) drops the cube and rebuilds it.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.consolidation.cube import ConsolidationCube
from thidua_desktop.core.consolidation.periods import period_choices
from thidua_desktop.core.consolidation.review import ReviewReport
from thidua_desktop.core.consolidation.scoring import Ranking, ScoringScheme
from thidua_desktop.core.consolidation.table import ConsolidatedTable, ConsolidationFilter, format_cell
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.progress import CancelFn, ProgressFn
from thidua_desktop.core.text import format_number
from thidua_desktop.core.units import UNIT_KIND_LABELS, UnitInfo
from thidua_desktop.gui.consolidation.charts_tab import ChartsTab
from thidua_desktop.gui.consolidation.completeness_tab import CompletenessTab
from thidua_desktop.gui.consolidation.drilldown_dialog import DrillDownDialog
from thidua_desktop.gui.consolidation.ranking_tab import RankingTab
from thidua_desktop.gui.consolidation.review_tab import ReviewTab
from thidua_desktop.gui.consolidation.table_view import ConsolidatedModel, FrozenTableView, Orientation
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.flow_layout import FlowLayout, labelled

PLACE_CHOICES = (
    ("Mọi địa bàn", {}),
    ("Chỉ xã nghèo", {"poor_commune": True}),
    ("Chỉ vùng sâu, vùng xa", {"remote_area": True}),
    ("Chỉ vùng đồng bào dân tộc thiểu số", {"ethnic_area": True}),
)


class ConsolidationPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.campaign = self.workspace.campaign()
        self.service = self.workspace.consolidation()
        self.review = self.workspace.review()
        self.cube: ConsolidationCube | None = None
        self.table: ConsolidatedTable | None = None
        self._ranking: Ranking | None = None
        self._scheme: ScoringScheme | None = None
        self.scheme_problem: str | None = None
        self.last_switch_ms = 0.0
        self._building = False
        self._rebuild_again = False
        self._dirty_tabs: set[QWidget] = set()
        self._build()
        context.changed.connect(self.on_changed)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override: build on first view, not at start-up
        super().showEvent(event)
        if self.cube is None:
            self.rebuild()

    # --- layout -------------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        controls = FlowLayout()
        self.period = QComboBox()
        for period in period_choices(self.campaign):
            self.period.addItem(period.label if not period.label.startswith("Quý") else f"    {period.label}", period)
        self.kinds = QComboBox()
        self.kinds.addItem(self.tr("Tất cả đơn vị"), None)
        for kind in (UnitKind.DISTRICT_OFFICE, UnitKind.DEPARTMENT_OFFICE):
            self.kinds.addItem(self.tr(UNIT_KIND_LABELS[kind]), kind)
        self.kinds.insertSeparator(self.kinds.count())
        for unit in self.workspace.units().list():  # or one unit: its row, its total, its ranking
            self.kinds.addItem(unit.short_name, unit)
            self.kinds.setItemData(self.kinds.count() - 1, unit.name, Qt.ItemDataRole.ToolTipRole)
        self.place = QComboBox()
        for label, flags in PLACE_CHOICES:
            self.place.addItem(self.tr(label), flags)
        self.orientation = QComboBox()
        self.orientation.addItem(self.tr("Đơn vị × chỉ tiêu"), Orientation.UNITS_BY_INDICATORS)
        self.orientation.addItem(self.tr("Chỉ tiêu × đơn vị"), Orientation.INDICATORS_BY_UNITS)
        for label, widget in ((self.tr("Kỳ:"), self.period), (self.tr("Đơn vị:"), self.kinds),
                              (self.tr("Địa bàn:"), self.place), (self.tr("Trình bày:"), self.orientation)):
            # Each filter shows its whole choice ("Cả giai đoạn 2023–2025"); the row wraps on a narrow screen.
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(22 if widget is self.period else 16)
            widget.view().setMinimumWidth(widget.view().sizeHintForColumn(0) + 24)
            controls.addWidget(labelled(label, widget))
        self.excel_button = QPushButton(self.tr("Xuất Excel…"))
        self.excel_button.clicked.connect(lambda: self.export_excel())
        self.report_button = QPushButton(self.tr("Báo cáo tổng hợp…"))
        self.report_button.clicked.connect(lambda: self.export_report())
        controls.addWidget(self.excel_button)
        controls.addWidget(self.report_button)
        layout.addLayout(controls)
        self.status = QLabel(self.tr("Đang tổng hợp số liệu…"))
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.tabs = QTabWidget()
        self.model = ConsolidatedModel(self)
        self.view = FrozenTableView(self.model)
        self.view.doubleClicked.connect(self.open_cell)
        self.completeness_tab = CompletenessTab(self)
        self.review_tab = ReviewTab(self)
        self.ranking_tab = RankingTab(self)
        self.charts_tab = ChartsTab(self)
        self.tabs.addTab(self.view, self.tr("Bảng tổng hợp"))
        self.tabs.addTab(self.completeness_tab, self.tr("Tình hình gửi báo cáo"))
        self.tabs.addTab(self.review_tab, self.tr("Thẩm định"))
        self.tabs.addTab(self.ranking_tab, self.tr("Xếp hạng"))
        self.tabs.addTab(self.charts_tab, self.tr("Biểu đồ"))
        self.tabs.currentChanged.connect(lambda _i: self._refresh_current_tab())
        layout.addWidget(self.tabs, 1)
        for combo in (self.period, self.kinds, self.place, self.orientation):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())

    # --- filter and data -------------------------------------------------------------------------------------
    @property
    def filter(self) -> ConsolidationFilter:
        choice = self.kinds.currentData()
        if isinstance(choice, UnitInfo):
            return ConsolidationFilter(self.period.currentData(), unit_ids=frozenset({choice.id}),
                                       units_caption=choice.name, **self.place.currentData())
        return ConsolidationFilter(
            self.period.currentData(),
            unit_kinds=frozenset({choice}) if choice is not None else None,
            **self.place.currentData(),
        )

    def rebuild(self) -> None:
        """(Re)build the cube in the background; the table appears when it is ready.

        A change announced while a build runs asks for one more build afterwards, so the page never
        settles on figures older than the data; a cancelled build leaves the page ready to try again.
        """
        if self._building:
            self._rebuild_again = True
            return
        self._building = True
        self._rebuild_again = False
        self.status.setText(self.tr("Đang tổng hợp số liệu…"))
        service = self.service

        def job(progress: ProgressFn, cancel: CancelFn) -> ConsolidationCube:  # runs off the GUI thread
            return service.build_cube(progress=progress, cancel=cancel)

        def finished() -> bool:
            self._building = False
            if self._rebuild_again:
                self.rebuild()
                return True
            return False

        def done(cube: ConsolidationCube) -> None:
            if finished():
                return
            self.cube = cube
            self.apply_filter()

        def failed(error: BaseException, details: str) -> None:
            finished()
            from thidua_desktop.gui.messages import show_error

            show_error(self, error, details)

        def cancelled() -> None:
            self._rebuild_again = False
            finished()
            self.status.setText(self.tr("Đã hủy tổng hợp số liệu. Mở lại trang Tổng hợp để tổng hợp lại."))

        self.context.tasks.run(job, title=self.tr("Đang tổng hợp số liệu…"), parent=self, on_done=done,
                               on_error=failed, on_cancelled=cancelled)

    def apply_filter(self) -> None:
        """Recompute the table for the current controls; from the cube this takes milliseconds."""
        started = time.perf_counter()
        flt = self.filter
        self.table = self.service.table(flt, figures=self.cube)
        self._ranking = None
        self.model.set_table(self.table, self.orientation.currentData())
        self.last_switch_ms = (time.perf_counter() - started) * 1000
        table = self.table
        missed = len(table.misses())
        self.status.setText(self.tr(
            "{what}: {units} đơn vị, {n} hoạt động; {missed} ô chưa đạt chỉ tiêu (tô đỏ). "
            "Nhấp đúp vào một số liệu để xem các hoạt động và minh chứng."
        ).format(what=flt.description, units=format_number(len(table.rows)), n=format_number(table.total.activities),
                 missed=format_number(missed)))
        self._dirty_tabs = {self.completeness_tab, self.review_tab, self.ranking_tab, self.charts_tab}
        self._refresh_current_tab()

    def _refresh_current_tab(self) -> None:
        current = self.tabs.currentWidget()
        if current in self._dirty_tabs and self.table is not None:
            self._dirty_tabs.discard(current)
            current.refresh()

    def scheme(self) -> ScoringScheme | None:
        if self._scheme is None and self.scheme_problem is None:
            try:
                self._scheme = self.service.scheme()
            except UserError as error:
                self.scheme_problem = f"{error.message} {error.hint}"
        return self._scheme

    def ranking(self) -> Ranking | None:
        """The ranking of the current table (computed once per switch, shared by the ranking and chart tabs)."""
        scheme = self.scheme()
        if scheme is None or self.table is None:
            return None
        if self._ranking is None:
            self._ranking = self.service.ranking(self.table.filter, scheme=scheme, table=self.table)
        return self._ranking

    def on_changed(self, report: object) -> None:
        """Reviews and scores change no figure: recompute from the cube. Anything else rebuilds it (when shown)."""
        self._ranking = None
        if isinstance(report, ReviewReport) and self.cube is not None:
            self.apply_filter()
            return
        self.cube = None
        if self.isVisible():
            self.rebuild()

    # --- actions ----------------------------------------------------------------------------------------------
    def open_cell(self, index: QModelIndex) -> DrillDownDialog | None:
        ref = self.model.cell_ref(index)
        if ref is None or self.table is None:
            return None
        cell = ref.row.cells[self.table.column_of[ref.indicator.id]]
        unit_ids = ref.unit_ids or [row.unit.id for row in self.table.rows if row.unit is not None]
        heading = self.tr("{code}. {name} — {who}: {value}").format(
            code=ref.indicator.code, name=ref.indicator.name, who=ref.row.unit.name if ref.row.unit else ref.row.label,
            value=format_cell(ref.indicator, cell) or "—",
        )
        dialog = DrillDownDialog(self.context, self.table.filter, ref.indicator.id, unit_ids,
                                 heading=f"{heading}\n{self.table.filter.description}", parent=self)
        dialog.open()
        return dialog

    def export_excel(self, target: Path | None = None) -> None:
        if self.table is None:
            return
        if target is None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Xuất bảng tổng hợp ra Excel"),
                                                  str(Path.home() / "tong-hop-thi-dua.xlsx"), self.tr("Tệp Excel (*.xlsx)"))
            if not name:
                return
            target = Path(name)
        table, service = self.table, self.service
        self.context.tasks.run(
            lambda progress, cancel: service.export_excel(target, table, progress=progress, cancel=cancel),
            title=self.tr("Đang xuất Excel…"), parent=self,
            on_done=lambda path: self.status.setText(self.tr("Đã xuất bảng tổng hợp ra {file}.").format(file=path)),
        )

    def export_report(self, target: Path | None = None) -> None:
        from thidua_desktop.gui.consolidation.report_dialog import export_summary_report

        export_summary_report(self, target)
