"""The "Xem trước và in" tab: preview a nomination's documents, print them at true size, save them.

Every document comes from `AwardDocuments` (core), rendered off the GUI thread; what is previewed is
exactly the PDF that is printed or saved. Every job honours Cancel and a cancelled save writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from thidua_desktop.core.awards.documents import (
    CHOICE_LABELS,
    AwardDocuments,
    RenderedChoice,
    check_docx_choice,
)
from thidua_desktop.core.awards.documents import suggested_file_name as core_file_name
from thidua_desktop.core.awards.dossier import DossierFiles
from thidua_desktop.core.errors import UserError
from thidua_desktop.gui import messages
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.awards.preview import PdfPreview
from thidua_desktop.gui.printing import print_true_size


class DossierTab(QWidget):
    """Preview, print and save of the selected nomination's dossier.

    `ready()` saves pending edits and returns the nomination to print (None: nothing to print);
    `current()` returns the selected nomination id and its name without saving anything.
    """

    def __init__(self, context: AppContext, documents: AwardDocuments, ready: Callable[[], int | None],
                 current: Callable[[], tuple[int | None, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.documents = documents
        self.ready = ready
        self.current = current
        self._build()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        row = QHBoxLayout()
        self.document_combo = QComboBox()
        for key, label in CHOICE_LABELS.items():
            self.document_combo.addItem(self.tr(label), key)
        self.refresh_button = QPushButton(self.tr("Làm mới"))
        row.addWidget(QLabel(self.tr("Văn bản:")))
        row.addWidget(self.document_combo, 1)
        row.addWidget(self.refresh_button)
        column.addLayout(row)
        self.check_marker = QLabel()  # "check before official use": on screen only, never in the PDF
        self.check_marker.setWordWrap(True)
        self.check_marker.setStyleSheet("background: #fff4ce; color: #5c4400; padding: 4px; border: 1px solid #e0c060;")
        self.check_marker.hide()
        column.addWidget(self.check_marker)
        self.preview = PdfPreview()
        column.addWidget(self.preview, 1)
        self.print_button = QPushButton(self.tr("In…"))
        self.save_pdf_button = QPushButton(self.tr("Lưu PDF…"))
        self.save_docx_button = QPushButton(self.tr("Lưu Word (.docx)…"))
        self.save_dossier_button = QPushButton(self.tr("Lưu cả hồ sơ vào thư mục…"))
        self.calibrate_button = QPushButton(self.tr("Hiệu chỉnh phôi…"))
        self.calibrate_button.setToolTip(self.tr("Độ lệch của máy in trên phôi giấy khen, bằng khen, và trang in thử"))
        for group in ((self.print_button, self.save_pdf_button, self.save_docx_button),
                      (self.save_dossier_button, self.calibrate_button)):
            buttons = QHBoxLayout()
            for button in group:
                buttons.addWidget(button)
            buttons.addStretch(1)
            column.addLayout(buttons)
        self.document_combo.currentIndexChanged.connect(self._choice_changed)
        self.refresh_button.clicked.connect(self.refresh_preview)
        self.print_button.clicked.connect(self.print_current)
        self.save_pdf_button.clicked.connect(lambda: self.save_pdf())
        self.save_docx_button.clicked.connect(lambda: self.save_docx())
        self.save_dossier_button.clicked.connect(lambda: self.save_dossier())

    def _choice_changed(self) -> None:
        """"Lưu Word" only where a Word file exists (the four documents), then the new preview."""
        key = self.document_combo.currentData()
        try:
            check_docx_choice(key)
            self.save_docx_button.setEnabled(True)
            self.save_docx_button.setToolTip("")
        except UserError as error:
            self.save_docx_button.setEnabled(False)
            self.save_docx_button.setToolTip(str(error))
        self.refresh_preview()

    def show_checks(self, notes: tuple[str, ...]) -> None:
        """Mark facts to verify before official use above the preview (the printed document never shows them)."""
        self.check_marker.setVisible(bool(notes))
        self.check_marker.setText(self.tr("⚠ Cần kiểm tra trước khi dùng chính thức (không in ra):") + "\n"
                                  + "\n".join(f"• {note}" for note in notes))

    def render_choice(self, key: str, nomination_id: int | None = None) -> RenderedChoice:
        """A preview choice of the given (default: the selected) nomination, rendered on this thread."""
        return self.documents.render_choice(key, nomination_id or self.current()[0])

    def refresh_preview(self, *, then_print: bool = False) -> None:
        nomination_id = self.ready()
        if nomination_id is None:
            return
        key = self.document_combo.currentData()
        label = self.document_combo.currentText()
        self.preview.clear(self.tr("Đang dựng văn bản…"))
        self.show_checks(())

        def show(result: RenderedChoice) -> None:
            if nomination_id != self.current()[0] or key != self.document_combo.currentData():
                return  # the user moved on while it rendered: never show or print another document
            self.preview.load(result.pdf, label)
            self.show_checks(result.notes)
            if then_print:
                print_true_size(self, result.pdf, label)

        self.context.tasks.run(
            lambda progress, cancel: self.documents.render_choice(key, nomination_id, progress=progress, cancel=cancel),
            title=self.tr("Đang dựng văn bản…"), parent=self, on_done=show, show_progress=False,
            on_error=lambda e, t: (self.preview.clear(), messages.show_error(self, e, t)),
            on_cancelled=self.preview.clear)

    def print_current(self) -> None:
        if self.preview.data is not None:
            print_true_size(self, self.preview.data, self.document_combo.currentText())
        else:
            self.refresh_preview(then_print=True)

    def _save_choice(self, *, word: bool, target: str | None = None) -> None:
        nomination_id = self.ready()
        if nomination_id is None:
            return
        key = self.document_combo.currentData()
        if word:
            try:
                check_docx_choice(key)
            except UserError as error:
                messages.show_error(self, error)
                return
        suffix, title, pattern = ((".docx", self.tr("Lưu Word"), self.tr("Tệp Word (*.docx)")) if word
                                  else (".pdf", self.tr("Lưu PDF"), self.tr("Tệp PDF (*.pdf)")))
        if target is None:
            suggested = core_file_name(key, self.current()[1]) + suffix
            target, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested), pattern)
        if not target:
            return
        self.context.tasks.run(
            lambda progress, cancel: self.documents.save_choice(key, nomination_id, Path(target), word=word,
                                                                progress=progress, cancel=cancel),
            title=self.tr("Đang lưu…"), parent=self,
            on_done=lambda path: self.preview.info.setText(self.tr("Đã lưu {file}").format(file=path.name)))

    def save_pdf(self, target: str | None = None) -> None:
        self._save_choice(word=False, target=target or None)

    def save_docx(self, target: str | None = None) -> None:
        self._save_choice(word=True, target=target or None)

    def save_dossier(self, folder: str | None = None) -> None:
        nomination_id = self.ready()
        if nomination_id is None:
            return
        folder = folder or QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục lưu hồ sơ"), str(Path.home()))
        if not folder:
            return

        def done(result: DossierFiles) -> None:
            self.preview.info.setText(self.tr("Đã lưu {n} tệp vào {folder} (căn cứ {regime}).").format(
                n=len(result.files), folder=result.folder, regime=result.regime))

        self.context.tasks.run(
            lambda progress, cancel: self.documents.write_dossier(nomination_id, Path(folder), progress=progress,
                                                                  cancel=cancel),
            title=self.tr("Đang lưu hồ sơ…"), parent=self, on_done=done)
