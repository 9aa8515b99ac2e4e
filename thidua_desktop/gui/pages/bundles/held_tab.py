"""The department's “Gói chờ xử lý” tab: bundles kept aside by the trust rules, and the decisions that
release them (confirm a rotated key, choose a branch of a frozen chain, allow a sequence jump)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from thidua_desktop.core.bundles.chain import HoldReason
from thidua_desktop.core.bundles.importer import ImportOutcome
from thidua_desktop.core.bundles.service import BundleService
from thidua_desktop.core.progress import CancelFn, ProgressFn
from thidua_desktop.gui.pages.bundles.common import Records, note, selected, table, when

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.bundles.page import BundlesPage


class HeldTab(QWidget):
    """Held bundles by unit and seq, with a banner per frozen chain and one button per way out."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        actions = QHBoxLayout()
        self.confirm_button = QPushButton(self.tr("Xác nhận khóa mới…"))
        self.branch_button = QPushButton(self.tr("Chọn nhánh…"))
        self.approve_button = QPushButton(self.tr("Cho phép số thứ tự nhảy…"))
        self.retry_button = QPushButton(self.tr("Nhận lại gói đã chọn"))
        self.retry_button.setToolTip(self.tr(
            "Kiểm tra lại các gói đang chọn: gói đã hết lý do phải giữ (khóa đã xác nhận, đã chọn nhánh…) được nhận, "
            "gói còn lý do thì vẫn chờ."))
        for button in (self.confirm_button, self.branch_button, self.approve_button, self.retry_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.banner = note(style="color: #8a1c1c; font-weight: bold;")
        layout.addWidget(self.banner)
        self.held = Records([
            ("Đơn vị", lambda h: h.unit_name),
            ("Gói số", lambda h: h.seq),
            ("Khóa ký", lambda h: h.signer_key_id),
            ("Lý do giữ", lambda h: h.reason_label),
            ("Nhận lúc", lambda h: when(h.held_at)),
            ("Chi tiết", lambda h: h.detail[:1].upper() + h.detail[1:]),
        ], self)
        self.view = table(self.held, stretch=5, empty=self.tr("Không có gói nào đang chờ xử lý."))
        layout.addWidget(self.view, 1)
        layout.addWidget(note(self.tr(
            "Gói chờ xử lý đã được kiểm tra chữ ký và mã băm nhưng chưa được áp dụng. Không tin một gói? Thu hồi khóa "
            "đã ký nó ở thẻ “Khóa tin cậy”: các gói chờ của khóa đó bị loại (tệp vẫn được lưu).")))
        self.confirm_button.clicked.connect(self.confirm_key)
        self.branch_button.clicked.connect(self.choose_branch)
        self.approve_button.clicked.connect(self.approve)
        self.retry_button.clicked.connect(self.retry)

    @property
    def bundles(self) -> BundleService:
        return self.page.bundles

    def refresh(self) -> int:
        held = self.bundles.holds()
        self.held.set_records(held)
        freezes = self.bundles.freezes()
        self.banner.setText("\n".join(self.tr("Chuỗi gói của {unit} đang bị đóng băng từ gói số {seq}: chọn nhánh để "
                                              "tiếp tục nhận.").format(unit=f.unit_name, seq=f.seq) for f in freezes))
        self.banner.setVisible(bool(freezes))
        return len(held)

    def _chosen(self, reasons: set[HoldReason]) -> list:
        chosen = [h for h in selected(self.view) if h.reason in reasons]
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn trong danh sách một gói có lý do phù hợp trước."))
        return chosen

    def confirm_key(self) -> None:
        chosen = self._chosen({HoldReason.PENDING_KEY})
        if not chosen:
            return
        key = next(k for k in self.bundles.trusted_keys() if k.key_id == chosen[0].signer_key_id)
        count = sum(1 for h in self.bundles.holds() if h.signer_key_id == key.key_id)
        if not self.page.prompts.confirm_key(key, count):
            return
        bundles = self.bundles
        self._release(lambda progress, cancel: bundles.confirm_key(key.key_id, confirmed=True, progress=progress,
                                                                   cancel=cancel)[1],
                      self.tr("Đang nhận các gói của khóa mới…"))

    def choose_branch(self) -> None:
        freezes = self.bundles.freezes()
        if not freezes:
            self.page.prompts.inform(self.tr("Không có chuỗi gói nào đang bị đóng băng."))
            return
        picked = {h.unit_code for h in selected(self.view)}
        freeze = next((f for f in freezes if f.unit_code in picked), freezes[0])
        # each other branch starts at a bundle held as a fork; choosing it takes the bundles that follow it too
        held = [h for h in self.bundles.holds() if h.unit_code == freeze.unit_code and h.reason is HoldReason.FORK]
        answer = self.page.prompts.choose_branch(freeze, self.bundles.default_revoke_seq(freeze.unit_code) - 1, held)
        if answer is None:
            return
        bundles = self.bundles
        self._release(lambda progress, cancel: bundles.choose_branch(freeze.unit_code, *answer, progress=progress,
                                                                     cancel=cancel),
                      self.tr("Đang nhận nhánh đã chọn…"))

    def approve(self) -> None:
        chosen = self._chosen({HoldReason.SEQ_JUMP})
        if not chosen:
            return
        reason = self.page.prompts.text(self.tr("Cho phép số thứ tự nhảy"), self.tr(
            "Đã gọi điện xác minh với đơn vị rằng gói số {seq} là của đơn vị? Ghi lý do:").format(seq=chosen[0].seq))
        if not reason:
            return
        bundles, ids = self.bundles, [h.id for h in chosen]
        self._release(lambda progress, cancel: bundles.approve_holds(ids, reason, progress=progress, cancel=cancel),
                      self.tr("Đang nhận gói…"))

    def retry(self) -> None:
        """Import the selected held bundles again (after a cancelled release, or once their cause is gone)."""
        chosen = sorted(selected(self.view), key=lambda h: (h.unit_code, h.seq))
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn trong danh sách các gói cần nhận lại trước."))
            return
        bundles, ids = self.bundles, [h.id for h in chosen]
        self._release(lambda progress, cancel: bundles.release_holds(ids, progress=progress, cancel=cancel),
                      self.tr("Đang nhận lại gói…"))

    def _release(self, job: Callable[[ProgressFn, CancelFn], list[ImportOutcome]], title: str) -> None:
        """One way to run a release: off the GUI thread; Cancel keeps what was decided and says what is left."""
        self.page.context.tasks.run(
            job, title=title, parent=self.page, on_done=self._released,
            on_error=lambda error, _details: self._failed(error), on_cancelled=self._cancelled,
        )

    def _cancelled(self) -> None:
        self.page.refresh()
        self.page.prompts.inform(self.tr(
            "Đã dừng. Quyết định vừa rồi (xác nhận khóa, chọn nhánh, cho phép) vẫn được giữ; các gói chưa nhận vẫn ở "
            "danh sách chờ: chọn chúng rồi bấm “Nhận lại gói đã chọn”."))

    def _released(self, outcomes: list[ImportOutcome]) -> None:
        for outcome in outcomes:
            if outcome.report is not None:
                self.page.context.announce(outcome.report.change_report)
        self.page.refresh()
        if outcomes:
            self.page.prompts.summary(outcomes)

    def _failed(self, error: BaseException) -> None:
        self.page.refresh()
        self.page.prompts.error(error)
