"""The bundles page's dialogs (passphrase, key enrolment and revocation, import preview and summary) and
`Prompts`, the one object that asks the user anything (tests replace it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.bundles.errors import TrustRegistryError
from thidua_desktop.core.bundles.guards import CHANGE_LABELS, ChangeKind, RecordChange
from thidua_desktop.core.bundles.holds import FreezeInfo, HeldInfo
from thidua_desktop.core.bundles.importer import ImportOutcome, ImportStatus, PreparedImport
from thidua_desktop.core.bundles.service import BundleService
from thidua_desktop.core.bundles.trust import TrustedKeyInfo
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.geometry import fit_to_screen
from thidua_desktop.gui.messages import dialog_buttons, show_error
from thidua_desktop.gui.pages.bundles.common import (
    BUNDLE_FILTER,
    NOTICE_STYLE,
    WARNING_STYLE,
    Records,
    day,
    note,
    size_text,
    table,
)
from thidua_desktop.gui.pages.bundles.trust_dialogs import BranchDialog, ConfirmKeyDialog


class PassphraseDialog(QDialog):
    """Ask for the key's passphrase; for a new key, twice; for a rotation, the old one too.

    `problem` says why it is asked again (a wrong passphrase); `destructive` (a key that replaces another)
    makes Cancel the button Enter chooses.
    """

    def __init__(self, mode: str, parent: QWidget | None = None, *, problem: str = "",
                 destructive: bool = False) -> None:
        super().__init__(parent)
        self.mode = mode
        titles = {"unlock": self.tr("Mở khóa ký"), "new": self.tr("Đặt cụm mật khẩu cho khóa mới"),
                  "rotate": self.tr("Thay khóa ký")}
        self.setWindowTitle(titles[mode])
        layout = QVBoxLayout(self)
        intro = {
            "unlock": self.tr("Nhập cụm mật khẩu của khóa ký để ký gói dữ liệu."),
            "new": self.tr("Cụm mật khẩu bảo vệ khóa ký trên máy này (ít nhất 8 ký tự). Hãy ghi nhớ; "
                           "nếu quên, phải tạo khóa mới và đăng ký lại với Sở Tư pháp."),
            "rotate": self.tr("Khóa hiện tại sẽ ký lời xác nhận cho khóa mới, nên Sở nhận khóa mới mà không "
                              "cần phiếu đăng ký mới."),
        }[mode]
        layout.addWidget(note(intro))
        self.problem = note(problem, style=WARNING_STYLE)
        self.problem.setVisible(bool(problem))
        layout.addWidget(self.problem)
        form = QFormLayout()
        self.fields: list[QLineEdit] = []
        labels = {"unlock": [self.tr("Cụm mật khẩu:")],
                  "new": [self.tr("Cụm mật khẩu:"), self.tr("Nhập lại:")],
                  "rotate": [self.tr("Cụm mật khẩu hiện tại:"), self.tr("Cụm mật khẩu mới:"), self.tr("Nhập lại:")]}
        for text in labels[mode]:
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMinimumWidth(280)
            form.addRow(text, field)
            self.fields.append(field)
        layout.addLayout(form)
        buttons = dialog_buttons(self, self.tr("Đồng ý"), destructive=destructive)
        layout.addWidget(buttons)
        self.fields[0].setFocus()

    def values(self) -> tuple[str, ...]:
        return tuple(field.text() for field in self.fields)


class EnrolDialog(QDialog):
    """Enrol a unit's key: the fingerprint must be checked against the signed and sealed paper sheet."""

    def __init__(self, workspace: Workspace, *, unit_code: str = "", public_key: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.source = ""
        self.setWindowTitle(self.tr("Đăng ký khóa của đơn vị"))
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        layout.addWidget(note(self.tr(
            "Chỉ đăng ký khi đã có <b>phiếu đăng ký khóa</b> có chữ ký của thủ trưởng và dấu của đơn vị. "
            "Đọc từng nhóm dấu vân tay dưới đây và so với phiếu.")))
        form = QFormLayout()
        self.unit = QComboBox()
        for unit in workspace.bundles().sending_units():
            self.unit.addItem(f"{unit.name} ({unit.code})", unit.code)
        if unit_code:
            self.unit.setCurrentIndex(max(self.unit.findData(unit_code), 0))
        form.addRow(self.tr("Đơn vị:"), self.unit)
        key_row = QHBoxLayout()
        self.key = QLineEdit(public_key)
        self.key.setPlaceholderText(self.tr("Dòng khóa công khai, bắt đầu bằng RW…"))
        browse = QPushButton(self.tr("Chọn tệp .pub…"))
        browse.clicked.connect(self._browse)
        key_row.addWidget(self.key, 1)
        key_row.addWidget(browse)
        form.addRow(self.tr("Khóa công khai:"), key_row)
        self.fingerprint = QLabel()
        big = QFont(self.fingerprint.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)  # compare, not copy
        form.addRow(self.tr("Dấu vân tay:"), self.fingerprint)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Ví dụ: theo Công văn số 12/PTP ngày 05/3/2024"))
        form.addRow(self.tr("Ghi chú:"), self.note)
        layout.addLayout(form)
        self.confirmed = QCheckBox(self.tr(
            "Tôi đã đối chiếu đủ 8 nhóm dấu vân tay với phiếu đăng ký có chữ ký, đóng dấu của đơn vị, và chúng khớp."))
        layout.addWidget(self.confirmed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Đăng ký khóa"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.key.setCursorPosition(0)
        self.key.textChanged.connect(self._update)
        self.confirmed.toggled.connect(self._update)
        self._update()

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Chọn tệp khóa công khai"), "",
                                              self.tr("Khóa công khai (*.pub);;Mọi tệp (*)"))
        if name:
            self.source = Path(name).read_text(encoding="utf-8", errors="replace").strip()
            self.key.setText(self.source.splitlines()[-1])

    def _update(self) -> None:
        try:
            fingerprint = BundleService.parse_public_key(self.key.text()).fingerprint
        except TrustRegistryError:
            fingerprint = ""
        self.fingerprint.setText(fingerprint or self.tr("— (chưa có khóa hợp lệ)"))
        self.ok.setEnabled(bool(fingerprint) and self.confirmed.isChecked())

    def enrol(self) -> Any:
        # the whole .pub file (its comment names the unit, which enrolment checks) if the key line is its own
        text = self.source if self.source and self.key.text().strip() in self.source else self.key.text()
        return self.workspace.bundles().enrol(self.unit.currentData(), text,
                                              confirmed=self.confirmed.isChecked(), note=self.note.text())


class RevokeDialog(QDialog):
    def __init__(self, key: TrustedKeyInfo, default_seq: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Thu hồi khóa {key}").format(key=key.key_id))
        layout = QVBoxLayout(self)
        layout.addWidget(note(self.tr(
            "Khóa {key} của {unit} sẽ không được nhận cho các gói có số thứ tự từ số dưới đây trở đi "
            "(và mọi gói của kế hoạch khác). Các gói đã nhận không bị xóa.").format(key=key.key_id, unit=key.unit_name)))
        form = QFormLayout()
        self.seq = QSpinBox()
        self.seq.setRange(1, 1_000_000)
        self.seq.setValue(default_seq)
        form.addRow(self.tr("Thu hồi từ gói số:"), self.seq)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Ví dụ: máy của đơn vị bị mất"))
        form.addRow(self.tr("Lý do:"), self.reason)
        layout.addLayout(form)
        buttons = dialog_buttons(self, self.tr("Thu hồi"), destructive=True)
        layout.addWidget(buttons)


def change_columns() -> list[tuple[str, Callable[[RecordChange], Any]]]:
    return [
        ("Thay đổi", lambda c: CHANGE_LABELS[c.kind] + (" (giữ lại)" if c.held_reason else "")),
        ("Ngày", lambda c: day(c.activity_date)),
        ("Tiêu chí", lambda c: c.criterion_code),
        ("Tên hoạt động", lambda c: c.title),
        ("Phiên bản", lambda c: f"{c.revision_before} → {c.revision_after}" if c.revision_before else c.revision_after),
        ("Ghi chú", lambda c: c.held_reason or ("không còn trong gói của đơn vị" if c.removed else "")),
    ]


class PreviewDialog(QDialog):
    """What the bundle would change, record by record, before anything is written."""

    def __init__(self, prepared: PreparedImport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        preview = prepared.preview
        summary = preview.summary
        self.setWindowTitle(self.tr("Xem trước gói dữ liệu — {file}").format(file=summary.file_name))
        fit_to_screen(self, (980, 640))
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{summary.title}</b>")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(note(self.tr(
            "{mode} · chữ ký hợp lệ, khóa {key} · {records} hoạt động · {evidence} tệp minh chứng "
            "({included} tệp gửi kèm), mọi mã băm đều khớp.").format(
                mode=summary.mode_label, key=summary.key_id, records=summary.record_count,
                evidence=summary.evidence_count, included=summary.evidence_included)))
        counts = preview.counts
        self.counts = QLabel(" · ".join(f"{self.tr(CHANGE_LABELS[k])}: <b>{counts[k]}</b>" for k in ChangeKind)
                             + self.tr(" · Minh chứng sẽ thêm: <b>{n}</b> tệp ({size})").format(
                                 n=len(preview.evidence_to_add), size=size_text(preview.evidence_bytes)))
        layout.addWidget(self.counts)
        for warning in preview.warnings:
            layout.addWidget(note(self.tr("Lưu ý: ") + warning, style=WARNING_STYLE))
        for notice in preview.notices:
            layout.addWidget(note(notice, style=NOTICE_STYLE))
        if preview.held:
            layout.addWidget(note(self.tr("{n} thay đổi sẽ được giữ lại trong danh sách “Chờ xử lý”.").format(
                n=len(preview.held)), style=WARNING_STYLE))
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Hiện:")))
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Các hoạt động có thay đổi"), "changed")
        self.kind.addItem(self.tr("Tất cả"), "all")
        for kind in ChangeKind:
            self.kind.addItem(self.tr(CHANGE_LABELS[kind]), str(kind))
        filters.addWidget(self.kind)
        filters.addStretch(1)
        layout.addLayout(filters)
        self.model = Records(change_columns(), self)
        self.view = table(self.model, stretch=3)
        layout.addWidget(self.view, 1)
        self.changes = preview.changes
        self.kind.currentIndexChanged.connect(self._filter)
        self._filter()
        held = preview.status is ImportStatus.HELD
        buttons = dialog_buttons(self, self.tr("Giữ lại chờ xử lý") if held else self.tr("Nhận gói"), "Không nhận")
        layout.addWidget(buttons)

    def _filter(self) -> None:
        wanted = self.kind.currentData()
        self.model.set_records([
            c for c in self.changes
            if wanted == "all" or (wanted == "changed" and c.kind is not ChangeKind.UNCHANGED) or str(c.kind) == wanted
        ])


class SummaryDialog(QDialog):
    """One row per file of a folder import."""

    def __init__(self, outcomes: Sequence[ImportOutcome], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Kết quả nhận gói dữ liệu"))
        fit_to_screen(self, (980, 480))
        layout = QVBoxLayout(self)
        accepted = sum(1 for o in outcomes if o.error is None)
        layout.addWidget(QLabel(self.tr("{n} tệp: {ok} tệp nhận được, {bad} tệp bị từ chối.").format(
            n=len(outcomes), ok=accepted, bad=len(outcomes) - accepted)))
        self.model = Records([
            ("Tệp", lambda o: o.path.name),
            ("Đơn vị", lambda o: o.unit_code),
            ("Số", lambda o: o.seq or ""),
            ("Kết quả", lambda o: o.status_label),
            ("Chi tiết", lambda o: o.detail + (f" {o.error.hint}" if o.error is not None else "")),
        ], self)
        self.model.set_records(outcomes)
        self.view = table(self.model, stretch=4)
        self.view.setWordWrap(True)
        self.view.resizeRowsToContents()
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class Prompts:
    """Every question the page asks; tests replace this object to answer without dialogs."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def passphrase(self, mode: str, *, problem: str = "", destructive: bool = False) -> tuple[str, ...] | None:
        dialog = PassphraseDialog(mode, self.parent, problem=problem, destructive=destructive)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def save_path(self, title: str, default: Path, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, str(default), file_filter)
        return Path(name) if name else None

    def open_paths(self, title: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.parent, title, "", BUNDLE_FILTER)
        return [Path(n) for n in names]

    def folder(self, title: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self.parent, title)
        return Path(name) if name else None

    def confirm(self, title: str, text: str) -> bool:
        from thidua_desktop.gui.messages import confirm

        return confirm(self.parent, title, text)

    def preview(self, prepared: PreparedImport) -> bool:
        return PreviewDialog(prepared, self.parent).exec() == QDialog.DialogCode.Accepted

    def summary(self, outcomes: Sequence[ImportOutcome]) -> None:
        SummaryDialog(outcomes, self.parent).exec()

    def inform(self, text: str) -> None:
        QMessageBox.information(self.parent, "ThiĐua Desktop", text)

    def enrol(self, workspace: Workspace, unit_code: str = "", public_key: str = "") -> Any:
        dialog = EnrolDialog(workspace, unit_code=unit_code, public_key=public_key, parent=self.parent)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                return dialog.enrol()
            except TrustRegistryError as error:
                show_error(self.parent, error)
        return None

    def confirm_key(self, key: TrustedKeyInfo, held: int) -> bool:
        return ConfirmKeyDialog(key, held, self.parent).exec() == QDialog.DialogCode.Accepted

    def choose_branch(self, freeze: FreezeInfo, received_seq: int,
                      held: Sequence[HeldInfo]) -> tuple[int | None, str] | None:
        dialog = BranchDialog(freeze, received_seq, held, self.parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def text(self, title: str, label: str) -> str:
        value, accepted = QInputDialog.getText(self.parent, title, label)
        return value.strip() if accepted else ""

    def revoke(self, key: TrustedKeyInfo, default_seq: int) -> tuple[int, str] | None:
        dialog = RevokeDialog(key, default_seq, self.parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.seq.value(), dialog.reason.text()

    def error(self, error: BaseException) -> None:
        show_error(self.parent, error)
