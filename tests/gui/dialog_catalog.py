"""How to open every dialog and top-level window of the application, for tests that walk them all
(screen fit, no English Qt text, screenshots). Reuse: `open_all(env)` yields (name, widget) shown on screen.

Each entry builds its window the way the application does, on a department copy with the consolidation
sample data (`Env.create`), so that tables and lists are not empty. Add an entry with every new dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.main_window import MainWindow
from thidua_desktop.gui.tasks import TaskRunner


@dataclass
class Env:
    workspace: Workspace
    context: AppContext
    window: MainWindow

    @classmethod
    def create(cls, data_dir: Path) -> Env:
        from tests.core.consolidation.sample import populate

        workspace = Workspace.open(data_dir, actor="kiểm thử")
        if not workspace.activity_queries().anything_recorded():
            populate(workspace)
        workspace.set_settings(official_name="Trần Thị Thẩm Định")
        context = AppContext(workspace, TaskRunner(synchronous=True))
        window = MainWindow(context)
        return cls(workspace, context, window)

    @property
    def consolidation(self):  # noqa: ANN201 - the Tổng hợp page, shown once so that its table is built
        page = self.window.show_page("consolidation")
        return page


def _main_window(env: Env, page: str) -> QWidget:
    env.window.show()
    env.window.show_page(page)
    return env.window


def _activity_form(env: Env) -> QWidget:
    from thidua_desktop.gui.activity_form import ActivityForm

    return ActivityForm(env.context, parent=env.window)


def _drill_down(env: Env) -> QWidget:
    from thidua_desktop.gui.consolidation.drilldown_dialog import DrillDownDialog

    page = env.consolidation
    units = [row.unit.id for row in page.table.rows if row.unit is not None]
    return DrillDownDialog(env.context, page.filter, None, units, heading="Chi tiết số liệu — toàn bộ hoạt động\n"
                           + page.filter.description, parent=page)


def _score(env: Env) -> QWidget:
    from thidua_desktop.gui.consolidation.ranking_tab import ScoreDialog

    return ScoreDialog("Phòng Tư pháp huyện Chợ Mới", "1. Công tác phổ biến, giáo dục pháp luật", 20.0, 14.0, "",
                       env.window)


def _summary_report(env: Env) -> QWidget:
    from thidua_desktop.gui.consolidation.report_dialog import SummaryReportDialog

    return SummaryReportDialog(env.consolidation)


def _unit(env: Env) -> QWidget:
    from thidua_desktop.gui.unit_dialog import UnitDialog

    units = env.workspace.units()
    return UnitDialog(units, units.get("PTP-CM"), env.window)


def _setup(env: Env) -> QWidget:
    from thidua_desktop.gui.setup_dialog import SetupDialog

    return SetupDialog(env.workspace, env.window)


def _about(env: Env) -> QWidget:
    from thidua_desktop.gui.about_dialog import AboutDialog

    return AboutDialog(env.workspace, env.window)


def _crash(env: Env) -> QWidget:
    from thidua_desktop.gui.crash import CrashDialog

    return CrashDialog("Traceback (most recent call last):\n  ValueError: thử nghiệm", env.workspace.layout.logs_dir
                       / "thidua.log", env.window)


def _progress(env: Env) -> QWidget:
    from thidua_desktop.gui.tasks import ProgressDialog

    dialog = ProgressDialog("Đang xuất Excel…", env.window, lambda: None)
    dialog.set_progress(40, 100)
    return dialog


def _passphrase(env: Env) -> QWidget:
    from thidua_desktop.gui.pages.bundles.dialogs import PassphraseDialog

    return PassphraseDialog("new", env.window)


def _enrol(env: Env) -> QWidget:
    from thidua_desktop.gui.pages.bundles.dialogs import EnrolDialog

    return EnrolDialog(env.workspace, unit_code="PTP-CM", parent=env.window)


def _calibration(env: Env) -> QWidget:
    from thidua_desktop.gui.pages.awards.calibration import CalibrationDialog

    return CalibrationDialog(env.context, env.window)


def _ask(title: str, label: str, multiline: bool = False, accept: str = "Đồng ý") -> Callable[[Env], QWidget]:
    """The text prompts of `gui.messages.ask_text`, as the review tab and evidence panel open them."""

    def build(env: Env) -> QWidget:
        from thidua_desktop.gui.messages import text_prompt

        return text_prompt(env.window, title, label, multiline=multiline, accept=accept)

    return build


def _confirm(env: Env) -> QWidget:
    box = QMessageBox(env.window)
    box.setWindowTitle("Duyệt số liệu")
    box.setText("Còn 4 hoạt động của đơn vị trong Năm 2024 chưa được thẩm định.")
    box.addButton("Vẫn duyệt", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Không", QMessageBox.ButtonRole.RejectRole)
    return box


def _error(env: Env) -> QWidget:
    box = QMessageBox(env.window)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setText("Đã xảy ra lỗi ngoài dự kiến. Dữ liệu đã lưu trước đó vẫn an toàn.")
    box.setDetailedText("Traceback …")
    return box


def _file_dialog(env: Env) -> QWidget:
    """Qt's own file dialog, as Linux desktops without a portal show it."""
    dialog = QFileDialog(env.window, "Xuất bảng tổng hợp ra Excel", str(env.workspace.layout.root), "Tệp Excel (*.xlsx)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    return dialog


CATALOG: dict[str, Callable[[Env], QWidget]] = {
    **{f"Cửa sổ chính — {title}": (lambda env, key=key: _main_window(env, key)) for key, title in (
        ("activities", "Hoạt động"), ("overview", "Tiến độ đơn vị"), ("bundles", "Gửi/Nhận gói dữ liệu"),
        ("consolidation", "Tổng hợp"), ("awards", "Khen thưởng"), ("settings", "Cài đặt"))},
    "Ghi nhận hoạt động": _activity_form,
    "Chi tiết số liệu / thẩm định": _drill_down,
    "Điểm thẩm định": _score,
    "Báo cáo tổng hợp": _summary_report,
    "Đơn vị": _unit,
    "Thiết lập máy": _setup,
    "Giới thiệu": _about,
    "Lỗi ngoài dự kiến": _crash,
    "Đang xử lý": _progress,
    "Cụm mật khẩu": _passphrase,
    "Đăng ký khóa": _enrol,
    "Căn chỉnh máy in": _calibration,
    "Đề nghị giải trình": _ask("Đề nghị giải trình", "Nội dung đề nghị giải trình hoặc bổ sung:", multiline=True),
    "Duyệt số liệu": _ask("Duyệt số liệu", "Ghi chú (ví dụ: số biên bản họp Hội đồng):", accept="Duyệt"),
    "Mở khóa": _ask("Mở khóa kỳ đã duyệt", "Lý do mở khóa Năm 2024:", accept="Mở khóa"),
    "Chú thích": _ask("Chú thích", "Chú thích cho tệp bien-ban.pdf:"),
    "Hỏi xác nhận": _confirm,
    "Báo lỗi": _error,
    "Hộp chọn tệp của Qt": _file_dialog,
}


def open_all(env: Env, names: list[str] | None = None) -> Iterator[tuple[str, QWidget]]:
    """Show each catalogued window in turn (not modally) and yield it; dialogs are closed afterwards."""
    for name, build in CATALOG.items():
        if names is not None and name not in names:
            continue
        widget = build(env)
        widget.show()
        QApplication.processEvents()
        yield name, widget
        if isinstance(widget, QDialog):
            widget.done(0)
            widget.deleteLater()
        QApplication.processEvents()
