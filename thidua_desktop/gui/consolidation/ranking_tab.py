"""Xếp hạng: self and reviewed scores per criterion, the ranking, and the awards it proposes.

The council's points are entered by double-clicking a criterion score; they are saved through
`workspace.review()` off the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.consolidation.scoring import (
    AwardCandidate,
    CriterionScore,
    Ranking,
    award_candidates,
    format_points,
)
from thidua_desktop.core.text import format_percent
from thidua_desktop.gui.consolidation.common import fill_table, read_only_table, run_change
from thidua_desktop.gui.messages import dialog_buttons

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.consolidation import ConsolidationPage


class ScoreDialog(QDialog):
    """The reviewer's points for one criterion of one unit."""

    def __init__(self, unit_name: str, criterion_label: str, maximum: float, current: float, note: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Điểm thẩm định"))
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{unit_name}</b><br>{criterion_label}"))
        self.points = QDoubleSpinBox()
        self.points.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))  # 14,0 not 14.0
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
            cells += [self._score_item(score) for score in row.criteria]
            # Until the council reviews a unit, its "reviewed" score is only the self-score carried over.
            reviewed_text = format_points(row.reviewed_total) if row.reviewed else self.tr("chưa thẩm định")
            cells += [format_points(row.self_total), reviewed_text, format_percent(row.percent),
                      proposed[row.unit.id].award_title if row.unit.id in proposed else ""]
            rows.append(cells)
        numeric = tuple(range(2, 2 + len(criteria) + 3)) + (0,)
        fill_table(self.table, headers, rows, numeric=numeric, stretch=1)
        fill_table(self.proposals, [self.tr("Hình thức"), self.tr("Đơn vị"), self.tr("Kết quả"), self.tr("Lưu ý")],
                   [(c.award_title, c.unit.name, c.summary, " ".join(c.warnings)) for c in self.candidates], stretch=3)

    def _score_item(self, score: CriterionScore) -> QTableWidgetItem:
        item = QTableWidgetItem(format_points(score.reviewed_points))
        tip = [f"{score.scheme.title}", self.tr("Tự chấm: {p}").format(p=format_points(score.self_points))]
        tip += [f"{i.item.indicator.code}: {format_points(i.points)} điểm" for i in score.items]
        if score.reviewed:
            item.setBackground(QBrush(QColor("#fff4ce")))
            tip.append(self.tr("Điểm thẩm định: {p} — {note}").format(p=format_points(score.reviewed_points), note=score.review_note))
        item.setToolTip("\n".join(tip))
        return item

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
        review, period, scheme = page.review, page.filter.period, self.ranking.scheme
        unit_id, code, value = ranked.unit.id, score.code, points
        run_change(page.context, self, self.tr("Đang lưu điểm thẩm định…"),
                   lambda: review.set_score(unit_id, period, code, value, note=note, scheme=scheme),
                   page.context.announce)
        return True
