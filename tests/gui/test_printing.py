"""The two ways of printing a PDF: true size (forms) and fit to the paper (lists)."""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.pdfgen import canvas

from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter

from thidua_desktop.gui.printing import render_fit_to_page, render_true_size


def _pdf(tmp_path: Path, sizes: list[tuple[float, float]]) -> bytes:
    path = tmp_path / "src.pdf"
    pdf = canvas.Canvas(str(path))
    for size in sizes:
        pdf.setPageSize(size)
        pdf.drawString(72, 72, "Trang")
        pdf.showPage()
    pdf.save()
    return path.read_bytes()


def _printer(out: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    return printer


def _media_boxes(data: bytes) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    return [(round(float(x2) - float(x1)), round(float(y2) - float(y1))) for x1, y1, x2, y2 in boxes]


def test_fit_to_page_keeps_the_loaded_paper(qapp: object, tmp_path: Path) -> None:
    data = _pdf(tmp_path, [A3, A4])
    out = tmp_path / "fit.pdf"
    assert render_fit_to_page(data, _printer(out)) == 2
    assert set(_media_boxes(out.read_bytes())) == {(595, 842)}  # both pages on the A4 in the printer


def test_true_size_follows_each_page(qapp: object, tmp_path: Path) -> None:
    data = _pdf(tmp_path, [A4, landscape(A4)])
    out = tmp_path / "true.pdf"
    assert render_true_size(data, _printer(out)) == 2
    assert _media_boxes(out.read_bytes()) == [(595, 842), (842, 595)]
