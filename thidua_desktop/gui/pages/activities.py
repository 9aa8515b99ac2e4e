"""Hoạt động: the list of activities with search, filters, totals, the form, the bin and undo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.export import write_activities_csv
from thidua_desktop.core.progress import CancelFn, ProgressFn
from thidua_desktop.core.query import ActivityFilter, IndicatorResult
from thidua_desktop.core.text import format_number
from thidua_desktop.core.workspace import Role
from thidua_desktop.gui.activity_form import ActivityForm
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.messages import show_error
from thidua_desktop.gui.models.activity_table import ActivityTableModel
from thidua_desktop.gui.models.totals_table import TotalsModel
from thidua_desktop.gui.widgets import CriterionPicker, PeriodPicker

SEARCH_DELAY_MS = 150
TOTALS_DELAY_MS = 400
UNDO_VISIBLE_MS = 15_000


class ActivitiesPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.campaign = self.workspace.campaign()
        self.last_deleted: list[str] = []
        self._build()
        self.apply_filters()
        context.changed.connect(self.on_changed)

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_actions())
        layout.addLayout(self._build_filters())
        layout.addLayout(self._build_flags())
        layout.addWidget(self._build_undo_bar())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_table())
        splitter.addWidget(self._build_totals())
        splitter.setSizes([780, 600])
        layout.addWidget(splitter, 1)
        self._connect()
        if self.workspace.role is Role.UNIT:
            self.unit.hide()
        can_record = bool(self.workspace.setting("unit_code"))
        self.add_button.setEnabled(can_record)

    def _build_actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        self.add_button = QPushButton(self.tr("+ Thêm hoạt động"))
        self.add_button.setToolTip("Ctrl+N")
        self.edit_button = QPushButton(self.tr("Sửa"))
        self.delete_button = QPushButton(self.tr("Xóa"))
        self.delete_button.setToolTip(self.tr("Chuyển vào Thùng rác (phím Delete)"))
        self.restore_button = QPushButton(self.tr("Khôi phục"))
        self.bin_toggle = QPushButton(self.tr("Thùng rác"))
        self.bin_toggle.setCheckable(True)
        self.export_button = QPushButton(self.tr("Xuất CSV…"))
        for button in (self.add_button, self.edit_button, self.delete_button, self.restore_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.count_label = QLabel()
        actions.addWidget(self.count_label)
        actions.addWidget(self.export_button)
        actions.addWidget(self.bin_toggle)
        return actions

    def _build_filters(self) -> QHBoxLayout:
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Tìm theo tên, địa bàn, người phụ trách (gõ không dấu cũng được)"))
        self.search.setMinimumWidth(280)
        filters.addWidget(self.search, 2)
        self.criterion = CriterionPicker(self.campaign, allow_groups=True, all_label=self.tr("Tất cả tiêu chí"))
        filters.addWidget(self.criterion, 1)
        self.period = PeriodPicker(self.campaign)
        filters.addWidget(self.period)
        self.unit = QComboBox()
        self.unit.addItem(self.tr("Tất cả đơn vị"), None)
        for unit in self.workspace.units().list():
            self.unit.addItem(unit.short_name, unit.id)
        filters.addWidget(self.unit)
        return filters

    def _build_flags(self) -> QHBoxLayout:
        flags = QHBoxLayout()
        self.poor = QCheckBox(self.tr("Chỉ xã nghèo"))
        self.remote = QCheckBox(self.tr("Chỉ vùng sâu, vùng xa"))
        self.ethnic = QCheckBox(self.tr("Chỉ vùng đồng bào DTTS"))
        self.evidence = QComboBox()
        self.evidence.addItem(self.tr("Có hoặc thiếu minh chứng"), None)
        self.evidence.addItem(self.tr("Có minh chứng"), True)
        self.evidence.addItem(self.tr("Thiếu minh chứng"), False)
        for widget in (self.poor, self.remote, self.ethnic, self.evidence):
            flags.addWidget(widget)
        flags.addStretch(1)
        return flags

    def _build_undo_bar(self) -> QFrame:
        self.undo_bar = QFrame()
        self.undo_bar.setStyleSheet("QFrame { background: #fff4d6; border: 1px solid #e0c36a; }")
        undo_row = QHBoxLayout(self.undo_bar)
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("Hoàn tác"))
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar.hide()
        return self.undo_bar

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.model = ActivityTableModel(
            self.workspace.activity_queries(), self._filter(), show_unit=self.workspace.role is Role.DEPARTMENT, parent=self
        )
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        widths = {"Ngày": 88, "Đơn vị": 120, "Tiêu chí": 58, "Tên hoạt động": 330, "Địa bàn": 150,
                  "Số liệu chính": 170, "Minh chứng": 85, "Trạng thái": 110}
        for column, (_key, title) in enumerate(self.model.columns):
            self.table.setColumnWidth(column, widths.get(title, 120))
        return self.table

    def _build_totals(self) -> QWidget:
        totals_host = QWidget()
        totals_layout = QVBoxLayout(totals_host)
        totals_layout.setContentsMargins(0, 0, 0, 0)
        self.totals_title = QLabel()
        self.totals_title.setWordWrap(True)
        self.totals_title.setStyleSheet("font-weight: bold;")
        self.totals_title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        totals_layout.addWidget(self.totals_title)
        self.totals_model = TotalsModel(self.campaign, self)
        self.totals = QTableView()
        self.totals.setModel(self.totals_model)
        self.totals.verticalHeader().hide()
        self.totals.setWordWrap(True)
        totals_header = self.totals.horizontalHeader()
        totals_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 125), (2, 62), (3, 72)):
            totals_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.totals.setColumnWidth(column, width)
        self.totals.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.totals.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        totals_layout.addWidget(self.totals)
        return totals_host

    def _connect(self) -> None:
        """Timers, signals and keyboard shortcuts, once every widget exists."""
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.on_search_typed)
        self.totals_timer = QTimer(self)
        self.totals_timer.setSingleShot(True)
        self.totals_timer.setInterval(TOTALS_DELAY_MS)
        self.totals_timer.timeout.connect(lambda: self.update_totals(self.model.filter.with_(deleted=False)))
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        for signal in (self.criterion.currentIndexChanged, self.unit.currentIndexChanged, self.evidence.currentIndexChanged):
            signal.connect(lambda _i: self.apply_filters())
        self.period.changed.connect(self.apply_filters)
        for box in (self.poor, self.remote, self.ethnic):
            box.toggled.connect(lambda _c: self.apply_filters())
        self.bin_toggle.toggled.connect(lambda _c: self.apply_filters())
        self.add_button.clicked.connect(self.add_activity)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.export_button.clicked.connect(self.export_csv)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_activity)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, activated=self.delete_selected)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, activated=self.edit_selected)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        # Ctrl+Z undoes a delete, like Hoàn tác; a text box with focus keeps Ctrl+Z for its own typing.
        undo = QShortcut(QKeySequence.StandardKey.Undo, self,
                         activated=lambda: self.undo_delete() if not self.undo_bar.isHidden() else None)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.timeout.connect(self.undo_bar.hide)

    def _column(self, title: str) -> int:
        return next(i for i, (_key, name) in enumerate(self.model.columns) if name == title)

    # --- filtering ------------------------------------------------------------------------
    def _filter(self) -> ActivityFilter:
        unit_ids = None
        if self.workspace.role is Role.UNIT:
            own = self.workspace.own_unit()
            unit_ids = frozenset({own.id}) if own else frozenset()
        elif self.unit.currentData() is not None:
            unit_ids = frozenset({self.unit.currentData()})
        criterion_id = self.criterion.criterion_id()
        return ActivityFilter(
            campaign_id=self.campaign.id,
            unit_ids=unit_ids,
            criterion_ids=frozenset(self.campaign.criterion_and_descendants(criterion_id)) if criterion_id else None,
            period=self.period.period(),
            poor_commune=True if self.poor.isChecked() else None,
            remote_area=True if self.remote.isChecked() else None,
            ethnic_area=True if self.ethnic.isChecked() else None,
            has_evidence=self.evidence.currentData(),
            search=self.search.text(),
            deleted=self.bin_toggle.isChecked(),
        )

    def on_search_typed(self) -> None:
        """While the user types, only the list follows each keystroke; totals wait for a pause."""
        self.apply_filters(defer_totals=True)

    def apply_filters(self, *, defer_totals: bool = False) -> None:
        flt = self._filter()
        self.model.set_filter(flt)
        in_bin = flt.deleted
        # The bin's activities count nowhere: the active list's totals would read as the bin's.
        self.totals.setVisible(not in_bin)
        if in_bin:
            self.totals_title.setText(self.tr("Hoạt động trong Thùng rác không được cộng vào kết quả."))
        self.restore_button.setVisible(in_bin)
        self.delete_button.setVisible(not in_bin)
        self.edit_button.setEnabled(not in_bin)
        self.count_label.setText(
            self.tr("{n} hoạt động trong Thùng rác").format(n=format_number(self.model.rowCount()))
            if in_bin
            else self.tr("{n} hoạt động").format(n=format_number(self.model.rowCount()))
        )
        if in_bin:
            self.totals_timer.stop()
            self._totals_generation = getattr(self, "_totals_generation", 0) + 1  # drop a result on its way
        elif defer_totals:
            self.totals_timer.start()
        else:
            self.totals_timer.stop()
            self.update_totals(flt.with_(deleted=False))

    def update_totals(self, flt: ActivityFilter) -> None:
        """Totals are computed off the GUI thread, so typing in the search box never waits for them."""
        self._totals_generation = getattr(self, "_totals_generation", 0) + 1
        generation = self._totals_generation
        queries = self.workspace.activity_queries()

        def compute(_progress: ProgressFn, _cancel: CancelFn) -> dict[int, IndicatorResult]:
            return queries.totals(flt)[None]  # in a worker: the service opens its own session

        def show(results: dict[int, IndicatorResult]) -> None:
            if generation != self._totals_generation:
                return  # a newer filter is already being computed
            label = flt.period.label if flt.period else self.tr("cả giai đoạn")
            self.totals_model.set_results([self.tr("Kết quả")], [results])
            missed = self.totals_model.missed_codes()
            summary = self.tr("Tổng hợp theo bộ lọc ({label})").format(label=label)
            if missed:
                summary += self.tr(" — chưa đạt mục tiêu: {codes}").format(codes=", ".join(missed))
            self.totals_title.setText(summary)

        self.context.tasks.run(compute, title="", parent=self, on_done=show, show_progress=False)

    # --- actions --------------------------------------------------------------------------
    def selected_uuids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [uuid for row in rows if (uuid := self.model.uuid_at(row))]

    def add_activity(self) -> ActivityForm | None:
        if not self.add_button.isEnabled():
            return None
        return self._open_form(None)

    def edit_selected(self) -> ActivityForm | None:
        uuids = self.selected_uuids()
        if not uuids or self.bin_toggle.isChecked():
            return None
        return self._open_form(uuids[0])

    def _open_form(self, uuid: str | None) -> ActivityForm | None:
        try:
            form = ActivityForm(self.context, uuid=uuid, parent=self)
        except UserError as error:  # e.g. deleted meanwhile by another reviewer
            show_error(self, error)
            self.model.reload()
            return None
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        return form

    def _run(self, mutation: Callable[[], ChangeReport]) -> ChangeReport | None:
        """Mutations from the list: a refusal (locked period, a unit's record) is shown, nothing changes."""
        try:
            report = mutation()
        except UserError as error:
            show_error(self, error)
            return None
        self.context.announce(report)
        return report

    def delete_selected(self) -> None:
        uuids = self.selected_uuids()
        if not uuids or self.bin_toggle.isChecked():
            return
        report = self._run(lambda: self.workspace.activities().delete(uuids))
        if report is None:
            return
        self.last_deleted = list(report.deleted)
        self.undo_label.setText(
            self.tr("Đã chuyển {n} hoạt động vào Thùng rác.").format(n=len(report.deleted))
        )
        self.undo_bar.show()
        self.undo_timer.start(UNDO_VISIBLE_MS)

    def undo_delete(self) -> None:
        if not self.last_deleted:
            return
        restored, self.last_deleted = self.last_deleted, []
        self.undo_bar.hide()
        self._run(lambda: self.workspace.activities().restore(restored))

    def restore_selected(self) -> None:
        uuids = self.selected_uuids()
        if uuids:
            self._run(lambda: self.workspace.activities().restore(uuids))

    def export_csv(self) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Xuất danh sách hoạt động"), str(Path.home() / "hoat-dong.csv"), self.tr("Tệp CSV (*.csv)")
        )
        if target:
            self.write_csv(Path(target))

    def write_csv(self, target: Path) -> None:
        flt, queries = self.model.filter, self.workspace.activity_queries()
        self.context.tasks.run(
            lambda progress, cancel: write_activities_csv(queries, flt, target, progress=progress, cancel=cancel),
            title=self.tr("Đang xuất CSV…"),
            parent=self,
            on_done=lambda count: self.count_label.setText(
                self.tr("Đã xuất {n} hoạt động ra {file}").format(n=format_number(count), file=target.name)
            ),
        )

    def on_changed(self, report: object) -> None:
        """Any change may move rows in or out of the filter or change their order: re-read the ids (fast)."""
        if not isinstance(report, ChangeReport):
            self.campaign = self.workspace.campaign()
        elif report.empty:
            return
        self.model.reload()
        self.apply_filters()
