"""Tình hình gửi báo cáo: who reported for the period, when, and the list of units to remind."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from thidua_desktop.core.consolidation.completeness import Completeness, ReportStatus
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date, format_number
from thidua_desktop.gui.consolidation.common import (
    ATTENTION,
    GOOD,
    colored,
    fill_table,
    read_only_table,
    run_change,
    save_pdf_dialog,
)
from thidua_desktop.gui.date_field import DATE_HINT, DateField
from thidua_desktop.gui.messages import show_error
from thidua_desktop.gui.printing import print_fit_to_page

if TYPE_CHECKING:
    from thidua_desktop.gui.pages.consolidation import ConsolidationPage

STATUS_COLORS = {ReportStatus.ON_TIME: GOOD, ReportStatus.LATE: QColor("#8a5a00"), ReportStatus.OVERDUE: ATTENTION,
                 ReportStatus.NEVER: ATTENTION, ReportStatus.NOT_DUE: None, ReportStatus.DIRECT: None}


class CompletenessTab(QWidget):
    def __init__(self, page: ConsolidationPage) -> None:
        super().__init__()
        self.page = page
        self.report: Completeness | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Hạn gửi báo cáo của kỳ:")))
        self.deadline = DateField()
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
        self.report = page.service.completeness(page.filter.period, unit_kinds=page.filter.unit_kinds,
                                                unit_ids=page.filter.unit_ids)
        report = self.report
        self.deadline.setDate(report.deadline)
        self.summary.setText(report.summary)
        rows = []
        for number, item in enumerate(report.rows, start=1):
            last = item.bundle
            rows.append((
                number, item.unit.name, item.unit.kind_label, colored(item.status_label, STATUS_COLORS[item.status]),
                last.seq if last else "", format_date(last.created_at) if last else "",
                format_date(last.imported_at) if last else "", last.signer_key_id if last else "",
                format_number(item.records), format_number(item.evidence_files),
            ))
        fill_table(self.table, [
            self.tr("STT"), self.tr("Đơn vị"), self.tr("Loại"), self.tr("Tình trạng"), self.tr("Gói được tính"),
            self.tr("Ngày lập"), self.tr("Ngày nhận"), self.tr("Khóa ký"), self.tr("Số hoạt động"), self.tr("Số tệp minh chứng"),
        ], rows, numeric=(0, 4, 8, 9))
        self.print_button.setEnabled(bool(report.reminders))
        self.save_button.setEnabled(bool(report.reminders))

    def save_deadline(self, *, reset: bool = False) -> None:
        try:
            due = None if reset else self.deadline.checked_date(self.tr("Hạn gửi báo cáo"))
        except UserError as error:
            show_error(self, error)
            return
        if not reset and due is None:
            show_error(self, UserError(self.tr("Chưa nhập hạn gửi báo cáo."), hint=DATE_HINT))
            return
        service, period = self.page.service, self.page.filter.period
        run_change(self.page.context, self, self.tr("Đang lưu hạn gửi báo cáo…"),
                   lambda: service.set_deadline(period, due), lambda _report: self.refresh())

    def reminder_pdf(self) -> bytes:
        assert self.report is not None
        return self.page.service.reminder_pdf(self.report, date.today())

    def print_reminders(self) -> None:
        print_fit_to_page(self, self.reminder_pdf(), self.tr("Danh sách nhắc gửi báo cáo"))

    def save_reminders(self, target: Path | None = None) -> Path | None:
        target = target or save_pdf_dialog(self, self.tr("Lưu danh sách nhắc"), "danh-sach-chua-gui-bao-cao.pdf")
        if target is None:
            return None
        assert self.report is not None
        return self.page.service.save_reminder_pdf(self.report, target, date.today())
