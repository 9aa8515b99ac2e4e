"""First-run setup: does this copy serve one unit (which one) or the department that consolidates?"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.bundles.keys import OwnKey, check_passphrase, create_key, keyring_of
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.messages import dialog_buttons, show_error


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
        # District offices first: they are most of the machines set up as "a unit".
        units = sorted((u for u in workspace.units().list() if u.kind is not UnitKind.DEPARTMENT),
                       key=lambda u: u.kind is not UnitKind.DISTRICT_OFFICE)
        for unit in units:
            self.unit_combo.addItem(unit.name, unit.code)
        self.unit_label.setBuddy(self.unit_combo)
        layout.addWidget(self.unit_label)
        layout.addWidget(self.unit_combo)
        self.key_box = QGroupBox(self.tr("Khóa ký gói dữ liệu của đơn vị"))
        key_form = QFormLayout(self.key_box)
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        key_form.addRow(self.key_note)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("ít nhất 8 ký tự"))
        self.confirmation = QLineEdit()
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        key_form.addRow(self.tr("Cụm mật khẩu:"), self.passphrase)
        key_form.addRow(self.tr("Nhập lại:"), self.confirmation)
        self.key_error = QLabel()
        self.key_error.setStyleSheet("color: #b3261e;")
        self.key_error.setWordWrap(True)
        key_form.addRow(self.key_error)
        layout.addWidget(self.key_box)
        layout.addSpacing(8)
        layout.addWidget(self.department_choice)
        self.reviewer_label = QLabel(self.tr("Họ tên người thẩm định của máy này (ghi vào nhật ký):"))
        self.reviewer_name = QLineEdit()
        self.reviewer_name.setAccessibleName(self.tr("Họ tên người thẩm định"))
        self.reviewer_name.setPlaceholderText(self.tr("ví dụ: Nguyễn Văn An"))
        self.reviewer_label.setBuddy(self.reviewer_name)
        layout.addWidget(self.reviewer_label)
        layout.addWidget(self.reviewer_name)
        if workspace.role is Role.DEPARTMENT:  # a shared department set up from another machine: join it
            self.department_choice.setChecked(True)
            self.unit_choice.setEnabled(False)
            intro.setText(self.tr(
                "<b>Tham gia Sở Tư pháp dùng chung.</b><br>Cơ sở dữ liệu này đã được thiết lập cho Sở Tư pháp; "
                "hãy ghi họ tên của người dùng máy này để nhật ký ghi đúng người thẩm định."
            ))

        buttons = dialog_buttons(self, self.tr("Bắt đầu"), "Thoát")
        layout.addWidget(buttons)
        self.unit_choice.toggled.connect(self._sync_enabled)
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._sync_enabled())
        self._sync_enabled()

    def _existing_key(self) -> OwnKey | None:
        code = self.unit_combo.currentData()
        return keyring_of(self.workspace).current(code) if code else None

    def _needs_key(self) -> bool:
        return self.unit_choice.isChecked() and self._existing_key() is None

    def _sync_enabled(self) -> None:
        enabled = self.unit_choice.isChecked()
        self.unit_combo.setEnabled(enabled)
        self.unit_label.setEnabled(enabled)
        self.key_box.setVisible(enabled)
        self.reviewer_label.setVisible(not enabled)
        self.reviewer_name.setVisible(not enabled)
        existing = self._existing_key() if enabled else None
        for field in (self.passphrase, self.confirmation):
            field.setEnabled(existing is None)
        self.key_note.setText(
            self.tr("Máy đã có khóa {key} cho đơn vị này; không cần tạo lại.").format(key=existing.key_id)
            if existing
            else self.tr(
                "Gói dữ liệu gửi về Sở được ký bằng khóa riêng của đơn vị. Hãy đặt một cụm mật khẩu và ghi nhớ; "
                "mỗi lần gửi gói sẽ cần nhập lại. Sau đó in phiếu đăng ký khóa (trang Gửi/Nhận gói dữ liệu) gửi Sở."
            )
        )

    def select_unit(self, code: str) -> None:
        self.unit_choice.setChecked(True)
        self.unit_combo.setCurrentIndex(self.unit_combo.findData(code))

    def set_passphrase(self, passphrase: str) -> None:
        self.passphrase.setText(passphrase)
        self.confirmation.setText(passphrase)

    def accept(self) -> None:
        needs_key = self._needs_key()
        if needs_key:
            try:  # checked first, so a refused passphrase changes nothing
                check_passphrase(self.passphrase.text(), self.confirmation.text())
            except ValidationError as error:
                self.key_error.setText("\n".join(error.problems.values()))
                return
        try:
            if self.unit_choice.isChecked():
                self.workspace.configure(Role.UNIT, self.unit_combo.currentData())
                if needs_key:
                    create_key(self.workspace, self.passphrase.text(), self.confirmation.text())
            elif self.reviewer_name.text().strip() or not self.workspace.is_sqlite:
                self.workspace.setup_shared_department(self.reviewer_name.text())  # refuses an empty name
            else:
                self.workspace.configure(Role.DEPARTMENT, None)
        except Exception as error:  # noqa: BLE001 - shown to the user, dialog stays open
            show_error(self, error)
            return
        super().accept()
