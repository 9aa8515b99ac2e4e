"""Edit one unit: names, kind, parent, document header, validity dates and merger (reorganisation)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.units import UNIT_KIND_LABELS, UnitChange, UnitInfo, UnitService
from thidua_desktop.gui.date_field import OptionalDate
from thidua_desktop.gui.messages import dialog_buttons, show_error


class UnitDialog(QDialog):
    def __init__(self, units: UnitService, unit: UnitInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.units = units
        self.editing = unit is not None
        self.change: UnitChange | None = None
        self.setWindowTitle(self.tr("Sửa đơn vị") if unit else self.tr("Thêm đơn vị"))
        self.setMinimumWidth(560)
        form = QFormLayout(self)
        self.code = QLineEdit(unit.code if unit else "")
        self.code.setReadOnly(unit is not None)
        self.name = QLineEdit(unit.name if unit else "")
        self.short_name = QLineEdit(unit.short_name if unit else "")
        self.kind = QComboBox()
        for kind, label in UNIT_KIND_LABELS.items():
            self.kind.addItem(label, kind)
        self.kind.setCurrentIndex(self.kind.findData(unit.kind if unit else UnitKind.DISTRICT_OFFICE))
        self.parent_agency = QLineEdit(unit.parent_agency if unit else "")
        self.parent_agency.setPlaceholderText(self.tr("Ví dụ: UBND HUYỆN CHỢ MỚI"))
        others = [u for u in units.list() if not unit or u.code != unit.code]
        self.parent_unit = self._unit_combo(others, unit.parent_code if unit else None, self.tr("(không có)"))
        self.merged_into = self._unit_combo(others, unit.merged_into_code if unit else None, self.tr("(không sáp nhập)"))
        self.valid_from = OptionalDate(self.tr("Có ngày bắt đầu"))
        self.valid_from.set_value(unit.valid_from if unit else None)
        self.valid_to = OptionalDate(self.tr("Đã thôi hoạt động từ sau ngày"))
        self.valid_to.set_value(unit.valid_to if unit else None)
        form.addRow(self.tr("Mã đơn vị:"), self.code)
        form.addRow(self.tr("Tên đầy đủ:"), self.name)
        form.addRow(self.tr("Tên ngắn:"), self.short_name)
        form.addRow(self.tr("Loại:"), self.kind)
        form.addRow(self.tr("Đơn vị cấp trên:"), self.parent_unit)
        form.addRow(self.tr("Dòng cơ quan chủ quản (văn bản):"), self.parent_agency)
        form.addRow(self.tr("Hiệu lực từ:"), self.valid_from)
        form.addRow(self.tr("Hiệu lực đến:"), self.valid_to)
        form.addRow(self.tr("Sáp nhập vào:"), self.merged_into)
        buttons = dialog_buttons(self, self.tr("Lưu"))
        form.addRow(buttons)

    @staticmethod
    def _unit_combo(units: list[UnitInfo], selected: str | None, none_label: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(none_label, None)
        for other in units:
            combo.addItem(other.name, other.code)
        combo.setCurrentIndex(max(0, combo.findData(selected)))
        return combo

    def accept(self) -> None:
        try:
            info = UnitInfo(
                id=0,
                code=self.code.text(),
                name=self.name.text(),
                short_name=self.short_name.text(),
                kind=self.kind.currentData(),
                parent_code=self.parent_unit.currentData(),
                parent_agency=self.parent_agency.text(),
                valid_from=self.valid_from.value(self.tr("Hiệu lực từ")),
                valid_to=self.valid_to.value(self.tr("Hiệu lực đến")),
                merged_into_code=self.merged_into.currentData(),
            )
            self.change = self.units.edit(info) if self.editing else self.units.add(info)
        except Exception as error:  # noqa: BLE001 - shown; the dialog stays open with the input
            show_error(self, error)
            return
        super().accept()
