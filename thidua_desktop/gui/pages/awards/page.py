"""The Khen thưởng page: a round's nominations, their editor, votes and status, and the dossier tab.

A thin layer over `workspace.awards()`: every save goes through `AwardService` (validated, audited,
returning a `NominationChange` the page refreshes from), every document comes from `AwardDocuments`,
and every long job runs through `context.tasks` and honours Cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.awards.documents import CERTIFICATE, RenderedChoice
from thidua_desktop.core.awards.models import NominationStatus, NomineeKind
from thidua_desktop.core.awards.prefill import Prefill
from thidua_desktop.core.awards.ranking import RankingChoice
from thidua_desktop.core.awards.service import (
    KIND_LABELS,
    AwardService,
    Candidate,
    NominationChange,
    NominationDraft,
    NominationInfo,
    OffsetChange,
    RoundInfo,
)
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.text import format_date
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.core.workspace import Role
from thidua_desktop.gui import messages
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.awards.calibration import CalibrationDialog
from thidua_desktop.gui.pages.awards.dialogs import RankingDialog, RoundDialog
from thidua_desktop.gui.pages.awards.dossier_tab import DossierTab
from thidua_desktop.gui.pages.awards.editor import NominationEditor, scrolling
from thidua_desktop.gui.pages.awards.table import ID_ROLE, NominationTableModel
from thidua_desktop.gui.pages.awards.votes_tab import VotesTab
from thidua_desktop.gui.pages.settings import DataRestored

DOSSIER_TAB = 2


class AwardsPage(QWidget):
    """Khen thưởng: list, editor, votes and status, preview, print and save of the dossier."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.service: AwardService = self.workspace.awards()
        self.units: list[UnitInfo] = self.service.units()
        self.current_id: int | None = None
        self.current: NominationInfo | None = None
        self.dirty = False
        self._loading = False
        self._resetting = False  # the list is being reloaded: selection signals are not the user's
        self._build()
        context.changed.connect(self.on_changed)
        self.reload_rounds()

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        self.round_combo = QComboBox()
        self.round_combo.setMinimumWidth(200)
        self.round_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.round_combo.setMinimumContentsLength(24)
        self.round_button = QPushButton(self.tr("Thông tin đợt…"))
        self.basis_label = QLabel()
        self.basis_label.setWordWrap(True)
        top.addWidget(QLabel(self.tr("Đợt xét:")))
        top.addWidget(self.round_combo, 1)
        top.addWidget(self.round_button)
        column.addLayout(top)
        column.addWidget(self.basis_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_detail())
        splitter.setSizes([600, 700])
        column.addWidget(splitter, 1)
        self._connect()
        # Ranking needs the consolidated data of every unit: a department's copy.
        self.ranking_button.setVisible(self.workspace.role is not Role.UNIT)
        self._set_editor_enabled(False)

    def _build_list(self) -> QWidget:
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        self.add_collective_button = QPushButton(self.tr("+ Tập thể"))
        self.add_individual_button = QPushButton(self.tr("+ Cá nhân"))
        self.ranking_button = QPushButton(self.tr("Tạo đề nghị từ bảng xếp hạng…"))
        self.delete_button = QPushButton(self.tr("Xóa"))
        for group in ((self.add_collective_button, self.add_individual_button, self.delete_button), (self.ranking_button,)):
            row = QHBoxLayout()
            for button in group:
                row.addWidget(button)
            row.addStretch(1)
            left_column.addLayout(row)
        self.model = NominationTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for section, width in ((1, 230), (3, 170)):  # long texts: a sensible width, elided, resizable
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(section, width)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        left_column.addWidget(self.table, 1)
        self.list_label = QLabel()
        left_column.addWidget(self.list_label)
        return left

    def _build_detail(self) -> QWidget:
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.title_label.setWordWrap(True)
        right_column.addWidget(self.title_label)
        self.tabs = QTabWidget()
        self.editor = NominationEditor(self.service, self.units)
        self.votes = VotesTab()
        self.dossier = DossierTab(self.context, self.service.documents, self._ready_for_documents,
                                  lambda: (self.current_id, self.current.name if self.current else ""))
        self.preview = self.dossier.preview
        self.document_combo = self.dossier.document_combo
        self.tabs.addTab(self.editor, self.tr("Nội dung đề nghị"))
        self.tabs.addTab(scrolling(self.votes), self.tr("Bình xét và trình"))
        self.tabs.addTab(scrolling(self.dossier, keep_height=False), self.tr("Xem trước và in"))
        right_column.addWidget(self.tabs, 1)
        save_row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Lưu đề nghị"))
        self.revert_button = QPushButton(self.tr("Bỏ thay đổi"))
        self.dirty_label = QLabel()
        self.dirty_label.setWordWrap(True)
        save_row.addWidget(self.dirty_label, 1)
        save_row.addWidget(self.revert_button)
        save_row.addWidget(self.save_button)
        right_column.addLayout(save_row)
        return right

    def _connect(self) -> None:
        self.round_combo.currentIndexChanged.connect(self.reload_nominations)
        self.round_button.clicked.connect(self.edit_round)
        self.dossier.calibrate_button.clicked.connect(self.calibrate)
        self.add_collective_button.clicked.connect(lambda: self.new_nomination(NomineeKind.COLLECTIVE))
        self.add_individual_button.clicked.connect(lambda: self.new_nomination(NomineeKind.INDIVIDUAL))
        self.ranking_button.clicked.connect(self.from_ranking)
        self.delete_button.clicked.connect(self.delete_current)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(lambda: self.show_nomination(self.current_id, force=True))
        self.editor.prefill_button.clicked.connect(self.prefill)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.votes.record_votes_button.clicked.connect(self.record_votes)
        self.votes.submit_button.clicked.connect(self.submit)
        self.votes.reopen_button.clicked.connect(self.reopen)
        self.votes.override_button.clicked.connect(self.override_threshold)
        for widget in self.editor.text_widgets():
            widget.textChanged.connect(self._mark_dirty)
        for combo in (self.editor.award, self.editor.unit, self.editor.sex):
            combo.currentIndexChanged.connect(self._mark_dirty)
        self.editor.birth_date.enabled.toggled.connect(self._mark_dirty)
        self.editor.birth_date.edit.dateChanged.connect(self._mark_dirty)
        self.editor.prior.itemChanged.connect(self._mark_dirty)
        self.editor.prior.model().rowsInserted.connect(self._mark_dirty)
        self.editor.prior.model().rowsRemoved.connect(self._mark_dirty)

    # --- rounds ---------------------------------------------------------------------------------
    def round_id(self) -> int | None:
        return self.round_combo.currentData()

    def current_round(self) -> RoundInfo | None:
        return self.service.get_round(self.round_id()) if self.round_id() else None

    def reload_rounds(self, select: int | None = None) -> None:
        keep = select or self.round_id()
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for info in self.service.rounds():
            self.round_combo.addItem(info.name, info.id)
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(keep), 0))
        self.round_combo.blockSignals(False)
        self.reload_nominations()

    def _issuer(self) -> UnitInfo:
        """Who issues the dossier: this copy's own unit, or the Sở on the department's copy."""
        own = self.workspace.own_unit()
        if own is not None:
            return own
        return next(u for u in self.units if u.kind is UnitKind.DEPARTMENT)

    def ensure_round(self) -> int:
        if self.round_id() is None:
            created = self.service.ensure_round(self._issuer())
            self.reload_rounds(created.id)
        return self.round_id()

    def edit_round(self) -> RoundInfo | None:
        info = self.current_round() or self.service.new_round_defaults(self._issuer())
        dialog = RoundDialog(info, self.units, self, numbered=self.service.numbered_documents(info),
                             signing_bodies=self.service.signing_bodies())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        try:
            saved, change = self.service.save_round(dialog.value())
        except UserError as error:
            messages.show_error(self, error)
            return None
        self.reload_rounds(saved.id)
        self.context.announce(change)
        return saved

    def _update_basis(self, info: RoundInfo | None) -> None:
        if info is None:
            self.basis_label.setText(self.tr("Chưa có đợt xét: thêm đề nghị hoặc mở “Thông tin đợt…” để bắt đầu."))
            return
        regime = self.service.catalog.regime_for(info.basis_date())
        when = format_date(info.document_date) if info.document_date else self.tr("chưa có ngày, tạm theo hôm nay")
        self.basis_label.setText(self.tr("Ngày văn bản: {when} — căn cứ {regime}").format(when=when, regime=regime.name))

    # --- list and selection --------------------------------------------------------------------
    def reload_nominations(self) -> None:
        round_id = self.round_id()
        rows = self.service.nominations(round_id) if round_id else []
        names = {a.code: a.short_name for a in self.service.catalog.award_types}
        keep = self.current_id
        self._resetting = True
        self.model.set_rows(rows, names, self.service.eligibility(round_id) if round_id else {})
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._resetting = False
        self._update_basis(self.service.get_round(round_id) if round_id else None)
        voted = sum(1 for r in rows if r.status is not NominationStatus.DRAFT)
        self.list_label.setText(self.tr("{n} đề nghị, {v} đã bình xét").format(n=len(rows), v=voted))
        if self.dirty:
            return  # keep the user's unsaved edits on screen
        if row is not None:
            self.show_nomination(keep, force=True)
        elif keep is not None:
            self.show_nomination(None, force=True)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._resetting:
            return
        nomination_id = self.model.data(self.model.index(current.row(), 0), ID_ROLE) if current.isValid() else None
        if nomination_id == self.current_id:
            return
        if not self.confirm_discard():
            row = self.model.row_of(self.current_id) if self.current_id else None
            if row is not None:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
            return
        self.show_nomination(nomination_id)

    def select(self, nomination_id: int) -> None:
        row = self.model.row_of(nomination_id)
        if row is not None:
            self.table.selectRow(row)

    def show_nomination(self, nomination_id: int | None, *, force: bool = False) -> None:
        if not force and nomination_id == self.current_id:
            return
        self.current_id = nomination_id
        self.current = self.service.get(nomination_id) if nomination_id else None
        self._loading = True
        round_info = self.current_round()
        if self.current is not None:
            self.editor.set_draft(self.current.draft, themed=round_info.themed if round_info else True)
        self._loading = False
        self._set_dirty(False)
        self._set_editor_enabled(self.current is not None)
        self._show_status()
        self.preview.clear()
        if self.tabs.currentIndex() == DOSSIER_TAB and self.current is not None:
            self.refresh_preview()

    def _set_editor_enabled(self, enabled: bool) -> None:
        frozen = self.current is not None and self.current.status is NominationStatus.SUBMITTED
        self.editor.setEnabled(enabled and not frozen)
        for tab in (1, 2):
            self.tabs.setTabEnabled(tab, enabled and self.current_id is not None)
        self.delete_button.setEnabled(enabled and self.current_id is not None and not frozen)

    def _show_status(self) -> None:
        n = self.current
        if n is None and self.current_id is None and not self.editor.isEnabled():
            self.title_label.setText(self.tr("Chọn một đề nghị trong danh sách, hoặc thêm mới."))
            return
        if n is None:
            self.title_label.setText(self.tr("Đề nghị mới ({kind})").format(kind=self.tr(KIND_LABELS[self.editor.kind]).lower()))
            self.votes.clear()
            return
        self.title_label.setText(f"{n.name} — {self.service.catalog.award_type(n.draft.award_type_code).short_name}")
        self.votes.show_nomination(n, self.service.eligibility(n.round_id).get(n.id))

    # --- editing --------------------------------------------------------------------------------
    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading and self.editor.isEnabled():
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.dirty_label.setText(self.tr("Có thay đổi chưa lưu.") if dirty else "")
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty and self.current_id is not None)

    def confirm_discard(self) -> bool:
        if not self.dirty:
            return True
        return messages.confirm(self, self.tr("Khen thưởng"), self.tr("Đề nghị đang sửa chưa được lưu. Bỏ các thay đổi?"),
                                yes=self.tr("Bỏ thay đổi"), no=self.tr("Ở lại"))

    def can_close(self) -> bool:
        return self.confirm_discard()

    def new_nomination(self, kind: NomineeKind) -> None:
        if not self.confirm_discard():
            return
        round_id = self.ensure_round()
        round_info = self.service.get_round(round_id)
        awards = self.service.catalog.types_for(kind, themed=round_info.themed)
        own = self.workspace.own_unit()
        unit = own if own is not None and self.workspace.role is Role.UNIT else next(
            (u for u in self.units if u.kind is UnitKind.DISTRICT_OFFICE), self.units[0])
        self._resetting = True
        self.table.setCurrentIndex(QModelIndex())
        self.table.clearSelection()
        self._resetting = False
        self.current_id, self.current = None, None
        self._loading = True
        self.editor.set_draft(NominationDraft(kind, awards[0].code if awards else "", unit.code), themed=round_info.themed)
        self.editor.setCurrentIndex(0)
        self.tabs.setCurrentIndex(0)
        self._loading = False
        self._set_editor_enabled(True)
        self._set_dirty(True)
        self._show_status()
        self.editor.name.setFocus()

    def save(self) -> bool:
        try:
            draft = self.editor.draft()
            round_id = self.ensure_round()
            if self.current_id is None:
                new_id, change = self.service.create(round_id, draft)
            else:
                new_id = self.current_id
                change = self.service.update(self.current_id, draft, expected_revision=self.current.revision)
        except UserError as error:
            messages.show_error(self, error)
            return False
        self.current_id = new_id
        self._set_dirty(False)
        self.context.announce(change)  # reloads the list and this nomination
        self.select(new_id)
        return True

    def prefill(self) -> None:
        draft = self.editor.draft()
        if (self.editor.achievements.toPlainText().strip() or self.editor.activities_summary.toPlainText().strip()) \
                and not messages.confirm(self, self.tr("Điền sẵn thành tích"),
                                         self.tr("Thay nội dung thành tích đang có bằng bản soạn sẵn từ số liệu?"),
                                         yes=self.tr("Thay"), no=self.tr("Giữ nguyên")):
            return
        round_info = self.current_round()
        as_of = round_info.document_date if round_info else None

        def done(prefill: Prefill) -> None:
            self.editor.achievements.setPlainText(prefill.achievements)
            self.editor.activities_summary.setPlainText(prefill.activities_summary)
            if not self.editor.summary.text().strip():
                self.editor.summary.setText(prefill.summary)
            self.editor.set_figures(prefill.figures)
            self.editor.prefill_status.setText(self.tr("Đã điền sẵn từ số liệu; kiểm tra, sửa rồi bấm “Lưu đề nghị”."))
            self._set_dirty(True)

        self.context.tasks.run(lambda progress, cancel: self.service.prefill(draft, as_of=as_of, progress=progress,
                                                                             cancel=cancel),
                               title=self.tr("Đang tổng hợp số liệu của đơn vị…"), parent=self, on_done=done)

    def delete_current(self) -> None:
        if self.current is None or not messages.confirm(
                self, self.tr("Xóa đề nghị"), self.tr("Xóa đề nghị “{name}”?").format(name=self.current.name),
                yes=self.tr("Xóa"), no=self.tr("Không")):
            return
        try:
            change = self.service.delete([self.current.id])
        except UserError as error:
            messages.show_error(self, error)
            return
        self.current_id, self.current = None, None
        self._set_dirty(False)
        self.context.announce(change)

    def _status_action(self, action: Callable[[int], NominationChange]) -> None:
        if self.current is None or (self.dirty and not self.save()):
            return
        try:
            change = action(self.current_id)
        except UserError as error:
            messages.show_error(self, error)
            return
        self.context.announce(change)

    def record_votes(self) -> None:
        self._status_action(lambda i: self.service.record_votes(i, *self.votes.votes()))

    def submit(self) -> None:
        self._status_action(self.service.submit)

    def reopen(self) -> None:
        self._status_action(self.service.reopen)

    def override_threshold(self) -> None:
        """Propose a nominee below a threshold after all (asks the reason, which the audit log keeps), or undo it."""
        if self.votes.overridden:
            self._status_action(self.service.clear_override)
            return
        reason, accepted = QInputDialog.getText(
            self, self.tr("Vẫn đề nghị khen thưởng"),
            self.tr("Đề nghị này chưa đạt tiêu chuẩn. Lý do vẫn đề nghị (ghi vào nhật ký):"))
        if accepted:
            self._status_action(lambda i: self.service.override_threshold(i, reason))

    # --- ranking --------------------------------------------------------------------------------
    def from_ranking(self) -> None:
        self.context.tasks.run(lambda progress, cancel: self.service.ranking_choices(progress=progress, cancel=cancel),
                               title=self.tr("Đang xếp hạng các đơn vị…"), parent=self, on_done=self._choose_candidates)

    def _choose_candidates(self, choices: list[RankingChoice]) -> None:
        round_id = self.ensure_round()
        themed = self.service.get_round(round_id).themed
        dialog = RankingDialog(choices, self.service.catalog.types_for(NomineeKind.COLLECTIVE, themed=themed), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create_candidates(dialog.candidates())

    def create_candidates(self, candidates: Sequence[Candidate]) -> None:
        """Draft pre-filled nominations for the chosen units, in one cancellable job (all or nothing)."""
        round_id = self.ensure_round()
        as_of = self.service.get_round(round_id).document_date

        def done(change: NominationChange) -> None:
            self.context.announce(change)
            lines = [self.tr("Đã tạo {n} đề nghị (dự thảo, đã điền sẵn thành tích).").format(n=len(change.created))]
            lines += change.skipped + change.warnings
            QMessageBox.information(self, self.tr("Tạo đề nghị từ bảng xếp hạng"), "\n".join(lines))
            if change.created:
                self.select(change.created[0])

        self.context.tasks.run(
            lambda progress, cancel: self.service.create_from_candidates(round_id, candidates, as_of=as_of,
                                                                         progress=progress, cancel=cancel),
            title=self.tr("Đang tạo đề nghị…"), parent=self, on_done=done)

    # --- dossier tab ----------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == DOSSIER_TAB and self.current is not None and self.preview.data is None:
            self.refresh_preview()

    def _ready_for_documents(self) -> int | None:
        """Documents are built from saved data: save pending edits first; the nomination to print, if any."""
        if self.current_id is None or (self.dirty and not self.save()):
            return None
        return self.current_id

    def render_choice(self, key: str, nomination_id: int | None = None) -> RenderedChoice:
        return self.dossier.render_choice(key, nomination_id)

    def refresh_preview(self, *, then_print: bool = False) -> None:
        self.dossier.refresh_preview(then_print=then_print)

    def save_dossier(self, folder: str | None = None) -> None:
        self.dossier.save_dossier(folder)

    def calibrate(self) -> None:
        CalibrationDialog(self.context, self).exec()

    # --- broadcast ------------------------------------------------------------------------------
    def on_changed(self, report: object) -> None:
        if isinstance(report, DataRestored):  # a backup was restored, or the role changed: start afresh
            self.service = self.workspace.awards()
            self.editor.service = self.service
            self.dossier.documents = self.service.documents
            self.units = self.service.units()
            self.editor.set_units(self.units)
            self.current_id, self.current = None, None
            self._set_dirty(False)
            self.ranking_button.setVisible(self.workspace.role is not Role.UNIT)
            self.reload_rounds()
        elif isinstance(report, OffsetChange):  # the certificate preview must show the new printer offset
            if self.preview.data is not None and self.document_combo.currentData() == CERTIFICATE:
                self.refresh_preview()
        elif isinstance(report, NominationChange):
            if self.current_id in report.deleted:
                self.current_id, self.current = None, None
            if report.rounds_changed:
                self.reload_rounds()
            else:
                self.reload_nominations()
