"""Printing PDFs the app made, in the two ways documents need.

- `print_true_size`: every page at its real size and orientation, no scaling. Award documents and
  certificates on pre-printed forms must land exactly where the form expects them.
- `print_fit_to_page`: every page scaled to the printer's printable area. Lists and summaries (the
  reminder list) only need to be readable on whatever paper is loaded.

Both ask the system print dialog first and return False when the user cancels it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QRect, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from thidua_desktop.core.errors import UserError

PRINT_DPI_CAP = 300  # enough for text on paper; higher only costs memory


def open_pdf(pdf: bytes, owner: QObject) -> QPdfDocument:
    """A QPdfDocument over bytes; the buffer is parented to `owner` so it lives as long as the document."""
    buffer = QBuffer(owner)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(owner)
    document.load(buffer)
    return document


def _ask_printer(parent: QWidget, title: str) -> QPrinter | None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("In: {title}").format(title=title))
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def _begin(painter: QPainter, printer: QPrinter) -> None:
    if not painter.begin(printer):
        raise UserError("Không mở được máy in.", hint="Kiểm tra máy in rồi thử lại.")


def _render_pages(pdf: bytes, printer: QPrinter, draw_page: Callable[[QPdfDocument, int, QPainter], None],
                  before_page: Callable[[QPdfDocument, int], None] | None = None) -> int:
    """Open the PDF, let `draw_page` paint each page on `printer`, close everything; returns the pages."""
    holder = QObject()  # QPrinter is not a QObject: this owns the document and its buffer while printing
    document = open_pdf(pdf, holder)
    painter = QPainter()
    pages = document.pageCount()
    for index in range(pages):
        if before_page is not None:
            before_page(document, index)  # a page layout must be set before the page begins
        if index == 0:
            _begin(painter, printer)
        else:
            printer.newPage()
        draw_page(document, index, painter)
    if pages:
        painter.end()
    document.close()
    holder.deleteLater()
    return pages


def render_true_size(pdf: bytes, printer: QPrinter) -> int:
    """Print every page at its true size on `printer` (no fit-to-page); returns the number of pages.

    Each page gets its own paper size and orientation from the PDF, so a landscape Danh sách prints
    landscape between portrait pages.
    """
    printer.setFullPage(True)

    def set_layout(document: QPdfDocument, index: int) -> None:
        size = document.pagePointSize(index)
        landscape = size.width() > size.height()
        portrait_size = QSizeF(min(size.width(), size.height()), max(size.width(), size.height()))
        printer.setPageLayout(QPageLayout(
            QPageSize(portrait_size, QPageSize.Unit.Point),
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0)))

    def draw(document: QPdfDocument, index: int, painter: QPainter) -> None:
        size = document.pagePointSize(index)
        dpi = min(printer.resolution(), PRINT_DPI_CAP)
        image = document.render(index, QSize(round(size.width() / 72 * dpi), round(size.height() / 72 * dpi)))
        scale = printer.resolution() / 72
        painter.drawImage(QRect(0, 0, round(size.width() * scale), round(size.height() * scale)), image)

    return _render_pages(pdf, printer, draw, set_layout)


def render_fit_to_page(pdf: bytes, printer: QPrinter) -> int:
    """Print every page scaled to the printable area of `printer`; returns the number of pages."""
    page_rect = printer.pageRect(QPrinter.Unit.DevicePixel)

    def draw(document: QPdfDocument, index: int, painter: QPainter) -> None:
        size = document.pagePointSize(index)
        scale = min(page_rect.width() / size.width(), page_rect.height() / size.height())
        painter.drawImage(0, 0, document.render(index, QSize(int(size.width() * scale), int(size.height() * scale))))

    return _render_pages(pdf, printer, draw)


def _print_with_dialog(parent: QWidget, pdf: bytes, title: str, render: Callable[[bytes, QPrinter], int]) -> bool:
    printer = _ask_printer(parent, title)
    if printer is None:
        return False
    render(pdf, printer)
    return True


def print_true_size(parent: QWidget, pdf: bytes, title: str) -> bool:
    """Ask for a printer, then print at true size (award documents, certificates)."""
    return _print_with_dialog(parent, pdf, title, render_true_size)


def print_fit_to_page(parent: QWidget, pdf: bytes, title: str) -> bool:
    """Ask for a printer, then print scaled to the paper (lists, summaries)."""
    return _print_with_dialog(parent, pdf, title, render_fit_to_page)
