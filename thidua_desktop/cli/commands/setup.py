"""`thidua setup --role unit|department [--unit CODE] [--name "Họ tên"]`: what the GUI's first-start dialog does.

Without it a fresh data folder has no role, and `thidua keys init` could only say "not for this machine".
"""

from __future__ import annotations

import argparse

from thidua_desktop.cli.common import EXIT_USAGE, add_workspace_arguments, open_workspace
from thidua_desktop.core.errors import NotFoundError, UserError
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.core.workspace import ROLE_LABELS, Role, Workspace


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("setup", help="thiết lập máy: vai trò (đơn vị hay Sở Tư pháp), đơn vị, họ tên cán bộ")
    add_workspace_arguments(parser)
    parser.add_argument("--role", required=True, choices=[str(Role.UNIT), str(Role.DEPARTMENT)],
                        help="unit: đơn vị ghi nhận và gửi báo cáo; department: Sở Tư pháp tiếp nhận, tổng hợp")
    parser.add_argument("--unit", metavar="MÃ", help="mã đơn vị của máy này, ví dụ PTP-CM (bỏ trống để xem danh sách)")
    parser.add_argument("--name", metavar="HỌ_TÊN", help="họ tên cán bộ sử dụng máy (ghi vào nhật ký, người thẩm định)")
    parser.set_defaults(handler=run)


def _unit_list(units: list[UnitInfo]) -> str:
    return "\n".join(f"  {unit.code:<10} {unit.name}" for unit in units)


def _choices(workspace: Workspace) -> list[UnitInfo]:
    return workspace.bundles().sending_units()


def run(args: argparse.Namespace) -> int:
    role = Role(args.role)
    with open_workspace(args, create=True) as workspace:
        if role is Role.UNIT and not args.unit:
            print("Hãy chọn đơn vị của máy này bằng --unit MÃ. Các đơn vị:\n" + _unit_list(_choices(workspace)))
            return EXIT_USAGE
        if args.unit and workspace.units().find(args.unit) is None:
            raise NotFoundError(f"Không có đơn vị mã “{args.unit}”.",
                                hint="Các đơn vị:\n" + _unit_list(_choices(workspace)))
        if args.name is not None and not args.name.strip():
            raise UserError("Họ tên cán bộ để trống.", hint="Ví dụ: --name \"Nguyễn Văn An\".")
        if role is Role.DEPARTMENT and not workspace.is_sqlite:
            return _setup_shared_department(workspace, args.name)
        workspace.configure(role, args.unit, official_name=args.name)
        unit = workspace.own_unit()
        print(f"Đã thiết lập máy: {ROLE_LABELS[role]}" + (f" — {unit.name} ({unit.code})." if unit else "."))
        if workspace.official_name:
            print(f"Cán bộ sử dụng: {workspace.official_name}.")
        print(f"Thư mục dữ liệu: {workspace.layout.root}")
        if role is Role.UNIT:
            print("Tiếp theo: tạo khóa ký (thidua keys init), in phiếu đăng ký khóa (thidua keys print-sheet --out "
                  "phieu.pdf), ký, đóng dấu và gửi Sở Tư pháp.")
        else:
            print("Tiếp theo: đăng ký khóa của từng đơn vị theo phiếu đăng ký (thidua keys enrol …), rồi nhận gói "
                  "dữ liệu (thidua bundle import …).")
    return 0


def _setup_shared_department(workspace: Workspace, name: str | None) -> int:
    """The first reviewer sets the department's shared database up; every later one joins it (no second setup)."""
    if not (name or "").strip():
        raise UserError("Hãy ghi họ tên người thẩm định của máy này.",
                        hint="Ví dụ: thidua setup --role department --database-url … --name \"Nguyễn Văn An\"")
    joined = workspace.setup_shared_department(name)
    where = "dùng chung " + workspace.database_label
    if joined:
        print(f"Máy này đã tham gia Sở Tư pháp ({where}) với người thẩm định “{workspace.official_name}”; thiết "
              "lập chung của Sở giữ nguyên.")
    else:
        print(f"Đã thiết lập {ROLE_LABELS[Role.DEPARTMENT]} trên cơ sở dữ liệu {where}; người thẩm định "
              f"“{workspace.official_name}”.")
    print(f"Thư mục dữ liệu của máy (bộ nhớ đệm minh chứng, nhật ký): {workspace.layout.root}")
    print("Từ nay không cần ghi --database-url: máy nhớ địa chỉ cơ sở dữ liệu.")
    return 0
