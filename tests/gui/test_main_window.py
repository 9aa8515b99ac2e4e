from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts
from thidua_desktop.gui.main_window import MainWindow
from thidua_desktop.gui.setup_dialog import SetupDialog
from thidua_desktop.gui.tasks import TaskRunner


def test_first_run_setup_then_main_window(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from thidua_desktop.gui.app import make_application

    families = register_fonts()
    assert {"Liberation Sans", "Liberation Serif"} <= set(families)
    make_application(["thidua-desktop"])
    workspace = Workspace.open(tmp_path / "data", actor="cán bộ thử")
    assert not workspace.is_configured
    dialog = SetupDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.select_unit("PTP-TT")
    assert dialog.unit_combo.currentText() == "Phòng Tư pháp huyện Tri Tôn"
    dialog.set_passphrase("ngắn")
    dialog.accept()
    assert dialog.key_error.text() == "Cụm mật khẩu cần ít nhất 8 ký tự."
    assert not workspace.is_configured  # a refused passphrase changes nothing
    dialog.set_passphrase("Tri Tôn chung tay vì người nghèo")
    dialog.accept()
    assert workspace.is_configured
    assert workspace.role is Role.UNIT and workspace.own_unit().code == "PTP-TT"
    from thidua_desktop.core.bundles.keys import keyring_of

    key = keyring_of(workspace).current("PTP-TT")
    assert key is not None and key.unit_code == "PTP-TT"  # setup creates the unit's key pair
    again = SetupDialog(workspace)
    qtbot.addWidget(again)
    again.select_unit("PTP-TT")
    assert not again.passphrase.isEnabled() and key.key_id in again.key_note.text()

    window = MainWindow(AppContext(workspace, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    titles = window.page_titles()
    assert titles[0] == "Hoạt động"
    assert "Cài đặt" in titles and "Tiến độ đơn vị" in titles
    assert "Tổng hợp" not in titles  # the province-wide table is the department's
    assert window.windowTitle() == "ThiĐua Desktop — Phòng Tư pháp huyện Tri Tôn"
    assert "Phòng Tư pháp huyện Tri Tôn" in window.statusBar().currentMessage()
    assert QApplication.font().family() == "Liberation Sans"

    window.resize(798, 555)
    window.close()
    reopened = MainWindow(AppContext(workspace, TaskRunner(synchronous=True)))
    qtbot.addWidget(reopened)
    assert reopened.height() == 555  # geometry remembered (offscreen screens are 800 px wide)
    assert any(p.name.endswith("khi-thoat.sqlite") for p in workspace.layout.backups_dir.iterdir())
    workspace.close()


def test_department_setup(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    workspace = Workspace.open(tmp_path / "data")
    dialog = SetupDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.department_choice.setChecked(True)
    assert not dialog.unit_combo.isEnabled()
    dialog.accept()
    assert workspace.role is Role.DEPARTMENT and workspace.own_unit().code == "STP"
    workspace.close()


def test_about_dialog_shows_version_and_data_folder(qtbot, context: AppContext) -> None:  # noqa: ANN001
    from thidua_desktop import __version__
    from thidua_desktop.gui.about_dialog import AboutDialog

    dialog = AboutDialog(context.workspace)
    qtbot.addWidget(dialog)
    assert __version__ in dialog.text.text()
    assert str(context.workspace.layout.root) in dialog.text.text()


def test_changing_the_role_rebuilds_the_pages(qtbot, context: AppContext, no_confirm) -> None:  # noqa: ANN001
    from thidua_desktop.gui.pages.settings import DataRestored

    window = MainWindow(context)
    qtbot.addWidget(window)
    old_page = window.show_page("activities")
    assert old_page.unit.isHidden()  # a district office sees only its own activities
    context.workspace.configure(Role.DEPARTMENT, None)
    context.announce(DataRestored())
    qtbot.waitUntil(lambda: window.pages["activities"] is not old_page, timeout=2000)
    assert not window.pages["activities"].unit.isHidden()  # the department filters by unit
    assert "Tổng hợp" in window.page_titles()
    assert window.windowTitle() == "ThiĐua Desktop — Sở Tư pháp tỉnh An Giang"


def test_closing_while_a_job_runs_waits_for_it(qtbot, context: AppContext, monkeypatch) -> None:  # noqa: ANN001
    """Closing during an import or a restore would cut it off half-way: the window says so and stays open."""
    from PySide6.QtWidgets import QMessageBox

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, title, _text: told.append(title))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(TaskRunner, "running", property(lambda _self: 1))
    assert not window.close()
    assert window.isVisible() and told == ["Đang làm việc"]
    monkeypatch.setattr(TaskRunner, "running", property(lambda _self: 0))
    assert window.close()
