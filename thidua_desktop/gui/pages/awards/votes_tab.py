"""The "Bình xét và trình" tab: the council's vote, and the status buttons (trình, mở lại)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.awards.eligibility import Eligibility
from thidua_desktop.core.awards.models import NominationStatus
from thidua_desktop.core.awards.service import STATUS_LABELS, NominationInfo
from thidua_desktop.core.text import format_percent


class VotesTab(QWidget):
    """Vote counts and status of the selected nomination; the page connects the buttons to the service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        box = QGroupBox(self.tr("Kết quả biểu quyết của Hội đồng Thi đua – Khen thưởng"))
        form = QFormLayout(box)
        self.votes_for = QSpinBox()
        self.votes_against = QSpinBox()
        self.votes_total = QSpinBox()
        for spin in (self.votes_for, self.votes_against, self.votes_total):
            spin.setRange(0, 999)
        form.addRow(self.tr("Số phiếu đồng ý:"), self.votes_for)
        form.addRow(self.tr("Số phiếu không đồng ý:"), self.votes_against)
        form.addRow(self.tr("Tổng số phiếu:"), self.votes_total)
        self.record_votes_button = QPushButton(self.tr("Ghi kết quả biểu quyết"))
        form.addRow("", self.record_votes_button)
        column.addWidget(box)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        column.addWidget(self.status_label)
        row = QHBoxLayout()
        self.submit_button = QPushButton(self.tr("Trình"))
        self.reopen_button = QPushButton(self.tr("Mở lại"))
        self.override_button = QPushButton(self.tr("Vẫn đề nghị…"))
        self.override_button.setToolTip(self.tr("Đề nghị dù chưa đạt tiêu chuẩn: cần ghi lý do, được lưu vào nhật ký"))
        self.overridden = False
        row.addWidget(self.submit_button)
        row.addWidget(self.reopen_button)
        row.addWidget(self.override_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)

    def votes(self) -> tuple[int, int, int]:
        """(for, against, total) as entered."""
        return self.votes_for.value(), self.votes_against.value(), self.votes_total.value()

    def clear(self) -> None:
        self.status_label.setText("")
        self.override_button.setVisible(False)

    def show_nomination(self, n: NominationInfo, result: Eligibility | None = None) -> None:
        """The vote, the status and, from `result`, each threshold missed and whether it was overridden."""
        for spin, value in ((self.votes_for, n.votes_for), (self.votes_against, n.votes_against),
                            (self.votes_total, n.votes_total)):
            spin.setValue(value or 0)
        text = self.tr("Trạng thái: {status}.").format(status=self.tr(STATUS_LABELS[n.status]))
        if n.votes_total:
            text += " " + self.tr("Đồng ý {f}/{t} phiếu ({p}).").format(
                f=n.votes_for, t=n.votes_total,
                p=format_percent(n.approval_percent, target=result.vote_threshold if result else None))
        if result is not None and result.problems:
            text += "\n" + self.tr("Chưa đạt tiêu chuẩn: {p}.").format(p="; ".join(result.problems))
            text += " " + (self.tr("Đã ghi nhận vẫn đề nghị: {r}.").format(r=result.override_reason)
                           if result.override_reason else self.tr("Tờ trình, Danh sách chưa in được đề nghị này."))
        if result is not None and result.warnings:
            text += "\n" + self.tr("Lưu ý: {w}.").format(w="; ".join(result.warnings))
        self.overridden = bool(result and result.override_reason)
        self.override_button.setVisible(bool(result and result.problems))
        self.override_button.setText(self.tr("Bỏ ghi nhận vẫn đề nghị") if self.overridden else self.tr("Vẫn đề nghị…"))
        if n.status is NominationStatus.SUBMITTED:
            text += " " + self.tr("Đã trình: nội dung bị khóa, bấm “Mở lại” để sửa.")
        self.status_label.setText(text)
        self.record_votes_button.setEnabled(n.status is not NominationStatus.SUBMITTED)
        self.submit_button.setEnabled(n.status is NominationStatus.VOTED)
        self.reopen_button.setEnabled(n.status is not NominationStatus.DRAFT)
