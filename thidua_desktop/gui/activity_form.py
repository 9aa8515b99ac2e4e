"""The activity form: criterion tree, date, place, figures with inline validation, and evidence.

Keyboard first: Ctrl+S saves, Ctrl+Shift+S saves and starts a new one, Esc asks before discarding edits.
Files dropped on the form go to its evidence panel (gui/evidence_panel.py), which copies them into the
store at once; they are linked to the activity in the same transaction as the rest of the form.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
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
    DraftWarning,
    DraftWarningCode,
    validate_draft,
)
from thidua_desktop.core.errors import UserError, ValidationError
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.query import results_from_raw
from thidua_desktop.core.text import format_percent
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.core.workspace import Role
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.date_field import DateField
from thidua_desktop.gui.evidence_panel import EvidencePanel
from thidua_desktop.gui.geometry import fit_to_screen
from thidua_desktop.gui.messages import confirm, show_error
from thidua_desktop.gui.widgets import CriterionPicker, NumberEdit

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5a00;"


# Warnings shown on the form under the date, so the save question does not repeat them.
DATE_LINE_WARNINGS = (DraftWarningCode.DATE_OUTSIDE_CAMPAIGN, DraftWarningCode.UNIT_NOT_VALID)


class MessageLine(QLabel):
    """A message under a field that keeps its line when empty, so the fields below never jump."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        self.setText("Ă")  # one line of text, as tall as any message of one line
        self.setMinimumHeight(self.sizeHint().height())
        self.setText("")

    def show_message(self, text: str, style: str = ERROR_STYLE) -> None:
        self.setStyleSheet(style)
        self.setText(text)
        self.show()  # a line just added to a visible form is otherwise shown only on the next event loop turn

    def clear_message(self) -> None:
        self.setText("")

    def has_message(self) -> bool:
        return bool(self.text())


class ActivityForm(QDialog):
    saved = Signal(object)  # ChangeReport

    def __init__(self, context: AppContext, *, uuid: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.workspace = context.workspace
        self.campaign = self.workspace.campaign()
        self.uuid = uuid
        self.revision: int | None = None
        self.unit_code: str | None = None  # the unit of an activity being edited
        self.value_edits: dict[int, NumberEdit] = {}
        self.value_errors: dict[int, MessageLine] = {}
        self._units: dict[str, UnitInfo] = {}
        self._shown: dict[str, MessageLine] = {}  # problem key → the red line showing it
        self.setAcceptDrops(True)
        fit_to_screen(self, (1100, 720))  # Lưu/Đóng stay on a 1366×768 screen at 125–150 %
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
        self.evidence = EvidencePanel(self.context)
        self.evidence_list = self.evidence.evidence_list
        splitter.addWidget(self.evidence)
        splitter.setSizes([680, 400])
        outer.addLayout(self._build_buttons())
        self.evidence.busy.connect(lambda busy: self._saving_allowed(not busy))
        # Closing, saved or not: copies this form made that nothing references leave the store.
        self.finished.connect(lambda _result: self.evidence.release())
        for signal in (self.title_edit.textChanged, self.criterion.currentIndexChanged, self.date.dateChanged):
            signal.connect(lambda *_args: self._recheck_shown())
        self.recording_unit.currentIndexChanged.connect(lambda _i: self._check_date())
        self._chain_tab_order()

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
        self.criterion_error = MessageLine()
        form.addRow(self.tr("&Tiêu chí:"), self._stack(self.criterion, self.criterion_error))

        self.date = DateField()
        self.date.setAccessibleName(self.tr("Ngày thực hiện"))
        self.date.edited.connect(self._check_date)
        self.date.editingFinished.connect(self._check_date)
        self.date_warning = MessageLine()  # the date's error (red) or warnings (orange)
        form.addRow(self.tr("&Ngày thực hiện:"), self._stack(self.date, self.date_warning))

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("Ví dụ: Trợ giúp pháp lý lưu động tại xã Ô Lâm"))
        self.title_error = MessageLine()
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
        self.general_error = MessageLine()
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
        self.value_errors = {}
        self._shown = {key: line for key, line in self._shown.items() if not key.startswith("value:")}
        self.ratio_note: QLabel | None = None
        criterion_id = self.criterion.criterion_id()
        if criterion_id is None:
            self._chain_tab_order()
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
            error = MessageLine()
            self.values_grid.addWidget(label, row * 2, 0)
            self.values_grid.addWidget(edit, row * 2, 1)
            self.values_grid.addWidget(unit, row * 2, 2)
            self.values_grid.addWidget(error, row * 2 + 1, 0, 1, 3)
            self.value_edits[indicator.id] = edit
            self.value_errors[indicator.id] = error
            edit.editingFinished.connect(self._validate_inline)
            edit.value_changed.connect(self._figures_typed)
        self.values_grid.setColumnStretch(0, 1)
        if any(not i.is_entered for i in self.campaign.indicators_of(criterion_id)):
            self.ratio_note = QLabel()
            self.ratio_note.setWordWrap(True)
            self.ratio_note.setStyleSheet("color: #555;")
            self.values_grid.addWidget(self.ratio_note, len(indicators) * 2, 0, 1, 3)
            self._show_ratios()
        self._chain_tab_order()

    def _figures_typed(self) -> None:
        self._show_ratios()
        self._recheck_shown()

    def _show_ratios(self) -> None:
        """"Tự tính" ratios with their value from the figures typed so far, computed by the totals' own rule."""
        criterion_id = self.criterion.criterion_id()
        if self.ratio_note is None or criterion_id is None:
            return
        raw: dict[tuple[None, int], int] = {}
        for indicator_id, edit in self.value_edits.items():
            try:
                value = edit.value()
            except ValueError:
                continue
            if value is not None:
                raw[(None, indicator_id)] = value
        results = results_from_raw(self.campaign, raw, [None])[None]
        parts = []
        for indicator in self.campaign.indicators_of(criterion_id):
            if indicator.is_entered:
                continue
            result = results[indicator.id]
            text = f"{indicator.name}: {format_percent(result.value)}"
            if indicator.target:
                met = result.target_met
                verdict = "" if met is None else (self.tr(" — đạt") if met else self.tr(" — chưa đạt"))
                text += self.tr(" (mục tiêu {target}%{verdict})").format(target=indicator.target.label(), verdict=verdict)
            parts.append(text)
        self.ratio_note.setText(self.tr("Tự tính: ") + "; ".join(parts))

    def _chain_tab_order(self) -> None:
        """Tab goes down the form (figures included) before the evidence buttons, then to Lưu/Đóng."""
        chain: list[QWidget] = []
        if self.workspace.role is Role.DEPARTMENT:
            chain.append(self.recording_unit)
        chain += [self.criterion, self.date.line_edit, self.title_edit, self.commune, self.poor, self.remote,
                  self.ethnic, self.officer, self.description, *self.value_edits.values(),
                  *self.evidence.tab_chain(), self.save_new_button, self.save_button, self.cancel_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- load / reset ---------------------------------------------------------------------
    def _load(self, uuid: str) -> None:
        detail = self.workspace.activities().get(uuid)
        self.revision = detail.revision
        self.unit_code = detail.unit_code
        draft = detail.draft
        self.setWindowTitle(self.tr("Sửa hoạt động — {unit}").format(unit=detail.unit_name))
        index = self.recording_unit.findData(detail.unit_code)
        if index >= 0:
            self.recording_unit.setCurrentIndex(index)
        self.recording_unit.setEnabled(False)  # an activity stays with the unit that recorded it
        self.criterion.set_criterion(draft.criterion_id)
        self.date.setDate(draft.activity_date)
        self.title_edit.setText(draft.title)
        self.commune.setText(draft.commune)
        self.poor.setChecked(draft.is_poor_commune)
        self.remote.setChecked(draft.is_remote_area)
        self.ethnic.setChecked(draft.is_ethnic_area)
        self.officer.setText(draft.responsible_officer)
        self.description.setPlainText(draft.description)
        self._show_indicators(draft.values)
        self.evidence.set_attachments(draft.attachments or [])
        self.evidence.check_files(draft.attachments or [])
        self.status_label.setText(self.tr("Phiên bản {rev}").format(rev=detail.revision))
        if detail.from_bundle:
            self._make_read_only(detail.unit_name)

    def _make_read_only(self, unit_name: str) -> None:
        """A unit's record received in its bundle is viewed here, not edited: the unit sends corrections."""
        self.unit_code = None  # a unit's record: no warnings about our units
        for widget in (self.criterion, self.date, self.title_edit, self.commune, self.poor, self.remote, self.ethnic,
                       self.officer, self.values_box, self.save_button, self.save_new_button):
            widget.setEnabled(False)
        self.evidence.set_read_only()
        self.description.setReadOnly(True)
        self.setAcceptDrops(False)
        self.status_label.setText(
            self.tr("Chỉ xem: hoạt động do {unit} gửi lên qua gói dữ liệu; đơn vị sửa rồi gửi lại.").format(unit=unit_name)
        )

    def _reset(self, keep: ActivityDraft | None) -> None:
        self.uuid = None
        self.revision = None
        self.unit_code = None
        self.recording_unit.setEnabled(True)
        self.setWindowTitle(self.tr("Thêm hoạt động"))
        recordable = self.campaign.recordable_criteria()
        self.criterion.set_criterion(keep.criterion_id if keep else recordable[0].id)
        self.date.setDate(keep.activity_date if keep and keep.activity_date else self._default_date())
        for widget in (self.title_edit, self.commune, self.officer):
            widget.clear()
        if keep:
            self.officer.setText(keep.responsible_officer)
        self.description.clear()
        for box in (self.poor, self.remote, self.ethnic):
            box.setChecked(False)
        self._show_indicators({})
        self.evidence.set_attachments([])
        self.status_label.setText("")
        self._clear_errors()
        self._check_date()
        self.title_edit.setFocus()

    def _default_date(self) -> date:
        """Today, kept inside the campaign and inside the recording unit's life (a dissolved unit's last day)."""
        day = min(date.today(), self.campaign.ends_on)
        unit = self._unit_info()
        if unit is not None and unit.valid_to is not None:
            day = min(day, unit.valid_to)
        if unit is not None and unit.valid_from is not None:
            day = max(day, unit.valid_from)
        return day

    # --- evidence -------------------------------------------------------------------------
    def attachments(self) -> list[AttachmentDraft]:
        return self.evidence.attachments()

    def add_files(self, paths: list[Path]) -> None:
        """Copy files into the evidence store now; they are linked when the form is saved."""
        self.evidence.add_files(paths)

    def _saving_allowed(self, allowed: bool) -> None:
        # While files are copied in a worker, saving would link only part of them.
        for button in (self.save_button, self.save_new_button):
            button.setEnabled(allowed)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)

    # --- validation and saving ------------------------------------------------------------
    def _problem_lines(self) -> dict[str, MessageLine]:
        lines = {"criterion": self.criterion_error, "title": self.title_error, "activity_date": self.date_warning}
        lines.update({f"value:{indicator_id}": line for indicator_id, line in self.value_errors.items()})
        return lines

    def _clear_errors(self) -> None:
        for line in (self.criterion_error, self.title_error, self.general_error, *self.value_errors.values()):
            line.clear_message()
        self._shown = {}
        if self.status_label.text() == self.tr("Chưa lưu: hãy sửa các mục báo đỏ."):
            self.status_label.setText("")

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
        if self.date.error():
            problems["activity_date"] = self.date.error()
        draft = ActivityDraft(
            criterion_id=self.criterion.criterion_id() or -1,
            activity_date=self.date.date(),
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

    def _problems(self) -> tuple[dict[str, str], list[DraftWarning]]:
        draft, parse_problems = self._draft()
        problems, warnings = validate_draft(self.campaign, draft, self._unit_info())
        return {**problems, **parse_problems}, warnings

    def _show_problems(self, problems: dict[str, str]) -> None:
        self._clear_errors()
        lines = self._problem_lines()
        leftovers = []
        for key, message in problems.items():
            line = lines.get(key)
            if line is None:
                leftovers.append(message)
                continue
            line.show_message(message)
            self._shown[key] = line
        if leftovers:
            self.general_error.show_message("\n".join(leftovers))
        self._check_date()

    def _recheck_shown(self) -> None:
        """As soon as a field shown in red is fixed, its message goes (no new ones appear while typing)."""
        if not self._shown and not self.general_error.has_message():
            return
        problems, _warnings = self._problems()
        for key, line in list(self._shown.items()):
            if key in problems:
                line.show_message(problems[key])
            else:
                line.clear_message()
                del self._shown[key]
        if self.general_error.has_message() and not any(k not in self._problem_lines() for k in problems):
            self.general_error.clear_message()
        self._check_date()
        if not self._shown and not self.general_error.has_message() \
                and self.status_label.text() == self.tr("Chưa lưu: hãy sửa các mục báo đỏ."):
            self.status_label.setText("")

    def _validate_inline(self) -> dict[str, str]:
        problems, _warnings = self._problems()
        self._show_problems(problems)
        return problems

    def _check_date(self) -> None:
        """Under the date: why it is not a date (red), or that it lies outside the campaign or the unit's life."""
        if self.date.visible_error() or (self.date.error() and "activity_date" in self._shown):
            self.date_warning.show_message(self.date.error())
            return
        if "activity_date" in self._shown:
            del self._shown["activity_date"]
        day = self.date.date()
        if day is None:
            self.date_warning.clear_message()
            return
        draft = ActivityDraft(criterion_id=-1, activity_date=day, title="")
        _problems, warnings = validate_draft(self.campaign, draft, self._unit_info())
        notes = [w.message for w in warnings if w.code in DATE_LINE_WARNINGS]
        if notes:
            self.date_warning.show_message(self.tr("Lưu ý: ") + " ".join(notes), WARNING_STYLE)
        else:
            self.date_warning.clear_message()

    def _unit_info(self) -> UnitInfo | None:
        """The unit the activity belongs to: the one being edited, or the one chosen to record it."""
        code = self.unit_code if self.uuid is not None else (
            self.recording_unit.currentData() or self.workspace.setting("unit_code"))
        if not code:
            return None
        if code not in self._units:
            try:
                self._units[code] = self.workspace.units().get(code)
            except UserError:  # an unknown code is refused when saving; no warning to give here
                return None
        return self._units[code]

    def _fingerprint(self) -> tuple:
        draft, problems = self._draft()
        return (repr(draft), self.date.text(), tuple(sorted(problems)),
                tuple(e.text() for e in self.value_edits.values()))

    def is_dirty(self) -> bool:
        return self._fingerprint() != self._initial

    def save(self, *, and_new: bool) -> bool:
        if not self.save_button.isEnabled():
            return False  # read-only, or files still being copied in
        draft, _problems = self._draft()
        problems, warnings = self._problems()
        if problems:
            self._show_problems(problems)
            self.status_label.setText(self.tr("Chưa lưu: hãy sửa các mục báo đỏ."))
            return False
        # The campaign warning is already on the form, under the date; a dissolved unit is asked about again.
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
