"""The summary report dialog: document number, signer and the reviewer's own assessment, then PDF + Word."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.consolidation import ConsolidationPage
from thidua_desktop.gui.geometry import fit_to_screen
from thidua_desktop.gui.messages import dialog_buttons


class SummaryReportDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Báo cáo tổng hợp kết quả thực hiện phong trào thi đua"))
        form = QFormLayout(self)
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("để trống nếu chưa lấy số"))
        self.signer = QLineEdit()
        self.assessment = QPlainTextEdit()
        self.assessment.setPlaceholderText(self.tr(
            "Đánh giá chung, kiến nghị (mỗi dòng một đoạn). Để trống: chương trình tự ghi nhận xét từ số liệu."
        ))
        form.addRow(self.tr("Số văn bản:"), self.number)
        form.addRow(self.tr("Người ký:"), self.signer)
        form.addRow(self.tr("Đánh giá chung:"), self.assessment)
        buttons = dialog_buttons(self, self.tr("Lưu PDF và Word…"))
        form.addRow(buttons)
        fit_to_screen(self, (640, 360))


def export_summary_report(page: ConsolidationPage, target: Path | None = None, *, dialog: SummaryReportDialog | None = None) -> None:
    """Ask for the details (unless a prepared `dialog` is given), then write the report in the background."""
    dialog = dialog or SummaryReportDialog(page)
    if target is None:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, _ = QFileDialog.getSaveFileName(page, page.tr("Lưu báo cáo tổng hợp"),
                                              str(Path.home() / "bao-cao-tong-hop-thi-dua.pdf"), "PDF (*.pdf)")
        if not name:
            return
        target = Path(name)
    flt = page.filter
    service = page.service
    number, signer, assessment = dialog.number.text(), dialog.signer.text(), dialog.assessment.toPlainText()
    page.context.tasks.run(
        lambda progress, cancel: service.write_summary_report(flt, target, number=number, signer_name=signer,
                                                              assessment=assessment, progress=progress, cancel=cancel),
        title=page.tr("Đang lập báo cáo tổng hợp…"), parent=page,
        on_done=lambda paths: page.status.setText(
            page.tr("Đã lưu báo cáo tổng hợp: {files}").format(files=", ".join(p.name for p in paths))
        ),
    )
