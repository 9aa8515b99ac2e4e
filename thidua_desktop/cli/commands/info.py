"""`thidua info`: where the data lives, the schema version, the role and the campaign."""

from __future__ import annotations

import argparse

from thidua_desktop import __version__
from thidua_desktop.cli.common import add_workspace_arguments, open_workspace
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION
from thidua_desktop.core.workspace import ROLE_LABELS


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("info", help="thông tin phiên bản, thư mục dữ liệu và phong trào thi đua")
    add_workspace_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        campaign = workspace.campaign()
        role = workspace.role
        unit = workspace.own_unit()
        print(f"ThiĐua Desktop {__version__}")
        print(f"Thư mục dữ liệu: {workspace.layout.root}")
        print(f"Cơ sở dữ liệu: {workspace.database_label} (lược đồ {LATEST_SCHEMA_VERSION})")
        print(f"Vai trò: {ROLE_LABELS[role] if role else 'chưa thiết lập'}")
        print(f"Đơn vị: {unit.name if unit else '—'}")
        print(f"Phong trào: {campaign.display_name}")
    return 0
