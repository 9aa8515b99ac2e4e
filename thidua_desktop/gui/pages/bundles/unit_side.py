"""The unit's side of the bundles page: its signing key, and sending its data to the Sở."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX
from thidua_desktop.core.bundles.errors import WrongPassphraseError
from thidua_desktop.core.bundles.exporter import ExportReport
from thidua_desktop.core.bundles.keys import OwnKey
from thidua_desktop.core.bundles.service import KeyReport
from thidua_desktop.core.text import format_date
from thidua_desktop.gui.pages.bundles.common import BUNDLE_FILTER, Records, note, size_text, table, when

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.bundles.page import BundlesPage

MAX_PASSPHRASE_ATTEMPTS = 3


class KeyPanel(QGroupBox):
    """The unit's key: id, fingerprint, enrolment sheet, new key / rotation / forgotten passphrase."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__(page.tr("Khóa ký gói dữ liệu"))
        self.page = page
        layout = QVBoxLayout(self)
        self.status = note()
        layout.addWidget(self.status)
        self.fingerprint = QLabel()
        big = QFont(self.fingerprint.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fingerprint)
        buttons = QHBoxLayout()
        self.create_button = QPushButton(self.tr("Tạo khóa…"))
        self.sheet_button = QPushButton(self.tr("In phiếu đăng ký khóa…"))
        self.public_button = QPushButton(self.tr("Lưu khóa công khai…"))
        self.rotate_button = QPushButton(self.tr("Thay khóa…"))
        self.forgot_button = QPushButton(self.tr("Quên cụm mật khẩu…"))
        self.remove_old_button = QPushButton(self.tr("Xóa khóa cũ khỏi máy…"))
        for button in (self.create_button, self.sheet_button, self.public_button, self.rotate_button,
                       self.forgot_button, self.remove_old_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.create_button.clicked.connect(self.create)
        self.sheet_button.clicked.connect(self.print_sheet)
        self.public_button.clicked.connect(self.save_public_key)
        self.rotate_button.clicked.connect(self.rotate)
        self.forgot_button.clicked.connect(self.forgot)
        self.remove_old_button.clicked.connect(self.remove_old_keys)

    def key(self) -> OwnKey | None:
        return self.page.bundles.own_key()

    def refresh(self) -> None:
        key = self.key()
        has_key = key is not None
        for button in (self.sheet_button, self.public_button, self.rotate_button, self.forgot_button):
            button.setVisible(has_key)
        self.create_button.setVisible(not has_key)
        self.remove_old_button.setVisible(bool(self.page.bundles.retired_secret_keys()))
        if key is None:
            self.status.setText(self.tr(
                "Máy này chưa có khóa ký. Hãy tạo khóa, in phiếu đăng ký khóa, ký, đóng dấu và gửi Sở Tư pháp; "
                "Sở chỉ nhận gói được ký bằng khóa đã đăng ký."))
            self.fingerprint.hide()
            return
        self.fingerprint.show()
        self.status.setText(self.tr(
            "Mã khóa: <b>{key}</b> · tạo ngày {day}. Gửi phiếu đăng ký khóa (có chữ ký, đóng dấu) cho Sở Tư pháp "
            "để Sở đối chiếu dấu vân tay dưới đây trước khi nhận gói đầu tiên.").format(
                key=key.key_id, day=format_date(key.created_at)))
        self.fingerprint.setText(self.tr("Dấu vân tay: {fp}").format(fp=key.fingerprint))

    def _run(self, job: Callable[[], KeyReport], title: str, text: str) -> None:
        """A key operation (slow key derivation, an audit row) off the GUI thread, then the result."""
        self.page.context.tasks.run(
            lambda _progress, _cancel: job(), title=title, parent=self.page,
            on_done=lambda report: self._done(report, text),
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def _done(self, report: KeyReport, text: str) -> None:
        self.page.refresh()
        self.page.prompts.inform(text.format(key=report.key.key_id, fp=report.key.fingerprint))

    def create(self) -> None:
        answer = self.page.prompts.passphrase("new")
        if answer is None:
            return
        bundles = self.page.bundles
        self._run(lambda: bundles.create_key(*answer), self.tr("Đang tạo khóa ký…"),
                  self.tr("Đã tạo khóa {key} (dấu vân tay {fp}). Bước tiếp theo: in phiếu đăng ký khóa."))

    def rotate(self) -> None:
        answer = self.page.prompts.passphrase("rotate", destructive=True)
        if answer is None:
            return
        bundles = self.page.bundles
        self._run(lambda: bundles.rotate_key(*answer), self.tr("Đang thay khóa ký…"),
                  self.tr("Đã thay bằng khóa {key}. Các gói từ nay mang lời xác nhận của khóa cũ, nhưng Sở chỉ "
                          "áp dụng chúng sau khi đối chiếu dấu vân tay {fp} với phiếu đăng ký MỚI: hãy in phiếu, "
                          "ký, đóng dấu và gửi Sở."))

    def remove_old_keys(self) -> None:
        """Delete retired secret keys from this machine, after the user confirms (their public halves stay)."""
        old = self.page.bundles.retired_secret_keys()
        if not old or not self.page.prompts.confirm(
            self.tr("Xóa khóa cũ khỏi máy"),
            self.tr("Xóa hẳn {n} khóa bí mật đã thay ({keys})? Chỉ nên xóa khi Sở đã xác nhận khóa mới; "
                    "sau khi xóa, không ai ký được bằng các khóa này nữa.").format(
                        n=len(old), keys=", ".join(k.key_id for k in old)),
        ):
            return
        bundles = self.page.bundles
        self.page.context.tasks.run(
            lambda _progress, _cancel: bundles.remove_retired_secret_keys(), title=self.tr("Đang xóa khóa cũ…"),
            parent=self.page, on_done=lambda removed: (self.page.refresh(), self.page.prompts.inform(
                self.tr("Đã xóa {n} khóa bí mật cũ khỏi máy.").format(n=len(removed)))),
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def forgot(self) -> None:
        if not self.page.prompts.confirm(
            self.tr("Quên cụm mật khẩu"),
            self.tr("Tạo khóa mới thay cho khóa không mở được? Sở Tư pháp sẽ chưa nhận gói ký bằng khóa mới cho "
                    "tới khi đăng ký lại theo phiếu đăng ký mới."),
        ):
            return
        answer = self.page.prompts.passphrase("new", destructive=True)
        if answer is None:
            return
        bundles = self.page.bundles
        self._run(lambda: bundles.replace_lost_key(*answer), self.tr("Đang tạo khóa ký mới…"),
                  self.tr("Đã tạo khóa mới {key}. Hãy in phiếu đăng ký khóa, ký, đóng dấu và gửi Sở để "
                          "đăng ký lại."))

    def print_sheet(self) -> None:
        key = self.key()
        if key is None:
            return
        target = self.page.prompts.save_path(self.tr("Lưu phiếu đăng ký khóa"),
                                             Path.home() / f"phieu-dang-ky-khoa-{key.key_id}.pdf", "PDF (*.pdf)")
        if target is None:
            return
        try:
            self.page.bundles.write_enrolment_sheet(target, key)
        except Exception as error:  # noqa: BLE001
            self.page.prompts.error(error)
            return
        self.page.last_sheet = target
        if self.page.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
        self.page.prompts.inform(self.tr("Đã lưu phiếu đăng ký khóa vào {path}. In, ký, đóng dấu và gửi Sở Tư pháp.")
                                 .format(path=target))

    def save_public_key(self) -> None:
        key = self.key()
        if key is None:
            return
        target = self.page.prompts.save_path(self.tr("Lưu khóa công khai"), Path.home() / f"{key.key_id}.pub",
                                             self.tr("Khóa công khai (*.pub)"))
        if target is not None:
            target.write_text(self.page.bundles.public_key_file_text(key), encoding="utf-8")


class UnitSection(QWidget):
    """Export for a unit: what the next bundle carries, full or delta, and the history."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.keys = KeyPanel(page)
        layout.addWidget(self.keys)
        box = QGroupBox(self.tr("Gửi gói dữ liệu về Sở Tư pháp"))
        inner = QVBoxLayout(box)
        self.status = note()
        inner.addWidget(self.status)
        self.delta = QRadioButton(self.tr(
            "Gói bổ sung — chỉ gửi kèm các tệp minh chứng chưa gửi lần nào (nhỏ, hợp gửi thư điện tử, Zalo)"))
        self.full = QRadioButton(self.tr(
            "Gói đầy đủ — gửi kèm mọi tệp minh chứng (dùng cho lần đầu, hoặc khi Sở báo thiếu tệp)"))
        self.mode = QButtonGroup(self)
        for button in (self.delta, self.full):
            self.mode.addButton(button)
            inner.addWidget(button)
        self.delta.setChecked(True)
        row = QHBoxLayout()
        self.export_button = QPushButton(self.tr("Tạo gói dữ liệu…"))
        self.export_button.setDefault(True)
        self.folder_button = QPushButton(self.tr("Mở thư mục chứa gói"))
        row.addWidget(self.export_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(box)
        history = QGroupBox(self.tr("Lịch sử gửi"))
        history_layout = QVBoxLayout(history)
        self.history = Records([
            ("Số", lambda r: r.seq),
            ("Ngày tạo", lambda r: when(r.created_at)),
            ("Loại", lambda r: r.mode_label),
            ("Hoạt động", lambda r: r.record_count),
            ("Minh chứng gửi kèm", lambda r: r.evidence_included),
            ("Dung lượng", lambda r: size_text(r.file_size)),
            ("Mã băm (SHA-256)", lambda r: r.manifest_sha256[:16] + "…"),
            ("Tệp", lambda r: r.file_name),
        ], self)
        self.history_view = table(self.history, stretch=7, empty=self.tr("Chưa gửi gói dữ liệu nào."))
        history_layout.addWidget(self.history_view)
        layout.addWidget(history, 1)
        self.export_button.clicked.connect(self.export)
        self.folder_button.clicked.connect(self.open_folder)
        self.last_report: ExportReport | None = None

    def refresh(self) -> None:
        self.keys.refresh()
        status = self.page.bundles.export_status()
        self.next_seq = status.next_seq
        self.status.setText(self.tr(
            "Gói tiếp theo là gói số <b>{seq}</b>: {records} hoạt động ({deleted} đã xóa), trong đó <b>{unsent}</b> "
            "hoạt động chưa gửi hoặc đã sửa sau lần gửi trước; {files} tệp minh chứng, <b>{new}</b> tệp ({size}) "
            "chưa gửi lần nào.").format(
                seq=status.next_seq, records=status.records, deleted=status.deleted, unsent=status.unsent,
                files=status.evidence, new=status.evidence_unshipped, size=size_text(status.evidence_unshipped_bytes)))
        self.history.set_records(status.history)
        if not status.history:
            self.full.setChecked(True)

    def export(self) -> None:
        page = self.page
        if self.keys.key() is None:
            page.prompts.inform(self.tr("Máy này chưa có khóa ký. Hãy bấm “Tạo khóa…” trước."))
            return
        default = page.bundles.outgoing_dir() / page.bundles.next_file_name(self.next_seq)
        default.parent.mkdir(parents=True, exist_ok=True)
        target = page.prompts.save_path(self.tr("Lưu gói dữ liệu"), default, self.tr(BUNDLE_FILTER))
        if target is None:
            return
        if target.suffix != BUNDLE_SUFFIX:
            target = target.with_name(target.name + BUNDLE_SUFFIX)
        answer = page.prompts.passphrase("unlock")
        if answer is not None:
            self._sign(target, "full" if self.full.isChecked() else "delta", answer[0], attempt=1)

    def _sign(self, target: Path, mode: str, passphrase: str, *, attempt: int) -> None:
        """Export and sign; a wrong passphrase asks again (MAX_PASSPHRASE_ATTEMPTS in all), not from the start."""
        page = self.page
        bundles = page.bundles

        def failed(error: BaseException, _details: str) -> None:
            if not isinstance(error, WrongPassphraseError) or attempt >= MAX_PASSPHRASE_ATTEMPTS:
                page.prompts.error(error)
                return
            answer = page.prompts.passphrase("unlock", problem=self.tr(
                "Cụm mật khẩu không đúng. Hãy nhập lại (còn {n} lần thử); chú ý bộ gõ tiếng Việt và phím Caps Lock."
            ).format(n=MAX_PASSPHRASE_ATTEMPTS - attempt))
            if answer is not None:
                self._sign(target, mode, answer[0], attempt=attempt + 1)

        page.context.tasks.run(
            lambda progress, cancel: bundles.export(target, passphrase=passphrase, mode=mode,
                                                    progress=progress, cancel=cancel),
            title=self.tr("Đang tạo và ký gói dữ liệu…"), parent=page, on_done=self._exported, on_error=failed,
        )

    def _exported(self, report: ExportReport) -> None:
        self.last_report = report
        self.page.context.announce(report.change_report)
        self.page.refresh()
        kind = self.tr("đầy đủ") if report.mode == "full" else self.tr("bổ sung")
        self.page.prompts.inform(self.tr(
            "Đã tạo gói {kind} số {seq} ({size}): {path}\n\nGửi tệp này cho Sở Tư pháp qua USB, thư điện tử hoặc "
            "Zalo. Tệp đã được ký; nếu bị sửa trên đường gửi, Sở sẽ biết.").format(
                kind=kind, seq=report.seq, size=size_text(report.file_size), path=report.path))

    def open_folder(self) -> None:
        folder = self.page.bundles.outgoing_dir()
        if self.last_report is not None:
            folder = self.last_report.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
