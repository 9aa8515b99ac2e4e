"""The drill-down dialog: the activities behind a figure, and for the one selected its evidence and origin.

Selecting an activity shows its details, the bundle it came from and its evidence files; a photo is
previewed, a PDF shows its first page (QtPdf), and any file opens in the system viewer. The reviewer
can accept the activity or ask the unit to explain it without leaving the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.activities import ActivityDetail
from thidua_desktop.core.consolidation.drilldown import DrillDown, DrillRow, EvidenceFile
from thidua_desktop.core.consolidation.models import ReviewStatus
from thidua_desktop.core.consolidation.review import ReviewReport
from thidua_desktop.core.consolidation.review_service import ReviewService
from thidua_desktop.core.consolidation.table import ConsolidationFilter
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date, format_number
from thidua_desktop.gui.consolidation.common import run_change, with_official_name
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.geometry import fit_to_screen
from thidua_desktop.gui.messages import ask_text, show_error
from thidua_desktop.gui.thumbnails import ThumbnailProvider, render_pdf_first_page

PREVIEW_WIDTH = 520  # PDF first pages are rendered at twice this width


class PreviewLabel(QLabel):
    """A photo or first page scaled to the label's own size, whole (never cropped), again after every
    resize of the label itself — a splitter drag or a smaller screen, not only the dialog's resize."""

    def __init__(self) -> None:
        super().__init__()
        self.image: QPixmap | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 80)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # never grows to the image
        self.setStyleSheet("background: #f4f6f8; border: 1px solid #d0d7de;")

    def set_image(self, image: QPixmap | None) -> None:
        self.image = image
        self._fit()

    def clear(self) -> None:
        self.image = None
        super().clear()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override: a message replaces the image
        self.image = None
        super().setText(text)

    def _fit(self) -> None:
        if self.image is None or self.image.isNull():
            return
        area = self.contentsRect().size()
        self.setPixmap(self.image.scaled(max(area.width() - 4, 16), max(area.height() - 4, 16),
                                         Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().resizeEvent(event)
        self._fit()


class DrillDownDialog(QDialog):
    def __init__(
        self,
        context: AppContext,
        flt: ConsolidationFilter,
        indicator_id: int | None,
        unit_ids: list[int] | None,
        *,
        heading: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.workspace = context.workspace
        self.campaign = self.workspace.campaign()
        self.service = self.workspace.consolidation()
        self.filter = flt
        self.indicator_id = indicator_id
        self.unit_ids = unit_ids
        self.files: list[EvidenceFile] = []
        self._pixmap: QPixmap | None = None
        store = self.workspace.evidence_store()
        self.thumbnails = ThumbnailProvider(store, self.workspace.layout.thumbnails_dir)
        self.setWindowTitle(self.tr("Chi tiết số liệu"))
        fit_to_screen(self, (1280, 760))

        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 12pt; font-weight: bold; color: #17324d;")
        layout.addWidget(self.heading)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list = QTableWidget()
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # review several at once
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.verticalHeader().hide()
        self.list.setWordWrap(True)
        self.list.itemSelectionChanged.connect(self.show_selected)
        splitter.addWidget(self.list)
        splitter.addWidget(self._detail_panel())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 500])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def _detail_panel(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        text = QWidget()
        text_column = QVBoxLayout(text)
        text_column.setContentsMargins(0, 0, 4, 0)
        self.detail = QLabel(self.tr("Chọn một hoạt động để xem minh chứng."))
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text_column.addWidget(self.detail)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet("color: #17324d;")
        text_column.addWidget(self.source)
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        text_column.addWidget(self.review_label)
        text_column.addStretch(1)
        scroller = QScrollArea()  # a long description scrolls instead of pushing the dialog off the screen
        scroller.setWidget(text)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setMinimumHeight(60)
        column.addWidget(scroller, 1)
        review_row = QHBoxLayout()
        self.accept_button = QPushButton(self.tr("Chấp nhận"))
        self.query_button = QPushButton(self.tr("Đề nghị giải trình…"))
        self.clear_button = QPushButton(self.tr("Bỏ đánh giá"))
        self.accept_button.clicked.connect(self.accept_selected)
        self.query_button.clicked.connect(lambda: self.query_selected())
        self.clear_button.clicked.connect(self.clear_selected)
        for button in (self.accept_button, self.query_button, self.clear_button):
            review_row.addWidget(button)
        review_row.addStretch(1)
        column.addLayout(review_row)
        column.addWidget(QLabel(self.tr("Tệp minh chứng:")))
        self.evidence = QListWidget()
        self.evidence.setViewMode(QListWidget.ViewMode.IconMode)
        self.evidence.setIconSize(QSize(96, 96))
        self.evidence.setMinimumHeight(72)
        self.evidence.setMaximumHeight(128)
        self.evidence.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.evidence.currentRowChanged.connect(self.preview)
        self.evidence.itemDoubleClicked.connect(lambda _item: self.open_external())
        column.addWidget(self.evidence)
        self.preview_label = PreviewLabel()
        column.addWidget(self.preview_label, 2)
        self.open_button = QPushButton(self.tr("Mở bằng ứng dụng của máy…"))
        self.open_button.clicked.connect(self.open_external)
        column.addWidget(self.open_button)
        self._set_review_enabled(False)
        return panel

    # --- list ------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.result: DrillDown = self.service.drill_down(self.filter, self.indicator_id, self.unit_ids)
        result = self.result
        shown = f"{format_number(len(result.rows))}/{format_number(result.total_rows)}" if result.truncated else format_number(result.total_rows)
        self.note.setText(self.tr("{note} Số hoạt động: {n}.").format(note=result.note, n=shown))
        headers = [self.tr("Ngày"), self.tr("Đơn vị"), self.tr("Hoạt động")]
        headers += [f"{c.code} ({c.unit})" for c in result.columns]
        headers += [self.tr("Tệp"), self.tr("Thẩm định"), self.tr("Nguồn")]
        self.list.clear()
        self.list.setColumnCount(len(headers))
        self.list.setHorizontalHeaderLabels(headers)
        self.list.setRowCount(len(result.rows))
        for number, row in enumerate(result.rows):
            cells = [format_date(row.activity_date), row.unit_name, row.title]
            cells += [format_number(v) if v is not None else "" for v in row.values]
            cells += [format_number(row.evidence_count), row.review.label if row.review else "", row.source_label]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= column < 3 + len(result.columns) + 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.review and row.review.status is ReviewStatus.QUERIED and column == len(cells) - 2:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.list.setItem(number, column, item)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        last = len(headers) - 1
        header.setSectionResizeMode(last, QHeaderView.ResizeMode.Interactive)  # the long source text: see tooltip
        self.list.setColumnWidth(last, 150)
        for number, row in enumerate(result.rows):
            self.list.item(number, last).setToolTip(row.source_label)
            self.list.item(number, 2).setToolTip(row.title)
        if result.rows:
            self.list.selectRow(0)

    def selected_row(self) -> DrillRow | None:
        """The activity whose details are shown: the current one if selected, else the first selected."""
        rows = sorted(index.row() for index in self.list.selectionModel().selectedRows())
        if not rows:
            return None
        current = self.list.currentRow()
        return self.result.rows[current if current in rows else rows[0]]

    def selected_rows(self) -> list[DrillRow]:
        """Every selected activity, in list order: accept, query and clear act on all of them."""
        return [self.result.rows[i] for i in sorted({index.row() for index in self.list.selectionModel().selectedRows()})]

    def show_selected(self) -> None:
        row = self.selected_row()
        self._set_review_enabled(row is not None)
        self.evidence.clear()
        self.preview_label.clear()
        if row is None:
            return
        detail: ActivityDetail = self.workspace.activities().get(row.uuid)
        draft = detail.draft
        places = [label for flag, label in ((draft.is_poor_commune, self.tr("xã nghèo")),
                                            (draft.is_remote_area, self.tr("vùng sâu, vùng xa")),
                                            (draft.is_ethnic_area, self.tr("vùng đồng bào DTTS"))) if flag]
        figures = [
            f"{self.campaign.indicators_by_id[i].name}: {format_number(v)} {self.campaign.indicators_by_id[i].unit}"
            for i, v in sorted(draft.values.items())
        ]
        lines = [
            draft.title,
            self.tr("{unit} · ngày {date} · {place}").format(
                unit=detail.unit_name, date=format_date(draft.activity_date),
                place=draft.commune + (f" ({', '.join(places)})" if places else ""),
            ),
        ]
        if draft.responsible_officer:
            lines.append(self.tr("Người phụ trách: {name}").format(name=draft.responsible_officer))
        if draft.description:
            lines.append(draft.description)
        lines += figures
        self.detail.setText("\n".join(lines))
        self.source.setText(self.tr("Nguồn: {source}").format(source=row.source_label))
        self._show_review(row)
        self.files = self.service.evidence_files(row.activity_id)
        for file in self.files:
            item = QListWidgetItem(self.thumbnails.icon(file.sha256, file.mime_type), f"{file.file_name}\n{file.size_label}")
            item.setToolTip(file.caption or file.file_name)
            self.evidence.addItem(item)
        self.open_button.setEnabled(bool(self.files))
        if self.files:
            self.evidence.setCurrentRow(0)
        else:
            self.preview_label.setText(self.tr("Hoạt động này chưa có tệp minh chứng."))

    def _show_review(self, row: DrillRow) -> None:
        if row.review is None:
            self.review_label.setText(self.tr("Chưa thẩm định."))
            return
        text = self.tr("Thẩm định: {status} — {who}, {when}").format(
            status=row.review.label, who=row.review.reviewer, when=format_date(row.review.reviewed_at)
        )
        if row.review.comment:
            text += f"\n“{row.review.comment}”"
        self.review_label.setText(text)

    # --- evidence ------------------------------------------------------------------------------------
    def preview(self, index: int) -> None:
        self._pixmap = None
        if not 0 <= index < len(self.files):
            self.preview_label.clear()
            return
        file = self.files[index]
        if not file.present:
            self.preview_label.setText(self.tr("Tệp không có trong kho minh chứng của máy này."))
            return
        pixmap = QPixmap()
        if file.is_image:
            reader = QImageReader(str(file.path))
            reader.setAutoTransform(True)  # upright per EXIF, as the unit saw it
            image = reader.read()
            if not image.isNull():
                pixmap = QPixmap.fromImage(image)
        elif file.is_pdf:
            page = render_pdf_first_page(file.path, self.workspace.layout.thumbnails_dir / f"{file.sha256}-page1.png", PREVIEW_WIDTH * 2)
            if page is not None:
                pixmap = QPixmap.fromImage(page)
        if pixmap.isNull():
            self.preview_label.setText(
                self.tr("Không xem trước được loại tệp này.\nBấm “Mở bằng ứng dụng của máy…” để mở.")
            )
            return
        self._pixmap = pixmap
        self.preview_label.set_image(pixmap)

    def open_external(self) -> Path | None:
        """Open the selected file in the system viewer, from a copy that carries its real name and type."""
        index = self.evidence.currentRow()
        if not 0 <= index < len(self.files) or not self.files[index].present:
            return None
        try:
            copy = self.service.viewer_copy(self.files[index])
        except UserError as error:
            show_error(self, error)
            return None
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy)))
        return copy

    # --- review ------------------------------------------------------------------------------------------
    def _set_review_enabled(self, enabled: bool) -> None:
        for button in (self.accept_button, self.query_button, self.clear_button):
            button.setEnabled(enabled)

    def _review(self, action: Callable[[ReviewService, list[int]], ReviewReport]) -> None:
        """Save a review of the selected activities off the GUI thread (one transaction), signed with the
        official's name, then announce it and show the list again."""
        ids = [row.activity_id for row in self.selected_rows()]
        if not ids:
            return
        current = self.list.currentRow()

        def done(report: ReviewReport) -> None:
            self.context.announce(report)
            self.reload()
            self.list.selectRow(min(current, self.list.rowCount() - 1))

        def save() -> None:
            review = self.workspace.review()  # fresh: signed with the name just set, if it was asked for
            run_change(self.context, self, self.tr("Đang lưu thẩm định…"), lambda: action(review, ids), done)

        with_official_name(self.context, self, save)

    def accept_selected(self) -> None:
        self._review(lambda review, ids: review.accept_all(ids))

    def query_selected(self, comment: str | None = None) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        if comment is None:
            units = ", ".join(dict.fromkeys(row.unit_name for row in rows))
            label = (self.tr("Nội dung đề nghị {unit} giải trình hoặc bổ sung:").format(unit=units) if len(rows) == 1
                     else self.tr("Nội dung đề nghị giải trình cho {n} hoạt động đã chọn ({units}):").format(
                         n=len(rows), units=units))
            first = rows[0].review
            comment = ask_text(self, self.tr("Đề nghị giải trình"), label, first.comment if first else "", multiline=True)
            if comment is None:
                return
        self._review(lambda review, ids: review.query_all(ids, comment))

    def clear_selected(self) -> None:
        self._review(lambda review, ids: review.clear_all(ids))

