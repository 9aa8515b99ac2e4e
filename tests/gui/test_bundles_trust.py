"""The department's “Gói chờ xử lý” tab: a rotated key is confirmed against its new sheet in a dialog,
a frozen chain is released by choosing a branch; both run as tasks and refresh the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.core.bundles.conftest import PASSPHRASE, resign
from tests.gui.test_bundles_page import FakePrompts, _add, _page
from thidua_desktop.core.bundles import keys as bundle_keys
from thidua_desktop.core.bundles.exporter import export_bundle
from thidua_desktop.core.bundles.holds import FreezeInfo
from thidua_desktop.core.bundles.keys import create_key, rotate_key
from thidua_desktop.core.bundles.trust import enrol_key
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.bundles.trust_dialogs import BranchDialog, ConfirmKeyDialog
from thidua_desktop.gui.tasks import TaskRunner

NEW_PASSPHRASE = "cụm mật khẩu khóa mới"


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "memlimit", 2**24)


@pytest.fixture
def sites(qapp, tmp_path: Path) -> Iterator[tuple[Workspace, AppContext]]:  # noqa: ANN001
    unit = Workspace.open(tmp_path / "unit", actor="cán bộ Chợ Mới")
    unit.configure(Role.UNIT, "PTP-CM")
    department = Workspace.open(tmp_path / "department", actor="chuyên viên Sở")
    department.configure(Role.DEPARTMENT, None)
    key = create_key(unit, PASSPHRASE, PASSPHRASE)
    enrol_key(department, "PTP-CM", key.public_key.to_base64(), confirmed=True)
    _add(unit, "Gói 1", tmp_path)
    department.bundles().import_file(export_bundle(unit, tmp_path, passphrase=PASSPHRASE).path)
    yield unit, AppContext(department, TaskRunner(synchronous=True))
    unit.close()
    department.close()


class TrustPrompts(FakePrompts):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.confirmed_keys: list[Any] = []
        self.branch: tuple[int | None, str] | None = None

    def confirm_key(self, key: Any, held: int) -> bool:
        self.confirmed_keys.append((key.key_id, held))
        return True

    def text(self, _title: str, _label: str) -> str:
        return "Nhập nhầm mã đơn vị"

    def choose_branch(self, freeze: Any, received_seq: int, held: Any) -> tuple[int | None, str] | None:
        self.branches = (freeze.unit_code, received_seq, [h.seq for h in held])
        return self.branch


def _install(page: Any, tmp_path: Path) -> TrustPrompts:
    prompts = TrustPrompts(tmp_path)
    page.prompts = prompts
    return prompts


def test_pending_key_is_confirmed_in_the_held_tab(qtbot, sites: tuple[Workspace, AppContext],  # noqa: ANN001
                                                  tmp_path: Path) -> None:
    unit, context = sites
    new = rotate_key(unit, PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    _add(unit, "Sau khi thay khóa", tmp_path)
    bundle = export_bundle(unit, tmp_path, passphrase=NEW_PASSPHRASE).path
    page, _ = _page(qtbot, context, tmp_path)
    prompts = _install(page, tmp_path)
    section = page.department_section
    prompts.paths = [bundle]
    section.import_files()
    assert prompts.previews[0].preview.status == "held" and "chờ xử lý" in prompts.messages[-1]
    tab = section.held_tab
    assert tab.held.rowCount() == 1 and tab.held.index(0, 3).data() == "Khóa mới chờ đối chiếu phiếu"
    assert section.tabs.tabText(4) == "Gói chờ xử lý (1)"
    tab.view.selectRow(0)
    tab.confirm_key()
    assert prompts.confirmed_keys == [(new.key_id, 1)]
    assert [o.status_label for o in prompts.summaries[-1]] == ["Đã nhận"]
    assert tab.held.rowCount() == 0 and section.imports.rowCount() == 2

    dialog = ConfirmKeyDialog(next(k for k in context.workspace.bundles().trusted_keys() if k.key_id == new.key_id), 0)
    qtbot.addWidget(dialog)
    assert dialog.fingerprint.text() == new.fingerprint and not dialog.ok.isEnabled()
    dialog.confirmed.setChecked(True)
    assert dialog.ok.isEnabled()


def test_a_release_cancelled_half_way_can_be_finished_from_the_held_tab(
        qtbot, sites: tuple[Workspace, AppContext], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The key is confirmed, then Cancel stops the import: the tab says what is left and releases it later."""
    from thidua_desktop.core.bundles.service import BundleService
    from thidua_desktop.core.errors import Cancelled

    unit, context = sites
    rotate_key(unit, PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    _add(unit, "Sau khi thay khóa", tmp_path)
    bundle = export_bundle(unit, tmp_path, passphrase=NEW_PASSPHRASE).path
    page, _ = _page(qtbot, context, tmp_path)
    prompts = _install(page, tmp_path)
    section = page.department_section
    prompts.paths = [bundle]
    section.import_files()
    tab = section.held_tab
    release = BundleService.release_holds

    def cancelled_release(self: BundleService, ids: Any, **_kwargs: Any) -> Any:
        raise Cancelled()

    monkeypatch.setattr(BundleService, "release_holds", cancelled_release)
    tab.view.selectRow(0)
    tab.confirm_key()
    assert "Nhận lại gói đã chọn" in prompts.messages[-1] and tab.held.rowCount() == 1
    monkeypatch.setattr(BundleService, "release_holds", release)
    tab.view.selectRow(0)
    tab.retry()
    assert [o.status_label for o in prompts.summaries[-1]] == ["Đã nhận"]
    assert tab.held.rowCount() == 0 and section.imports.rowCount() == 2


def test_frozen_chain_is_released_by_choosing_a_branch(qtbot, sites: tuple[Workspace, AppContext],  # noqa: ANN001
                                                       tmp_path: Path) -> None:
    unit, context = sites
    _add(unit, "Gói 2 thật", tmp_path)
    genuine = export_bundle(unit, tmp_path, passphrase=PASSPHRASE).path
    signer = type("Signer", (), {})()
    signer.key = bundle_keys.current_key(unit)
    signer.workspace = unit
    twin = resign(genuine, tmp_path / "twin.thidua", signer, lambda m: m["records"][0].update(title="Giả"),
                  keep_signer=True)
    context.workspace.bundles().import_file(genuine)
    context.workspace.bundles().import_file(twin)
    page, _ = _page(qtbot, context, tmp_path)
    prompts = _install(page, tmp_path)
    tab = page.department_section.held_tab
    tab.refresh()
    assert not tab.banner.isHidden() and "đóng băng" in tab.banner.text()
    prompts.branch = None  # cancelled: nothing changes
    tab.choose_branch()
    assert prompts.branches == ("PTP-CM", 2, [2]) and tab.held.rowCount() == 1
    prompts.branch = (None, "Đã gọi điện cho đơn vị")
    tab.choose_branch()
    assert tab.held.rowCount() == 0 and tab.banner.isHidden()

    freeze = FreezeInfo("PTP-CM", "Phòng Tư pháp huyện Chợ Mới", 2, "", datetime(2024, 5, 2))
    dialog = BranchDialog(freeze, 2, context.workspace.bundles().holds(include_resolved=True))
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and dialog.choice() == (None, "")
    dialog.reason.setText("Đã gọi điện")
    assert dialog.ok.isEnabled()


def test_an_enrolment_under_the_wrong_unit_is_undone_from_the_keys_tab(qtbot, sites: tuple[Workspace, AppContext],  # noqa: ANN001
                                                                       tmp_path: Path) -> None:
    from thidua_desktop.core.bundles.minisign import SecretKey

    _, context = sites
    stray = SecretKey.generate().public_key
    enrol_key(context.workspace, "PTP-LX", stray.to_base64(), confirmed=True)
    page, _ = _page(qtbot, context, tmp_path)
    prompts = _install(page, tmp_path)
    section = page.department_section
    section.refresh()
    row = next(r for r in range(section.keys.rowCount()) if section.keys.index(r, 1).data() == stray.key_id_hex)
    section.keys_view.selectRow(row)
    section.unenrol()
    assert f"Đã hủy đăng ký khóa {stray.key_id_hex}" in prompts.messages[-1]
    assert section.keys.rowCount() == 1
