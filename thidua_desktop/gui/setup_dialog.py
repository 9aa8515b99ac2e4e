"""First-run setup: does this copy serve one unit (which one) or the department that consolidates?"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.units import list_units
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.messages import show_error


class SetupDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(self.tr("Thiết lập ban đầu — ThiĐua Desktop"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "<b>Chào mừng đến với ThiĐua Desktop.</b><br>"
                "Hãy cho biết máy này dùng để làm gì. Có thể đổi lại sau trong <i>Cài đặt</i>."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.unit_choice = QRadioButton(self.tr("Máy của một đơn vị: ghi nhận hoạt động và gửi báo cáo về Sở"))
        self.department_choice = QRadioButton(self.tr("Máy của Sở Tư pháp: tiếp nhận, tổng hợp và khen thưởng"))
        group = QButtonGroup(self)
        group.addButton(self.unit_choice)
        group.addButton(self.department_choice)
        self.unit_choice.setChecked(True)
        layout.addWidget(self.unit_choice)

        self.unit_label = QLabel(self.tr("Đơn vị của máy này:"))
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName(self.tr("Đơn vị"))
        with workspace.sessions() as session:
            for unit in list_units(session):
                if unit.kind is not UnitKind.DEPARTMENT:
                    self.unit_combo.addItem(unit.name, unit.code)
        self.unit_label.setBuddy(self.unit_combo)
        layout.addWidget(self.unit_label)
        layout.addWidget(self.unit_combo)
        layout.addSpacing(8)
        layout.addWidget(self.department_choice)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Bắt đầu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Thoát"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.unit_choice.toggled.connect(self._sync_enabled)
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        enabled = self.unit_choice.isChecked()
        self.unit_combo.setEnabled(enabled)
        self.unit_label.setEnabled(enabled)

    def select_unit(self, code: str) -> None:
        self.unit_choice.setChecked(True)
        self.unit_combo.setCurrentIndex(self.unit_combo.findData(code))

    def accept(self) -> None:
        try:
            if self.unit_choice.isChecked():
                self.workspace.configure(Role.UNIT, self.unit_combo.currentData())
            else:
                self.workspace.configure(Role.DEPARTMENT, None)
        except Exception as error:  # noqa: BLE001 - shown to the user, dialog stays open
            show_error(self, error)
            return
        super().accept()
