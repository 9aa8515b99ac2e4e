"""The activity form: criterion tree, date, place, figures with inline validation, and evidence.

Keyboard first: Ctrl+S saves, Ctrl+Shift+S saves and starts a new one, Esc asks before discarding edits.
Files dropped on the form are copied into the evidence store at once (harmless if never saved) and are
linked to the activity in the same transaction as the rest of the form.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.activities import (
    ActivityDraft,
    AttachmentDraft,
    ChangeReport,
    DraftWarningCode,
    validate_draft,
)
from thidua_desktop.core.errors import UserError, ValidationError
from thidua_desktop.core.evidence import ALLOWED_EXTENSIONS, FILE_STATE_LABELS, FileState, viewer_copy
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.text import format_number
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.core.workspace import Role
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.messages import confirm, show_error
from thidua_desktop.gui.thumbnails import ThumbnailProvider
from thidua_desktop.gui.widgets import CriterionPicker, NumberEdit

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5a00;"
ATTACHMENT_ROLE = Qt.ItemDataRole.UserRole + 20


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class ActivityForm(QDialog):
    saved = Signal(object)  # ChangeReport

    def __init__(self, context: AppContext, *, uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.workspace = context.workspace
        self.campaign = self.workspace.campaign()
        self.uuid = uuid
        self.revision: int | None = None
        self.file_states: dict[str, FileState] = {}
        self.thumbnails = ThumbnailProvider(self.workspace.evidence_store(), self.workspace.layout.thumbnails_dir)
        self.value_edits: dict[int, NumberEdit] = {}
        self.setAcceptDrops(True)
        self.resize(1100, 720)
        self._build()
        if uuid:
            self._load(uuid)
        else:
            self._reset(keep=None)
        self._initial = self._fingerprint()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(splitter, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._build_form())
        splitter.addWidget(scroll)
        splitter.addWidget(self._build_evidence_panel())
        splitter.setSizes([680, 400])
        outer.addLayout(self._build_buttons())

    def _build_form(self) -> QWidget:
        form_host = QWidget()
        host_layout = QVBoxLayout(form_host)
        form = QFormLayout()
        host_layout.addLayout(form)
        host_layout.addStretch(1)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.recording_unit = QComboBox()
        self.recording_unit.setAccessibleName(self.tr("Đơn vị ghi nhận"))
        if self.workspace.role is Role.DEPARTMENT:
            # At the department, the Sở's own offices record here; district offices send bundles.
            for unit in self.workspace.units().list(kinds=[UnitKind.DEPARTMENT_OFFICE]):
                self.recording_unit.addItem(unit.name, unit.code)
            form.addRow(self.tr("Đơn vị &ghi nhận:"), self.recording_unit)
        self.criterion = CriterionPicker(self.campaign, allow_groups=False)
        self.criterion.setAccessibleName(self.tr("Tiêu chí"))
        self.criterion.currentIndexChanged.connect(lambda _i: self._show_indicators())
        self.criterion_error = _error_label()
        form.addRow(self.tr("&Tiêu chí:"), self._stack(self.criterion, self.criterion_error))

        self.date = QDateEdit()
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setCalendarPopup(True)
        self.date.dateChanged.connect(lambda _d: self._check_date())
        self.date_warning = QLabel()
        self.date_warning.setStyleSheet(WARNING_STYLE)
        self.date_warning.setWordWrap(True)
        self.date_warning.hide()
        form.addRow(self.tr("&Ngày thực hiện:"), self._stack(self.date, self.date_warning))

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("Ví dụ: Trợ giúp pháp lý lưu động tại xã Ô Lâm"))
        self.title_error = _error_label()
        form.addRow(self.tr("Tên &hoạt động:"), self._stack(self.title_edit, self.title_error))

        form.addRow(self.tr("Địa &bàn:"), self._build_place())

        self.officer = QLineEdit()
        form.addRow(self.tr("Người &phụ trách:"), self.officer)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)
        form.addRow(self.tr("&Mô tả:"), self.description)

        self.values_box = QGroupBox(self.tr("Số liệu theo chỉ tiêu"))
        self.values_grid = QGridLayout(self.values_box)
        form.addRow(self.values_box)
        self.general_error = _error_label()
        form.addRow(self.general_error)
        return form_host

    def _build_place(self) -> QWidget:
        """The commune and its three flags (poor, remote, ethnic-minority area)."""
        self.commune = QLineEdit()
        self.commune.setPlaceholderText(self.tr("xã, phường, thị trấn"))
        flags = QHBoxLayout()
        self.poor = QCheckBox(self.tr("Xã nghèo"))
        self.remote = QCheckBox(self.tr("Vùng sâu, vùng xa"))
        self.ethnic = QCheckBox(self.tr("Vùng đồng bào dân tộc thiểu số"))
        for box in (self.poor, self.remote, self.ethnic):
            flags.addWidget(box)
        flags.addStretch(1)
        place = QWidget()
        place_layout = QVBoxLayout(place)
        place_layout.setContentsMargins(0, 0, 0, 0)
        place_layout.addWidget(self.commune)
        place_layout.addLayout(flags)
        return place

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.status_label = QLabel()
        buttons.addWidget(self.status_label, 1)
        self.save_new_button = QPushButton(self.tr("Lưu và thêm mới"))
        self.save_new_button.setToolTip("Ctrl+Shift+S")
        self.save_button = QPushButton(self.tr("&Lưu"))
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Đóng"))
        for button in (self.save_new_button, self.save_button, self.cancel_button):
            buttons.addWidget(button)
        self.save_button.clicked.connect(lambda: self.save(and_new=False))
        self.save_new_button.clicked.connect(lambda: self.save(and_new=True))
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save(and_new=False))
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, activated=lambda: self.save(and_new=True))
        return buttons

    def _build_evidence_panel(self) -> QWidget:
        panel = QGroupBox(self.tr("Minh chứng (ảnh, bản scan, biên bản)"))
        layout = QVBoxLayout(panel)
        hint = QLabel(self.tr("Kéo thả tệp vào đây, hoặc bấm “Thêm tệp…”. Tệp gốc được giữ nguyên."))
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
        return panel

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in widgets:
            layout.addWidget(widget)
        return host

    # --- indicators -----------------------------------------------------------------------
    def _show_indicators(self, values: dict[int, int] | None = None) -> None:
        previous = {k: e.text() for k, e in self.value_edits.items()}
        while self.values_grid.count():
            item = self.values_grid.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        self.value_edits = {}
        self.value_errors: dict[int, QLabel] = {}
        criterion_id = self.criterion.criterion_id()
        if criterion_id is None:
            return
        indicators = self.campaign.entered_indicators_of(criterion_id)
        for row, indicator in enumerate(indicators):
            label = QLabel(indicator.name)
            label.setWordWrap(True)
            edit = NumberEdit()
            edit.setAccessibleName(indicator.name)
            edit.setMaximumWidth(160)
            if values is not None:
                edit.set_value(values.get(indicator.id))
            elif indicator.id in previous:
                edit.setText(previous[indicator.id])
            unit = QLabel(indicator.unit)
            error = _error_label()
            self.values_grid.addWidget(label, row * 2, 0)
            self.values_grid.addWidget(edit, row * 2, 1)
            self.values_grid.addWidget(unit, row * 2, 2)
            self.values_grid.addWidget(error, row * 2 + 1, 0, 1, 3)
            self.value_edits[indicator.id] = edit
            self.value_errors[indicator.id] = error
            edit.editingFinished.connect(self._validate_inline)
        self.values_grid.setColumnStretch(0, 1)
        ratio_notes = [i for i in self.campaign.indicators_of(criterion_id) if not i.is_entered]
        if ratio_notes:
            note = QLabel(
                self.tr("Tự tính: ") + "; ".join(f"{i.name} ({i.target.label() + '%' if i.target else ''})" for i in ratio_notes)
            )
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            self.values_grid.addWidget(note, len(indicators) * 2, 0, 1, 3)

    # --- load / reset ---------------------------------------------------------------------
    def _load(self, uuid: str) -> None:
        detail = self.workspace.activities().get(uuid)
        self.revision = detail.revision
        draft = detail.draft
        self.setWindowTitle(self.tr("Sửa hoạt động — {unit}").format(unit=detail.unit_name))
        index = self.recording_unit.findData(detail.unit_code)
        if index >= 0:
            self.recording_unit.setCurrentIndex(index)
        self.recording_unit.setEnabled(False)  # an activity stays with the unit that recorded it
        self.criterion.set_criterion(draft.criterion_id)
        self.date.setDate(QDate(draft.activity_date.year, draft.activity_date.month, draft.activity_date.day))
        self.title_edit.setText(draft.title)
        self.commune.setText(draft.commune)
        self.poor.setChecked(draft.is_poor_commune)
        self.remote.setChecked(draft.is_remote_area)
        self.ethnic.setChecked(draft.is_ethnic_area)
        self.officer.setText(draft.responsible_officer)
        self.description.setPlainText(draft.description)
        self._show_indicators(draft.values)
        self.file_states = {}
        self._set_attachments(draft.attachments or [])
        self._check_files(draft.attachments or [])
        self.status_label.setText(self.tr("Phiên bản {rev}").format(rev=detail.revision))
        if detail.from_bundle:
            self._make_read_only(detail.unit_name)

    def _make_read_only(self, unit_name: str) -> None:
        """A unit's record received in its bundle is viewed here, not edited: the unit sends corrections."""
        for widget in (self.criterion, self.date, self.title_edit, self.commune, self.poor, self.remote, self.ethnic,
                       self.officer, self.values_box, self.add_files_button, self.caption_button, self.detach_button,
                       self.save_button, self.save_new_button):
            widget.setEnabled(False)
        self.description.setReadOnly(True)
        self.setAcceptDrops(False)
        self.status_label.setText(
            self.tr("Chỉ xem: hoạt động do {unit} gửi lên qua gói dữ liệu; đơn vị sửa rồi gửi lại.").format(unit=unit_name)
        )

    def _reset(self, keep: ActivityDraft | None) -> None:
        self.uuid = None
        self.revision = None
        self.recording_unit.setEnabled(True)
        self.setWindowTitle(self.tr("Thêm hoạt động"))
        recordable = self.campaign.recordable_criteria()
        self.criterion.set_criterion(keep.criterion_id if keep else recordable[0].id)
        day = keep.activity_date if keep else min(date.today(), self.campaign.ends_on)
        self.date.setDate(QDate(day.year, day.month, day.day))
        for widget in (self.title_edit, self.commune, self.officer):
            widget.clear()
        if keep:
            self.officer.setText(keep.responsible_officer)
        self.description.clear()
        for box in (self.poor, self.remote, self.ethnic):
            box.setChecked(False)
        self._show_indicators({})
        self.file_states = {}
        self._set_attachments([])
        self.status_label.setText("")
        self._clear_errors()
        self.title_edit.setFocus()

    # --- evidence -------------------------------------------------------------------------
    def _set_attachments(self, attachments: list[AttachmentDraft]) -> None:
        self.evidence_list.clear()
        for attachment in attachments:
            self._add_attachment_item(attachment)

    def _add_attachment_item(self, attachment: AttachmentDraft) -> None:
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

    def _check_files(self, attachments: list[AttachmentDraft]) -> None:
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

    def attachments(self) -> list[AttachmentDraft]:
        return [self.evidence_list.item(i).data(ATTACHMENT_ROLE) for i in range(self.evidence_list.count())]

    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(ALLOWED_EXTENSIONS))
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Chọn tệp minh chứng"), str(Path.home()), self.tr("Ảnh, PDF, tài liệu ({patterns})").format(patterns=patterns)
        )
        if paths:
            self.add_files([Path(p) for p in paths])

    def add_files(self, paths: list[Path]) -> None:
        service = self.workspace.evidence()
        try:
            for path in paths:
                service.check_candidate(path)
        except UserError as error:
            show_error(self, error)
            return

        def saving_allowed(allowed: bool) -> None:
            # While files are copied in a worker, saving would link only part of them.
            for button in (self.save_button, self.save_new_button):
                button.setEnabled(allowed)

        def done(drafts: list[AttachmentDraft]) -> None:
            saving_allowed(True)
            known = {a.sha256 for a in self.attachments()}
            for draft in drafts:
                if draft.sha256 not in known:
                    self.file_states[draft.sha256] = FileState.OK
                    self._add_attachment_item(draft)
                    known.add(draft.sha256)

        def failed(error: BaseException, details: str) -> None:
            saving_allowed(True)
            show_error(self, error, details)

        saving_allowed(False)
        self.context.tasks.run(
            lambda progress, cancel: service.store_files(paths, progress=progress, cancel=cancel),
            title=self.tr("Đang chép tệp minh chứng…"),
            parent=self,
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: saving_allowed(True),
        )

    def _selected_item(self) -> QListWidgetItem | None:
        items = self.evidence_list.selectedItems()
        return items[0] if items else None

    def edit_caption(self) -> None:
        item = self._selected_item()
        if item is None:
            return
        attachment: AttachmentDraft = item.data(ATTACHMENT_ROLE)
        caption, ok = QInputDialog.getText(self, self.tr("Chú thích"), self.tr("Chú thích cho tệp {name}:").format(name=attachment.file_name), text=attachment.caption)
        if ok:
            item.setData(ATTACHMENT_ROLE, AttachmentDraft(attachment.sha256, attachment.file_name, attachment.mime_type, attachment.size, caption.strip()))
            self._label_item(item)

    def detach_selected(self) -> None:
        item = self._selected_item()
        if item is not None:
            self.evidence_list.takeItem(self.evidence_list.row(item))

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

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)

    # --- validation and saving ------------------------------------------------------------
    def _clear_errors(self) -> None:
        for label in (self.criterion_error, self.title_error, self.general_error, *getattr(self, "value_errors", {}).values()):
            label.hide()

    def _draft(self) -> tuple[ActivityDraft, dict[str, str]]:
        problems: dict[str, str] = {}
        values: dict[int, int] = {}
        for indicator_id, edit in self.value_edits.items():
            try:
                value = edit.value()
            except ValueError as error:
                problems[f"value:{indicator_id}"] = str(error)
                continue
            if value is not None:
                values[indicator_id] = value
        qdate = self.date.date()
        draft = ActivityDraft(
            criterion_id=self.criterion.criterion_id() or -1,
            activity_date=date(qdate.year(), qdate.month(), qdate.day()),
            title=self.title_edit.text(),
            commune=self.commune.text(),
            is_poor_commune=self.poor.isChecked(),
            is_remote_area=self.remote.isChecked(),
            is_ethnic_area=self.ethnic.isChecked(),
            description=self.description.toPlainText(),
            responsible_officer=self.officer.text(),
            values=values,
            attachments=self.attachments(),
        )
        return draft, problems

    def _show_problems(self, problems: dict[str, str]) -> None:
        self._clear_errors()
        leftovers = []
        for key, message in problems.items():
            label = {"criterion": self.criterion_error, "title": self.title_error}.get(key)
            if key.startswith("value:"):
                label = self.value_errors.get(int(key.split(":")[1]))
            if label is None:
                leftovers.append(message)
                continue
            label.setText(message)
            label.show()
        if leftovers:
            self.general_error.setText("\n".join(leftovers))
            self.general_error.show()

    def _validate_inline(self) -> dict[str, str]:
        draft, problems = self._draft()
        found, _warnings = validate_draft(self.campaign, draft)
        problems = {**found, **problems}
        self._show_problems(problems)
        return problems

    def _check_date(self) -> None:
        qdate = self.date.date()
        day = date(qdate.year(), qdate.month(), qdate.day())
        outside = not self.campaign.contains(day)
        self.date_warning.setVisible(outside)
        if outside:
            self.date_warning.setText(
                self.tr("Lưu ý: ngày này nằm ngoài thời gian của phong trào ({start} – {end}).").format(
                    start=self.campaign.starts_on.strftime("%d/%m/%Y"), end=self.campaign.ends_on.strftime("%d/%m/%Y")
                )
            )

    def _recording_unit_info(self) -> UnitInfo | None:
        code = self.recording_unit.currentData() or self.workspace.setting("unit_code")
        if self.uuid is not None or not code:
            return None  # an existing activity keeps its unit; only new ones are checked
        return self.workspace.units().get(code)

    def _fingerprint(self) -> tuple:
        draft, problems = self._draft()
        return (repr(draft), tuple(sorted(problems)), tuple(e.text() for e in self.value_edits.values()))

    def is_dirty(self) -> bool:
        return self._fingerprint() != self._initial

    def save(self, *, and_new: bool) -> bool:
        if not self.save_button.isEnabled():
            return False  # read-only, or files still being copied in
        draft, parse_problems = self._draft()
        problems, warnings = validate_draft(self.campaign, draft, self._recording_unit_info())
        problems = {**problems, **parse_problems}
        if problems:
            self._show_problems(problems)
            self.status_label.setText(self.tr("Chưa lưu: hãy sửa các mục báo đỏ."))
            return False
        # The date warning is already on the form, under the date.
        unshown = [w.message for w in warnings if w.code is not DraftWarningCode.DATE_OUTSIDE_CAMPAIGN]
        if unshown and not confirm(
            self, self.tr("Lưu hoạt động?"), "\n".join(unshown), yes=self.tr("Vẫn lưu"), no=self.tr("Quay lại sửa")
        ):
            return False
        service = self.workspace.activities()
        try:
            if self.uuid is None:
                unit_code = self.recording_unit.currentData() or self.workspace.setting("unit_code")
                report: ChangeReport = service.create(unit_code, draft)
                self.uuid = report.created[0]
            else:
                report = service.update(self.uuid, draft, expected_revision=self.revision)
        except ValidationError as error:
            self._show_problems(error.problems)
            return False
        except UserError as error:
            show_error(self, error)
            return False
        self.saved.emit(report)
        self.context.announce(report)
        if and_new:
            self._reset(keep=draft)
            self.status_label.setText(self.tr("Đã lưu. Mời nhập hoạt động tiếp theo."))
            self._initial = self._fingerprint()
        else:
            self._initial = self._fingerprint()
            self.accept()
        return True

    def reject(self) -> None:
        if self.is_dirty() and not confirm(
            self,
            self.tr("Bỏ thay đổi?"),
            self.tr("Các thay đổi trên biểu mẫu chưa được lưu."),
            informative=self.tr("Bỏ các thay đổi này và đóng biểu mẫu?"),
            yes=self.tr("Bỏ thay đổi"),
            no=self.tr("Tiếp tục sửa"),
        ):
            return
        super().reject()
