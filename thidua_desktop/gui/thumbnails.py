"""Thumbnails for evidence: images through Pillow (core), the first page of PDFs through QtPdf."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from thidua_desktop.core.evidence import EvidenceStore, FileState, make_thumbnail

THUMB_SIZE = 128


class ThumbnailProvider:
    """Cached previews keyed by SHA-256, so each file is rendered once per data folder."""

    def __init__(self, store: EvidenceStore, cache_dir: Path) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._memory: dict[str, QPixmap] = {}

    def pixmap(self, sha256: str, mime_type: str, state: FileState = FileState.OK) -> QPixmap:
        if state is not FileState.OK:
            return self._standard(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if sha256 in self._memory:
            return self._memory[sha256]
        pixmap = self._render(sha256, mime_type)
        self._memory[sha256] = pixmap
        return pixmap

    def icon(self, sha256: str, mime_type: str, state: FileState = FileState.OK) -> QIcon:
        return QIcon(self.pixmap(sha256, mime_type, state))

    def _render(self, sha256: str, mime_type: str) -> QPixmap:
        source = self.store.path_for(sha256)
        if mime_type.startswith("image/"):
            thumb = make_thumbnail(source, self.cache_dir / f"{sha256}.jpg", THUMB_SIZE * 2)
            if thumb is not None:
                return QPixmap(str(thumb)).scaled(
                    THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
        if mime_type == "application/pdf":
            page = render_pdf_first_page(source, self.cache_dir / f"{sha256}.png", THUMB_SIZE * 2)
            if page is not None:
                return QPixmap.fromImage(page).scaled(
                    THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
        return self._standard(QStyle.StandardPixmap.SP_FileIcon)

    @staticmethod
    def _standard(kind: QStyle.StandardPixmap) -> QPixmap:
        return QApplication.style().standardIcon(kind).pixmap(THUMB_SIZE // 2, THUMB_SIZE // 2)


def render_pdf_first_page(source: Path, cache_file: Path, width: int) -> QImage | None:
    """The first page as an image on white, cached as PNG; None if the PDF cannot be read."""
    if cache_file.is_file():
        return QImage(str(cache_file))
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    if document.load(str(source)) != QPdfDocument.Error.None_ or document.pageCount() < 1:
        return None
    page_size = document.pagePointSize(0)
    if page_size.width() <= 0:
        return None
    height = int(width * page_size.height() / page_size.width())
    rendered = document.render(0, QSize(width, height))
    document.close()
    if rendered.isNull():
        return None
    flattened = QImage(rendered.size(), QImage.Format.Format_RGB32)
    flattened.fill(Qt.GlobalColor.white)
    painter = QPainter(flattened)
    painter.drawImage(0, 0, rendered)
    painter.end()
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    flattened.save(str(cache_file), "PNG")
    return flattened
