"""Dialogs that end a trust state: confirm a rotated key from its new paper sheet, choose a branch of a
frozen chain. The fingerprint is shown large to be *compared* with the sheet, never typed or copied."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.bundles.holds import FreezeInfo, HeldInfo
from thidua_desktop.core.bundles.trust import TrustedKeyInfo
from thidua_desktop.gui.pages.bundles.common import note, when


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QWidget]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAutoDefault(False)
    ok.setDefault(False)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setText(dialog.tr("Hủy"))
    cancel.setDefault(True)  # Enter never confirms trust by accident
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class ConfirmKeyDialog(QDialog):
    """A unit rotated its key: staff compare the new key's fingerprint with the unit's NEW paper sheet."""

    def __init__(self, key: TrustedKeyInfo, held: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Xác nhận khóa mới của đơn vị"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addWidget(note(self.tr(
            "{unit} thông báo đã thay khóa: khóa mới <b>{key}</b> được khóa cũ {old} xác nhận. Vì ai có máy và cụm "
            "mật khẩu của đơn vị cũng làm được việc này, Sở chỉ dùng khóa mới sau khi đối chiếu dấu vân tay với "
            "<b>phiếu đăng ký khóa mới</b> có chữ ký, đóng dấu của đơn vị. {held} gói ký bằng khóa này đang chờ xử lý."
        ).format(unit=key.unit_name, key=key.key_id, old=key.endorsed_by_key_id or "", held=held)))
        form = QFormLayout()
        form.addRow(self.tr("Đơn vị:"), QLabel(f"{key.unit_name} ({key.unit_code})"))
        form.addRow(self.tr("Mã khóa:"), QLabel(key.key_id))
        self.fingerprint = QLabel(key.fingerprint)
        big = QFont(self.fingerprint.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)  # compare, not copy
        form.addRow(self.tr("Dấu vân tay:"), self.fingerprint)
        layout.addLayout(form)
        self.confirmed = QCheckBox(self.tr(
            "Tôi đã đối chiếu đủ 8 nhóm dấu vân tay với phiếu đăng ký khóa MỚI có chữ ký, đóng dấu của đơn vị, "
            "và chúng khớp."))
        layout.addWidget(self.confirmed)
        layout.addWidget(note(self.tr(
            "Nếu đơn vị không thay khóa, KHÔNG xác nhận: hãy thu hồi khóa cũ (máy hoặc cụm mật khẩu đã lộ) và đề nghị "
            "đơn vị tạo khóa mới, in phiếu đăng ký mới."), style="color: #8a1c1c;"))
        buttons, self.ok = _buttons(self, self.tr("Xác nhận khóa mới"))
        layout.addWidget(buttons)
        self.confirmed.toggled.connect(self.ok.setEnabled)
        self.ok.setEnabled(False)


class BranchDialog(QDialog):
    """A fork froze a unit's chain: staff choose the branch to keep, after calling the unit."""

    def __init__(self, freeze: FreezeInfo, received_seq: int, held: Sequence[HeldInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chọn nhánh gói dữ liệu"))
        self.setMinimumWidth(680)
        layout = QVBoxLayout(self)
        layout.addWidget(note(self.tr(
            "Từ gói số {seq}, Sở đã thấy hai nhánh gói của <b>{unit}</b>; không gói nào của đơn vị được nhận cho tới "
            "khi chọn nhánh. Hãy gọi điện cho đơn vị (theo số Sở đã có) trước khi chọn. Gói của nhánh không được "
            "chọn vẫn được lưu để đối chiếu.").format(seq=freeze.seq, unit=freeze.unit_name)))
        self.group = QButtonGroup(self)
        keep = QRadioButton(self.tr("Giữ nhánh Sở đã nhận (tới gói số {seq}) và nhận các gói nối tiếp nó").format(
            seq=received_seq))
        keep.setChecked(True)
        self.group.addButton(keep, 0)
        layout.addWidget(keep)
        for item in held:
            button = QRadioButton(self.tr("Chọn nhánh bắt đầu từ gói số {seq} (khóa {key}, tệp {file}, nhận lúc {at})").format(
                seq=item.seq, key=item.signer_key_id, file=item.file_name, at=when(item.held_at)))
            self.group.addButton(button, item.id)
            layout.addWidget(button)
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Ví dụ: đã gọi điện cho chị Hà, đơn vị xác nhận nhánh đã nhận"))
        form.addRow(self.tr("Lý do:"), self.reason)
        layout.addLayout(form)
        buttons, self.ok = _buttons(self, self.tr("Chọn nhánh này"))
        layout.addWidget(buttons)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(False)

    def choice(self) -> tuple[int | None, str]:
        chosen = self.group.checkedId()
        return (None if chosen == 0 else chosen), self.reason.text()
