"""Tiến độ đơn vị: each indicator per year and for the whole campaign, against its target."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from thidua_desktop.core.query import ActivityFilter, Period, indicator_values
from thidua_desktop.core.units import list_units
from thidua_desktop.core.workspace import Role
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.models.totals_table import TotalsModel


class OverviewPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.campaign = self.workspace.campaign()
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        top.addWidget(self.heading, 1)
        self.unit = QComboBox()
        self.unit.addItem(self.tr("Toàn tỉnh (tất cả đơn vị)"), None)
        with self.workspace.sessions() as session:
            for unit in list_units(session):
                self.unit.addItem(unit.name, unit.id)
        top.addWidget(self.unit)
        layout.addLayout(top)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = TotalsModel(self.campaign, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        if self.workspace.role is Role.UNIT:
            own = self.workspace.own_unit()
            self.unit.setCurrentIndex(self.unit.findData(own.id) if own else 0)
            self.unit.setEnabled(False)
        self.unit.currentIndexChanged.connect(lambda _i: self.refresh())
        context.changed.connect(lambda _report: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        unit_id = self.unit.currentData()
        base = ActivityFilter(campaign_id=self.campaign.id, unit_ids=frozenset({unit_id}) if unit_id else None)
        periods = [Period.year(year) for year in self.campaign.years] + [Period.campaign(self.campaign)]
        with self.workspace.sessions() as session:
            results = [indicator_values(session, self.campaign, base.with_(period=p))[None] for p in periods]
        titles = [p.label if p.label.startswith("Năm") else self.tr("Cả giai đoạn") for p in periods]
        self.model.set_results(titles, results)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.heading.setText(self.tr("Tiến độ thực hiện: {name}").format(name=self.unit.currentText()))
        with_target = [r for r in results[-1].values() if r.indicator.target is not None]
        met = [r for r in with_target if r.target_met]
        missed = [r for r in with_target if r.target_met is False]
        no_data = [r for r in with_target if r.target_met is None]
        text = self.tr("Cả giai đoạn: đạt {met}/{total} mục tiêu").format(met=len(met), total=len(with_target))
        if missed:
            text += self.tr("; chưa đạt: {names}").format(names="; ".join(r.indicator.name for r in missed))
        if no_data:
            text += self.tr("; chưa có số liệu: {n} chỉ tiêu").format(n=len(no_data))
        self.summary.setText(text + ".")
        self.summary.setStyleSheet("color: #b3261e;" if missed else "color: #1d6b2c;")
