"""Gửi/Nhận gói dữ liệu: a unit signs and exports its data; the department verifies, previews and imports it.

A thin layer over `core.bundles`: long work (export, verification, import) runs through
`context.tasks.run` with progress and Cancel; every question to the user goes through `Prompts`, so
tests can answer them without opening dialogs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX
from thidua_desktop.core.bundles.errors import TrustRegistryError, UntrustedKeyError
from thidua_desktop.core.bundles.exporter import (
    ExportReport,
    bundle_file_name,
    export_bundle,
    export_status,
    outgoing_dir,
)
from thidua_desktop.core.bundles.guards import CHANGE_LABELS, ChangeKind, RecordChange
from thidua_desktop.core.bundles.importer import (
    ImportOutcome,
    ImportReport,
    ImportStatus,
    PreparedImport,
    apply_import,
    import_many,
    list_imports,
    local_time,
    prepare_import,
    verify_bundle,
)
from thidua_desktop.core.bundles.keys import (
    OwnKey,
    create_key,
    keyring_of,
    own_unit_code,
    replace_lost_key,
    rotate_key,
)
from thidua_desktop.core.bundles.pending import list_pending, resolve_pending
from thidua_desktop.core.bundles.trust import (
    TrustedKeyInfo,
    enrol_key,
    last_imported_seq,
    list_incidents,
    list_trusted_keys,
    parse_public_key,
    revoke_key,
)
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.text import format_date, format_datetime, format_number
from thidua_desktop.core.units import list_units
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.empty_hint import HintTableView
from thidua_desktop.gui.messages import dialog_buttons, show_error
from thidua_desktop.gui.models.records import RECORD_ROLE, RecordTableModel

BUNDLE_FILTER = "Gói dữ liệu ThiĐua (*.thidua)"
INCIDENT_LABELS = {"equivocation": "Hai gói khác nhau cùng số thứ tự", "fork": "Chuỗi gói không khớp"}


def size_text(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{format_number(value / 1024 / 1024, decimals=1)} MB"
    return f"{format_number(max(value, 0) / 1024, decimals=0)} KB"


class Shown(str):
    """Display text carrying its own sort key, so dd/mm/yyyy dates sort by time."""

    sort_key: str

    def __new__(cls, text: str, sort_key: str) -> Shown:
        shown = super().__new__(cls, text)
        shown.sort_key = sort_key
        return shown


def _when(value: Any) -> str:
    return Shown(format_datetime(local_time(value)), value.isoformat()) if value else ""


def _day(value: Any) -> str:
    return Shown(format_date(value), value.isoformat()) if value else ""


SORT_ROLE = Qt.ItemDataRole.UserRole + 31


class Records(RecordTableModel):
    """RecordTableModel that also gives raw values for sorting, so 10 sorts after 9 and dates by time."""

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: ANN001
        if role == SORT_ROLE and index.isValid():
            value = self.columns[index.column()][1](self.records[index.row()])
            return value if isinstance(value, int | float) else getattr(value, "sort_key", str(value))
        return super().data(index, role)


def _table(model: RecordTableModel, *, stretch: int | None = None, empty: str = "") -> QTableView:
    view = HintTableView(empty)
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the model's order at first
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def _selected(view: QTableView) -> list[Any]:
    return [index.data(RECORD_ROLE) for index in view.selectionModel().selectedRows()]


def _note(text: str = "", *, style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


WARNING_STYLE = "background: #fff4ce; border: 1px solid #e0c36a; padding: 6px;"
NOTICE_STYLE = "background: #e8f1fb; border: 1px solid #9cc0e6; padding: 6px;"


# --- dialogs -------------------------------------------------------------------------------------


class PassphraseDialog(QDialog):
    """Ask for the key's passphrase; for a new key, twice; for a rotation, the old one too."""

    def __init__(self, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        titles = {"unlock": self.tr("Mở khóa ký"), "new": self.tr("Đặt cụm mật khẩu cho khóa mới"),
                  "rotate": self.tr("Thay khóa ký")}
        self.setWindowTitle(titles[mode])
        layout = QVBoxLayout(self)
        intro = {
            "unlock": self.tr("Nhập cụm mật khẩu của khóa ký để ký gói dữ liệu."),
            "new": self.tr("Cụm mật khẩu bảo vệ khóa ký trên máy này (ít nhất 8 ký tự). Hãy ghi nhớ; "
                           "nếu quên, phải tạo khóa mới và đăng ký lại với Sở Tư pháp."),
            "rotate": self.tr("Khóa hiện tại sẽ ký lời xác nhận cho khóa mới, nên Sở nhận khóa mới mà không "
                              "cần phiếu đăng ký mới."),
        }[mode]
        layout.addWidget(_note(intro))
        form = QFormLayout()
        self.fields: list[QLineEdit] = []
        labels = {"unlock": [self.tr("Cụm mật khẩu:")],
                  "new": [self.tr("Cụm mật khẩu:"), self.tr("Nhập lại:")],
                  "rotate": [self.tr("Cụm mật khẩu hiện tại:"), self.tr("Cụm mật khẩu mới:"), self.tr("Nhập lại:")]}
        for text in labels[mode]:
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMinimumWidth(280)
            form.addRow(text, field)
            self.fields.append(field)
        layout.addLayout(form)
        buttons = dialog_buttons(self, self.tr("Đồng ý"))
        layout.addWidget(buttons)

    def values(self) -> tuple[str, ...]:
        return tuple(field.text() for field in self.fields)


class EnrolDialog(QDialog):
    """Enrol a unit's key: the fingerprint must be checked against the signed and sealed paper sheet."""

    def __init__(self, workspace: Workspace, *, unit_code: str = "", public_key: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(self.tr("Đăng ký khóa của đơn vị"))
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        layout.addWidget(_note(self.tr(
            "Chỉ đăng ký khi đã có <b>phiếu đăng ký khóa</b> có chữ ký của thủ trưởng và dấu của đơn vị. "
            "Đọc từng nhóm dấu vân tay dưới đây và so với phiếu.")))
        form = QFormLayout()
        self.unit = QComboBox()
        with workspace.sessions() as session:
            for unit in list_units(session):
                if unit.kind is not UnitKind.DEPARTMENT:
                    self.unit.addItem(f"{unit.name} ({unit.code})", unit.code)
        if unit_code:
            self.unit.setCurrentIndex(max(self.unit.findData(unit_code), 0))
        form.addRow(self.tr("Đơn vị:"), self.unit)
        key_row = QHBoxLayout()
        self.key = QLineEdit(public_key)
        self.key.setPlaceholderText(self.tr("Dòng khóa công khai, bắt đầu bằng RW…"))
        browse = QPushButton(self.tr("Chọn tệp .pub…"))
        browse.clicked.connect(self._browse)
        key_row.addWidget(self.key, 1)
        key_row.addWidget(browse)
        form.addRow(self.tr("Khóa công khai:"), key_row)
        self.fingerprint = QLabel()
        big = QFont(self.fingerprint.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Dấu vân tay:"), self.fingerprint)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Ví dụ: theo Công văn số 12/PTP ngày 05/3/2024"))
        form.addRow(self.tr("Ghi chú:"), self.note)
        layout.addLayout(form)
        self.confirmed = QCheckBox(self.tr(
            "Tôi đã đối chiếu đủ 8 nhóm dấu vân tay với phiếu đăng ký có chữ ký, đóng dấu của đơn vị, và chúng khớp."))
        layout.addWidget(self.confirmed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Đăng ký khóa"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.key.setCursorPosition(0)
        self.key.textChanged.connect(self._update)
        self.confirmed.toggled.connect(self._update)
        self._update()

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Chọn tệp khóa công khai"), "",
                                              self.tr("Khóa công khai (*.pub);;Mọi tệp (*)"))
        if name:
            self.key.setText(Path(name).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1])

    def _update(self) -> None:
        try:
            fingerprint = parse_public_key(self.key.text()).fingerprint
        except TrustRegistryError:
            fingerprint = ""
        self.fingerprint.setText(fingerprint or self.tr("— (chưa có khóa hợp lệ)"))
        self.ok.setEnabled(bool(fingerprint) and self.confirmed.isChecked())

    def enrol(self) -> Any:
        return enrol_key(self.workspace, self.unit.currentData(), self.key.text(), confirmed=self.confirmed.isChecked(),
                         note=self.note.text())


class RevokeDialog(QDialog):
    def __init__(self, key: TrustedKeyInfo, default_seq: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Thu hồi khóa {key}").format(key=key.key_id))
        layout = QVBoxLayout(self)
        layout.addWidget(_note(self.tr(
            "Khóa {key} của {unit} sẽ không được nhận cho các gói có số thứ tự từ số dưới đây trở đi "
            "(và mọi gói của kế hoạch khác). Các gói đã nhận không bị xóa.").format(key=key.key_id, unit=key.unit_name)))
        form = QFormLayout()
        self.seq = QSpinBox()
        self.seq.setRange(1, 1_000_000)
        self.seq.setValue(default_seq)
        form.addRow(self.tr("Thu hồi từ gói số:"), self.seq)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Ví dụ: máy của đơn vị bị mất"))
        form.addRow(self.tr("Lý do:"), self.reason)
        layout.addLayout(form)
        buttons = dialog_buttons(self, self.tr("Thu hồi"))
        layout.addWidget(buttons)


def change_columns() -> list[tuple[str, Callable[[RecordChange], Any]]]:
    return [
        ("Thay đổi", lambda c: CHANGE_LABELS[c.kind] + (" (giữ lại)" if c.held_reason else "")),
        ("Ngày", lambda c: _day(c.activity_date)),
        ("Tiêu chí", lambda c: c.criterion_code),
        ("Tên hoạt động", lambda c: c.title),
        ("Phiên bản", lambda c: f"{c.revision_before} → {c.revision_after}" if c.revision_before else c.revision_after),
        ("Ghi chú", lambda c: c.held_reason or ("không còn trong gói của đơn vị" if c.removed else "")),
    ]


class PreviewDialog(QDialog):
    """What the bundle would change, record by record, before anything is written."""

    def __init__(self, prepared: PreparedImport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        preview = prepared.preview
        summary = preview.summary
        self.setWindowTitle(self.tr("Xem trước gói dữ liệu — {file}").format(file=summary.file_name))
        self.resize(980, 640)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{summary.title}</b>")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(_note(self.tr(
            "{mode} · chữ ký hợp lệ, khóa {key} · {records} hoạt động · {evidence} tệp minh chứng "
            "({included} tệp gửi kèm), mọi mã băm đều khớp.").format(
                mode=summary.mode_label, key=summary.key_id, records=summary.record_count,
                evidence=summary.evidence_count, included=summary.evidence_included)))
        counts = preview.counts
        self.counts = QLabel(" · ".join(f"{self.tr(CHANGE_LABELS[k])}: <b>{counts[k]}</b>" for k in ChangeKind)
                             + self.tr(" · Minh chứng sẽ thêm: <b>{n}</b> tệp ({size})").format(
                                 n=len(preview.evidence_to_add), size=size_text(preview.evidence_bytes)))
        layout.addWidget(self.counts)
        for warning in preview.warnings:
            layout.addWidget(_note(self.tr("Lưu ý: ") + warning, style=WARNING_STYLE))
        for notice in preview.notices:
            layout.addWidget(_note(notice, style=NOTICE_STYLE))
        if preview.held:
            layout.addWidget(_note(self.tr("{n} thay đổi sẽ được giữ lại trong danh sách “Chờ xử lý”.").format(
                n=len(preview.held)), style=WARNING_STYLE))
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Hiện:")))
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Các hoạt động có thay đổi"), "changed")
        self.kind.addItem(self.tr("Tất cả"), "all")
        for kind in ChangeKind:
            self.kind.addItem(self.tr(CHANGE_LABELS[kind]), str(kind))
        filters.addWidget(self.kind)
        filters.addStretch(1)
        layout.addLayout(filters)
        self.model = Records(change_columns(), self)
        self.view = _table(self.model, stretch=3)
        layout.addWidget(self.view, 1)
        self.changes = preview.changes
        self.kind.currentIndexChanged.connect(self._filter)
        self._filter()
        buttons = dialog_buttons(self, self.tr("Nhận gói"), "Không nhận")
        layout.addWidget(buttons)

    def _filter(self) -> None:
        wanted = self.kind.currentData()
        self.model.set_records([
            c for c in self.changes
            if wanted == "all" or (wanted == "changed" and c.kind is not ChangeKind.UNCHANGED) or str(c.kind) == wanted
        ])


class SummaryDialog(QDialog):
    """One row per file of a folder import."""

    def __init__(self, outcomes: Sequence[ImportOutcome], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Kết quả nhận gói dữ liệu"))
        self.resize(980, 480)
        layout = QVBoxLayout(self)
        accepted = sum(1 for o in outcomes if o.error is None)
        layout.addWidget(QLabel(self.tr("{n} tệp: {ok} tệp nhận được, {bad} tệp bị từ chối.").format(
            n=len(outcomes), ok=accepted, bad=len(outcomes) - accepted)))
        self.model = Records([
            ("Tệp", lambda o: o.path.name),
            ("Đơn vị", lambda o: o.unit_code),
            ("Số", lambda o: o.seq or ""),
            ("Kết quả", lambda o: o.status_label),
            ("Chi tiết", lambda o: o.detail + (f" {o.error.hint}" if o.error is not None else "")),
        ], self)
        self.model.set_records(outcomes)
        self.view = _table(self.model, stretch=4)
        self.view.setWordWrap(True)
        self.view.resizeRowsToContents()
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class Prompts:
    """Every question the page asks; tests replace this object to answer without dialogs."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def passphrase(self, mode: str) -> tuple[str, ...] | None:
        dialog = PassphraseDialog(mode, self.parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def save_path(self, title: str, default: Path, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, str(default), file_filter)
        return Path(name) if name else None

    def open_paths(self, title: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.parent, title, "", BUNDLE_FILTER)
        return [Path(n) for n in names]

    def folder(self, title: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self.parent, title)
        return Path(name) if name else None

    def confirm(self, title: str, text: str) -> bool:
        from thidua_desktop.gui.messages import confirm

        return confirm(self.parent, title, text)

    def preview(self, prepared: PreparedImport) -> bool:
        return PreviewDialog(prepared, self.parent).exec() == QDialog.DialogCode.Accepted

    def summary(self, outcomes: Sequence[ImportOutcome]) -> None:
        SummaryDialog(outcomes, self.parent).exec()

    def inform(self, text: str) -> None:
        QMessageBox.information(self.parent, "ThiĐua Desktop", text)

    def enrol(self, workspace: Workspace, unit_code: str = "", public_key: str = "") -> Any:
        dialog = EnrolDialog(workspace, unit_code=unit_code, public_key=public_key, parent=self.parent)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                return dialog.enrol()
            except TrustRegistryError as error:
                show_error(self.parent, error)
        return None

    def revoke(self, key: TrustedKeyInfo, default_seq: int) -> tuple[int, str] | None:
        dialog = RevokeDialog(key, default_seq, self.parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.seq.value(), dialog.reason.text()

    def error(self, error: BaseException) -> None:
        show_error(self.parent, error)


# --- the unit's side -----------------------------------------------------------------------------


class KeyPanel(QGroupBox):
    """The unit's key: id, fingerprint, enrolment sheet, new key / rotation / forgotten passphrase."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__(page.tr("Khóa ký gói dữ liệu"))
        self.page = page
        layout = QVBoxLayout(self)
        self.status = _note()
        layout.addWidget(self.status)
        self.fingerprint = QLabel()
        big = QFont(self.fingerprint.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fingerprint)
        buttons = QHBoxLayout()
        self.create_button = QPushButton(self.tr("Tạo khóa…"))
        self.sheet_button = QPushButton(self.tr("In phiếu đăng ký khóa…"))
        self.public_button = QPushButton(self.tr("Lưu khóa công khai…"))
        self.rotate_button = QPushButton(self.tr("Thay khóa…"))
        self.forgot_button = QPushButton(self.tr("Quên cụm mật khẩu…"))
        for button in (self.create_button, self.sheet_button, self.public_button, self.rotate_button,
                       self.forgot_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.create_button.clicked.connect(self.create)
        self.sheet_button.clicked.connect(self.print_sheet)
        self.public_button.clicked.connect(self.save_public_key)
        self.rotate_button.clicked.connect(self.rotate)
        self.forgot_button.clicked.connect(self.forgot)

    @property
    def workspace(self) -> Workspace:
        return self.page.workspace

    def key(self) -> OwnKey | None:
        return keyring_of(self.workspace).current(own_unit_code(self.workspace))

    def refresh(self) -> None:
        key = self.key()
        has_key = key is not None
        for button in (self.sheet_button, self.public_button, self.rotate_button, self.forgot_button):
            button.setVisible(has_key)
        self.create_button.setVisible(not has_key)
        if key is None:
            self.status.setText(self.tr(
                "Máy này chưa có khóa ký. Hãy tạo khóa, in phiếu đăng ký khóa, ký, đóng dấu và gửi Sở Tư pháp; "
                "Sở chỉ nhận gói được ký bằng khóa đã đăng ký."))
            self.fingerprint.hide()
            return
        self.fingerprint.show()
        self.status.setText(self.tr(
            "Mã khóa: <b>{key}</b> · tạo ngày {day}. Gửi phiếu đăng ký khóa (có chữ ký, đóng dấu) cho Sở Tư pháp "
            "để Sở đối chiếu dấu vân tay dưới đây trước khi nhận gói đầu tiên.").format(
                key=key.key_id, day=format_date(key.created_at)))
        self.fingerprint.setText(self.tr("Dấu vân tay: {fp}").format(fp=key.fingerprint))

    def _done(self, key: OwnKey, text: str) -> None:
        self.page.refresh()
        self.page.prompts.inform(text.format(key=key.key_id, fp=key.fingerprint))

    def create(self) -> None:
        answer = self.page.prompts.passphrase("new")
        if answer is None:
            return
        try:
            key = create_key(self.workspace, *answer)
        except Exception as error:  # noqa: BLE001 - shown to the user
            self.page.prompts.error(error)
            return
        self._done(key, self.tr("Đã tạo khóa {key} (dấu vân tay {fp}). Bước tiếp theo: in phiếu đăng ký khóa."))

    def rotate(self) -> None:
        answer = self.page.prompts.passphrase("rotate")
        if answer is None:
            return
        try:
            key = rotate_key(self.workspace, *answer)
        except Exception as error:  # noqa: BLE001
            self.page.prompts.error(error)
            return
        self._done(key, self.tr("Đã thay bằng khóa {key}. Các gói từ nay mang lời xác nhận của khóa cũ, "
                                "Sở nhận được ngay."))

    def forgot(self) -> None:
        if not self.page.prompts.confirm(
            self.tr("Quên cụm mật khẩu"),
            self.tr("Tạo khóa mới thay cho khóa không mở được? Sở Tư pháp sẽ chưa nhận gói ký bằng khóa mới cho "
                    "tới khi đăng ký lại theo phiếu đăng ký mới."),
        ):
            return
        answer = self.page.prompts.passphrase("new")
        if answer is None:
            return
        try:
            key = replace_lost_key(self.workspace, *answer)
        except Exception as error:  # noqa: BLE001
            self.page.prompts.error(error)
            return
        self._done(key, self.tr("Đã tạo khóa mới {key}. Hãy in phiếu đăng ký khóa, ký, đóng dấu và gửi Sở để "
                                "đăng ký lại."))

    def print_sheet(self) -> None:
        from thidua_desktop.core.bundles.sheet import write_enrolment_sheet

        key = self.key()
        if key is None:
            return
        target = self.page.prompts.save_path(self.tr("Lưu phiếu đăng ký khóa"),
                                             Path.home() / f"phieu-dang-ky-khoa-{key.key_id}.pdf", "PDF (*.pdf)")
        if target is None:
            return
        try:
            write_enrolment_sheet(self.workspace, target, key)
        except Exception as error:  # noqa: BLE001
            self.page.prompts.error(error)
            return
        self.page.last_sheet = target
        if self.page.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
        self.page.prompts.inform(self.tr("Đã lưu phiếu đăng ký khóa vào {path}. In, ký, đóng dấu và gửi Sở Tư pháp.")
                                 .format(path=target))

    def save_public_key(self) -> None:
        key = self.key()
        if key is None:
            return
        target = self.page.prompts.save_path(self.tr("Lưu khóa công khai"), Path.home() / f"{key.key_id}.pub",
                                             self.tr("Khóa công khai (*.pub)"))
        if target is not None:
            target.write_text(key.public_key.file_text(), encoding="utf-8")


class UnitSection(QWidget):
    """Export for a unit: what the next bundle carries, full or delta, and the history."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.keys = KeyPanel(page)
        layout.addWidget(self.keys)
        box = QGroupBox(self.tr("Gửi gói dữ liệu về Sở Tư pháp"))
        inner = QVBoxLayout(box)
        self.status = _note()
        inner.addWidget(self.status)
        self.delta = QRadioButton(self.tr(
            "Gói bổ sung — chỉ gửi kèm các tệp minh chứng chưa gửi lần nào (nhỏ, hợp gửi thư điện tử, Zalo)"))
        self.full = QRadioButton(self.tr(
            "Gói đầy đủ — gửi kèm mọi tệp minh chứng (dùng cho lần đầu, hoặc khi Sở báo thiếu tệp)"))
        self.mode = QButtonGroup(self)
        for button in (self.delta, self.full):
            self.mode.addButton(button)
            inner.addWidget(button)
        self.delta.setChecked(True)
        row = QHBoxLayout()
        self.export_button = QPushButton(self.tr("Tạo gói dữ liệu…"))
        self.export_button.setDefault(True)
        self.folder_button = QPushButton(self.tr("Mở thư mục chứa gói"))
        row.addWidget(self.export_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(box)
        history = QGroupBox(self.tr("Lịch sử gửi"))
        history_layout = QVBoxLayout(history)
        self.history = Records([
            ("Số", lambda r: r.seq),
            ("Ngày tạo", lambda r: _when(r.created_at)),
            ("Loại", lambda r: r.mode_label),
            ("Hoạt động", lambda r: r.record_count),
            ("Minh chứng gửi kèm", lambda r: r.evidence_included),
            ("Dung lượng", lambda r: size_text(r.file_size)),
            ("Mã băm (SHA-256)", lambda r: r.manifest_sha256[:16] + "…"),
            ("Tệp", lambda r: r.file_name),
        ], self)
        self.history_view = _table(self.history, stretch=7, empty=self.tr("Chưa gửi gói dữ liệu nào."))
        history_layout.addWidget(self.history_view)
        layout.addWidget(history, 1)
        self.export_button.clicked.connect(self.export)
        self.folder_button.clicked.connect(self.open_folder)
        self.last_report: ExportReport | None = None

    def refresh(self) -> None:
        self.keys.refresh()
        status = export_status(self.page.workspace)
        self.next_seq = status.next_seq
        self.status.setText(self.tr(
            "Gói tiếp theo là gói số <b>{seq}</b>: {records} hoạt động ({deleted} đã xóa), trong đó <b>{unsent}</b> "
            "hoạt động chưa gửi hoặc đã sửa sau lần gửi trước; {files} tệp minh chứng, <b>{new}</b> tệp ({size}) "
            "chưa gửi lần nào.").format(
                seq=status.next_seq, records=status.records, deleted=status.deleted, unsent=status.unsent,
                files=status.evidence, new=status.evidence_unshipped, size=size_text(status.evidence_unshipped_bytes)))
        self.history.set_records(status.history)
        if not status.history:
            self.full.setChecked(True)

    def export(self) -> None:
        page = self.page
        if self.keys.key() is None:
            page.prompts.inform(self.tr("Máy này chưa có khóa ký. Hãy bấm “Tạo khóa…” trước."))
            return
        campaign = page.workspace.campaign()
        default = outgoing_dir(page.workspace) / bundle_file_name(own_unit_code(page.workspace), campaign.code,
                                                                   self.next_seq)
        default.parent.mkdir(parents=True, exist_ok=True)
        target = page.prompts.save_path(self.tr("Lưu gói dữ liệu"), default, self.tr(BUNDLE_FILTER))
        if target is None:
            return
        if target.suffix != BUNDLE_SUFFIX:
            target = target.with_name(target.name + BUNDLE_SUFFIX)
        answer = page.prompts.passphrase("unlock")
        if answer is None:
            return
        mode = "full" if self.full.isChecked() else "delta"
        workspace = page.workspace
        page.context.tasks.run(
            lambda progress, cancel: export_bundle(workspace, target, passphrase=answer[0], mode=mode,
                                                   progress=progress, cancel=cancel),
            title=self.tr("Đang tạo và ký gói dữ liệu…"), parent=page, on_done=self._exported,
            on_error=lambda error, _details: page.prompts.error(error),
        )

    def _exported(self, report: ExportReport) -> None:
        self.last_report = report
        self.page.context.announce(report.change_report)
        self.page.refresh()
        kind = self.tr("đầy đủ") if report.mode == "full" else self.tr("bổ sung")
        self.page.prompts.inform(self.tr(
            "Đã tạo gói {kind} số {seq} ({size}): {path}\n\nGửi tệp này cho Sở Tư pháp qua USB, thư điện tử hoặc "
            "Zalo. Tệp đã được ký; nếu bị sửa trên đường gửi, Sở sẽ biết.").format(
                kind=kind, seq=report.seq, size=size_text(report.file_size), path=report.path))

    def open_folder(self) -> None:
        folder = outgoing_dir(self.page.workspace)
        if self.last_report is not None:
            folder = self.last_report.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


# --- the department's side -----------------------------------------------------------------------


class DepartmentSection(QWidget):
    """Import for the department: files or a folder, preview, received bundles, trust registry, warnings."""

    def __init__(self, page: BundlesPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        self.import_button = QPushButton(self.tr("Nhận gói…"))
        self.folder_button = QPushButton(self.tr("Nhận cả thư mục…"))
        self.verify_button = QPushButton(self.tr("Kiểm tra gói…"))
        self.verify_button.setToolTip(self.tr("Kiểm tra chữ ký và toàn vẹn của một gói mà không nhận"))
        for button in (self.import_button, self.folder_button, self.verify_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.summary = QLabel()
        actions.addWidget(self.summary)
        layout.addLayout(actions)
        layout.addWidget(_note(self.tr(
            "Mỗi gói được kiểm tra chữ ký, khóa của đơn vị, mã băm từng tệp và số thứ tự trước khi xem trước; "
            "chỉ khi bấm “Nhận gói” dữ liệu mới được ghi, trọn vẹn trong một lần.")))
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.imports = Records([
            ("Đơn vị", lambda r: r.unit_name),
            ("Số", lambda r: r.seq),
            ("Loại", lambda r: r.mode_label),
            ("Ngày tạo", lambda r: _when(r.created_at)),
            ("Ngày nhận", lambda r: _when(r.imported_at)),
            ("Người nhận", lambda r: r.imported_by),
            ("Khóa ký", lambda r: r.signer_key_id),
            ("Mới", lambda r: r.new_count),
            ("Sửa", lambda r: r.changed_count),
            ("Xóa", lambda r: r.deleted_count),
            ("Không đổi", lambda r: r.unchanged_count),
            ("Minh chứng thêm", lambda r: r.evidence_added),
            ("Lưu ý", lambda r: " ".join(r.warnings)),
        ], self)
        self.imports_view = _table(self.imports, stretch=12, empty=self.tr("Chưa nhận gói dữ liệu nào."))
        self.tabs.addTab(self.imports_view, self.tr("Gói đã nhận"))

        keys_tab = QWidget()
        keys_layout = QVBoxLayout(keys_tab)
        key_actions = QHBoxLayout()
        self.enrol_button = QPushButton(self.tr("Đăng ký khóa…"))
        self.revoke_button = QPushButton(self.tr("Thu hồi khóa…"))
        key_actions.addWidget(self.enrol_button)
        key_actions.addWidget(self.revoke_button)
        key_actions.addStretch(1)
        keys_layout.addLayout(key_actions)
        self.keys = Records([
            ("Đơn vị", lambda k: k.unit_name),
            ("Mã khóa", lambda k: k.key_id),
            ("Dấu vân tay", lambda k: k.fingerprint),
            ("Ngày đăng ký", lambda k: _when(k.enrolled_at)),
            ("Cách đăng ký", lambda k: k.method_label),
            ("Trạng thái", lambda k: k.status),
            ("Lý do thu hồi", lambda k: k.revoke_reason or ""),
        ], self)
        self.keys_view = _table(self.keys, stretch=6, empty=self.tr("Chưa đăng ký khóa của đơn vị nào."))
        keys_layout.addWidget(self.keys_view)
        self.tabs.addTab(keys_tab, self.tr("Khóa tin cậy"))

        self.incidents = Records([
            ("Thời điểm", lambda i: _local_text(i.get("at", ""))),
            ("Loại", lambda i: INCIDENT_LABELS.get(i.get("kind", ""), i.get("kind", ""))),
            ("Đơn vị", lambda i: i.get("unit", "")),
            ("Số thứ tự", lambda i: i.get("seq", "")),
            ("Chi tiết", lambda i: f"gói {i.get('bundle_id', '')}, người nhận {i.get('actor', '')}"),
        ], self)
        self.incidents_view = _table(self.incidents, stretch=4, empty=self.tr("Không có cảnh báo nào."))
        self.tabs.addTab(self.incidents_view, self.tr("Cảnh báo"))

        pending_tab = QWidget()
        pending_layout = QVBoxLayout(pending_tab)
        pending_actions = QHBoxLayout()
        self.apply_pending_button = QPushButton(self.tr("Áp dụng thay đổi đã chọn"))
        self.discard_pending_button = QPushButton(self.tr("Bỏ qua thay đổi đã chọn"))
        pending_actions.addWidget(self.apply_pending_button)
        pending_actions.addWidget(self.discard_pending_button)
        pending_actions.addStretch(1)
        pending_layout.addLayout(pending_actions)
        self.pending = Records([
            ("Đơn vị", lambda p: p.unit_code),
            ("Gói số", lambda p: p.seq),
            ("Thay đổi", lambda p: p.change_label),
            ("Ngày", lambda p: _day(p.activity_date)),
            ("Tên hoạt động", lambda p: p.title),
            ("Lý do giữ lại", lambda p: p.reason),
        ], self)
        self.pending_view = _table(self.pending, stretch=4, empty=self.tr("Không có thay đổi nào đang chờ xử lý."))
        pending_layout.addWidget(self.pending_view)
        self.tabs.addTab(pending_tab, self.tr("Chờ xử lý"))

        self.import_button.clicked.connect(self.import_files)
        self.folder_button.clicked.connect(self.import_folder)
        self.verify_button.clicked.connect(self.verify_file)
        self.enrol_button.clicked.connect(lambda: self.enrol())
        self.revoke_button.clicked.connect(self.revoke)
        self.apply_pending_button.clicked.connect(lambda: self.resolve(apply=True))
        self.discard_pending_button.clicked.connect(lambda: self.resolve(apply=False))

    @property
    def workspace(self) -> Workspace:
        return self.page.workspace

    def refresh(self) -> None:
        imports = list_imports(self.workspace)
        self.imports.set_records(imports)
        with self.workspace.sessions() as session:
            self.keys.set_records(list_trusted_keys(session))
        incidents = list_incidents(self.workspace.layout)
        self.incidents.set_records(list(reversed(incidents)))
        pending = list_pending(self.workspace)
        self.pending.set_records(pending)
        self.tabs.setTabText(2, self.tr("Cảnh báo ({n})").format(n=len(incidents)) if incidents else self.tr("Cảnh báo"))
        self.tabs.setTabText(3, self.tr("Chờ xử lý ({n})").format(n=len(pending)) if pending else self.tr("Chờ xử lý"))
        units = {i.unit_code for i in imports}
        self.summary.setText(self.tr("Đã nhận {n} gói từ {u} đơn vị").format(n=len(imports), u=len(units)))

    # --- import -----------------------------------------------------------------------------
    def import_files(self) -> None:
        paths = self.page.prompts.open_paths(self.tr("Chọn gói dữ liệu cần nhận"))
        if len(paths) == 1:
            self.import_one(paths[0])
        elif paths:
            self.import_paths(paths)

    def import_folder(self) -> None:
        folder = self.page.prompts.folder(self.tr("Chọn thư mục chứa các gói dữ liệu"))
        if folder is not None:
            self.import_paths([folder])

    def import_one(self, path: Path) -> None:
        """Verify and stage, show the preview, then apply on confirmation."""
        workspace = self.workspace
        self.page.context.tasks.run(
            lambda progress, cancel: prepare_import(workspace, path, progress=progress, cancel=cancel),
            title=self.tr("Đang kiểm tra gói {name}…").format(name=path.name), parent=self.page,
            on_done=self._prepared, on_error=lambda error, _details: self._refused(error, path),
        )

    def _prepared(self, prepared: PreparedImport) -> None:
        if prepared.preview.status is ImportStatus.ALREADY:
            prepared.discard()
            self.page.prompts.inform(self.tr("{title} — đã nhận trước đây, không có gì thay đổi.").format(
                title=prepared.preview.summary.title))
            return
        if not self.page.prompts.preview(prepared):
            prepared.discard()
            return
        workspace = self.workspace
        self.page.context.tasks.run(
            lambda progress, cancel: apply_import(workspace, prepared, progress=progress, cancel=cancel),
            title=self.tr("Đang nhận gói dữ liệu…"), parent=self.page, on_done=self._imported,
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def _imported(self, report: ImportReport) -> None:
        self.page.context.announce(report.change_report)
        self.page.refresh()
        self.page.prompts.inform(report.message)

    def _refused(self, error: BaseException, path: Path) -> None:
        self.page.refresh()  # an equivocation was flagged in the warnings list
        self.page.prompts.error(error)
        if isinstance(error, UntrustedKeyError) and self.page.prompts.confirm(
            self.tr("Đăng ký khóa"),
            self.tr("Đã có phiếu đăng ký khóa {key} của đơn vị {unit}? Đăng ký khóa rồi nhận lại gói này.").format(
                key=error.key_id, unit=error.unit_code),
        ) and self.enrol(error.unit_code, error.public_key):
            self.import_one(path)

    def import_paths(self, paths: list[Path]) -> None:
        workspace = self.workspace
        self.page.context.tasks.run(
            lambda progress, cancel: import_many(workspace, paths, progress=progress, cancel=cancel),
            title=self.tr("Đang nhận các gói dữ liệu…"), parent=self.page, on_done=self._imported_many,
            on_error=lambda error, _details: self.page.prompts.error(error),
        )

    def _imported_many(self, outcomes: list[ImportOutcome]) -> None:
        for outcome in outcomes:
            if outcome.report is not None:
                self.page.context.announce(outcome.report.change_report)
        self.page.refresh()
        if not outcomes:
            self.page.prompts.inform(self.tr("Không tìm thấy tệp .thidua nào."))
            return
        self.page.prompts.summary(outcomes)

    def verify_file(self) -> None:
        paths = self.page.prompts.open_paths(self.tr("Chọn gói dữ liệu cần kiểm tra"))
        if paths:
            self.verify_path(paths[0])

    def verify_path(self, path: Path) -> None:
        workspace = self.workspace
        self.page.context.tasks.run(
            lambda progress, cancel: verify_bundle(workspace, path, progress=progress, cancel=cancel),
            title=self.tr("Đang kiểm tra gói {name}…").format(name=path.name), parent=self.page,
            on_done=lambda report: self.page.prompts.inform(report.message),
            on_error=lambda error, _details: self._refused(error, path),
        )

    # --- trust registry ---------------------------------------------------------------------
    def _unit_name(self, code: str) -> str:
        from thidua_desktop.core.units import get_unit

        with self.workspace.sessions() as session:
            return get_unit(session, code).name

    def enrol(self, unit_code: str = "", public_key: str = "") -> bool:
        report = self.page.prompts.enrol(self.workspace, unit_code, public_key)
        if report is None:
            return False
        self.page.refresh()
        retired = ", ".join(report.retired_key_ids)
        self.page.prompts.inform(
            self.tr("Đã đăng ký khóa {key} cho {unit}.").format(key=report.key_id, unit=self._unit_name(report.unit_code))
            + (self.tr(" Khóa cũ {old} không còn được nhận cho gói mới.").format(old=retired) if retired else ""))
        return True

    def revoke(self) -> None:
        chosen = _selected(self.keys_view)
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn một khóa trong danh sách trước."))
            return
        key: TrustedKeyInfo = chosen[0]
        campaign = self.workspace.campaign()
        with self.workspace.sessions() as session:
            from sqlalchemy import select

            from thidua_desktop.core.models import Unit

            unit_id = session.scalar(select(Unit.id).where(Unit.code == key.unit_code))
            default = last_imported_seq(session, unit_id, campaign.id) + 1
        answer = self.page.prompts.revoke(key, default)
        if answer is None:
            return
        try:
            report = revoke_key(self.workspace, key.key_id, *answer)
        except Exception as error:  # noqa: BLE001
            self.page.prompts.error(error)
            return
        self.page.refresh()
        text = self.tr("Đã thu hồi khóa {key} từ gói số {seq}.").format(key=report.key_id, seq=report.from_seq)
        if report.already_imported:
            text += self.tr(" Đã nhận các gói số {seqs} ký bằng khóa này; nên xem lại số liệu của các gói đó.").format(
                seqs=", ".join(str(s) for s in report.already_imported))
        self.page.prompts.inform(text)

    def resolve(self, *, apply: bool) -> None:
        chosen = [p.id for p in _selected(self.pending_view)]
        if not chosen:
            self.page.prompts.inform(self.tr("Hãy chọn thay đổi trong danh sách trước."))
            return
        try:
            report = resolve_pending(self.workspace, chosen, apply=apply)
        except Exception as error:  # noqa: BLE001 - shown; nothing was applied (one transaction)
            self.page.prompts.error(error)
            return
        self.page.context.announce(report)
        self.page.refresh()
        still_held = {p.id for p in list_pending(self.workspace)} & set(chosen)
        if apply and still_held:
            self.page.prompts.inform(
                self.tr("{n} thay đổi vẫn thuộc kỳ đã duyệt nên còn chờ; hãy mở khóa kỳ đó (trang Tổng hợp › Thẩm định) "
                        "rồi áp dụng lại.").format(n=len(still_held))
            )


def _local_text(iso_utc: str) -> str:
    """An incident's UTC time stamp as the local dd/mm/yyyy hh:mm the rest of the app shows."""
    from datetime import UTC, datetime

    from thidua_desktop.core.text import format_datetime

    try:
        moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone().replace(tzinfo=None))


def open_bundle_file(window, path: Path) -> None:  # noqa: ANN001 - MainWindow (imported lazily by gui.app)
    """A double-clicked `.thidua` file: the department previews and imports it; a unit's copy only checks it."""
    page: BundlesPage = window.show_page("bundles")
    if page.department_section is not None:
        page.department_section.import_one(path)
    else:
        page.prompts.inform(page.tr(
            "Máy này là máy của đơn vị: gói “{name}” dùng để gửi về Sở Tư pháp (qua USB, thư điện tử…), "
            "không nhận vào máy đơn vị."
        ).format(name=path.name))


class BundlesPage(QWidget):
    """Gửi/Nhận gói dữ liệu: the unit's export, or the department's import, by the machine's role."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.prompts = Prompts(self)
        self.open_files = True  # open a printed sheet in the PDF viewer (tests turn it off)
        self.last_sheet: Path | None = None
        layout = QVBoxLayout(self)
        self.role = self.workspace.role
        self.unit_section: UnitSection | None = None
        self.department_section: DepartmentSection | None = None
        if self.role is Role.UNIT:
            self.unit_section = UnitSection(self)
            layout.addWidget(self.unit_section)
        elif self.role is Role.DEPARTMENT:
            self.department_section = DepartmentSection(self)
            layout.addWidget(self.department_section)
        else:
            layout.addWidget(_note(self.tr("Máy này chưa được thiết lập là máy của đơn vị hay của Sở.")))
        self.refresh()
        context.changed.connect(self._on_changed)

    def refresh(self) -> None:
        for section in (self.unit_section, self.department_section):
            if section is not None:
                section.refresh()

    def _on_changed(self, _report: object) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.refresh()
        super().showEvent(event)
