"""Thẩm định: per unit how much is reviewed and whether the period is approved (locked); queried items;
changes held back by a lock, to apply once unlocked or to discard.

Every change goes through `workspace.review()` off the GUI thread and is announced when done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.consolidation.review import OpenQueriesError, PendingInfo, UnitReviewSummary
from thidua_desktop.core.consolidation.review_service import LockReport, PendingReport
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date, format_number
from thidua_desktop.gui.consolidation.common import (
    ATTENTION,
    GOOD,
    colored,
    fill_table,
    read_only_table,
    run_change,
    with_official_name,
)
from thidua_desktop.gui.messages import ask_text, confirm, show_error

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.consolidation import ConsolidationPage


class ReviewTab(QWidget):
    """Per unit: how much is reviewed, the approval (lock) of the period; queried items; held changes."""

    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        self.unit_ids: list[int] = []
        self.pending_items: list[PendingInfo] = []
        layout = QVBoxLayout(self)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Xem và thẩm định hoạt động…"))
        self.lock_button = QPushButton(self.tr("Duyệt số liệu kỳ này (khóa)…"))
        self.unlock_button = QPushButton(self.tr("Mở khóa…"))
        self.open_button.clicked.connect(self.open_unit)
        self.lock_button.clicked.connect(lambda: self.lock_selected())
        self.unlock_button.clicked.connect(lambda: self.unlock_selected())
        for button in (self.open_button, self.lock_button, self.unlock_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.units = read_only_table()
        self.units.doubleClicked.connect(lambda _i: self.open_unit())
        splitter.addWidget(self.units)
        splitter.addWidget(self._lower_panel())
        layout.addWidget(splitter, 1)

    def _lower_panel(self) -> QWidget:
        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        queried_box = QVBoxLayout()
        queried_box.addWidget(QLabel(self.tr("Hoạt động đang đề nghị giải trình:")))
        self.queried = read_only_table()
        queried_box.addWidget(self.queried)
        pending_box = QVBoxLayout()
        pending_box.addWidget(QLabel(self.tr("Thay đổi chờ xử lý (gói dữ liệu gửi sau khi đã duyệt):")))
        self.pending = read_only_table()
        self.pending.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        pending_box.addWidget(self.pending)
        pending_buttons = QHBoxLayout()
        self.apply_button = QPushButton(self.tr("Áp dụng các thay đổi đã mở khóa"))
        self.discard_button = QPushButton(self.tr("Bỏ qua thay đổi đã chọn…"))
        self.apply_button.clicked.connect(lambda: self.apply_unlocked())
        self.discard_button.clicked.connect(lambda: self.discard_selected())
        pending_buttons.addWidget(self.apply_button)
        pending_buttons.addWidget(self.discard_button)
        pending_buttons.addStretch(1)
        pending_box.addLayout(pending_buttons)
        lower_layout.addLayout(queried_box, 1)
        lower_layout.addLayout(pending_box, 1)
        return lower

    def refresh(self) -> None:
        page = self.page
        table = page.table
        if table is None:
            return
        period = page.filter.period
        review = page.review
        summary = review.summary(period)
        queried = review.queried_items(period=period)
        pending = review.pending()
        self.caption.setText(self.tr(
            "Thẩm định số liệu {period}: chọn đơn vị để xem và chấp nhận hoặc đề nghị giải trình từng hoạt động; "
            "khi đã xong, duyệt (khóa) số liệu kỳ này. Gói dữ liệu gửi sau làm thay đổi số liệu đã duyệt sẽ nằm "
            "trong danh sách chờ xử lý cho đến khi mở khóa."
        ).format(period=period.label))
        self.unit_ids = [row.unit.id for row in table.rows if row.unit is not None]
        rows = [self._unit_row(row.unit.name, summary.get(row.unit.id)) for row in table.rows if row.unit is not None]
        fill_table(self.units, [self.tr("Đơn vị"), self.tr("Số hoạt động"), self.tr("Đã chấp nhận"),
                                self.tr("Đề nghị giải trình"), self.tr("Chưa thẩm định"), self.tr("Duyệt kỳ")],
                   rows, numeric=(1, 2, 3, 4), stretch=0)
        fill_table(self.queried, [self.tr("Đơn vị"), self.tr("Ngày"), self.tr("Hoạt động"), self.tr("Nội dung đề nghị"),
                                  self.tr("Tình trạng")],
                   [(q.unit_name, format_date(q.activity_date), q.title, q.comment, q.state_label) for q in queried], stretch=2)
        self.pending_items = pending
        fill_table(self.pending, [self.tr("Đơn vị"), self.tr("Gói"), self.tr("Thay đổi"), self.tr("Hoạt động"),
                                  self.tr("Tình trạng"), self.tr("Lý do giữ lại")],
                   [(p.unit_name, p.bundle_seq, p.change_label, p.title,
                     colored(p.state_label, ATTENTION if p.locked else GOOD), p.reason) for p in pending], stretch=3)
        self.apply_button.setEnabled(any(not p.locked for p in pending))
        self.discard_button.setEnabled(bool(pending))

    def _unit_row(self, name: str, info: UnitReviewSummary | None) -> tuple:
        lock = info.lock if info else None
        approval = (self.tr("Đã duyệt {label} ({when}, {who})").format(
            label=lock.label, when=format_date(lock.locked_at), who=lock.locked_by) if lock else self.tr("Chưa duyệt"))
        return (
            name, format_number(info.activities if info else 0), format_number(info.accepted if info else 0),
            colored(format_number(info.queried if info else 0), ATTENTION if info and info.queried else None),
            format_number(info.unreviewed if info else 0),
            colored(approval, GOOD if lock else None),
        )

    def selected_unit(self) -> int | None:
        rows = self.units.selectionModel().selectedRows() if self.units.selectionModel() else []
        return self.unit_ids[rows[0].row()] if rows else None

    def select_unit(self, unit_id: int) -> None:
        self.units.selectRow(self.unit_ids.index(unit_id))

    def open_unit(self) -> None:
        unit_id = self.selected_unit()
        if unit_id is None:
            return
        from thidua_desktop.gui.consolidation.drilldown_dialog import DrillDownDialog

        label = self.units.item(self.units.currentRow(), 0).text()
        dialog = DrillDownDialog(self.page.context, self.page.filter.with_(poor_commune=None, remote_area=None, ethnic_area=None),
                                 None, [unit_id], heading=self.tr("Thẩm định hoạt động — {unit}").format(unit=label), parent=self)
        dialog.exec()

    # --- approve and unlock ------------------------------------------------------------------------------
    def lock_selected(self, note: str | None = None) -> bool:
        """Approve (lock) the selected unit's period; unreviewed or queried items are counted and asked about."""
        unit_id = self.selected_unit()
        if unit_id is None:
            return False
        info = self.page.review.summary(self.page.filter.period).get(unit_id)
        unreviewed = info.unreviewed if info else 0
        if unreviewed and not (info and info.queried) and not confirm(  # with queries, one question says both
            self, self.tr("Duyệt số liệu"),
            self.tr("Còn {n} hoạt động của đơn vị trong {period} chưa được thẩm định (chưa chấp nhận, chưa đề nghị "
                    "giải trình).").format(n=format_number(unreviewed), period=self.page.filter.period.label),
            informative=self.tr("Vẫn duyệt (khóa) số liệu kỳ này?"), yes=self.tr("Vẫn duyệt"), no=self.tr("Không"),
        ):
            return False
        if note is None:
            note = ask_text(self, self.tr("Duyệt số liệu"), self.tr("Ghi chú (ví dụ: số biên bản họp Hội đồng):"),
                            accept=self.tr("Duyệt"))
            if note is None:
                return False
        with_official_name(self.page.context, self,
                           lambda: self._lock(unit_id, note, allow_open_queries=False, unreviewed=unreviewed))
        return True

    def _lock(self, unit_id: int, note: str, *, allow_open_queries: bool, unreviewed: int = 0) -> None:
        review, period = self.page.context.workspace.review(), self.page.filter.period
        also = self.tr("Ngoài ra còn {n} hoạt động chưa được thẩm định. ").format(n=format_number(unreviewed)) if unreviewed else ""

        def failed(error: BaseException, details: str) -> None:
            if isinstance(error, OpenQueriesError) and not allow_open_queries and confirm(
                self, self.tr("Duyệt số liệu"), error.message,
                informative=also + self.tr("Vẫn duyệt (khóa) số liệu kỳ này?"), yes=self.tr("Vẫn duyệt"),
            ):
                self._lock(unit_id, note, allow_open_queries=True)
            elif not isinstance(error, OpenQueriesError) or allow_open_queries:
                show_error(self, error, details)

        run_change(self.page.context, self, self.tr("Đang duyệt số liệu…"),
                   lambda: review.lock_period(unit_id, period, note=note, allow_open_queries=allow_open_queries),
                   self.page.context.announce, on_error=failed)

    def unlock_selected(self, reason: str | None = None) -> bool:
        """Lift the approval of the selected unit's period, then offer to apply the held changes it freed."""
        unit_id = self.selected_unit()
        page = self.page
        if unit_id is None:
            return False
        lock = page.review.lock_covering(unit_id, page.filter.period)
        if lock is None:
            show_error(self, UserError(self.tr("Số liệu kỳ này của đơn vị chưa được duyệt."), hint=self.tr("Không có gì để mở khóa.")))
            return False
        if reason is None:
            reason = ask_text(self, self.tr("Mở khóa kỳ đã duyệt"), self.tr("Lý do mở khóa {period}:").format(period=lock.label),
                              accept=self.tr("Mở khóa"))
            if reason is None:
                return False
        period = page.filter.period

        def unlock() -> None:
            review = page.context.workspace.review()
            run_change(page.context, self, self.tr("Đang mở khóa…"), lambda: review.unlock_period(unit_id, period, reason),
                       lambda report: self._unlocked(report, unit_id, lock.note))

        with_official_name(page.context, self, unlock)
        return True

    def _unlocked(self, report: LockReport, unit_id: int, note: str) -> None:
        """After an unlock: offer to apply the held changes it freed, then to approve (lock) the period again."""
        self.page.context.announce(report)
        if report.freed and confirm(self, self.tr("Thay đổi chờ xử lý"),
                                    self.tr("Có {n} thay đổi của đơn vị đang chờ vì kỳ này đã duyệt.").format(n=len(report.freed)),
                                    informative=self.tr("Áp dụng các thay đổi đó ngay bây giờ?"), yes=self.tr("Áp dụng")):
            self.apply_unlocked(then=lambda: self._offer_relock(unit_id, note))

    def _offer_relock(self, unit_id: int, note: str) -> None:
        if self.page.review.lock_covering(unit_id, self.page.filter.period) is not None:
            return
        if confirm(self, self.tr("Duyệt lại số liệu"),
                   self.tr("Đã áp dụng các thay đổi chờ xử lý. Duyệt (khóa) lại số liệu {period} của đơn vị?").format(
                       period=self.page.filter.period.label),
                   informative=self.tr("Gói dữ liệu gửi sau sẽ lại nằm trong danh sách chờ xử lý."),
                   yes=self.tr("Duyệt lại"), no=self.tr("Để sau")):
            self._lock(unit_id, note, allow_open_queries=False)

    # --- held changes --------------------------------------------------------------------------------------
    def apply_unlocked(self, then: Callable[[], None] | None = None) -> None:
        """Apply every held change whose period is no longer locked, in the background (one transaction)."""
        review = self.page.review

        def done(report: PendingReport) -> None:
            self._resolved(report)
            if then is not None:
                then()

        self.page.context.tasks.run(
            lambda progress, cancel: review.apply_unlocked(progress=progress, cancel=cancel),
            title=self.tr("Đang áp dụng các thay đổi chờ xử lý…"), parent=self, on_done=done,
        )

    def discard_selected(self) -> int:
        rows = sorted({index.row() for index in self.pending.selectionModel().selectedRows()})
        ids = [self.pending_items[row].id for row in rows]
        if not ids or not confirm(self, self.tr("Bỏ qua thay đổi"),
                                  self.tr("Bỏ qua {n} thay đổi đã chọn? Số liệu hiện có của Sở được giữ nguyên.").format(n=len(ids)),
                                  yes=self.tr("Bỏ qua")):
            return 0
        review = self.page.review
        self.page.context.tasks.run(
            lambda progress, cancel: review.discard(ids, progress=progress, cancel=cancel),
            title=self.tr("Đang bỏ qua các thay đổi đã chọn…"), parent=self, on_done=self._resolved,
        )
        return len(ids)

    def _resolved(self, report: PendingReport) -> None:
        if report.requested:
            self.page.context.announce(report.changes)
