"""The PDF preview of award documents: exactly the bytes that are printed or saved."""

from __future__ import annotations

from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from thidua_desktop.gui.printing import open_pdf


class PdfPreview(QWidget):
    """A QtPdf view over PDF bytes, with a page count line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.info = QLabel()
        column.addWidget(self.view, 1)
        column.addWidget(self.info)
        self.document: QPdfDocument | None = None
        self.data: bytes | None = None

    def load(self, pdf: bytes, label: str) -> None:
        old = self.document
        self.document = open_pdf(pdf, self)
        self.view.setDocument(self.document)
        if old is not None:
            old.close()
            old.deleteLater()
        self.data = pdf
        self.info.setText(self.tr("{label} — {n} trang").format(label=label, n=self.document.pageCount()))

    def clear(self, message: str = "") -> None:
        self.view.setDocument(None)
        if self.document is not None:
            self.document.close()
            self.document.deleteLater()
        self.document = None
        self.data = None
        self.info.setText(message)

    def page_count(self) -> int:
        return self.document.pageCount() if self.document else 0
