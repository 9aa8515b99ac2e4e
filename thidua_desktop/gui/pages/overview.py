"""Tiến độ đơn vị: each indicator per year and for the whole campaign, against its target."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

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
        for unit in self.workspace.units().list():
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
        progress = self.workspace.overview().progress(self.unit.currentData())
        titles = [self.tr("Cả giai đoạn") if c.whole_campaign else c.period.label for c in progress.columns]
        self.model.set_results(titles, [c.results for c in progress.columns])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.heading.setText(self.tr("Tiến độ thực hiện: {name}").format(name=self.unit.currentText()))
        targets = progress.targets
        text = self.tr("Cả giai đoạn: đạt {met}/{total} mục tiêu").format(met=len(targets.met), total=targets.with_target)
        if targets.missed:
            text += self.tr("; chưa đạt: {names}").format(names="; ".join(r.indicator.name for r in targets.missed))
        if targets.no_data:
            text += self.tr("; chưa có số liệu: {n} chỉ tiêu").format(n=len(targets.no_data))
        self.summary.setText(text + ".")
        self.summary.setStyleSheet("color: #b3261e;" if targets.missed else "color: #1d6b2c;")
