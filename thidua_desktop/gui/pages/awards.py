"""Khen thưởng: the nominations of a review round, their editor, the dossier preview, printing and certificates.

The page is a thin layer over `core.awards`: every save goes through `AwardService` (validated, audited),
every document is built by `core.awards.workflow` and rendered off the GUI thread, and what is previewed
is exactly the PDF that is printed or saved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.certificates import Offset, save_offset
from thidua_desktop.core.awards.dossier import describe, slug
from thidua_desktop.core.awards.models import NominationStatus, NomineeKind
from thidua_desktop.core.awards.prefill import FigureRow
from thidua_desktop.core.awards.service import (
    CATEGORY_LABELS,
    KIND_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    AwardService,
    NominationChange,
    NominationDraft,
    NominationInfo,
    PriorAwardInfo,
    RoundInfo,
    header_defaults,
)
from thidua_desktop.core.awards.workflow import (
    build_dossier,
    calibration_page,
    certificate_offset,
    certificates_for,
    write_dossier,
)
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.text import format_date, format_number, format_percent, parse_date
from thidua_desktop.core.units import UnitInfo, list_units
from thidua_desktop.core.workspace import Role
from thidua_desktop.gui import messages
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.messages import dialog_buttons
from thidua_desktop.gui.pages.settings import DataRestored
from thidua_desktop.gui.printing import open_pdf, print_true_size
from thidua_desktop.gui.unit_dialog import OptionalDate

ID_ROLE = Qt.ItemDataRole.UserRole + 40
STATUS_COLOURS = {NominationStatus.DRAFT: "#5f6b7a", NominationStatus.VOTED: "#1f5fa8",
                  NominationStatus.SUBMITTED: "#1e7b34"}

# Preview choices: key → label; the dossier's documents come in this order.
DOCUMENT_KEYS = ("to_trinh", "danh_sach", "bao_cao", "bien_ban")
PREVIEW_LABELS = {
    "to_trinh": "Tờ trình", "danh_sach": "Danh sách đề nghị", "bao_cao": "Báo cáo thành tích",
    "bien_ban": "Biên bản họp Hội đồng", "certificate": "Giấy khen / Bằng khen (in lên phôi)",
    "all": "Cả hồ sơ (một tệp để in)",
}


# --- printing ------------------------------------------------------------------------------------------

class PdfPreview(QWidget):
    """A QtPdf view over PDF bytes, with a page count line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.info = QLabel()
        column.addWidget(self.view, 1)
        column.addWidget(self.info)
        self.document: QPdfDocument | None = None
        self.data: bytes | None = None

    def load(self, pdf: bytes, label: str) -> None:
        old = self.document
        self.document = open_pdf(pdf, self)
        self.view.setDocument(self.document)
        if old is not None:
            old.close()
            old.deleteLater()
        self.data = pdf
        self.info.setText(self.tr("{label} — {n} trang").format(label=label, n=self.document.pageCount()))

    def clear(self, message: str = "") -> None:
        self.view.setDocument(None)
        if self.document is not None:
            self.document.close()
            self.document.deleteLater()
        self.document = None
        self.data = None
        self.info.setText(message)

    def page_count(self) -> int:
        return self.document.pageCount() if self.document else 0


# --- the nomination list -----------------------------------------------------------------------------

class NominationTableModel(QAbstractTableModel):
    COLUMNS = ("STT", "Tên tập thể / cá nhân", "Loại", "Hình thức đề nghị", "Điểm", "Biểu quyết", "Trạng thái")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[NominationInfo] = []
        self.award_names: dict[str, str] = {}

    def set_rows(self, rows: list[NominationInfo], award_names: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.award_names = award_names
        self.endResetModel()

    def row_of(self, nomination_id: int) -> int | None:
        return next((i for i, n in enumerate(self.rows) if n.id == nomination_id), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section])
        return None

    def _text(self, n: NominationInfo, column: int, number: int) -> str:
        if column == 0:
            return str(number)
        if column == 1:
            return n.name
        if column == 2:
            return self.tr(KIND_LABELS[n.kind])
        if column == 3:
            return self.award_names.get(n.draft.award_type_code, n.draft.award_type_code)
        if column == 4:
            return format_number(n.draft.score, decimals=1) if n.draft.score is not None else ""
        if column == 5:
            return f"{n.votes_label} ({format_percent(n.approval_percent)})" if n.votes_total else ""
        return self.tr(STATUS_LABELS[n.status])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        n = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            same_kind = [r for r in self.rows[: index.row() + 1] if r.kind is n.kind]
            return self._text(n, index.column(), len(same_kind))
        if role == Qt.ItemDataRole.ToolTipRole:
            return describe(n)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 6:
            return QBrush(QColor(STATUS_COLOURS[n.status]))
        if role == ID_ROLE:
            return n.id
        return None


# --- editor ------------------------------------------------------------------------------------------

def _date_text(value: date | None) -> str:
    return format_date(value) if value else ""


def _optional_date(text: str, label: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(f"{label}: {error}", hint="Nhập ngày dạng ngày/tháng/năm, ví dụ 05/02/2024.") from None


def _scrolling(page: QWidget, *, keep_height: bool = True) -> QScrollArea:
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
        self.addTab(_scrolling(page), self.tr("Thông tin"))

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
        self.addTab(_scrolling(page), self.tr("Thành tích"))

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
        self.addTab(_scrolling(page, keep_height=False), self.tr("Khen thưởng đã nhận"))

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


# --- dialogs -----------------------------------------------------------------------------------------

class RoundDialog(QDialog):
    """The round's header, number and date (which choose the legal basis), signer and council meeting."""

    def __init__(self, info: RoundInfo, units: list[UnitInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(self.tr("Thông tin đợt xét khen thưởng"))
        self.setMinimumWidth(620)
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}

        def line(field: str, label: str) -> None:
            self.edits[field] = QLineEdit(getattr(info, field))
            form.addRow(self.tr(label), self.edits[field])

        line("name", "Tên đợt:")
        self.themed = QCheckBox(self.tr("Phong trào thi đua theo chuyên đề"))
        self.themed.setChecked(info.themed)
        form.addRow("", self.themed)
        self.issuer = QComboBox()
        for unit in units:
            self.issuer.addItem(unit.name, unit.code)
        self.issuer.setCurrentIndex(max(self.issuer.findData(info.issuing_unit_code), 0))
        form.addRow(self.tr("Cơ quan trình:"), self.issuer)
        line("header_parent", "Cơ quan chủ quản (dòng 1):")
        line("header_agency", "Tên cơ quan (dòng 2, in đậm):")
        line("agency_symbol", "Ký hiệu cơ quan (…/TTr-STP):")
        line("place", "Địa danh:")
        self.document_date = OptionalDate(self.tr("Đã có ngày"))
        self.document_date.set_value(info.document_date)
        form.addRow(self.tr("Ngày văn bản:"), self.document_date)
        line("submission_number", "Số tờ trình:")
        line("signer_authority", "Quyền hạn ký (GIÁM ĐỐC / KT. GIÁM ĐỐC):")
        line("signer_title", "Chức vụ người ký (PHÓ GIÁM ĐỐC):")
        line("signer_name", "Họ tên người ký:")
        self.meeting_date = OptionalDate(self.tr("Đã họp"))
        self.meeting_date.set_value(info.meeting_date)
        form.addRow(self.tr("Ngày họp Hội đồng:"), self.meeting_date)
        line("meeting_place", "Địa điểm họp:")
        line("chair_name", "Chủ trì:")
        line("chair_title", "Chức vụ người chủ trì:")
        line("secretary_name", "Thư ký:")
        self.present = QSpinBox()
        self.total = QSpinBox()
        for spin, value in ((self.present, info.members_present), (self.total, info.members_total)):
            spin.setRange(0, 99)
            spin.setSpecialValueText(self.tr("—"))
            spin.setValue(value or 0)
        members = QHBoxLayout()
        members.addWidget(self.present)
        members.addWidget(QLabel(self.tr("có mặt / tổng số")))
        members.addWidget(self.total)
        form.addRow(self.tr("Thành viên Hội đồng:"), members)
        form.addRow(dialog_buttons(self, self.tr("Lưu")))
        self.units = {u.code: u for u in units}
        self.issuer.currentIndexChanged.connect(self._issuer_changed)

    def _issuer_changed(self) -> None:
        """Another issuing agency: its (historical) letterhead, symbol and place replace the old ones."""
        for field, value in header_defaults(self.units[self.issuer.currentData()]).items():
            self.edits[field].setText(value)

    def value(self) -> RoundInfo:
        return replace(
            self.info, themed=self.themed.isChecked(), issuing_unit_code=self.issuer.currentData(),
            document_date=self.document_date.value(), meeting_date=self.meeting_date.value(),
            members_present=self.present.value() or None, members_total=self.total.value() or None,
            **{field: edit.text() for field, edit in self.edits.items()},
        )


class RankingDialog(QDialog):
    """Pick ranked units to nominate: proposals of the ranking are ticked, the award can be changed."""

    def __init__(self, choices: list, award_types: list, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.choices = choices
        self.setWindowTitle(self.tr("Tạo đề nghị từ bảng xếp hạng"))
        self.resize(900, 520)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(self.tr(
            "Các đơn vị được xếp hạng theo điểm (cả giai đoạn). Đơn vị được đề xuất khen thưởng đã được chọn sẵn; "
            "có thể chọn thêm hoặc đổi hình thức.")))
        self.table = QTableWidget(len(choices), 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr(h) for h in ("Chọn", "Hạng", "Đơn vị", "Điểm (tỷ lệ)", "Hình thức đề nghị")])
        self.table.verticalHeader().setVisible(False)
        self.checks: list[QCheckBox] = []
        self.awards: list[QComboBox] = []
        for row, choice in enumerate(choices):
            check = QCheckBox()
            check.setChecked(choice.proposed_award is not None)
            combo = QComboBox()
            for award in award_types:
                combo.addItem(award.short_name, award.code)
            combo.setCurrentIndex(max(combo.findData(choice.proposed_award), 0))
            self.table.setCellWidget(row, 0, check)
            self.table.setItem(row, 1, QTableWidgetItem(str(choice.rank)))
            name = QTableWidgetItem(choice.unit_name)
            name.setToolTip("\n".join(choice.warnings))
            self.table.setItem(row, 2, name)
            self.table.setItem(row, 3, QTableWidgetItem(
                f"{format_number(choice.points, decimals=1)} ({format_percent(choice.percent)})"))
            self.table.setCellWidget(row, 4, combo)
            self.checks.append(check)
            self.awards.append(combo)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(4, 260)
        column.addWidget(self.table, 1)
        column.addWidget(dialog_buttons(self, self.tr("Tạo đề nghị")))

    def candidates(self) -> list:
        return [choice.candidate(combo.currentData())
                for choice, check, combo in zip(self.choices, self.checks, self.awards, strict=True) if check.isChecked()]


class CalibrationDialog(QDialog):
    """Offsets (mm) of the printer on a blank certificate form, with a test page to print and a preview."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.catalog = AwardService.for_workspace(context.workspace).catalog
        self.setWindowTitle(self.tr("Hiệu chỉnh vị trí in trên phôi"))
        self.resize(900, 640)
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.form = QComboBox()
        for certificate in self.catalog.certificates:
            self.form.addItem(certificate.name, certificate.code)
        self.x = QDoubleSpinBox()
        self.y = QDoubleSpinBox()
        for spin in (self.x, self.y):
            spin.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))  # 1,5 mm
            spin.setRange(-50.0, 50.0)
            spin.setSingleStep(0.5)
            spin.setDecimals(1)
            spin.setSuffix(" mm")
        form.addRow(self.tr("Mẫu phôi:"), self.form)
        form.addRow(self.tr("Độ lệch ngang X (dương: sang phải):"), self.x)
        form.addRow(self.tr("Độ lệch dọc Y (dương: xuống dưới):"), self.y)
        column.addLayout(form)
        hint = QLabel(self.tr(
            "In trang thử trên giấy trắng ở tỉ lệ 100%, đặt chồng lên phôi và soi đèn; đo khoảng cách từ dấu "
            "chữ thập tới vị trí dòng trên phôi, cộng vào độ lệch, lưu lại rồi in thử lần nữa."))
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.preview = PdfPreview()
        self.preview.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.preview.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        column.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("In trang thử…"))
        self.save_pdf_button = QPushButton(self.tr("Lưu PDF trang thử…"))
        self.save_button = QPushButton(self.tr("Lưu độ lệch"))
        close = QPushButton(self.tr("Đóng"))
        for button in (self.print_button, self.save_pdf_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column.addLayout(buttons)
        self.form.currentIndexChanged.connect(self.load_offset)
        self.x.valueChanged.connect(self.refresh)
        self.y.valueChanged.connect(self.refresh)
        self.print_button.clicked.connect(lambda: print_true_size(self, self.test_page(), self.form.currentText()))
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.accept)
        self.load_offset()

    def offset(self) -> Offset:
        return Offset(self.x.value(), self.y.value())

    def load_offset(self) -> None:
        saved = certificate_offset(self.context.workspace, self.form.currentData())
        for spin, value in ((self.x, saved.x_mm), (self.y, saved.y_mm)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.refresh()

    def test_page(self) -> bytes:
        return calibration_page(self.context.workspace, self.form.currentData(), self.offset())

    def refresh(self) -> None:
        self.preview.load(self.test_page(), self.tr("Trang in thử"))

    def save(self) -> None:
        save_offset(self.context.workspace, self.form.currentData(), self.offset())
        self.save_button.setText(self.tr("Đã lưu độ lệch"))

    def save_pdf(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu trang in thử"),
                                                str(Path.home() / f"in-thu-{self.form.currentData()}.pdf"),
                                                self.tr("Tệp PDF (*.pdf)"))
        if target:
            with atomic_write(Path(target)) as handle:
                handle.write(self.test_page())


# --- the page ----------------------------------------------------------------------------------------

class AwardsPage(QWidget):
    """Khen thưởng: list, editor, votes and status, preview, print and save of the dossier."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.service = AwardService.for_workspace(self.workspace)
        with self.workspace.sessions() as session:
            self.units = list_units(session)
        self.current_id: int | None = None
        self.current: NominationInfo | None = None
        self.dirty = False
        self._loading = False
        self._resetting = False  # the list is being reloaded: selection signals are not the user's
        self._build()
        context.changed.connect(self.on_changed)
        self.reload_rounds()

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        self.round_combo = QComboBox()
        self.round_combo.setMinimumWidth(200)
        self.round_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.round_combo.setMinimumContentsLength(24)
        self.round_button = QPushButton(self.tr("Thông tin đợt…"))
        self.basis_label = QLabel()
        self.basis_label.setWordWrap(True)
        top.addWidget(QLabel(self.tr("Đợt xét:")))
        top.addWidget(self.round_combo, 1)
        top.addWidget(self.round_button)
        column.addLayout(top)
        column.addWidget(self.basis_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        self.add_collective_button = QPushButton(self.tr("＋ Tập thể"))
        self.add_individual_button = QPushButton(self.tr("＋ Cá nhân"))
        self.ranking_button = QPushButton(self.tr("Tạo đề nghị từ bảng xếp hạng…"))
        self.delete_button = QPushButton(self.tr("Xóa"))
        for group in ((self.add_collective_button, self.add_individual_button, self.delete_button), (self.ranking_button,)):
            row = QHBoxLayout()
            for button in group:
                row.addWidget(button)
            row.addStretch(1)
            left_column.addLayout(row)
        self.model = NominationTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for section, width in ((1, 230), (3, 170)):  # long texts: a sensible width, elided, resizable
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(section, width)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        left_column.addWidget(self.table, 1)
        self.list_label = QLabel()
        left_column.addWidget(self.list_label)
        splitter.addWidget(left)

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.title_label.setWordWrap(True)
        right_column.addWidget(self.title_label)
        self.tabs = QTabWidget()
        self.editor = NominationEditor(self.service, self.units)
        self.tabs.addTab(self.editor, self.tr("Nội dung đề nghị"))
        self.tabs.addTab(_scrolling(self._votes_tab()), self.tr("Bình xét và trình"))
        self.tabs.addTab(_scrolling(self._preview_tab(), keep_height=False), self.tr("Xem trước và in"))
        right_column.addWidget(self.tabs, 1)
        save_row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Lưu đề nghị"))
        self.revert_button = QPushButton(self.tr("Bỏ thay đổi"))
        self.dirty_label = QLabel()
        self.dirty_label.setWordWrap(True)
        save_row.addWidget(self.dirty_label, 1)
        save_row.addWidget(self.revert_button)
        save_row.addWidget(self.save_button)
        right_column.addLayout(save_row)
        splitter.addWidget(right)
        splitter.setSizes([600, 700])
        column.addWidget(splitter, 1)

        self.round_combo.currentIndexChanged.connect(self.reload_nominations)
        self.round_button.clicked.connect(self.edit_round)
        self.calibrate_button.clicked.connect(self.calibrate)
        self.add_collective_button.clicked.connect(lambda: self.new_nomination(NomineeKind.COLLECTIVE))
        self.add_individual_button.clicked.connect(lambda: self.new_nomination(NomineeKind.INDIVIDUAL))
        self.ranking_button.clicked.connect(self.from_ranking)
        self.delete_button.clicked.connect(self.delete_current)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(lambda: self.show_nomination(self.current_id, force=True))
        self.editor.prefill_button.clicked.connect(self.prefill)
        self.tabs.currentChanged.connect(self._tab_changed)
        for widget in self.editor.text_widgets():
            widget.textChanged.connect(self._mark_dirty)
        for combo in (self.editor.award, self.editor.unit, self.editor.sex):
            combo.currentIndexChanged.connect(self._mark_dirty)
        self.editor.birth_date.enabled.toggled.connect(self._mark_dirty)
        self.editor.birth_date.edit.dateChanged.connect(self._mark_dirty)
        self.editor.prior.itemChanged.connect(self._mark_dirty)
        self.editor.prior.model().rowsInserted.connect(self._mark_dirty)
        self.editor.prior.model().rowsRemoved.connect(self._mark_dirty)
        # Ranking needs the consolidated data of every unit: a department's copy.
        self.ranking_button.setVisible(self.workspace.role is not Role.UNIT)
        self._set_editor_enabled(False)

    def _votes_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        box = QGroupBox(self.tr("Kết quả biểu quyết của Hội đồng Thi đua – Khen thưởng"))
        form = QFormLayout(box)
        self.votes_for = QSpinBox()
        self.votes_against = QSpinBox()
        self.votes_total = QSpinBox()
        for spin in (self.votes_for, self.votes_against, self.votes_total):
            spin.setRange(0, 999)
        form.addRow(self.tr("Số phiếu đồng ý:"), self.votes_for)
        form.addRow(self.tr("Số phiếu không đồng ý:"), self.votes_against)
        form.addRow(self.tr("Tổng số phiếu:"), self.votes_total)
        self.record_votes_button = QPushButton(self.tr("Ghi kết quả biểu quyết"))
        form.addRow("", self.record_votes_button)
        column.addWidget(box)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        column.addWidget(self.status_label)
        row = QHBoxLayout()
        self.submit_button = QPushButton(self.tr("Trình"))
        self.reopen_button = QPushButton(self.tr("Mở lại"))
        row.addWidget(self.submit_button)
        row.addWidget(self.reopen_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        self.record_votes_button.clicked.connect(self.record_votes)
        self.submit_button.clicked.connect(self.submit)
        self.reopen_button.clicked.connect(self.reopen)
        return page

    def _preview_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        row = QHBoxLayout()
        self.document_combo = QComboBox()
        for key, label in PREVIEW_LABELS.items():
            self.document_combo.addItem(self.tr(label), key)
        self.refresh_button = QPushButton(self.tr("Làm mới"))
        row.addWidget(QLabel(self.tr("Văn bản:")))
        row.addWidget(self.document_combo, 1)
        row.addWidget(self.refresh_button)
        column.addLayout(row)
        self.preview = PdfPreview()
        column.addWidget(self.preview, 1)
        self.print_button = QPushButton(self.tr("In…"))
        self.save_pdf_button = QPushButton(self.tr("Lưu PDF…"))
        self.save_docx_button = QPushButton(self.tr("Lưu Word (.docx)…"))
        self.save_dossier_button = QPushButton(self.tr("Lưu cả hồ sơ vào thư mục…"))
        self.calibrate_button = QPushButton(self.tr("Hiệu chỉnh phôi…"))
        self.calibrate_button.setToolTip(self.tr("Độ lệch của máy in trên phôi giấy khen, bằng khen, và trang in thử"))
        for group in ((self.print_button, self.save_pdf_button, self.save_docx_button),
                      (self.save_dossier_button, self.calibrate_button)):
            buttons = QHBoxLayout()
            for button in group:
                buttons.addWidget(button)
            buttons.addStretch(1)
            column.addLayout(buttons)
        self.document_combo.currentIndexChanged.connect(self.refresh_preview)
        self.refresh_button.clicked.connect(self.refresh_preview)
        self.print_button.clicked.connect(self.print_current)
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_docx_button.clicked.connect(self.save_docx)
        self.save_dossier_button.clicked.connect(self.save_dossier)
        return page

    # --- rounds ---------------------------------------------------------------------------------
    def round_id(self) -> int | None:
        return self.round_combo.currentData()

    def current_round(self) -> RoundInfo | None:
        return self.service.get_round(self.round_id()) if self.round_id() else None

    def reload_rounds(self, select: int | None = None) -> None:
        keep = select or self.round_id()
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for info in self.service.rounds():
            self.round_combo.addItem(info.name, info.id)
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(keep), 0))
        self.round_combo.blockSignals(False)
        self.reload_nominations()

    def _issuer(self) -> UnitInfo:
        """Who issues the dossier: this copy's own unit, or the Sở on the department's copy."""
        own = self.workspace.own_unit()
        if own is not None:
            return own
        return next(u for u in self.units if u.kind is UnitKind.DEPARTMENT)

    def ensure_round(self) -> int:
        if self.round_id() is None:
            created = self.service.ensure_round(self._issuer())
            self.reload_rounds(created.id)
        return self.round_id()

    def edit_round(self) -> RoundInfo | None:
        info = self.current_round() or self.service.new_round_defaults(self._issuer())
        dialog = RoundDialog(info, self.units, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        try:
            saved, change = self.service.save_round(dialog.value())
        except UserError as error:
            messages.show_error(self, error)
            return None
        self.reload_rounds(saved.id)
        self.context.announce(change)
        return saved

    def _update_basis(self, info: RoundInfo | None) -> None:
        if info is None:
            self.basis_label.setText(self.tr("Chưa có đợt xét: thêm đề nghị hoặc mở “Thông tin đợt…” để bắt đầu."))
            return
        regime = self.service.catalog.regime_for(info.basis_date())
        when = format_date(info.document_date) if info.document_date else self.tr("chưa có ngày, tạm theo hôm nay")
        self.basis_label.setText(self.tr("Ngày văn bản: {when} — căn cứ {regime}").format(when=when, regime=regime.name))

    # --- list and selection --------------------------------------------------------------------
    def reload_nominations(self) -> None:
        round_id = self.round_id()
        rows = self.service.nominations(round_id) if round_id else []
        names = {a.code: a.short_name for a in self.service.catalog.award_types}
        keep = self.current_id
        self._resetting = True
        self.model.set_rows(rows, names)
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._resetting = False
        self._update_basis(self.service.get_round(round_id) if round_id else None)
        voted = sum(1 for r in rows if r.status is not NominationStatus.DRAFT)
        self.list_label.setText(self.tr("{n} đề nghị, {v} đã bình xét").format(n=len(rows), v=voted))
        if self.dirty:
            return  # keep the user's unsaved edits on screen
        if row is not None:
            self.show_nomination(keep, force=True)
        elif keep is not None:
            self.show_nomination(None, force=True)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._resetting:
            return
        nomination_id = self.model.data(self.model.index(current.row(), 0), ID_ROLE) if current.isValid() else None
        if nomination_id == self.current_id:
            return
        if not self.confirm_discard():
            row = self.model.row_of(self.current_id) if self.current_id else None
            if row is not None:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
            return
        self.show_nomination(nomination_id)

    def select(self, nomination_id: int) -> None:
        row = self.model.row_of(nomination_id)
        if row is not None:
            self.table.selectRow(row)

    def show_nomination(self, nomination_id: int | None, *, force: bool = False) -> None:
        if not force and nomination_id == self.current_id:
            return
        self.current_id = nomination_id
        self.current = self.service.get(nomination_id) if nomination_id else None
        self._loading = True
        round_info = self.current_round()
        if self.current is not None:
            self.editor.set_draft(self.current.draft, themed=round_info.themed if round_info else True)
        self._loading = False
        self._set_dirty(False)
        self._set_editor_enabled(self.current is not None)
        self._show_status()
        self.preview.clear()
        if self.tabs.currentIndex() == 2 and self.current is not None:
            self.refresh_preview()

    def _set_editor_enabled(self, enabled: bool) -> None:
        frozen = self.current is not None and self.current.status is NominationStatus.SUBMITTED
        self.editor.setEnabled(enabled and not frozen)
        for tab in (1, 2):
            self.tabs.setTabEnabled(tab, enabled and self.current_id is not None)
        self.delete_button.setEnabled(enabled and self.current_id is not None and not frozen)

    def _show_status(self) -> None:
        n = self.current
        if n is None and self.current_id is None and not self.editor.isEnabled():
            self.title_label.setText(self.tr("Chọn một đề nghị trong danh sách, hoặc thêm mới."))
            return
        if n is None:
            self.title_label.setText(self.tr("Đề nghị mới ({kind})").format(kind=self.tr(KIND_LABELS[self.editor.kind]).lower()))
            self.status_label.setText("")
            return
        self.title_label.setText(f"{n.name} — {self.service.catalog.award_type(n.draft.award_type_code).short_name}")
        for spin, value in ((self.votes_for, n.votes_for), (self.votes_against, n.votes_against),
                            (self.votes_total, n.votes_total)):
            spin.setValue(value or 0)
        text = self.tr("Trạng thái: {status}.").format(status=self.tr(STATUS_LABELS[n.status]))
        if n.votes_total:
            text += " " + self.tr("Đồng ý {f}/{t} phiếu ({p}).").format(
                f=n.votes_for, t=n.votes_total, p=format_percent(n.approval_percent))
        if n.status is NominationStatus.SUBMITTED:
            text += " " + self.tr("Đã trình: nội dung bị khóa, bấm “Mở lại” để sửa.")
        self.status_label.setText(text)
        self.record_votes_button.setEnabled(n.status is not NominationStatus.SUBMITTED)
        self.submit_button.setEnabled(n.status is NominationStatus.VOTED)
        self.reopen_button.setEnabled(n.status is not NominationStatus.DRAFT)

    # --- editing --------------------------------------------------------------------------------
    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading and self.editor.isEnabled():
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.dirty_label.setText(self.tr("Có thay đổi chưa lưu.") if dirty else "")
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty and self.current_id is not None)

    def confirm_discard(self) -> bool:
        if not self.dirty:
            return True
        return messages.confirm(self, self.tr("Khen thưởng"), self.tr("Đề nghị đang sửa chưa được lưu. Bỏ các thay đổi?"),
                                yes=self.tr("Bỏ thay đổi"), no=self.tr("Ở lại"))

    def can_close(self) -> bool:
        return self.confirm_discard()

    def new_nomination(self, kind: NomineeKind) -> None:
        if not self.confirm_discard():
            return
        round_id = self.ensure_round()
        round_info = self.service.get_round(round_id)
        awards = self.service.catalog.types_for(kind, themed=round_info.themed)
        own = self.workspace.own_unit()
        unit = own if own is not None and self.workspace.role is Role.UNIT else next(
            (u for u in self.units if u.kind is UnitKind.DISTRICT_OFFICE), self.units[0])
        self._resetting = True
        self.table.setCurrentIndex(QModelIndex())
        self.table.clearSelection()
        self._resetting = False
        self.current_id, self.current = None, None
        self._loading = True
        self.editor.set_draft(NominationDraft(kind, awards[0].code if awards else "", unit.code), themed=round_info.themed)
        self.editor.setCurrentIndex(0)
        self.tabs.setCurrentIndex(0)
        self._loading = False
        self._set_editor_enabled(True)
        self._set_dirty(True)
        self._show_status()
        self.editor.name.setFocus()

    def save(self) -> bool:
        try:
            draft = self.editor.draft()
            round_id = self.ensure_round()
            if self.current_id is None:
                new_id, change = self.service.create(round_id, draft)
            else:
                new_id = self.current_id
                change = self.service.update(self.current_id, draft, expected_revision=self.current.revision)
        except UserError as error:
            messages.show_error(self, error)
            return False
        self.current_id = new_id
        self._set_dirty(False)
        self.context.announce(change)  # reloads the list and this nomination
        self.select(new_id)
        return True

    def prefill(self) -> None:
        draft = self.editor.draft()
        if (self.editor.achievements.toPlainText().strip() or self.editor.activities_summary.toPlainText().strip()) \
                and not messages.confirm(self, self.tr("Điền sẵn thành tích"),
                                         self.tr("Thay nội dung thành tích đang có bằng bản soạn sẵn từ số liệu?"),
                                         yes=self.tr("Thay"), no=self.tr("Giữ nguyên")):
            return
        round_info = self.current_round()
        as_of = round_info.document_date if round_info else None

        def done(prefill) -> None:  # noqa: ANN001
            self.editor.achievements.setPlainText(prefill.achievements)
            self.editor.activities_summary.setPlainText(prefill.activities_summary)
            if not self.editor.summary.text().strip():
                self.editor.summary.setText(prefill.summary)
            self.editor.set_figures(prefill.figures)
            self.editor.prefill_status.setText(self.tr("Đã điền sẵn từ số liệu; kiểm tra, sửa rồi bấm “Lưu đề nghị”."))
            self._set_dirty(True)

        self.context.tasks.run(lambda _p, _c: self.service.prefill(draft, as_of=as_of),
                               title=self.tr("Đang tổng hợp số liệu của đơn vị…"), parent=self, on_done=done)

    def delete_current(self) -> None:
        if self.current is None or not messages.confirm(
                self, self.tr("Xóa đề nghị"), self.tr("Xóa đề nghị “{name}”?").format(name=self.current.name),
                yes=self.tr("Xóa"), no=self.tr("Không")):
            return
        try:
            change = self.service.delete([self.current.id])
        except UserError as error:
            messages.show_error(self, error)
            return
        self.current_id, self.current = None, None
        self._set_dirty(False)
        self.context.announce(change)

    def _status_action(self, action) -> None:  # noqa: ANN001
        if self.current is None or (self.dirty and not self.save()):
            return
        try:
            change = action(self.current_id)
        except UserError as error:
            messages.show_error(self, error)
            return
        self.context.announce(change)

    def record_votes(self) -> None:
        self._status_action(lambda i: self.service.record_votes(
            i, self.votes_for.value(), self.votes_against.value(), self.votes_total.value()))

    def submit(self) -> None:
        self._status_action(self.service.submit)

    def reopen(self) -> None:
        self._status_action(self.service.reopen)

    # --- ranking --------------------------------------------------------------------------------
    def from_ranking(self) -> None:
        try:
            from thidua_desktop.core.awards.ranking import ranking_choices
        except ImportError:  # the consolidation feature is not part of this build
            messages.show_error(self, UserError(self.tr("Chưa có bảng xếp hạng."),
                                                hint=self.tr("Chức năng tổng hợp, xếp hạng chưa được cài đặt.")))
            return
        campaign = self.workspace.campaign()

        def rank(_progress, _cancel):  # noqa: ANN001, ANN202 - worker thread, own session
            with self.workspace.sessions() as session:
                return ranking_choices(session, campaign)

        self.context.tasks.run(rank, title=self.tr("Đang xếp hạng các đơn vị…"), parent=self,
                               on_done=self._choose_candidates)

    def _choose_candidates(self, choices: list) -> None:  # noqa: ANN001
        round_id = self.ensure_round()
        themed = self.service.get_round(round_id).themed
        dialog = RankingDialog(choices, self.service.catalog.types_for(NomineeKind.COLLECTIVE, themed=themed), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create_candidates(dialog.candidates())

    def create_candidates(self, candidates: list) -> NominationChange | None:
        round_id = self.ensure_round()
        as_of = self.service.get_round(round_id).document_date

        def done(change: NominationChange) -> None:
            self.context.announce(change)
            lines = [self.tr("Đã tạo {n} đề nghị (dự thảo, đã điền sẵn thành tích).").format(n=len(change.created))]
            lines += change.skipped + change.warnings
            QMessageBox.information(self, self.tr("Tạo đề nghị từ bảng xếp hạng"), "\n".join(lines))
            if change.created:
                self.select(change.created[0])

        self.context.tasks.run(lambda _p, _c: self.service.create_from_candidates(round_id, candidates, as_of=as_of),
                               title=self.tr("Đang tạo đề nghị…"), parent=self, on_done=done)
        return None

    # --- preview, print, save -------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == 2 and self.current is not None and self.preview.data is None:
            self.refresh_preview()

    def _ready_for_documents(self) -> bool:
        """Documents are built from saved data: save pending edits first."""
        if self.current_id is None:
            return False
        return not self.dirty or self.save()

    def render_choice(self, key: str, nomination_id: int | None = None) -> tuple[str, bytes]:
        """(title, PDF bytes) of a preview choice; runs in a worker thread, for the nomination given."""
        dossier = build_dossier(self.workspace, nomination_id or self.current_id, service=self.service)
        if key == "certificate":
            form = dossier.certificate_form_code
            if form is None:
                raise UserError(self.tr("Hình thức này không in lên phôi."),
                                hint=self.tr("Chỉ Giấy khen, Bằng khen có mẫu phôi."))
            return self.tr("Phôi"), certificates_for(self.workspace, dossier.context, [dossier.nomination], form)
        if key == "all":
            return self.tr("Cả hồ sơ"), d.render_pdf(list(dossier.documents))
        document = dossier.documents[DOCUMENT_KEYS.index(key)]
        return document.name, d.render_pdf(document)

    def refresh_preview(self, *, then_print: bool = False) -> None:
        if not self._ready_for_documents():
            return
        key = self.document_combo.currentData()
        label = self.document_combo.currentText()
        nomination_id = self.current_id
        self.preview.clear(self.tr("Đang dựng văn bản…"))

        def show(result: tuple[str, bytes]) -> None:
            if nomination_id != self.current_id or key != self.document_combo.currentData():
                return  # the user moved on while it rendered: never show or print another document
            self.preview.load(result[1], label)
            if then_print:
                print_true_size(self, result[1], label)

        self.context.tasks.run(lambda _p, _c: self.render_choice(key, nomination_id), title=self.tr("Đang dựng văn bản…"),
                               parent=self, on_done=show, show_progress=False,
                               on_error=lambda e, t: (self.preview.clear(), messages.show_error(self, e, t)))

    def print_current(self) -> None:
        if self.preview.data is not None:
            print_true_size(self, self.preview.data, self.document_combo.currentText())
        else:
            self.refresh_preview(then_print=True)

    def _save_file(self, title: str, suggested: str, pattern: str, produce) -> None:  # noqa: ANN001
        target, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested), pattern)
        if not target:
            return

        def job(_progress, _cancel) -> Path:  # noqa: ANN001
            data = produce()
            with atomic_write(Path(target)) as handle:
                handle.write(data)
            return Path(target)

        self.context.tasks.run(job, title=self.tr("Đang lưu…"), parent=self,
                               on_done=lambda path: self.preview.info.setText(self.tr("Đã lưu {file}").format(file=path.name)))

    def save_pdf(self) -> None:
        if not self._ready_for_documents():
            return
        key = self.document_combo.currentData()
        self._save_file(self.tr("Lưu PDF"), f"{self._suggested_name(key)}.pdf", self.tr("Tệp PDF (*.pdf)"),
                        lambda: self.render_choice(key)[1])

    def save_docx(self) -> None:
        if not self._ready_for_documents():
            return
        key = self.document_combo.currentData()
        if key not in DOCUMENT_KEYS:
            messages.show_error(self, UserError(self.tr("Chọn một văn bản (Tờ trình, Danh sách, Báo cáo, Biên bản) để lưu Word."),
                                                hint=self.tr("Phôi và “cả hồ sơ” chỉ lưu được dạng PDF; “Lưu cả hồ sơ” ghi mọi tệp Word.")))
            return

        def produce() -> bytes:
            dossier = build_dossier(self.workspace, self.current_id, service=self.service)
            return d.render_docx(dossier.documents[DOCUMENT_KEYS.index(key)])

        self._save_file(self.tr("Lưu Word"), f"{self._suggested_name(key)}.docx", self.tr("Tệp Word (*.docx)"), produce)

    def _suggested_name(self, key: str) -> str:
        return f"{slug(self.tr(PREVIEW_LABELS[key]))}-{slug(self.current.name if self.current else '')}"

    def save_dossier(self, folder: str | None = None) -> None:
        if not self._ready_for_documents():
            return
        folder = folder or QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục lưu hồ sơ"), str(Path.home()))
        if not folder:
            return
        nomination_id = self.current_id

        def done(result) -> None:  # noqa: ANN001
            self.preview.info.setText(self.tr("Đã lưu {n} tệp vào {folder} (căn cứ {regime}).").format(
                n=len(result.files), folder=result.folder, regime=result.regime))

        self.context.tasks.run(
            lambda progress, cancel: write_dossier(self.workspace, nomination_id, Path(folder), progress=progress,
                                                   cancel=cancel),
            title=self.tr("Đang lưu hồ sơ…"), parent=self, on_done=done)

    def calibrate(self) -> None:
        CalibrationDialog(self.context, self).exec()

    # --- broadcast ------------------------------------------------------------------------------
    def on_changed(self, report: object) -> None:
        if isinstance(report, DataRestored):  # a backup was restored, or the role changed: start afresh
            self.service = AwardService.for_workspace(self.workspace)
            self.editor.service = self.service
            with self.workspace.sessions() as session:
                self.units = list_units(session)
            self.editor.set_units(self.units)
            self.current_id, self.current = None, None
            self._set_dirty(False)
            self.ranking_button.setVisible(self.workspace.role is not Role.UNIT)
            self.reload_rounds()
        elif isinstance(report, NominationChange):
            if self.current_id in report.deleted:
                self.current_id, self.current = None, None
            if report.rounds_changed:
                self.reload_rounds()
            else:
                self.reload_nominations()
