"""Cài đặt: this computer's role and unit, the unit list, evidence options, backups and restore."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.backup import BackupInfo, BackupReason, RestoreReport
from thidua_desktop.core.evidence import FILE_STATE_LABELS, FileState
from thidua_desktop.core.text import format_date, format_datetime, format_number
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.core.workspace import ROLE_LABELS
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.messages import confirm, show_error
from thidua_desktop.gui.models.records import RecordTableModel
from thidua_desktop.gui.unit_dialog import UnitDialog


class DataRestored:
    """Broadcast after a restore: every page reloads from the database."""


class SettingsPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._machine_tab(), self.tr("Máy này"))
        self.tabs.addTab(self._units_tab(), self.tr("Đơn vị"))
        self.tabs.addTab(self._evidence_tab(), self.tr("Minh chứng"))
        self.tabs.addTab(self._backups_tab(), self.tr("Sao lưu và khôi phục"))
        self.refresh()

    # --- tabs -----------------------------------------------------------------------------
    def _machine_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.role_label = QLabel()
        self.unit_label = QLabel()
        self.folder_label = QLabel(str(self.workspace.layout.root))
        self.database_label = QLabel(self.workspace.database_label)
        for label in (self.folder_label, self.database_label):
            label.setWordWrap(True)
        change = QPushButton(self.tr("Đổi vai trò / đơn vị…"))
        change.clicked.connect(self.change_role)
        open_folder = QPushButton(self.tr("Mở thư mục dữ liệu"))
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.workspace.layout.root))))
        form.addRow(self.tr("Vai trò:"), self.role_label)
        form.addRow(self.tr("Đơn vị:"), self.unit_label)
        form.addRow("", _left(change))
        self.official_name = QLineEdit()
        self.official_name.setPlaceholderText(self.tr("ví dụ: Nguyễn Văn An"))
        self.official_name.setToolTip(self.tr("Ghi vào kết quả thẩm định và duyệt số liệu tại Sở."))
        save_name = QPushButton(self.tr("Lưu họ tên"))
        save_name.clicked.connect(self.save_official_name)
        name_row = QHBoxLayout()
        name_row.addWidget(self.official_name, 1)
        name_row.addWidget(save_name)
        form.addRow(self.tr("Họ tên cán bộ:"), name_row)
        form.addRow(self.tr("Thư mục dữ liệu:"), self.folder_label)
        form.addRow(self.tr("Cơ sở dữ liệu:"), self.database_label)
        form.addRow("", _left(open_folder))
        return tab

    def _units_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        note = QLabel(
            self.tr(
                "Danh sách đơn vị có ngày hiệu lực: khi sắp xếp lại tổ chức (ví dụ cấp huyện kết thúc ngày 30/6/2025), "
                "hãy ghi ngày hết hiệu lực và đơn vị tiếp nhận thay vì xóa, để số liệu cũ giữ đúng tên gọi lịch sử."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.units_model: RecordTableModel[UnitInfo] = RecordTableModel(
            [
                ("Mã", lambda u: u.code),
                ("Tên đơn vị", lambda u: u.name),
                ("Loại", lambda u: u.kind_label),
                ("Hiệu lực từ", lambda u: format_date(u.valid_from)),
                ("Hiệu lực đến", lambda u: format_date(u.valid_to)),
                ("Sáp nhập vào", lambda u: u.merged_into_code or ""),
            ],
            self,
        )
        self.units_table = self._table(self.units_model)
        self.units_table.doubleClicked.connect(lambda _i: self.edit_unit())
        layout.addWidget(self.units_table, 1)
        row = QHBoxLayout()
        add = QPushButton(self.tr("Thêm đơn vị…"))
        edit = QPushButton(self.tr("Sửa…"))
        add.clicked.connect(lambda: self.edit_unit(new=True))
        edit.clicked.connect(lambda: self.edit_unit())
        row.addWidget(add)
        row.addWidget(edit)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def _evidence_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.max_mb = QSpinBox()
        self.max_mb.setRange(1, 2000)
        self.max_mb.setSuffix(" MB")
        self.downscale = QCheckBox(self.tr("Thu nhỏ ảnh chụp để gói dữ liệu nhẹ, dễ gửi qua email, Zalo"))
        self.max_px = QSpinBox()
        self.max_px.setRange(800, 8000)
        self.max_px.setSingleStep(100)
        self.max_px.setSuffix(" px")
        for spin in (self.max_mb, self.max_px):
            spin.setMaximumWidth(140)
        save = QPushButton(self.tr("Lưu cài đặt minh chứng"))
        save.clicked.connect(self.save_evidence_settings)
        check = QPushButton(self.tr("Kiểm tra kho minh chứng…"))
        check.clicked.connect(self.check_store)
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        form.addRow(self.tr("Dung lượng tối đa mỗi tệp:"), self.max_mb)
        form.addRow("", self.downscale)
        form.addRow(self.tr("Cạnh dài tối đa của ảnh:"), self.max_px)
        form.addRow("", _left(save))
        form.addRow(self.tr("Kiểm tra:"), _left(check))
        form.addRow("", self.check_result)
        return tab

    def _backups_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        box = QGroupBox(self.tr("Sao lưu tự động"))
        form = QFormLayout(box)
        self.keep = QSpinBox()
        self.keep.setRange(1, 100)
        self.keep.setMaximumWidth(120)
        self.keep.valueChanged.connect(lambda value: self.workspace.set_settings(backup_keep=value))
        form.addRow(self.tr("Giữ lại số bản gần nhất:"), self.keep)
        form.addRow(QLabel(self.tr("Chương trình tự sao lưu mỗi ngày và mỗi khi thoát.")))
        layout.addWidget(box)
        self.backups_model: RecordTableModel[BackupInfo] = RecordTableModel(
            [
                ("Thời điểm", lambda b: format_datetime(b.taken_at)),
                ("Lý do", lambda b: b.reason_label),
                ("Lược đồ", lambda b: str(b.schema_version) if b.schema_version is not None else "?"),
                ("Số hoạt động", lambda b: format_number(b.activity_count)),
                ("Số tệp minh chứng", lambda b: format_number(b.evidence_count)),
                ("Gói đã gửi", lambda b: f"đến số {b.last_bundle_seq}" if b.last_bundle_seq else "chưa gửi"),
                ("Tệp", lambda b: b.path.name),
            ],
            self,
        )
        self.backups_table = self._table(self.backups_model)
        layout.addWidget(self.backups_table, 1)
        row = QHBoxLayout()
        now = QPushButton(self.tr("Sao lưu ngay"))
        restore = QPushButton(self.tr("Khôi phục bản đã chọn…"))
        now.clicked.connect(self.backup_now)
        restore.clicked.connect(self.restore_selected)
        row.addWidget(now)
        row.addWidget(restore)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    @staticmethod
    def _table(model: RecordTableModel) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- behaviour ------------------------------------------------------------------------
    def refresh(self) -> None:
        role = self.workspace.role
        unit = self.workspace.own_unit()
        self.role_label.setText(ROLE_LABELS[role] if role else self.tr("Chưa thiết lập"))
        self.unit_label.setText(unit.name if unit else "—")
        self.official_name.setText(self.workspace.official_name)
        self.units_model.set_records(self.workspace.units().list())
        self.max_mb.setValue(int(self.workspace.setting("evidence_max_mb")))
        self.downscale.setChecked(bool(self.workspace.setting("downscale_photos")))
        self.max_px.setValue(int(self.workspace.setting("photo_max_px")))
        self.keep.blockSignals(True)
        self.keep.setValue(int(self.workspace.setting("backup_keep")))
        self.keep.blockSignals(False)
        self.refresh_backups()

    def refresh_backups(self) -> None:
        self.backups_model.set_records(self.workspace.backups())

    def change_role(self) -> None:
        from thidua_desktop.gui.setup_dialog import SetupDialog

        dialog = SetupDialog(self.workspace, self)
        if dialog.exec():
            self.refresh()
            self.context.announce(DataRestored())

    def edit_unit(self, *, new: bool = False) -> None:
        unit = None
        if not new:
            rows = self.units_table.selectionModel().selectedRows()
            if not rows:
                return
            unit = self.units_model.record(rows[0].row())
        dialog = UnitDialog(self.workspace.units(), unit, self)
        if dialog.exec():
            self.refresh()
            self.context.announce(dialog.change)

    def save_official_name(self) -> None:
        """The official's name signs reviews and approvals (never the computer's login name)."""
        self.workspace.set_settings(official_name=self.official_name.text().strip())
        self.official_name.setText(self.workspace.official_name)

    def save_evidence_settings(self) -> None:
        self.workspace.set_settings(
            evidence_max_mb=self.max_mb.value(), downscale_photos=self.downscale.isChecked(), photo_max_px=self.max_px.value()
        )
        self.check_result.setText(self.tr("Đã lưu cài đặt."))

    def check_store(self) -> None:
        service = self.workspace.evidence()

        def done(states: dict[str, FileState]) -> None:
            bad = {sha: state for sha, state in states.items() if state is not FileState.OK}
            if not bad:
                self.check_result.setText(self.tr("Tất cả {n} tệp minh chứng đều nguyên vẹn.").format(n=format_number(len(states))))
                self.check_result.setStyleSheet("color: #1d6b2c;")
                return
            lines = [f"{sha[:12]}…: {FILE_STATE_LABELS[state]}" for sha, state in list(bad.items())[:20]]
            self.check_result.setText(
                self.tr("{bad}/{total} tệp có vấn đề (mở hoạt động để xem và đính kèm lại):\n").format(
                    bad=len(bad), total=len(states)
                )
                + "\n".join(lines)
            )
            self.check_result.setStyleSheet("color: #b3261e;")

        self.context.tasks.run(
            lambda progress, cancel: service.verify_all(progress=progress, cancel=cancel),
            title=self.tr("Đang kiểm tra kho minh chứng…"),
            parent=self,
            on_done=done,
        )

    def backup_now(self) -> None:
        path = self.workspace.backup_now(BackupReason.MANUAL)
        self.refresh_backups()
        if path is None:
            QMessageBox.information(self, self.tr("Sao lưu"), self.tr("Cơ sở dữ liệu dùng chung được sao lưu trên máy chủ."))

    def restore_selected(self) -> None:
        """Say what the restore undoes, ask, restore in a worker, then say what was restored."""
        rows = self.backups_table.selectionModel().selectedRows()
        if not rows:
            return
        info = self.backups_model.record(rows[0].row())
        try:
            plan = self.workspace.restore_plan(info.path)  # reads both files; changes nothing
        except Exception as error:  # noqa: BLE001
            show_error(self, error)
            return
        if not confirm(
            self,
            self.tr("Khôi phục dữ liệu"),
            self.tr("Khôi phục bản sao lưu lúc {when} (lược đồ {version}: {acts} hoạt động, {files} tệp minh chứng)?").format(
                when=format_datetime(info.taken_at), version=info.schema_version,
                acts=format_number(info.activity_count), files=format_number(info.evidence_count),
            ),
            informative=plan.consequences() + "\n\n" + self.tr(
                "Dữ liệu hiện tại sẽ được sao lưu trước, nên có thể quay lại nếu cần."
            ),
            yes=self.tr("Khôi phục"),
            no=self.tr("Hủy"),
        ):
            return
        self.context.tasks.run(
            lambda _progress, cancel: self.workspace.restore_backup(info.path, cancel=cancel),
            title=self.tr("Đang khôi phục dữ liệu…"),
            parent=self,
            on_done=self._restored,
        )

    def _restored(self, report: RestoreReport) -> None:
        self.refresh()
        self.context.announce(DataRestored())
        QMessageBox.information(self, self.tr("Đã khôi phục"), report.message)


def _left(button: QWidget) -> QWidget:
    """A button at its natural width in a form row (a form stretches its fields across the page)."""
    host = QWidget()
    row = QHBoxLayout(host)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(button)
    row.addStretch(1)
    return host

