"""Dialogs of the awards page: the round's header and council, and nominations from the ranking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.awards.catalog import AwardType, Submitter
from thidua_desktop.core.awards.ranking import RankingChoice
from thidua_desktop.core.awards.service import Candidate, DocumentRef, RoundInfo, SignerInfo, header_defaults
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_number, format_percent
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.gui.date_field import OptionalDate
from thidua_desktop.gui.geometry import fit_to_screen
from thidua_desktop.gui.messages import dialog_buttons, show_error


class RoundDialog(QDialog):
    """The round's header and date (which choose the legal basis), each document's number and signer,
    and the council meeting, on three tabs so that the form fits a 768-pixel screen."""

    def __init__(self, info: RoundInfo, units: list[UnitInfo], parent: QWidget | None = None, *,
                 numbered: Sequence[DocumentRef] = (), signing_bodies: Mapping[str, Submitter] | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(self.tr("Thông tin đợt xét khen thưởng"))
        self.setMinimumWidth(660)
        self.edits: dict[str, QLineEdit] = {}
        tabs = QTabWidget()
        agency, documents, council = (QFormLayout(), QFormLayout(), QFormLayout())
        for layout, title in ((agency, "Cơ quan trình"), (documents, "Số văn bản, người ký"), (council, "Hội đồng")):
            page = QWidget()
            page.setLayout(layout)
            tabs.addTab(page, self.tr(title))

        def line(form: QFormLayout, field: str, label: str) -> None:
            self.edits[field] = QLineEdit(getattr(info, field))
            form.addRow(self.tr(label), self.edits[field])

        line(agency, "name", "Tên đợt:")
        self.themed = QCheckBox(self.tr("Phong trào thi đua theo chuyên đề"))
        self.themed.setChecked(info.themed)
        agency.addRow("", self.themed)
        self.issuer = QComboBox()
        for unit in units:
            self.issuer.addItem(unit.name, unit.code)
        self.issuer.setCurrentIndex(max(self.issuer.findData(info.issuing_unit_code), 0))
        agency.addRow(self.tr("Cơ quan trình:"), self.issuer)
        line(agency, "header_parent", "Cơ quan chủ quản (dòng 1):")
        line(agency, "header_agency", "Tên cơ quan (dòng 2, in đậm):")
        line(agency, "agency_symbol", "Ký hiệu cơ quan (…/TTr-STP):")
        line(agency, "place", "Địa danh:")
        self.document_date = OptionalDate(self.tr("Đã có ngày"))
        self.document_date.set_value(info.document_date)
        agency.addRow(self.tr("Ngày văn bản:"), self.document_date)
        self._number_rows(documents, numbered)
        line(documents, "signer_authority", "Quyền hạn ký (GIÁM ĐỐC / KT. GIÁM ĐỐC):")
        line(documents, "signer_title", "Chức vụ người ký (PHÓ GIÁM ĐỐC):")
        line(documents, "signer_name", "Họ tên người ký:")
        self._signer_rows(documents, signing_bodies or {})
        self.meeting_date = OptionalDate(self.tr("Đã họp"))
        self.meeting_date.set_value(info.meeting_date)
        council.addRow(self.tr("Ngày họp Hội đồng:"), self.meeting_date)
        line(council, "meeting_place", "Địa điểm họp:")
        line(council, "chair_name", "Chủ trì:")
        line(council, "chair_title", "Chức vụ người chủ trì:")
        line(council, "secretary_name", "Thư ký:")
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
        council.addRow(self.tr("Thành viên Hội đồng:"), members)
        column = QVBoxLayout(self)
        column.addWidget(tabs)
        column.addWidget(dialog_buttons(self, self.tr("Lưu")))
        self.units = {u.code: u for u in units}
        self.issuer.currentIndexChanged.connect(self._issuer_changed)

    def _number_rows(self, form: QFormLayout, numbered: Sequence[DocumentRef]) -> None:
        """One number per document ("Số Tờ trình … (…/TTr-STP)"): the program writes the symbol itself."""
        self.numbers: dict[str, QLineEdit] = {}
        for ref in numbered:
            edit = QLineEdit(self.info.number(ref.key))
            edit.setPlaceholderText(self.tr("để trống: văn thư ghi số khi ban hành"))
            self.numbers[ref.key] = edit
            form.addRow(self.tr("Số {label} (…/{symbol}):").format(label=ref.label, symbol=ref.symbol), edit)

    def _signer_rows(self, form: QFormLayout, bodies: Mapping[str, Submitter]) -> None:
        """Who signs for each other issuing body (the Văn phòng): title and name, printed under its documents."""
        self.signers: dict[str, tuple[QLineEdit, QLineEdit, QLineEdit]] = {}
        for key, body in bodies.items():
            current = self.info.signers.get(key, SignerInfo())
            authority, title, name = QLineEdit(current.authority), QLineEdit(current.title), QLineEdit(current.name)
            authority.setPlaceholderText(" / ".join(body.signer_lines))
            title.setPlaceholderText(self.tr("chức vụ (nếu ký thay)"))
            name.setPlaceholderText(self.tr("họ và tên"))
            row = QHBoxLayout()
            for edit in (authority, title, name):
                row.addWidget(edit)
            self.signers[key] = (authority, title, name)
            form.addRow(self.tr("Người ký của {body}:").format(body=body.header_agency.capitalize()), row)

    def _issuer_changed(self) -> None:
        """Another issuing agency: its (historical) letterhead, symbol and place replace the old ones."""
        for field, value in header_defaults(self.units[self.issuer.currentData()]).items():
            self.edits[field].setText(value)

    def accept(self) -> None:
        """A date that is not a real one keeps the dialog open with the typed text and says why."""
        try:
            self.document_date.value(self.tr("Ngày văn bản"))
            self.meeting_date.value(self.tr("Ngày họp Hội đồng"))
        except UserError as error:
            show_error(self, error)
            return
        super().accept()

    def value(self) -> RoundInfo:
        return replace(
            self.info, themed=self.themed.isChecked(), issuing_unit_code=self.issuer.currentData(),
            document_date=self.document_date.value(), meeting_date=self.meeting_date.value(),
            members_present=self.present.value() or None, members_total=self.total.value() or None,
            numbers={**self.info.numbers, **{key: edit.text().strip() for key, edit in self.numbers.items()}},
            signers={**self.info.signers, **{key: SignerInfo(*(e.text().strip() for e in edits))
                                             for key, edits in self.signers.items()}},
            **{field: edit.text() for field, edit in self.edits.items()},
        )


class RankingDialog(QDialog):
    """Pick ranked units to nominate: proposals of the ranking are ticked, the award can be changed."""

    def __init__(self, choices: Sequence[RankingChoice], award_types: Sequence[AwardType],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self.setWindowTitle(self.tr("Tạo đề nghị từ bảng xếp hạng"))
        fit_to_screen(self, (900, 520))
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

    def candidates(self) -> list[Candidate]:
        return [choice.candidate(combo.currentData())
                for choice, check, combo in zip(self.choices, self.checks, self.awards, strict=True) if check.isChecked()]
