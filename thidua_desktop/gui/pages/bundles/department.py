"""The department's side of the bundles page: import (one file with a preview, or many), received
bundles, the trust registry, warnings and the changes held back ("Chờ xử lý")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles.errors import UntrustedKeyError
from thidua_desktop.core.bundles.importer import ImportOutcome, ImportReport, ImportStatus, PreparedImport
from thidua_desktop.core.bundles.revocation import RevokeReport
from thidua_desktop.core.bundles.service import BundleService
from thidua_desktop.core.bundles.trust import TrustedKeyInfo
from thidua_desktop.gui.pages.bundles.common import (
    INCIDENT_LABELS,
    Records,
    day,
    local_text,
    note,
    selected,
    table,
    when,
)
from thidua_desktop.gui.pages.bundles.held_tab import HeldTab

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.bundles.page import BundlesPage


class DepartmentSection(QWidget):
    """Import for the department: files or a folder, preview, received bundles, trust registry, warnings."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        self.import_button = QPushButton(self.tr("Nhận gói…"))
        self.folder_button = QPushButton(self.tr("Nhận cả thư mục…"))
        self.verify_button = QPushButton(self.tr("Kiểm tra gói…"))
        self.verify_button.setToolTip(self.tr("Kiểm tra chữ ký và toàn vẹn của một gói mà không nhận"))
        for button in (self.import_button, self.folder_button, self.verify_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.summary = QLabel()
        actions.addWidget(self.summary)
        layout.addLayout(actions)
        layout.addWidget(note(self.tr(
            "Mỗi gói được kiểm tra chữ ký, khóa của đơn vị, mã băm từng tệp và số thứ tự trước khi xem trước; "
            "chỉ khi bấm “Nhận gói” dữ liệu mới được ghi, trọn vẹn trong một lần.")))
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self._add_imports_tab()
        self._add_keys_tab()
        self._add_incidents_tab()
        self._add_pending_tab()
        self.held_tab = HeldTab(page)
        self.tabs.addTab(self.held_tab, self.tr("Gói chờ xử lý"))

        self.import_button.clicked.connect(self.import_files)
        self.folder_button.clicked.connect(self.import_folder)
        self.verify_button.clicked.connect(self.verify_file)
        self.enrol_button.clicked.connect(lambda: self.enrol())
        self.revoke_button.clicked.connect(self.revoke)
        self.unenrol_button.clicked.connect(self.unenrol)
        self.apply_pending_button.clicked.connect(lambda: self.resolve(apply=True))
        self.discard_pending_button.clicked.connect(lambda: self.resolve(apply=False))

    def _add_imports_tab(self) -> None:
        """Received bundles, newest first."""
        self.imports = Records([
            ("Đơn vị", lambda r: r.unit_name),
            ("Số", lambda r: r.seq),
            ("Loại", lambda r: r.mode_label),
            ("Ngày tạo", lambda r: when(r.created_at)),
            ("Ngày nhận", lambda r: when(r.imported_at)),
            ("Người nhận", lambda r: r.imported_by),
            ("Khóa ký", lambda r: r.signer_key_id),
            ("Mới", lambda r: r.new_count),
            ("Sửa", lambda r: r.changed_count),
            ("Xóa", lambda r: r.deleted_count),
            ("Không đổi", lambda r: r.unchanged_count),
            ("Minh chứng thêm", lambda r: r.evidence_added),
            ("Lưu ý", lambda r: " ".join(r.warnings)),
        ], self)
        self.imports_view = table(self.imports, stretch=12, empty=self.tr("Chưa nhận gói dữ liệu nào."))
        self.tabs.addTab(self.imports_view, self.tr("Gói đã nhận"))

    def _add_keys_tab(self) -> None:
        """The trust registry, with enrol and revoke."""
        keys_tab = QWidget()
        keys_layout = QVBoxLayout(keys_tab)
        key_actions = QHBoxLayout()
        self.enrol_button = QPushButton(self.tr("Đăng ký khóa…"))
        self.revoke_button = QPushButton(self.tr("Thu hồi khóa…"))
        self.unenrol_button = QPushButton(self.tr("Hủy đăng ký nhầm…"))
        self.unenrol_button.setToolTip(self.tr("Gỡ một khóa đăng ký nhầm đơn vị, khi chưa nhận gói nào ký bằng khóa đó"))
        key_actions.addWidget(self.enrol_button)
        key_actions.addWidget(self.revoke_button)
        key_actions.addWidget(self.unenrol_button)
        key_actions.addStretch(1)
        keys_layout.addLayout(key_actions)
        self.keys = Records([
            ("Đơn vị", lambda k: k.unit_name),
            ("Mã khóa", lambda k: k.key_id),
            ("Dấu vân tay", lambda k: k.fingerprint),
            ("Ngày đăng ký", lambda k: when(k.enrolled_at)),
            ("Cách đăng ký", lambda k: k.method_label),
            ("Trạng thái", lambda k: k.status),
            ("Lý do thu hồi", lambda k: k.revoke_reason or ""),
        ], self)
        self.keys_view = table(self.keys, stretch=6, empty=self.tr("Chưa đăng ký khóa của đơn vị nào."))
        keys_layout.addWidget(self.keys_view)
        self.tabs.addTab(keys_tab, self.tr("Khóa tin cậy"))

    def _add_incidents_tab(self) -> None:
        """Equivocations and forks flagged at import."""
        self.incidents = Records([
            ("Thời điểm", lambda i: local_text(i.get("at", ""))),
            ("Loại", lambda i: INCIDENT_LABELS.get(i.get("kind", ""), i.get("kind", ""))),
            ("Đơn vị", lambda i: i.get("unit", "")),
            ("Số thứ tự", lambda i: i.get("seq", "")),
            ("Chi tiết", lambda i: f"gói {i.get('bundle_id', '')}, người nhận {i.get('actor', '')}"),
        ], self)
        self.incidents_view = table(self.incidents, stretch=4, empty=self.tr("Không có cảnh báo nào."))
        self.tabs.addTab(self.incidents_view, self.tr("Cảnh báo"))

    def _add_pending_tab(self) -> None:
        """Changes held back at import, with apply and discard."""
        pending_tab = QWidget()
        pending_layout = QVBoxLayout(pending_tab)
        pending_actions = QHBoxLayout()
        self.apply_pending_button = QPushButton(self.tr("Áp dụng thay đổi đã chọn"))
        self.discard_pending_button = QPushButton(self.tr("Bỏ qua thay đổi đã chọn"))
        pending_actions.addWidget(self.apply_pending_button)
        pending_actions.addWidget(self.discard_pending_button)
        pending_actions.addStretch(1)
        pending_layout.addLayout(pending_actions)
        self.pending = Records([
            ("Đơn vị", lambda p: p.unit_code),
            ("Gói số", lambda p: p.seq),
            ("Thay đổi", lambda p: p.change_label),
            ("Ngày", lambda p: day(p.activity_date)),
            ("Tên hoạt động", lambda p: p.title),
            ("Lý do giữ lại", lambda p: p.reason),
        ], self)
        self.pending_view = table(self.pending, stretch=4, empty=self.tr("Không có thay đổi nào đang chờ xử lý."))
        pending_layout.addWidget(self.pending_view)
        self.tabs.addTab(pending_tab, self.tr("Chờ xử lý"))

    @property
    def bundles(self) -> BundleService:
        return self.page.bundles

    def refresh(self) -> None:
        imports = self.bundles.imports()
        self.imports.set_records(imports)
        self.keys.set_records(self.bundles.trusted_keys())
        incidents = self.bundles.incidents()
        self.incidents.set_records(list(reversed(incidents)))
        pending = self.bundles.pending()
        self.pending.set_records(pending)
        self.tabs.setTabText(2, self.tr("Cảnh báo ({n})").format(n=len(incidents)) if incidents else self.tr("Cảnh báo"))
        self.tabs.setTabText(3, self.tr("Chờ xử lý ({n})").format(n=len(pending)) if pending else self.tr("Chờ xử lý"))
        held = self.held_tab.refresh()
        self.tabs.setTabText(4, self.tr("Gói chờ xử lý ({n})").format(n=held) if held else self.tr("Gói chờ xử lý"))
        units = {i.unit_code for i in imports}
        self.summary.setText(self.tr("Đã nhận {n} gói từ {u} đơn vị").format(n=len(imports), u=len(units)))

    # --- import -----------------------------------------------------------------------------
    def import_files(self) -> None:
        paths = self.page.prompts.open_paths(self.tr("Chọn gói dữ liệu cần nhận"))
        if len(paths) == 1:
            self.import_one(paths[0])
        elif paths:
            self.import_paths(paths)

    def import_folder(self) -> None:
        folder = self.page.prompts.folder(self.tr("Chọn thư mục chứa các gói dữ liệu"))
        if folder is not None:
            self.import_paths([folder])

    def import_one(self, path: Path) -> None:
        """Verify and stage, show the preview, then apply on confirmation."""
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda progress, cancel: bundles.prepare_import(path, progress=progress, cancel=cancel),
            title=self.tr("Đang kiểm tra gói {name}…").format(name=path.name), parent=self.page,
            on_done=self._prepared, on_error=lambda error, _details: self._refused(error, path),
        )

    def _prepared(self, prepared: PreparedImport) -> None:
        if prepared.preview.status is ImportStatus.ALREADY:
            prepared.discard()
            self.page.prompts.inform(self.tr("{title} — đã nhận trước đây, không có gì thay đổi.").format(
                title=prepared.preview.summary.title))
            return
        if not self.page.prompts.preview(prepared):
            prepared.discard()
            return
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda progress, cancel: bundles.apply_import(prepared, progress=progress, cancel=cancel),
            title=self.tr("Đang nhận gói dữ liệu…"), parent=self.page, on_done=self._imported,
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def _imported(self, report: ImportReport) -> None:
        self.page.context.announce(report.change_report)
        self.page.refresh()
        self.page.prompts.inform(report.message)

    def _refused(self, error: BaseException, path: Path) -> None:
        self.page.refresh()  # an equivocation was flagged in the warnings list
        self.page.prompts.error(error)
        if isinstance(error, UntrustedKeyError) and self.page.prompts.confirm(
            self.tr("Đăng ký khóa"),
            self.tr("Đã có phiếu đăng ký khóa {key} của đơn vị {unit}? Đăng ký khóa rồi nhận lại gói này.").format(
                key=error.key_id, unit=error.unit_code),
        ) and self.enrol(error.unit_code, error.public_key):
            self.import_one(path)

    def import_paths(self, paths: list[Path]) -> None:
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda progress, cancel: bundles.import_many(paths, progress=progress, cancel=cancel),
            title=self.tr("Đang nhận các gói dữ liệu…"), parent=self.page, on_done=self._imported_many,
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def _imported_many(self, outcomes: list[ImportOutcome]) -> None:
        for outcome in outcomes:
            if outcome.report is not None:
                self.page.context.announce(outcome.report.change_report)
        self.page.refresh()
        if not outcomes:
            self.page.prompts.inform(self.tr("Không tìm thấy tệp .thidua nào."))
            return
        self.page.prompts.summary(outcomes)

    def verify_file(self) -> None:
        paths = self.page.prompts.open_paths(self.tr("Chọn gói dữ liệu cần kiểm tra"))
        if paths:
            self.verify_path(paths[0])

    def verify_path(self, path: Path) -> None:
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda progress, cancel: bundles.verify(path, progress=progress, cancel=cancel),
            title=self.tr("Đang kiểm tra gói {name}…").format(name=path.name), parent=self.page,
            on_done=lambda report: self.page.prompts.inform(report.message),
            on_error=lambda error, _details: self._refused(error, path),
        )

    # --- trust registry ---------------------------------------------------------------------
    def enrol(self, unit_code: str = "", public_key: str = "") -> bool:
        report = self.page.prompts.enrol(self.page.workspace, unit_code, public_key)
        if report is None:
            return False
        self.page.refresh()
        retired = ", ".join(report.retired_key_ids)
        self.page.prompts.inform(
            self.tr("Đã đăng ký khóa {key} cho {unit}.").format(key=report.key_id, unit=self.bundles.unit(report.unit_code).name)
            + (self.tr(" Khóa cũ {old} không còn được nhận cho gói mới.").format(old=retired) if retired else ""))
        return True

    def revoke(self) -> None:
        chosen = selected(self.keys_view)
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn một khóa trong danh sách trước."))
            return
        key: TrustedKeyInfo = chosen[0]
        default = self.bundles.default_revoke_seq(key.unit_code)
        answer = self.page.prompts.revoke(key, default)
        if answer is None:
            return
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda _progress, _cancel: bundles.revoke(key.key_id, *answer), title=self.tr("Đang thu hồi khóa…"),
            parent=self.page, on_done=self._revoked,
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def unenrol(self) -> None:
        """Undo an enrolment made under the wrong unit, while no bundle was received under the key."""
        chosen = selected(self.keys_view)
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn một khóa trong danh sách trước."))
            return
        key: TrustedKeyInfo = chosen[0]
        reason = self.page.prompts.text(self.tr("Hủy đăng ký nhầm"), self.tr(
            "Gỡ khóa {key} khỏi {unit}? Các khóa mà lần đăng ký này đã thay sẽ được dùng lại. Ghi lý do:").format(
                key=key.key_id, unit=key.unit_name))
        if not reason:
            return
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda _progress, _cancel: bundles.unenrol(key.key_id, reason), title=self.tr("Đang hủy đăng ký…"),
            parent=self.page, on_done=lambda report: (self.page.refresh(), self.page.prompts.inform(
                self.tr("Đã hủy đăng ký khóa {key}.").format(key=report.key_id)
                + (self.tr(" Dùng lại khóa {keys}.").format(keys=", ".join(report.restored_key_ids))
                   if report.restored_key_ids else ""))),
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def _revoked(self, report: RevokeReport) -> None:
        self.page.refresh()
        text = self.tr("Đã thu hồi khóa {key} từ gói số {seq}.").format(key=report.key_id, seq=report.from_seq)
        if report.cascaded_key_ids:
            text += self.tr(" Thu hồi theo các khóa do khóa này xác nhận khi thay khóa: {keys}.").format(
                keys=", ".join(report.cascaded_key_ids))
        if report.affected:
            text += self.tr(" Các gói bị ảnh hưởng: {items}; nên xem lại số liệu của các gói đã nhận.").format(
                items="; ".join(a.label for a in report.affected))
        if report.chain_unfrozen:
            text += self.tr(" Chuỗi gói của đơn vị không còn bị đóng băng.")
        self.page.prompts.inform(text)

    def resolve(self, *, apply: bool) -> None:
        """Apply or discard the chosen held changes, off the GUI thread; Cancel leaves them all pending."""
        chosen = [p.id for p in selected(self.pending_view)]
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn thay đổi trong danh sách trước."))
            return
        bundles = self.bundles
        self.page.context.tasks.run(
            lambda progress, cancel: bundles.resolve_pending(chosen, apply=apply, progress=progress, cancel=cancel),
            title=self.tr("Đang xử lý các thay đổi chờ…"), parent=self.page,
            on_done=lambda report: self._resolved(report, chosen, apply=apply),
            on_error=lambda error, _details: self.page.prompts.error(error),  # one transaction: nothing applied
        )

    def _resolved(self, report: ChangeReport, chosen: list[int], *, apply: bool) -> None:
        self.page.context.announce(report)
        self.page.refresh()
        still_held = {p.id for p in self.bundles.pending()} & set(chosen)
        if apply and still_held:
            self.page.prompts.inform(
                self.tr("{n} thay đổi vẫn thuộc kỳ đã duyệt nên còn chờ; hãy mở khóa kỳ đó (trang Tổng hợp › Thẩm định) "
                        "rồi áp dụng lại.").format(n=len(still_held))
            )
