"""`thidua-desktop`: start the GUI on a data folder (or the demo data set)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QDialog

from thidua_desktop import APP_NAME, __version__
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts, ui_font
from thidua_desktop.gui.main_window import MainWindow
from thidua_desktop.gui.messages import show_error
from thidua_desktop.gui.tasks import TaskRunner


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thidua-desktop", description="ThiĐua Desktop — giao diện đồ họa.")
    parser.add_argument("--data-dir", help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    parser.add_argument("--database-url", help="địa chỉ cơ sở dữ liệu dùng chung (PostgreSQL)")
    parser.add_argument("--demo", action="store_true", help="mở bộ dữ liệu mẫu (tự tạo nếu chưa có)")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser


def make_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("ThiDua")
    register_fonts()
    app.setFont(ui_font())
    return app


def open_workspace(args: argparse.Namespace) -> Workspace:
    workspace = Workspace.open(args.data_dir, demo=args.demo, database_url=args.database_url)
    if args.demo:
        from sqlalchemy import func, select

        from thidua_desktop.core.demo import populate
        from thidua_desktop.core.models import Activity

        with workspace.sessions() as session:
            empty = not session.scalar(select(func.count()).select_from(Activity))
        if empty:
            populate(workspace)
    return workspace


def ensure_configured(workspace: Workspace) -> bool:
    from thidua_desktop.gui.setup_dialog import SetupDialog

    if workspace.is_configured:
        return True
    return SetupDialog(workspace).exec() == QDialog.DialogCode.Accepted


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv if argv is not None else sys.argv[1:])
    app = make_application(sys.argv[:1])
    try:
        workspace = open_workspace(args)
    except UserError as error:
        show_error(None, error)
        return error.exit_code
    if not ensure_configured(workspace):
        workspace.close()
        return 0
    context = AppContext(workspace, TaskRunner())
    window = MainWindow(context)
    window.show()
    code = app.exec()
    context.tasks.wait()
    workspace.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
