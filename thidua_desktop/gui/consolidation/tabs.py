"""The consolidation page's other tabs: reporting status, review, ranking and charts.

Each tab reads the page's current filter (and table, for ranking and charts) and refreshes only when it
is shown or when the data changed, so switching period stays instant on the table itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core import documents
from thidua_desktop.core.consolidation.completeness import (
    STATUS_LABELS,
    Completeness,
    ReportStatus,
    completeness,
    set_deadline,
)
from thidua_desktop.core.consolidation.report import department_header, reminder_document
from thidua_desktop.core.consolidation.review import (
    ReviewReport,
    list_locks,
    lock_period,
    pending_records,
    queried_items,
    review_summary,
    unlock_period,
)
from thidua_desktop.core.consolidation.scoring import (
    AwardCandidate,
    Ranking,
    award_candidates,
    format_points,
    set_reviewed_score,
)
from thidua_desktop.core.consolidation.table import format_cell
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.models import Aggregation, TargetOp
from thidua_desktop.core.text import format_date, format_number, format_percent
from thidua_desktop.gui.consolidation.charts import Bar, BarChart, TargetLine
from thidua_desktop.gui.messages import confirm, dialog_buttons, show_error
from thidua_desktop.gui.printing import print_fit_to_page

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.consolidation import ConsolidationPage

ATTENTION = QColor("#b3261e")
GOOD = QColor("#1d6b2c")
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 5


def fill_table(widget: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[Any]],
               *, numeric: Sequence[int] = (), stretch: int | None = 1) -> None:
    """Fill a read-only table widget; numbers (given as text) are right-aligned in the `numeric` columns."""
    widget.clear()
    widget.setColumnCount(len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = value if isinstance(value, QTableWidgetItem) else QTableWidgetItem("" if value is None else str(value))
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, c, item)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None and stretch < len(headers):
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def read_only_table() -> QTableWidget:
    widget = QTableWidget()
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.verticalHeader().hide()
    widget.setWordWrap(True)
    return widget


def colored(text: str, color: QColor | None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color is not None:
        item.setForeground(QBrush(color))
    return item


def save_pdf_dialog(parent: QWidget, title: str, suggested: str) -> Path | None:
    target, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), "PDF (*.pdf)")
    return Path(target) if target else None


# --- Tình hình gửi báo cáo ---------------------------------------------------------------------------------


class CompletenessTab(QWidget):
    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        self.report: Completeness | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Hạn gửi báo cáo của kỳ:")))
        self.deadline = QDateEdit()
        self.deadline.setDisplayFormat("dd/MM/yyyy")
        self.deadline.setCalendarPopup(True)
        row.addWidget(self.deadline)
        save = QPushButton(self.tr("Lưu hạn"))
        save.clicked.connect(self.save_deadline)
        reset = QPushButton(self.tr("Về mặc định"))
        reset.clicked.connect(lambda: self.save_deadline(reset=True))
        row.addWidget(save)
        row.addWidget(reset)
        row.addStretch(1)
        self.print_button = QPushButton(self.tr("In danh sách nhắc…"))
        self.print_button.clicked.connect(self.print_reminders)
        self.save_button = QPushButton(self.tr("Lưu danh sách nhắc (PDF)…"))
        self.save_button.clicked.connect(lambda: self.save_reminders())
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = read_only_table()
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        page = self.page
        with page.workspace.sessions() as session:
            self.report = completeness(session, page.campaign, page.filter.period, unit_kinds=page.filter.unit_kinds)
        report = self.report
        self.deadline.setDate(QDate(report.deadline.year, report.deadline.month, report.deadline.day))
        self.summary.setText(report.summary)
        colors = {ReportStatus.ON_TIME: GOOD, ReportStatus.LATE: QColor("#8a5a00"), ReportStatus.OVERDUE: ATTENTION,
                  ReportStatus.NEVER: ATTENTION, ReportStatus.NOT_DUE: None, ReportStatus.DIRECT: None}
        rows = []
        for number, item in enumerate(report.rows, start=1):
            last = item.last_bundle
            rows.append((
                number, item.unit.name, item.unit.kind_label, colored(item.status_label, colors[item.status]),
                last.seq if last else "", format_date(last.created_at) if last else "",
                format_date(last.imported_at) if last else "", last.signer_key_id if last else "",
                format_number(item.records), format_number(item.evidence_files),
            ))
        fill_table(self.table, [
            self.tr("STT"), self.tr("Đơn vị"), self.tr("Loại"), self.tr("Tình trạng"), self.tr("Gói gần nhất"),
            self.tr("Ngày lập"), self.tr("Ngày nhận"), self.tr("Khóa ký"), self.tr("Số hoạt động"), self.tr("Số tệp minh chứng"),
        ], rows, numeric=(0, 4, 8, 9))
        self.print_button.setEnabled(bool(report.reminders))
        self.save_button.setEnabled(bool(report.reminders))

    def save_deadline(self, *, reset: bool = False) -> None:
        page = self.page
        value = self.deadline.date()
        due = None if reset else date(value.year(), value.month(), value.day())
        with page.workspace.transaction() as session:
            set_deadline(session, page.campaign, page.filter.period, due, actor=page.workspace.actor)
        self.refresh()

    def reminder_pdf(self) -> bytes:
        assert self.report is not None
        with self.page.workspace.sessions() as session:
            header = department_header(session)
        return documents.render_pdf(reminder_document(self.report, self.page.campaign.title, header, date.today()))

    def print_reminders(self) -> None:
        print_fit_to_page(self, self.reminder_pdf(), self.tr("Danh sách nhắc gửi báo cáo"))

    def save_reminders(self, target: Path | None = None) -> Path | None:
        target = target or save_pdf_dialog(self, self.tr("Lưu danh sách nhắc"), "danh-sach-chua-gui-bao-cao.pdf")
        if target is None:
            return None
        with atomic_write(target) as handle:
            handle.write(self.reminder_pdf())
        return target


# --- Thẩm định ---------------------------------------------------------------------------------------------


class ReviewTab(QWidget):
    """Per unit: how much is reviewed, the approval (lock) of the period; queried items; held changes."""

    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        self.unit_ids: list[int] = []
        self.pending_items: list = []
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
        splitter.addWidget(lower)
        layout.addWidget(splitter, 1)

    def refresh(self) -> None:
        page = self.page
        table = page.table
        if table is None:
            return
        period = page.filter.period
        with page.workspace.sessions() as session:
            summary = review_summary(session, page.campaign, period)
            queried = queried_items(session, page.campaign, period=period)
            pending = pending_records(session)
        self.caption.setText(self.tr(
            "Thẩm định số liệu {period}: chọn đơn vị để xem và chấp nhận hoặc đề nghị giải trình từng hoạt động; "
            "khi đã xong, duyệt (khóa) số liệu kỳ này. Gói dữ liệu gửi sau làm thay đổi số liệu đã duyệt sẽ nằm "
            "trong danh sách chờ xử lý cho đến khi mở khóa."
        ).format(period=period.label))
        rows = []
        self.unit_ids = []
        for row in table.rows:
            assert row.unit is not None
            info = summary.get(row.unit.id)
            lock = info.lock if info else None
            self.unit_ids.append(row.unit.id)
            rows.append((
                row.unit.name, format_number(info.activities if info else 0), format_number(info.accepted if info else 0),
                colored(format_number(info.queried if info else 0), ATTENTION if info and info.queried else None),
                format_number(info.unreviewed if info else 0),
                colored(self.tr("Đã duyệt {label} ({when}, {who})").format(label=lock.label, when=format_date(lock.locked_at), who=lock.locked_by)
                        if lock else self.tr("Chưa duyệt"), GOOD if lock else None),
            ))
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

    def lock_selected(self, note: str | None = None) -> bool:
        unit_id = self.selected_unit()
        page = self.page
        if unit_id is None:
            return False
        if note is None:
            note, ok = QInputDialog.getText(self, self.tr("Duyệt số liệu"), self.tr("Ghi chú (ví dụ: số biên bản họp Hội đồng):"))
            if not ok:
                return False
        allow = False
        while True:
            try:
                with page.workspace.transaction() as session:
                    lock_period(session, page.campaign, unit_id, page.filter.period, actor=page.workspace.actor,
                                note=note, allow_open_queries=allow)
                break
            except UserError as error:
                if allow or "giải trình" not in error.message:
                    show_error(self, error)
                    return False
                if not confirm(self, self.tr("Duyệt số liệu"), error.message,
                               informative=self.tr("Vẫn duyệt (khóa) số liệu kỳ này?"), yes=self.tr("Vẫn duyệt")):
                    return False
                allow = True
        page.context.announce(ReviewReport(units=(unit_id,)))
        return True

    def unlock_selected(self, reason: str | None = None) -> bool:
        unit_id = self.selected_unit()
        page = self.page
        if unit_id is None:
            return False
        with page.workspace.sessions() as session:
            locks = [lock for lock in list_locks(session, page.campaign, unit_id=unit_id) if lock.covers(page.filter.period)]
        if not locks:
            show_error(self, UserError(self.tr("Số liệu kỳ này của đơn vị chưa được duyệt."), hint=self.tr("Không có gì để mở khóa.")))
            return False
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("Mở khóa kỳ đã duyệt"),
                                              self.tr("Lý do mở khóa {period}:").format(period=locks[0].label))
            if not ok:
                return False
        try:
            with page.workspace.transaction() as session:
                unlock_period(session, locks[0].id, actor=page.workspace.actor, reason=reason)
        except UserError as error:
            show_error(self, error)
            return False
        page.context.announce(ReviewReport(units=(unit_id,), pending_changed=True))
        with page.workspace.sessions() as session:
            freed = [p for p in pending_records(session, unit_id=unit_id) if not p.locked]
        if freed and confirm(self, self.tr("Thay đổi chờ xử lý"),
                             self.tr("Có {n} thay đổi của đơn vị đang chờ vì kỳ này đã duyệt.").format(n=len(freed)),
                             informative=self.tr("Áp dụng các thay đổi đó ngay bây giờ?"), yes=self.tr("Áp dụng")):
            self.apply_unlocked()
        return True

    def apply_unlocked(self) -> int:
        """Apply every held change whose period is no longer locked (through the bundle importer's own step)."""
        from thidua_desktop.core.bundles.pending import resolve_pending

        page = self.page
        with page.workspace.sessions() as session:
            ids = [p.id for p in pending_records(session) if not p.locked]
        if not ids:
            return 0
        report = resolve_pending(page.workspace, ids, apply=True)
        page.context.announce(report)
        return len(ids)

    def discard_selected(self) -> int:
        from thidua_desktop.core.bundles.pending import resolve_pending

        rows = sorted({index.row() for index in self.pending.selectionModel().selectedRows()})
        ids = [self.pending_items[row].id for row in rows]
        if not ids or not confirm(self, self.tr("Bỏ qua thay đổi"),
                                  self.tr("Bỏ qua {n} thay đổi đã chọn? Số liệu hiện có của Sở được giữ nguyên.").format(n=len(ids)),
                                  yes=self.tr("Bỏ qua")):
            return 0
        self.page.context.announce(resolve_pending(self.page.workspace, ids, apply=False))
        return len(ids)


# --- Xếp hạng --------------------------------------------------------------------------------------------------


class ScoreDialog(QDialog):
    """The reviewer's points for one criterion of one unit."""

    def __init__(self, unit_name: str, criterion_label: str, maximum: float, current: float, note: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Điểm thẩm định"))
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{unit_name}</b><br>{criterion_label}"))
        self.points = QDoubleSpinBox()
        self.points.setDecimals(1)
        self.points.setSingleStep(0.5)
        self.points.setRange(0, maximum)
        self.points.setValue(current)
        self.note = QLineEdit(note)
        form.addRow(self.tr("Điểm chấm (tối đa {m}):").format(m=format_points(maximum)), self.points)
        form.addRow(self.tr("Ghi chú:"), self.note)
        buttons = dialog_buttons(self, self.tr("Lưu"))
        form.addRow(buttons)


class RankingTab(QWidget):
    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        self.ranking: Ranking | None = None
        self.candidates: list[AwardCandidate] = []
        layout = QVBoxLayout(self)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.table = read_only_table()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.doubleClicked.connect(lambda index: self.edit_score(index.row(), index.column()))
        layout.addWidget(self.table, 2)
        layout.addWidget(QLabel(self.tr("Đề xuất khen thưởng (chuyển sang mục Khen thưởng để lập hồ sơ):")))
        self.proposals = read_only_table()
        layout.addWidget(self.proposals, 1)

    def refresh(self) -> None:
        self.ranking = self.page.ranking()
        if self.ranking is None:
            self.caption.setText(self.page.scheme_problem or "")
            self.table.setRowCount(0)
            self.proposals.setRowCount(0)
            return
        ranking = self.ranking
        self.candidates = award_candidates(ranking)
        proposed = {c.unit.id: c for c in self.candidates}
        self.caption.setText(self.tr(
            "{title}. Điểm tự chấm tính từ số liệu của đơn vị; nhấp đúp vào điểm một tiêu chí để nhập điểm thẩm định. "
            "Xếp hạng theo tổng điểm thẩm định ({period})."
        ).format(title=ranking.scheme.title, period=ranking.filter.description))
        criteria = ranking.scheme.criteria
        headers = [self.tr("Hạng"), self.tr("Đơn vị")]
        headers += [f"{c.code}\n({format_points(c.standard)} điểm)" for c in criteria]
        headers += [self.tr("Tự chấm"), self.tr("Thẩm định"), self.tr("Tỷ lệ"), self.tr("Đề xuất")]
        rows = []
        for row in ranking.rows:
            cells: list[Any] = [row.rank, row.unit.name]
            for score in row.criteria:
                item = QTableWidgetItem(format_points(score.reviewed_points))
                tip = [f"{score.scheme.title}", self.tr("Tự chấm: {p}").format(p=format_points(score.self_points))]
                tip += [f"{i.item.indicator.code}: {format_points(i.points)} điểm" for i in score.items]
                if score.reviewed:
                    item.setBackground(QBrush(QColor("#fff4ce")))
                    tip.append(self.tr("Điểm thẩm định: {p} — {note}").format(p=format_points(score.reviewed_points), note=score.review_note))
                item.setToolTip("\n".join(tip))
                cells.append(item)
            # Until the council reviews a unit, its "reviewed" score is only the self-score carried over.
            reviewed_text = format_points(row.reviewed_total) if row.reviewed else self.tr("chưa thẩm định")
            cells += [format_points(row.self_total), reviewed_text, format_percent(row.percent),
                      proposed[row.unit.id].award_title if row.unit.id in proposed else ""]
            rows.append(cells)
        numeric = tuple(range(2, 2 + len(criteria) + 3)) + (0,)
        fill_table(self.table, headers, rows, numeric=numeric, stretch=1)
        fill_table(self.proposals, [self.tr("Hình thức"), self.tr("Đơn vị"), self.tr("Kết quả"), self.tr("Lưu ý")],
                   [(c.award_title, c.unit.name, c.summary, " ".join(c.warnings)) for c in self.candidates], stretch=3)

    def edit_score(self, row: int, column: int, points: float | None = None, note: str = "") -> bool:
        """Enter the reviewer's points for the criterion under (row, column); `points` skips the dialog (tests)."""
        if self.ranking is None:
            return False
        criterion_index = column - 2
        if not 0 <= criterion_index < len(self.ranking.scheme.criteria):
            return False
        ranked = self.ranking.rows[row]
        score = ranked.criteria[criterion_index]
        if points is None:
            dialog = ScoreDialog(ranked.unit.name, score.scheme.title, score.scheme.max_points, score.reviewed_points,
                                 score.review_note, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            points, note = dialog.points.value(), dialog.note.text()
        page = self.page
        with page.workspace.transaction() as session:
            set_reviewed_score(session, page.campaign, ranked.unit.id, page.filter.period, score.code, points,
                               note=note, actor=page.workspace.actor, scheme=self.ranking.scheme)
        page.context.announce(ReviewReport(units=(ranked.unit.id,)))
        return True


# --- Biểu đồ ----------------------------------------------------------------------------------------------------


class ChartsTab(QWidget):
    CHART_KINDS = ("criteria", "units_score", "indicator")

    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Tiến độ theo tiêu chí (% điểm chuẩn)"), "criteria")
        self.kind.addItem(self.tr("Tổng điểm theo đơn vị"), "units_score")
        self.kind.addItem(self.tr("Một chỉ tiêu theo đơn vị"), "indicator")
        self.subject = QComboBox()
        self.subject.setMinimumContentsLength(40)
        row.addWidget(QLabel(self.tr("Biểu đồ:")))
        row.addWidget(self.kind)
        row.addWidget(self.subject, 1)
        export = QPushButton(self.tr("Lưu ảnh PNG…"))
        export.clicked.connect(lambda: self.export_png())
        row.addWidget(export)
        layout.addLayout(row)
        self.chart = BarChart()
        layout.addWidget(self.chart, 1)
        self.kind.currentIndexChanged.connect(lambda _i: self._fill_subjects())
        self.subject.currentIndexChanged.connect(lambda _i: self.draw())
        self._fill_subjects()

    def _fill_subjects(self) -> None:
        self.subject.blockSignals(True)
        self.subject.clear()
        kind = self.kind.currentData()
        table = self.page.table
        if kind == "criteria":
            self.subject.addItem(self.tr("Bình quân các đơn vị"), None)
            for row in table.rows if table else ():
                if row.unit is not None:
                    self.subject.addItem(row.unit.name, row.unit.id)
        elif kind == "indicator":
            for ind in self.page.campaign.indicators:
                self.subject.addItem(f"{ind.code}. {ind.name}", ind.id)
        else:
            self.subject.addItem(self.tr("Tất cả đơn vị trong bảng"), None)
        self.subject.setEnabled(kind != "units_score")
        self.subject.blockSignals(False)
        self.draw()

    def refresh(self) -> None:
        current = self.subject.currentData()
        self._fill_subjects()
        index = self.subject.findData(current)
        if index >= 0:
            self.subject.setCurrentIndex(index)

    def _award_lines(self, ranking: Ranking) -> list[TargetLine]:
        return [TargetLine(a.min_percent, f"{a.title.replace('của ', '')}: {format_number(a.min_percent)}%")
                for a in sorted(ranking.scheme.awards, key=lambda a: a.min_percent)]

    def draw(self) -> None:
        kind = self.kind.currentData()
        table = self.page.table
        if table is None:
            self.chart.set_data("", [])
            return
        period = table.filter.description
        percent_axis: Callable[[float], str] = lambda v: f"{format_number(v)}%"  # noqa: E731
        if kind == "indicator":
            indicator = self.page.campaign.indicators_by_id.get(self.subject.currentData())
            if indicator is None:
                return
            column = table.column_of[indicator.id]
            is_ratio = indicator.aggregation is Aggregation.RATIO
            bars = [Bar(row.label, row.cells[column].value, format_cell(indicator, row.cells[column]), row.cells[column].missed)
                    for row in table.rows]
            lines = []
            if indicator.target is not None:
                sign = "≥" if indicator.target.op is TargetOp.AT_LEAST else "≤"
                lines.append(TargetLine(indicator.target.value, self.tr("Chỉ tiêu {sign} {v}").format(
                    sign=sign, v=f"{indicator.target.value}%" if is_ratio else format_number(indicator.target.value))))
            total = table.total.cells[column]
            if is_ratio and total.value is not None:
                lines.append(TargetLine(total.value, self.tr("Toàn tỉnh {v}").format(v=format_percent(total.value))))
            self.chart.set_data(f"{indicator.code}. {indicator.name} ({indicator.unit})", bars, lines, subtitle=period,
                                axis_format=percent_axis if is_ratio else None)
            return
        ranking = self.page.ranking()
        if ranking is None:
            self.chart.set_data(self.page.scheme_problem or "", [])
            return
        if kind == "units_score":
            bars = [Bar(r.unit.short_name, r.percent, f"{format_points(r.reviewed_total)} điểm ({format_percent(r.percent)})")
                    for r in ranking.rows]
            self.chart.set_data(self.tr("Tổng điểm thi đua theo đơn vị (% điểm chuẩn)"), bars, self._award_lines(ranking),
                                subtitle=period, axis_format=percent_axis)
            return
        unit_id = self.subject.currentData()
        rows = [r for r in ranking.rows if unit_id is None or r.unit.id == unit_id]
        bars = []
        for index, criterion in enumerate(ranking.scheme.criteria):
            points = sum(r.criteria[index].reviewed_points for r in rows) / max(1, len(rows))
            percent = points * 100.0 / criterion.standard
            bars.append(Bar(f"{criterion.code}. {criterion.title}", percent,
                            f"{format_points(round(points, 1))}/{format_points(criterion.standard)} ({format_percent(percent)})",
                            percent < (min((a.min_percent for a in ranking.scheme.awards), default=0))))
        who = self.subject.currentText()
        self.chart.set_data(self.tr("Tiến độ theo tiêu chí — {who}").format(who=who), bars, self._award_lines(ranking),
                            subtitle=period, axis_format=percent_axis)

    def export_png(self, target: Path | None = None) -> Path | None:
        if target is None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu biểu đồ"), str(Path.home() / "bieu-do.png"),
                                                  self.tr("Ảnh PNG (*.png)"))
            if not name:
                return None
            target = Path(name)
        return self.chart.save_png(target)


__all__ = ["STATUS_LABELS", "ChartsTab", "CompletenessTab", "RankingTab", "ReviewTab"]
