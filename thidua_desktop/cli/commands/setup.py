"""`thidua setup --role department --database-url URL --name "Họ tên"`: set up or join a shared department.

(Minimal until `thidua setup` from the CLI work lands: `setup_department` is the department branch to keep.)
"""

from __future__ import annotations

import argparse

from thidua_desktop.cli.common import add_workspace_arguments, open_workspace
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.workspace import ROLE_LABELS, Role


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("setup", help="thiết lập máy: vai trò, đơn vị; Sở nhiều người thẩm định dùng chung "
                                          "một cơ sở dữ liệu PostgreSQL")
    add_workspace_arguments(parser)
    parser.add_argument("--role", required=True, choices=[str(Role.UNIT), str(Role.DEPARTMENT)],
                        help="unit: đơn vị ghi nhận và gửi báo cáo; department: Sở Tư pháp tiếp nhận, tổng hợp")
    parser.add_argument("--unit", metavar="MÃ", help="mã đơn vị của máy này, ví dụ PTP-CM")
    parser.add_argument("--name", metavar="HỌ_TÊN", help="họ tên người dùng máy này (ghi vào nhật ký)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if Role(args.role) is Role.DEPARTMENT:
        return setup_department(args)
    with open_workspace(args) as workspace:
        workspace.configure(Role.UNIT, args.unit)
        print(f"Đã thiết lập máy: {ROLE_LABELS[Role.UNIT]} — {workspace.own_unit().name}.")
    return 0


def setup_department(args: argparse.Namespace) -> int:
    """The first reviewer sets the department's database up; every later one joins it (no second setup)."""
    if not (args.name or "").strip():
        raise UserError("Hãy ghi họ tên người thẩm định của máy này.",
                        hint="Ví dụ: thidua setup --role department --database-url … --name \"Nguyễn Văn An\"")
    with open_workspace(args) as workspace:
        joined = workspace.setup_shared_department(args.name)
        where = "dùng chung " + workspace.database_label if not workspace.is_sqlite else workspace.database_label
        if joined:
            print(f"Máy này đã tham gia Sở Tư pháp ({where}) với người thẩm định “{workspace.actor}”; thiết lập "
                  "chung của Sở giữ nguyên.")
        else:
            print(f"Đã thiết lập {ROLE_LABELS[Role.DEPARTMENT]} trên cơ sở dữ liệu {where}; người thẩm định "
                  f"“{workspace.actor}”.")
        print(f"Thư mục dữ liệu của máy (bộ nhớ đệm minh chứng, nhật ký): {workspace.layout.root}")
        print("Từ nay không cần ghi --database-url: máy nhớ địa chỉ cơ sở dữ liệu.")
    return 0
