"""`thidua demo [--scale N]`: create the separate demo data set."""

from __future__ import annotations

import argparse
import shutil

from thidua_desktop.cli.common import open_workspace, printer
from thidua_desktop.core.demo import populate
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.text import format_number


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="tạo bộ dữ liệu mẫu (tách riêng khỏi dữ liệu thật)")
    parser.add_argument("--data-dir", metavar="THƯ_MỤC", default=argparse.SUPPRESS, help="thư mục dữ liệu gốc; dữ liệu mẫu nằm trong thư mục con demo/")
    parser.add_argument("--scale", type=int, help="tạo N hoạt động tổng hợp để đo hiệu năng, ví dụ 100000")
    parser.add_argument("--seed", type=int, default=78, help="hạt giống ngẫu nhiên (mặc định 78)")
    parser.set_defaults(handler=run, demo=True, database_url=None)


def run(args: argparse.Namespace) -> int:
    """The demo folder is recreated from scratch, so running it twice gives the same data set."""
    demo_root = DataLayout.resolve(args.data_dir, demo=True).root
    if demo_root.exists():
        shutil.rmtree(demo_root)
    with open_workspace(args, create=True) as workspace:
        report = populate(
            workspace, scale=args.scale, seed=args.seed, progress=printer("Đang tạo dữ liệu mẫu"), via_bundles=True
        )
        print(
            f"Đã tạo {format_number(report.activities)} hoạt động, {format_number(report.values)} số liệu, "
            f"{report.evidence_files} tệp minh chứng cho {report.units} đơn vị trong {workspace.layout.root}."
        )
        if report.bundles:
            print(f"Số liệu của các Phòng Tư pháp được gửi về Sở qua {report.bundles} gói dữ liệu có chữ ký.")
        folder = f" --data-dir {args.data_dir}" if args.data_dir else ""
        print(f"Mở chương trình với dữ liệu mẫu: thidua-desktop --demo{folder}")
    return 0
