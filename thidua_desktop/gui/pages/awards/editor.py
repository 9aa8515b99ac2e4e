"""The editable content of one nomination: its tabs Thông tin, Thành tích and Khen thưởng đã nhận."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.awards.models import NomineeKind
from thidua_desktop.core.awards.prefill import FigureRow
from thidua_desktop.core.awards.service import (
    CATEGORY_LABELS,
    KIND_LABELS,
    SEX_LABELS,
    AwardService,
    NominationDraft,
    PriorAwardInfo,
)
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date, parse_date
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.gui.date_field import OptionalDate


def _date_text(value: date | None) -> str:
    return format_date(value) if value else ""


def _optional_date(text: str, label: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(f"{label}: {error}", hint="Nhập ngày dạng ngày/tháng/năm, ví dụ 05/02/2024.") from None


def scrolling(page: QWidget, *, keep_height: bool = True) -> QScrollArea:
    """A tab page that scrolls rather than forcing the window to be wide or tall (small screens)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(page)
    if keep_height:  # forms keep their natural height and scroll; the PDF view shrinks instead
        page.setMinimumHeight(page.sizeHint().height())
    return area


class PriorAwardsTable(QTableWidget):
    """Awards already received, one per row; Loại and Năm are combo/spin cells."""

    HEADERS = ("Loại", "Năm", "Danh hiệu / hình thức", "Số quyết định", "Ngày quyết định", "Cơ quan ban hành")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels([self.tr(h) for h in self.HEADERS])
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)

    def add_row(self, prior: PriorAwardInfo | None = None) -> None:
        row = self.rowCount()
        self.insertRow(row)
        category = QComboBox()
        for value, label in CATEGORY_LABELS.items():
            category.addItem(self.tr(label), value)
        year = QSpinBox()
        year.setRange(1945, date.today().year)
        year.setValue(prior.year if prior else date.today().year - 1)
        if prior:
            category.setCurrentIndex(category.findData(prior.category))
        self.setCellWidget(row, 0, category)
        self.setCellWidget(row, 1, year)
        for column, text in ((2, prior.award if prior else ""), (3, prior.decision_number if prior else ""),
                             (4, _date_text(prior.decision_date) if prior else ""),
                             (5, prior.issuing_body if prior else "")):
            self.setItem(row, column, QTableWidgetItem(text))

    def set_awards(self, awards: tuple[PriorAwardInfo, ...]) -> None:
        self.setRowCount(0)
        for prior in awards:
            self.add_row(prior)

    def awards(self) -> tuple[PriorAwardInfo, ...]:
        found = []
        for row in range(self.rowCount()):
            text = [(self.item(row, c).text() if self.item(row, c) else "").strip() for c in range(2, 6)]
            if not any(text):
                continue
            found.append(PriorAwardInfo(
                self.cellWidget(row, 0).currentData(), self.cellWidget(row, 1).value(), text[0], text[1],
                _optional_date(text[2], self.tr("Ngày quyết định, dòng {n}").format(n=row + 1)), text[3]))
        return tuple(found)


class NominationEditor(QTabWidget):
    """The editable content of one nomination (tabs: Thông tin, Thành tích, Khen thưởng đã nhận)."""

    def __init__(self, service: AwardService, units: list[UnitInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.units = units
        self.kind = NomineeKind.COLLECTIVE
        self.themed = True
        self.figures: tuple[FigureRow, ...] = ()
        self.score: float | None = None
        self._build_info()
        self._build_achievements()
        self._build_prior()

    def _build_info(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.kind_label = QLabel()
        self.award = QComboBox()
        self.unit = QComboBox()
        self.set_units(self.units)
        self.name = QLineEdit()
        self.sex = QComboBox()
        self.sex.addItem(self.tr("—"), None)
        for value, label in SEX_LABELS.items():
            self.sex.addItem(self.tr(label), value)
        self.birth_date = OptionalDate(self.tr("Có"))
        self.birth_date.edit.setMaximumDate(QDate.currentDate())
        self.hometown = QLineEdit()
        self.residence = QLineEdit()
        self.position = QLineEdit()
        self.qualifications = QLineEdit()
        self.unit_profile = QPlainTextEdit()
        self.unit_profile.setPlaceholderText(self.tr(
            "Quá trình thành lập, cơ cấu tổ chức, số lượng cán bộ, công chức, chức năng, nhiệm vụ…"))
        self.summary = QLineEdit()
        self.summary.setPlaceholderText(self.tr("Một dòng cho cột “Tóm tắt thành tích” của Danh sách"))
        self.note = QLineEdit()
        form.addRow(self.tr("Loại:"), self.kind_label)
        form.addRow(self.tr("Hình thức đề nghị:"), self.award)
        form.addRow(self.tr("Đơn vị:"), self.unit)
        form.addRow(self.tr("Tên / Họ và tên:"), self.name)
        self.person_rows = [
            (self.tr("Giới tính:"), self.sex), (self.tr("Ngày sinh:"), self.birth_date),
            (self.tr("Quê quán:"), self.hometown), (self.tr("Nơi thường trú:"), self.residence),
            (self.tr("Chức vụ:"), self.position), (self.tr("Trình độ chuyên môn, lý luận chính trị:"), self.qualifications),
        ]
        for label, widget in self.person_rows:
            form.addRow(label, widget)
        form.addRow(self.tr("Sơ lược đặc điểm, tình hình:"), self.unit_profile)
        form.addRow(self.tr("Tóm tắt thành tích:"), self.summary)
        form.addRow(self.tr("Ghi chú:"), self.note)
        self.info_form = form
        self.addTab(scrolling(page), self.tr("Thông tin"))

    def _build_achievements(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        top = QHBoxLayout()
        self.prefill_button = QPushButton(self.tr("Điền sẵn từ số liệu đã ghi nhận"))
        self.prefill_button.setToolTip(self.tr(
            "Soạn sẵn mục II từ kết quả các chỉ tiêu của đơn vị so với kế hoạch; có thể sửa lại trước khi in."))
        self.prefill_status = QLabel()
        top.addWidget(self.prefill_button)
        top.addWidget(self.prefill_status, 1)
        column.addLayout(top)
        column.addWidget(QLabel(self.tr("II. Thành tích đạt được (có thể sửa):")))
        self.achievements = QPlainTextEdit()
        column.addWidget(self.achievements, 3)
        column.addWidget(QLabel(self.tr("Các hoạt động tiêu biểu (có thể sửa):")))
        self.activities_summary = QPlainTextEdit()
        column.addWidget(self.activities_summary, 2)
        self.figures_label = QLabel()
        column.addWidget(self.figures_label)
        self.figures_table = QTableWidget(0, 5)
        self.figures_table.setHorizontalHeaderLabels(
            [self.tr(h) for h in ("Nội dung, chỉ tiêu", "Đơn vị tính", "Kết quả", "Mục tiêu", "Đánh giá")])
        self.figures_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.figures_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.figures_table.verticalHeader().setVisible(False)
        column.addWidget(self.figures_table, 2)
        self.addTab(scrolling(page), self.tr("Thành tích"))

    def _build_prior(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.prior = PriorAwardsTable()
        buttons = QHBoxLayout()
        add = QPushButton(self.tr("Thêm dòng"))
        remove = QPushButton(self.tr("Xóa dòng"))
        add.clicked.connect(lambda: self.prior.add_row())
        remove.clicked.connect(lambda: self.prior.removeRow(self.prior.currentRow()) if self.prior.currentRow() >= 0 else None)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        column.addWidget(QLabel(self.tr("Các danh hiệu thi đua, hình thức khen thưởng đã nhận:")))
        column.addWidget(self.prior, 1)
        column.addLayout(buttons)
        self.addTab(scrolling(page, keep_height=False), self.tr("Khen thưởng đã nhận"))

    def set_units(self, units: list[UnitInfo]) -> None:
        self.units = units
        self.unit.clear()
        for unit in units:
            self.unit.addItem(unit.name, unit.code)

    def text_widgets(self) -> list[QWidget]:
        return [self.name, self.hometown, self.residence, self.position, self.qualifications, self.unit_profile,
                self.summary, self.note, self.achievements, self.activities_summary]

    def _fill_awards(self, selected: str | None) -> None:
        self.award.clear()
        for award in self.service.catalog.types_for(self.kind, themed=self.themed):
            self.award.addItem(award.name, award.code)
        index = self.award.findData(selected)
        self.award.setCurrentIndex(max(index, 0))

    def _show_kind(self) -> None:
        individual = self.kind is NomineeKind.INDIVIDUAL
        for _label, widget in self.person_rows:
            self.info_form.setRowVisible(widget, individual)
        self.info_form.setRowVisible(self.unit_profile, not individual)
        self.kind_label.setText(self.tr(KIND_LABELS[self.kind]))
        self.name.setPlaceholderText("" if individual else self.tr("Để trống: dùng tên đầy đủ của đơn vị"))

    def set_draft(self, draft: NominationDraft, *, themed: bool) -> None:
        self.kind, self.themed = draft.kind, themed
        self._fill_awards(draft.award_type_code)
        self.unit.setCurrentIndex(max(self.unit.findData(draft.unit_code), 0))
        unit_name = self.unit.currentText()
        self.name.setText("" if draft.kind is NomineeKind.COLLECTIVE and draft.name == unit_name else draft.name)
        self.sex.setCurrentIndex(max(self.sex.findData(draft.sex), 0))
        self.birth_date.set_value(draft.birth_date)
        if draft.birth_date is None:
            self.birth_date.edit.setDate(QDate(1980, 1, 1))
        for widget, value in ((self.hometown, draft.hometown), (self.residence, draft.residence),
                              (self.position, draft.position), (self.qualifications, draft.qualifications),
                              (self.summary, draft.summary), (self.note, draft.note)):
            widget.setText(value)
        self.unit_profile.setPlainText(draft.unit_profile)
        self.achievements.setPlainText(draft.achievements)
        self.activities_summary.setPlainText(draft.activities_summary)
        self.prior.set_awards(draft.prior_awards)
        self.score = draft.score
        self.set_figures(draft.figures)
        self.prefill_status.setText("")
        self._show_kind()

    def set_figures(self, figures: tuple[FigureRow, ...]) -> None:
        self.figures = figures
        rows = [f for f in figures if not f.section]
        self.figures_table.setRowCount(len(rows))
        for row, figure in enumerate(rows):
            for column, text in enumerate((f"{figure.code}. {figure.label}", figure.unit, figure.value,
                                           figure.target, figure.assessment)):
                self.figures_table.setItem(row, column, QTableWidgetItem(text))
        self.figures_label.setText(
            self.tr("Bảng số liệu in trong báo cáo ({n} chỉ tiêu):").format(n=len(rows)) if rows
            else self.tr("Chưa có bảng số liệu: bấm “Điền sẵn từ số liệu đã ghi nhận”."))

    def draft(self) -> NominationDraft:
        individual = self.kind is NomineeKind.INDIVIDUAL
        return NominationDraft(
            kind=self.kind, award_type_code=self.award.currentData() or "", unit_code=self.unit.currentData() or "",
            name=self.name.text(), sex=self.sex.currentData() if individual else None,
            birth_date=self.birth_date.value() if individual else None, hometown=self.hometown.text(),
            residence=self.residence.text(), position=self.position.text(),
            qualifications=self.qualifications.text(), unit_profile=self.unit_profile.toPlainText(),
            achievements=self.achievements.toPlainText(), activities_summary=self.activities_summary.toPlainText(),
            figures=self.figures, summary=self.summary.text(), note=self.note.text(), score=self.score,
            prior_awards=self.prior.awards(),
        )
