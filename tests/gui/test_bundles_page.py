"""The Gửi/Nhận gói dữ liệu page: unit export with key handling, department import with preview and registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import Qt

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.bundles import keys as bundle_keys
from thidua_desktop.core.bundles.errors import UntrustedKeyError, WrongPassphraseError
from thidua_desktop.core.bundles.exporter import export_bundle
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.importer import PreparedImport
from thidua_desktop.core.bundles.keys import create_key
from thidua_desktop.core.bundles.trust import enrol_key
from thidua_desktop.core.query import ActivityFilter, activity_ids, fetch_rows
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.bundles import BundlesPage, EnrolDialog, PreviewDialog
from thidua_desktop.gui.tasks import TaskRunner

PASSPHRASE = "cụm mật khẩu đơn vị"


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "memlimit", 2**24)


class FakePrompts:
    """Answers the page's questions and records what it said."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.passphrases: list[tuple[str, ...]] = []
        self.asked: list[tuple[str, str, bool]] = []
        self.paths: list[Path] = []
        self.messages: list[str] = []
        self.errors: list[BaseException] = []
        self.previews: list[PreparedImport] = []
        self.accept_preview = True
        self.summaries: list[Any] = []
        self.enrol_answer = None
        self.revoke_answer: tuple[int, str] | None = None

    def passphrase(self, mode: str, *, problem: str = "", destructive: bool = False) -> tuple[str, ...] | None:
        self.asked.append((mode, problem, destructive))
        return self.passphrases.pop(0) if self.passphrases else None

    def save_path(self, _title: str, default: Path, _filter: str) -> Path | None:
        return self.tmp / default.name

    def open_paths(self, _title: str) -> list[Path]:
        return self.paths

    def folder(self, _title: str) -> Path | None:
        return self.paths[0] if self.paths else None

    def confirm(self, _title: str, _text: str) -> bool:
        return True

    def preview(self, prepared: PreparedImport) -> bool:
        self.previews.append(prepared)
        return self.accept_preview

    def summary(self, outcomes: Any) -> None:
        self.summaries.append(outcomes)

    def inform(self, text: str) -> None:
        self.messages.append(text)

    def enrol(self, workspace: Workspace, unit_code: str = "", public_key: str = "") -> Any:
        return self.enrol_answer(workspace, unit_code, public_key) if self.enrol_answer else None

    def revoke(self, _key: Any, default_seq: int) -> tuple[int, str] | None:
        return self.revoke_answer or (default_seq, "Kiểm thử")

    def error(self, error: BaseException) -> None:
        self.errors.append(error)


def _add(ws: Workspace, title: str, files: Path, attach: bool = True) -> str:
    campaign = ws.campaign()
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 5, 2),
                          title=title, values={campaign.indicators_by_code["2.2.b"].id: 2})
    uuid = ws.activities().create(ws.setting("unit_code"), draft).created[0]
    if attach:
        photo = files / f"{uuid[:8]}.pdf"
        photo.write_bytes(b"%PDF-1.4\n" + os.urandom(30_000))
        ws.evidence().attach(uuid, [photo])
    return uuid


def _page(qtbot, context: AppContext, tmp_path: Path) -> tuple[BundlesPage, FakePrompts]:  # noqa: ANN001
    page = BundlesPage(context)
    qtbot.addWidget(page)
    prompts = FakePrompts(tmp_path)
    page.prompts = prompts
    page.open_files = False
    return page, prompts


def test_unit_creates_a_key_prints_the_sheet_and_exports(qtbot, context: AppContext, tmp_path: Path) -> None:  # noqa: ANN001
    uuid = _add(context.workspace, "Phổ biến pháp luật tại xã Kiến An", tmp_path)
    page, prompts = _page(qtbot, context, tmp_path)
    section = page.unit_section
    assert section is not None and section.keys.create_button.isVisibleTo(page)
    assert "chưa có khóa ký" in section.keys.status.text()

    section.export()
    assert "chưa có khóa ký" in prompts.messages[-1]
    prompts.passphrases.append((PASSPHRASE, PASSPHRASE))
    section.keys.create()
    key = bundle_keys.current_key(context.workspace)
    assert key.fingerprint in section.keys.fingerprint.text()
    assert not section.keys.create_button.isVisibleTo(page) and section.keys.rotate_button.isVisibleTo(page)

    section.keys.print_sheet()
    assert page.last_sheet is not None and page.last_sheet.read_bytes().startswith(b"%PDF")

    announced: list[Any] = []
    context.changed.connect(announced.append)
    prompts.passphrases.extend([("sai mật khẩu",)] * 3)
    section.export()  # asked three times in all, then the refusal
    assert isinstance(prompts.errors[-1], WrongPassphraseError)
    assert [problem.split(".")[0] for _mode, problem, _d in prompts.asked[-3:]] == ["", *["Cụm mật khẩu không đúng"] * 2]
    assert section.history.rowCount() == 0
    prompts.passphrases.extend([("sai mật khẩu",), (PASSPHRASE,)])
    assert section.full.isChecked()  # the first bundle is a full one
    section.export()  # the second try signs: the export goes on without starting over
    assert "Đã tạo gói đầy đủ số 1" in prompts.messages[-1]
    assert section.last_report is not None and section.last_report.path.is_file()
    assert section.history.rowCount() == 1
    assert section.history.index(0, 2).data() == "Đầy đủ"
    assert announced and uuid in announced[-1].updated
    with context.workspace.sessions() as session:
        rows = fetch_rows(session, activity_ids(session, ActivityFilter(context.workspace.campaign().id)))
    assert [r.status for r in rows.values()] == ["Đã gửi"]
    assert "số <b>2</b>" in section.status.text()


@pytest.fixture
def unit_workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "unit", actor="cán bộ Chợ Mới")
    ws.configure(Role.UNIT, "PTP-CM")
    yield ws
    ws.close()


@pytest.fixture
def department_context(qapp, tmp_path: Path) -> Iterator[AppContext]:  # noqa: ANN001
    ws = Workspace.open(tmp_path / "department", actor="chuyên viên Sở")
    ws.configure(Role.DEPARTMENT, None)
    yield AppContext(ws, TaskRunner(synchronous=True))
    ws.close()


def test_department_imports_with_enrolment_preview_and_registry(qtbot, department_context: AppContext,  # noqa: ANN001
                                                                 unit_workspace: Workspace, tmp_path: Path) -> None:
    department = department_context.workspace
    key = create_key(unit_workspace, PASSPHRASE, PASSPHRASE)
    first = _add(unit_workspace, "Hòa giải ở cơ sở", tmp_path)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    bundle1 = export_bundle(unit_workspace, outbox, passphrase=PASSPHRASE).path
    page, prompts = _page(qtbot, department_context, tmp_path)
    section = page.department_section
    assert section is not None

    def enrol(workspace: Workspace, unit_code: str, public_key: str) -> Any:
        assert (unit_code, public_key) == ("PTP-CM", key.public_key.to_base64())
        return enrol_key(workspace, unit_code, public_key, confirmed=True)

    prompts.enrol_answer = enrol
    prompts.paths = [bundle1]
    section.import_files()  # unknown key → offered enrolment → imported after the preview
    assert isinstance(prompts.errors[0], UntrustedKeyError)
    assert prompts.previews and prompts.previews[0].preview.counts[ChangeKind.NEW] == 1
    assert "Đã nhận Gói số 1" in prompts.messages[-1]
    assert section.imports.rowCount() == 1 and section.keys.rowCount() == 1
    assert section.keys.index(0, 5).data() == "Đang dùng"

    section.import_files()  # the same file again
    assert "đã nhận" in prompts.messages[-1] and section.imports.rowCount() == 1

    unit_workspace.activities().delete([first])
    _add(unit_workspace, "Trợ giúp pháp lý lưu động", tmp_path)
    bundle2 = export_bundle(unit_workspace, outbox, passphrase=PASSPHRASE).path
    prompts.paths = [bundle2]
    prompts.accept_preview = False
    section.import_files()  # declined at the preview: nothing changes
    assert section.imports.rowCount() == 1 and not any(department.layout.bundles_dir.glob(".staging/*"))

    prompts.accept_preview = True
    prompts.paths = [outbox]
    section.import_folder()
    outcomes = prompts.summaries[-1]
    assert [(o.seq, o.status_label) for o in outcomes] == [(1, "Đã nhận trước đây"), (2, "Đã nhận")]
    assert section.imports.rowCount() == 2

    section.keys_view.selectRow(0)
    section.revoke()
    assert "Đã thu hồi khóa" in prompts.messages[-1] and section.keys.index(0, 5).data() == "Thu hồi từ gói số 3"

    prompts.paths = [bundle2]
    section.verify_file()
    assert "Gói hợp lệ" in prompts.messages[-1] and "đã nhận trước đây" in prompts.messages[-1]


def test_preview_and_enrolment_dialogs(qtbot, department_context: AppContext, unit_workspace: Workspace,  # noqa: ANN001
                                       tmp_path: Path) -> None:
    from thidua_desktop.core.bundles.importer import prepare_import

    department = department_context.workspace
    key = create_key(unit_workspace, PASSPHRASE, PASSPHRASE)
    for index in range(3):
        _add(unit_workspace, f"Hoạt động {index}", tmp_path, attach=index == 0)
    bundle = export_bundle(unit_workspace, tmp_path, passphrase=PASSPHRASE).path

    dialog = EnrolDialog(department, unit_code="PTP-CM")
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    dialog.key.setText(key.public_key.to_base64())
    assert dialog.fingerprint.text() == key.fingerprint and not dialog.ok.isEnabled()
    dialog.confirmed.setChecked(True)
    assert dialog.ok.isEnabled()
    assert dialog.enrol().key_id == key.key_id

    prepared = prepare_import(department, bundle)
    try:
        preview = PreviewDialog(prepared)
        qtbot.addWidget(preview)
        assert preview.model.rowCount() == 3
        assert "Mới: <b>3</b>" in preview.counts.text() and "<b>1</b> tệp" in preview.counts.text()
        preview.kind.setCurrentIndex(preview.kind.findData(str(ChangeKind.UNCHANGED)))
        assert preview.model.rowCount() == 0
        preview.kind.setCurrentIndex(preview.kind.findData("all"))
        titles = sorted(preview.model.index(r, 3).data() for r in range(3))
        assert titles == ["Hoạt động 0", "Hoạt động 1", "Hoạt động 2"]
        assert preview.view.model().headerData(0, Qt.Orientation.Horizontal) == "Thay đổi"
    finally:
        prepared.discard()


def test_a_double_clicked_bundle_opens_the_import_preview(qtbot, context: AppContext, tmp_path: Path) -> None:  # noqa: ANN001
    from tests.core.bundles.conftest import enrol, make_unit
    from thidua_desktop.core.workspace import Role
    from thidua_desktop.gui.main_window import MainWindow
    from thidua_desktop.gui.pages.bundles import open_bundle_file

    office = make_unit(tmp_path / "ptp-cm")
    received = office.add("Hòa giải ở cơ sở tại xã Kiến An", values={"2.2.e": 2, "2.2.f": 2})
    bundle = office.export(tmp_path / "nhan").path
    office.workspace.close()
    context.workspace.configure(Role.DEPARTMENT, None)
    enrol(context.workspace, office)
    window = MainWindow(context)
    qtbot.addWidget(window)
    page = window.pages["bundles"]
    prompts = FakePrompts(tmp_path)
    page.prompts = prompts
    open_bundle_file(window, bundle)
    assert window.stack.currentWidget() is page
    assert [p.preview.summary.seq for p in prompts.previews] == [1]  # the preview came first
    assert context.workspace.activities().get(received).draft.title == "Hòa giải ở cơ sở tại xã Kiến An"


def test_resolving_held_changes_runs_as_a_task_and_honours_cancel(qtbot, department_context: AppContext,  # noqa: ANN001
                                                                   unit_workspace: Workspace, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from thidua_desktop.core.bundles import guards

    department = department_context.workspace
    key = create_key(unit_workspace, PASSPHRASE, PASSPHRASE)
    uuid = _add(unit_workspace, "Hoạt động đã duyệt", tmp_path, attach=False)
    enrol_key(department, "PTP-CM", key.public_key.to_base64(), confirmed=True)
    department.bundles().import_file(export_bundle(unit_workspace, tmp_path, passphrase=PASSPHRASE).path)
    approved = {uuid}
    monkeypatch.setattr(guards, "_GUARDS", [lambda _s, c: "Kỳ đã duyệt" if c.change.uuid in approved else None])
    draft = unit_workspace.activities().get(uuid).draft
    unit_workspace.activities().update(uuid, replace(draft, title="Sửa sau khi duyệt"))
    department.bundles().import_file(export_bundle(unit_workspace, tmp_path, passphrase=PASSPHRASE).path)
    page, prompts = _page(qtbot, department_context, tmp_path)
    section = page.department_section
    assert section is not None and section.pending.rowCount() == 1

    real_run = department_context.tasks.run
    titles: list[str] = []

    def run_and_cancel(job, **kwargs: Any) -> None:  # noqa: ANN001 - the user presses Cancel at once
        titles.append(kwargs["title"])
        real_run(lambda progress, _cancel: job(progress, lambda: True), **kwargs)

    approved.clear()  # the period was unlocked
    section.pending_view.selectRow(0)
    monkeypatch.setattr(department_context.tasks, "run", run_and_cancel)
    section.resolve(apply=True)
    assert titles and section.pending.rowCount() == 1 and department.bundles().pending()  # nothing applied
    monkeypatch.setattr(department_context.tasks, "run", real_run)
    section.resolve(apply=True)
    assert section.pending.rowCount() == 0 and not prompts.errors
    assert department.activities().get(uuid).draft.title == "Sửa sau khi duyệt"
