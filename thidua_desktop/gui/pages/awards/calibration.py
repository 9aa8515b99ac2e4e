"""Calibrating the printer on blank certificate forms: offsets, a test page, its preview."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.awards.certificates import Offset
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.geometry import fit_to_screen
from thidua_desktop.gui.pages.awards.preview import PdfPreview
from thidua_desktop.gui.printing import print_true_size


class CalibrationDialog(QDialog):
    """Offsets (mm) of the printer on a blank certificate form, with a test page to print and a preview."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.documents = context.workspace.awards().documents
        self.catalog = self.documents.catalog
        self.setWindowTitle(self.tr("Hiệu chỉnh vị trí in trên phôi"))
        fit_to_screen(self, (900, 640))
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.form = QComboBox()
        for certificate in self.catalog.certificates:
            self.form.addItem(certificate.name, certificate.code)
        self.x = QDoubleSpinBox()
        self.y = QDoubleSpinBox()
        for spin in (self.x, self.y):
            spin.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))  # 1,5 mm
            spin.setRange(-50.0, 50.0)
            spin.setSingleStep(0.5)
            spin.setDecimals(1)
            spin.setSuffix(" mm")
        form.addRow(self.tr("Mẫu phôi:"), self.form)
        form.addRow(self.tr("Độ lệch ngang X (dương: sang phải):"), self.x)
        form.addRow(self.tr("Độ lệch dọc Y (dương: xuống dưới):"), self.y)
        column.addLayout(form)
        hint = QLabel(self.tr(
            "In trang thử trên giấy trắng ở tỉ lệ 100%, đặt chồng lên phôi và soi đèn; đo khoảng cách từ dấu "
            "chữ thập tới vị trí dòng trên phôi, cộng vào độ lệch, lưu lại rồi in thử lần nữa."))
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.preview = PdfPreview()
        self.preview.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.preview.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        column.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("In trang thử…"))
        self.save_pdf_button = QPushButton(self.tr("Lưu PDF trang thử…"))
        self.save_button = QPushButton(self.tr("Lưu độ lệch"))
        close = QPushButton(self.tr("Đóng"))
        for button in (self.print_button, self.save_pdf_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column.addLayout(buttons)
        self.form.currentIndexChanged.connect(self.load_offset)
        self.x.valueChanged.connect(self.refresh)
        self.y.valueChanged.connect(self.refresh)
        self.print_button.clicked.connect(lambda: print_true_size(self, self.test_page(), self.form.currentText()))
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.accept)
        self.load_offset()

    def offset(self) -> Offset:
        return Offset(self.x.value(), self.y.value())

    def load_offset(self) -> None:
        saved = self.documents.offset(self.form.currentData())
        for spin, value in ((self.x, saved.x_mm), (self.y, saved.y_mm)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.refresh()

    def test_page(self) -> bytes:
        return self.documents.calibration_page(self.form.currentData(), self.offset())

    def refresh(self) -> None:
        self.preview.load(self.test_page(), self.tr("Trang in thử"))

    def save(self) -> None:
        self.context.announce(self.documents.save_offset(self.form.currentData(), self.offset()))
        self.save_button.setText(self.tr("Đã lưu độ lệch"))

    def save_pdf(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu trang in thử"),
                                                str(Path.home() / f"in-thu-{self.form.currentData()}.pdf"),
                                                self.tr("Tệp PDF (*.pdf)"))
        if target:
            self.documents.save_calibration_page(self.form.currentData(), Path(target), self.offset())
