"""`thidua-desktop`: start the GUI on a data folder (or the demo data set)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from thidua_desktop import APP_NAME, __version__
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.crash import install_crash_handler
from thidua_desktop.gui.fonts import register_fonts, ui_font
from thidua_desktop.gui.main_window import MainWindow
from thidua_desktop.gui.messages import show_error
from thidua_desktop.gui.qt_vietnamese import install as install_qt_vietnamese
from thidua_desktop.gui.tasks import TaskRunner


class _GuiArgumentParser(argparse.ArgumentParser):
    """On Windows the GUI executable has no console: `--help` and usage errors are shown in a window instead."""

    def _print_message(self, message: str, file: object = None) -> None:
        if message and (file or sys.stderr) is None:
            from PySide6.QtWidgets import QMessageBox

            QApplication.instance() or QApplication(sys.argv[:1])
            QMessageBox.information(None, APP_NAME, message)
            return
        super()._print_message(message, file)


def build_parser() -> argparse.ArgumentParser:
    from thidua_desktop.cli.common import speak_vietnamese

    speak_vietnamese()
    parser = _GuiArgumentParser(
        prog="thidua-desktop",
        description="ThiĐua Desktop — ghi nhận, gửi và tổng hợp phong trào thi đua (giao diện đồ họa).",
        epilog="Lệnh dòng lệnh (không mở cửa sổ): thidua --help. Hướng dẫn sử dụng: menu Trợ giúp (phím F1).",
    )
    parser.add_argument("--data-dir", metavar="THƯ_MỤC",
                        help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    parser.add_argument("--database-url", metavar="ĐỊA_CHỈ", help="địa chỉ cơ sở dữ liệu dùng chung (PostgreSQL)")
    parser.add_argument("--demo", action="store_true", help="mở bộ dữ liệu mẫu (tự tạo nếu chưa có)")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}",
                        help="hiện phiên bản rồi thoát")
    parser.add_argument(
        "--self-test", action="store_true",
        help="tự kiểm tra bản cài đặt (cơ sở dữ liệu tạm, phong trào, PDF, gói dữ liệu) rồi thoát",
    )
    parser.add_argument("file", nargs="?", metavar="TỆP", help="gói dữ liệu (.thidua) cần mở, ví dụ khi bấm đúp vào tệp")
    return parser


def make_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("ThiDua")
    app.setDesktopFileName("thidua-desktop")  # matches the installed .desktop file (Linux task bars)
    icon = QIcon()
    for png in sorted(resource_path("icons").glob("thidua-desktop-*.png")):
        icon.addFile(str(png))
    app.setWindowIcon(icon)
    install_qt_vietnamese(app)  # Qt's own buttons, menus and file dialog in Vietnamese
    register_fonts()
    app.setFont(ui_font())
    return app


def open_workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.open(args.data_dir, demo=args.demo, database_url=args.database_url)


def demo_is_empty(workspace: Workspace) -> bool:
    return not workspace.activity_queries().anything_recorded()


def fill_demo(workspace: Workspace) -> bool:
    """First `--demo` start: build the sample data set in a worker, with a progress dialog."""
    from PySide6.QtCore import QEventLoop

    from thidua_desktop.core.demo import populate

    loop = QEventLoop()
    outcome = {"ok": False}

    def done(_report: object) -> None:
        outcome["ok"] = True
        loop.quit()

    def failed(error: BaseException, details: str) -> None:
        show_error(None, error, details)
        loop.quit()

    runner = TaskRunner()
    runner.run(
        lambda progress, cancel: populate(workspace, progress=progress, cancel=cancel, via_bundles=True),
        title="Đang tạo bộ dữ liệu mẫu (các Phòng Tư pháp gửi gói dữ liệu về Sở)…",
        parent=None,
        on_done=done,
        on_error=failed,
        on_cancelled=loop.quit,
    )
    loop.exec()
    runner.wait()
    return outcome["ok"]


def ensure_configured(workspace: Workspace) -> bool:
    from thidua_desktop.gui.setup_dialog import SetupDialog

    if workspace.is_configured and not workspace.needs_reviewer_name:
        return True
    return SetupDialog(workspace).exec() == QDialog.DialogCode.Accepted


def open_file_argument(window: MainWindow, path: Path) -> None:
    """A file given on the command line (a double-clicked `.thidua` bundle) goes to the bundles page:
    `gui.pages.bundles.open_bundle_file(window, path)` shows the import preview at the department."""
    logging.getLogger("thidua_desktop").info("Mở tệp từ dòng lệnh: %s", path)
    if not path.is_file():
        show_error(window, UserError(f"Không tìm thấy tệp “{path}”.", hint="Tệp có thể đã bị di chuyển hoặc xóa."))
        return
    module_name = "thidua_desktop.gui.pages.bundles"
    opener = None
    if importlib.util.find_spec(module_name) is not None:
        opener = getattr(importlib.import_module(module_name), "open_bundle_file", None)
    if opener is None:
        show_error(
            window,
            UserError(
                f"Phiên bản này chưa mở được gói dữ liệu “{path.name}” trực tiếp.",
                hint="Hãy dùng mục Gửi/Nhận gói dữ liệu trong chương trình để nhập gói.",
            ),
        )
        return
    opener(window, path)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv if argv is not None else sys.argv[1:])
    if args.self_test:
        from thidua_desktop.selftest import run_self_test

        return run_self_test()
    install_crash_handler(DataLayout.resolve(args.data_dir, demo=args.demo).logs_dir)
    app = make_application(sys.argv[:1])
    try:
        workspace = open_workspace(args)
    except UserError as error:
        show_error(None, error)
        return error.exit_code
    if args.demo and demo_is_empty(workspace) and not fill_demo(workspace):
        workspace.close()
        return 1
    if not ensure_configured(workspace):
        workspace.close()
        return 0
    context = AppContext(workspace, TaskRunner())
    window = MainWindow(context)
    window.show()
    if args.file:
        open_file_argument(window, Path(args.file).expanduser().resolve())
    code = app.exec()
    context.tasks.wait()
    workspace.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
