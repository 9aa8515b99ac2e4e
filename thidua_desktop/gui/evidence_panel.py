"""The evidence side of the activity form: attached files with thumbnails, captions, and their state.

Files are copied into the evidence store as soon as they are added; the form links them to the activity
when it saves. While files are being copied `busy` is True, so the form does not save a half-attached list.
When the form closes, the copies it made that no record references (removed from the list, or never
saved) are removed again — unless another open form shows them — and the store is swept now and then
for older leftovers (see EvidenceService.collect_orphans).
"""

from __future__ import annotations

import time
import weakref
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import shiboken6
from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.activities import AttachmentDraft
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.evidence import (
    ALLOWED_EXTENSIONS,
    FILE_STATE_LABELS,
    FileState,
    StoredFile,
    viewer_copy,
)
from thidua_desktop.core.progress import CancelFn, ProgressFn
from thidua_desktop.core.text import format_number
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.messages import ask_text, show_error
from thidua_desktop.gui.thumbnails import ThumbnailProvider

ATTACHMENT_ROLE = Qt.ItemDataRole.UserRole + 20
SWEEP_EVERY_SECONDS = 3600  # the store sweep runs at most this often, when a form closes


class EvidencePanel(QGroupBox):
    busy = Signal(bool)  # True while files are being copied into the store
    _open_panels: weakref.WeakSet[EvidencePanel] = weakref.WeakSet()
    # Copies this program made, each with the stamp of its latest add (by any form of this program).
    _copied_here: ClassVar[dict[str, StoredFile]] = {}
    _last_sweep = 0.0

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Minh chứng (ảnh, bản scan, biên bản)"), parent)
        self.context = context
        self.workspace = context.workspace
        self.file_states: dict[str, FileState] = {}
        self.added: set[str] = set()  # shas this form added (copied, or found already stored)
        EvidencePanel._open_panels.add(self)
        self.thumbnails = ThumbnailProvider(self.workspace.evidence_store(), self.workspace.layout.thumbnails_dir)
        layout = QVBoxLayout(self)
        hint = QLabel(self.hint_text())
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        self.evidence_list = QListWidget()
        self.evidence_list.setIconSize(QSize(96, 96))
        self.evidence_list.setSpacing(4)
        self.evidence_list.setWordWrap(True)
        self.evidence_list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        layout.addWidget(self.evidence_list, 1)
        row = QHBoxLayout()
        self.add_files_button = QPushButton(self.tr("Thêm tệp…"))
        self.caption_button = QPushButton(self.tr("Chú thích…"))
        self.open_button = QPushButton(self.tr("Mở"))
        self.detach_button = QPushButton(self.tr("Gỡ"))
        for button in (self.add_files_button, self.caption_button, self.open_button, self.detach_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.add_files_button.clicked.connect(self.choose_files)
        self.caption_button.clicked.connect(self.edit_caption)
        self.open_button.clicked.connect(self.open_selected)
        self.detach_button.clicked.connect(self.detach_selected)

    def tab_chain(self) -> list[QWidget]:
        """The panel's widgets in Tab order, for the form to chain after its own fields."""
        return [self.evidence_list, self.add_files_button, self.caption_button, self.open_button, self.detach_button]

    def set_read_only(self) -> None:
        """Files can still be opened, not changed."""
        for button in (self.add_files_button, self.caption_button, self.detach_button):
            button.setEnabled(False)

    # --- the list -------------------------------------------------------------------------
    def set_attachments(self, attachments: list[AttachmentDraft]) -> None:
        """Show these files (states unknown until `check_files` reports)."""
        self.file_states = {}
        self.evidence_list.clear()
        for attachment in attachments:
            self._add_item(attachment)

    def attachments(self) -> list[AttachmentDraft]:
        return [self.evidence_list.item(i).data(ATTACHMENT_ROLE) for i in range(self.evidence_list.count())]

    def _add_item(self, attachment: AttachmentDraft) -> None:
        state = self.file_states.get(attachment.sha256, FileState.OK)
        item = QListWidgetItem()
        item.setData(ATTACHMENT_ROLE, attachment)
        item.setIcon(self.thumbnails.icon(attachment.sha256, attachment.mime_type, state))
        self._label_item(item)
        self.evidence_list.addItem(item)

    def _label_item(self, item: QListWidgetItem) -> None:
        attachment: AttachmentDraft = item.data(ATTACHMENT_ROLE)
        state = self.file_states.get(attachment.sha256, FileState.OK)
        size_kb = format_number(max(1, attachment.size // 1024))
        text = f"{attachment.file_name} ({size_kb} KB)"
        if attachment.caption:
            text += f"\n{attachment.caption}"
        if state is not FileState.OK:
            text += f"\n⚠ {FILE_STATE_LABELS[state]}"
            item.setForeground(Qt.GlobalColor.red)
        item.setText(text)
        item.setToolTip(text)

    def check_files(self, attachments: list[AttachmentDraft]) -> None:
        """Hash the stored files in a worker (large scans take a while) and mark any missing or altered one."""
        if not attachments:
            return
        store = self.workspace.evidence_store()
        shas = [a.sha256 for a in attachments]

        def show(states: dict[str, FileState]) -> None:
            self.file_states.update(states)
            for row in range(self.evidence_list.count()):
                item = self.evidence_list.item(row)
                attachment: AttachmentDraft = item.data(ATTACHMENT_ROLE)
                state = self.file_states.get(attachment.sha256, FileState.OK)
                if state is not FileState.OK:
                    item.setIcon(self.thumbnails.icon(attachment.sha256, attachment.mime_type, state))
                    self._label_item(item)

        self.context.tasks.run(
            lambda _progress, cancel: {sha: store.check(sha, cancel=cancel) for sha in shas},
            title=self.tr("Đang kiểm tra tệp minh chứng…"), parent=self, on_done=show, show_progress=False,
        )

    # --- actions --------------------------------------------------------------------------
    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(ALLOWED_EXTENSIONS))
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Chọn tệp minh chứng"), str(Path.home()), self.tr("Ảnh, PDF, tài liệu ({patterns})").format(patterns=patterns)
        )
        if paths:
            self.add_files([Path(p) for p in paths])

    def hint_text(self) -> str:
        """What happens to a dropped file, truthfully: big photos are kept only as their downscaled copy."""
        service = self.workspace.evidence()
        text = self.tr("Kéo thả tệp vào đây, hoặc bấm “Thêm tệp…”. Tệp trên máy không bị di chuyển hay sửa.")
        if service.downscale_to:
            text += " " + self.tr(
                "Ảnh lớn hơn {px} điểm ảnh được thu nhỏ và chỉ lưu bản thu nhỏ; giới hạn {mb} MB áp dụng cho bản lưu."
            ).format(px=format_number(service.downscale_to), mb=format_number(service.max_bytes // 1024 // 1024))
        else:
            text += " " + self.tr("Tệp được lưu nguyên bản, tối đa {mb} MB mỗi tệp.").format(
                mb=format_number(service.max_bytes // 1024 // 1024))
        return text

    def add_files(self, paths: list[Path]) -> None:
        """Check (by content) and copy in a worker; a refusal is shown and nothing of that batch is kept."""
        service = self.workspace.evidence()

        def done(stored: list[StoredFile]) -> None:
            self.busy.emit(False)
            known = {a.sha256 for a in self.attachments()}
            for item in stored:
                first = EvidencePanel._copied_here.get(item.sha256)
                if not item.already_stored:
                    EvidencePanel._copied_here[item.sha256] = item
                elif first is not None:  # ours, added again: the newest stamp is still ours
                    EvidencePanel._copied_here[item.sha256] = replace(first, stamp=item.stamp)
                self.added.add(item.sha256)
                draft = item.draft()
                if draft.sha256 not in known:
                    self.file_states[draft.sha256] = FileState.OK
                    self._add_item(draft)
                    known.add(draft.sha256)

        def failed(error: BaseException, details: str) -> None:
            self.busy.emit(False)
            show_error(self, error, details)

        self.busy.emit(True)
        self.context.tasks.run(
            lambda progress, cancel: service.copy_in(paths, progress=progress, cancel=cancel),
            title=self.tr("Đang chép tệp minh chứng…"),
            parent=self,
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: self.busy.emit(False),
        )

    def _selected_item(self) -> QListWidgetItem | None:
        items = self.evidence_list.selectedItems()
        return items[0] if items else None

    def edit_caption(self) -> None:
        item = self._selected_item()
        if item is None:
            return
        attachment: AttachmentDraft = item.data(ATTACHMENT_ROLE)
        caption = ask_text(self, self.tr("Chú thích"), self.tr("Chú thích cho tệp {name}:").format(name=attachment.file_name),
                           attachment.caption)
        if caption is not None:
            item.setData(ATTACHMENT_ROLE, AttachmentDraft(attachment.sha256, attachment.file_name, attachment.mime_type, attachment.size, caption.strip()))
            self._label_item(item)

    def detach_selected(self) -> None:
        item = self._selected_item()
        if item is not None:
            self.evidence_list.takeItem(self.evidence_list.row(item))

    def release(self) -> None:
        """The form closes: remove the copies it made that no record references and no other open form shows."""
        EvidencePanel._open_panels.discard(self)
        copied = [EvidencePanel._copied_here[sha] for sha in self.added if sha in EvidencePanel._copied_here]
        self.added = set()
        open_panels = [panel for panel in list(EvidencePanel._open_panels) if shiboken6.isValid(panel)]
        keep = {a.sha256 for panel in open_panels for a in panel.attachments()}
        now = time.monotonic()
        sweep = not EvidencePanel._last_sweep or now - EvidencePanel._last_sweep > SWEEP_EVERY_SECONDS
        if not copied and not sweep:
            return
        if sweep:
            EvidencePanel._last_sweep = now
        service = self.workspace.evidence()

        def tidy(_progress: ProgressFn, cancel: CancelFn) -> list[str]:
            removed = service.discard_unreferenced(copied, keep=keep)
            if sweep:
                service.collect_orphans(keep=keep, cancel=cancel)
            return removed

        def forget(removed: list[str]) -> None:
            for sha in removed:
                EvidencePanel._copied_here.pop(sha, None)

        self.context.tasks.run(tidy, title="", parent=None, show_progress=False, on_done=forget,
                               on_error=lambda _error, _details: None)  # tidying is best effort, never a dialog

    def open_selected(self) -> None:
        item = self._selected_item()
        if item is None:
            return
        attachment: AttachmentDraft = item.data(ATTACHMENT_ROLE)
        try:
            copy = viewer_copy(self.workspace.evidence_store(), attachment.sha256, attachment.file_name,
                               self.workspace.layout.root / "cache" / "xem-minh-chung")
        except UserError as error:
            show_error(self, error)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy)))
