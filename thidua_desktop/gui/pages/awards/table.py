"""The nomination list of a round: collectives first, with score, vote and status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from thidua_desktop.core.awards.dossier import describe
from thidua_desktop.core.awards.eligibility import Eligibility
from thidua_desktop.core.awards.models import NominationStatus
from thidua_desktop.core.awards.service import KIND_LABELS, STATUS_LABELS, NominationInfo
from thidua_desktop.core.text import format_number, format_percent

ID_ROLE = Qt.ItemDataRole.UserRole + 40
STATUS_COLOURS = {NominationStatus.DRAFT: "#5f6b7a", NominationStatus.VOTED: "#1f5fa8",
                  NominationStatus.SUBMITTED: "#1e7b34"}


class NominationTableModel(QAbstractTableModel):
    COLUMNS = ("STT", "Tên tập thể / cá nhân", "Loại", "Hình thức đề nghị", "Điểm", "Biểu quyết", "Trạng thái")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[NominationInfo] = []
        self.award_names: dict[str, str] = {}
        self.results: Mapping[int, Eligibility] = {}

    def set_rows(self, rows: list[NominationInfo], award_names: dict[str, str],
                 results: Mapping[int, Eligibility] | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.award_names = award_names
        self.results = results or {}
        self.endResetModel()

    def row_of(self, nomination_id: int) -> int | None:
        return next((i for i, n in enumerate(self.rows) if n.id == nomination_id), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section])
        return None

    def _text(self, n: NominationInfo, column: int, number: int) -> str:
        if column == 0:
            return str(number)
        if column == 1:
            return n.name
        if column == 2:
            return self.tr(KIND_LABELS[n.kind])
        if column == 3:
            return self.award_names.get(n.draft.award_type_code, n.draft.award_type_code)
        if column == 4:
            return format_number(n.draft.score, decimals=1) if n.draft.score is not None else ""
        if column == 5:
            result = self.results.get(n.id)
            if not n.votes_total:
                return ""
            percent = format_percent(n.approval_percent, target=result.vote_threshold if result else None)
            return f"{n.votes_label} ({percent})" + (" ⚠" if result and not result.may_print else "")
        return self.tr(STATUS_LABELS[n.status])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        n = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            same_kind = [r for r in self.rows[: index.row() + 1] if r.kind is n.kind]
            return self._text(n, index.column(), len(same_kind))
        if role == Qt.ItemDataRole.ToolTipRole:
            result = self.results.get(n.id)
            problems = "\n".join(result.problems) if result and result.problems else ""
            return "\n".join(p for p in (describe(n), problems) if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 6:
            return QBrush(QColor(STATUS_COLOURS[n.status]))
        if role == ID_ROLE:
            return n.id
        return None
