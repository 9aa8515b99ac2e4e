"""Shared CLI plumbing: opening the workspace, printing progress, and turning errors into exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from thidua_desktop.core.errors import UserError
from thidua_desktop.core.workspace import Workspace

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CANCELLED = 130


_ARGPARSE_VIETNAMESE = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "show program's version number and exit": "hiện phiên bản rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn %(value)r không hợp lệ (chọn một trong: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s không rõ, có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với %s",
}


def speak_vietnamese() -> None:
    """argparse's own words (usage, errors, --help) in Vietnamese, as everything else the user reads."""
    argparse._ = lambda text: _ARGPARSE_VIETNAMESE.get(text, text)


WORKSPACE_DEFAULTS = {"data_dir": None, "database_url": None, "demo": False}


def add_workspace_arguments(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """--data-dir, --database-url, --demo: accepted before the command (`thidua --data-dir X info`) and after it.

    A sub-command's copy has no default of its own (SUPPRESS), so it never overwrites a value given before
    the command; the top-level parser supplies the defaults.
    """
    default = (lambda name: WORKSPACE_DEFAULTS[name]) if top_level else (lambda _name: argparse.SUPPRESS)
    parser.add_argument("--data-dir", metavar="THƯ_MỤC", default=default("data_dir"),
                        help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    parser.add_argument("--database-url", metavar="ĐỊA_CHỈ", default=default("database_url"),
                        help="địa chỉ cơ sở dữ liệu, ví dụ postgresql+psycopg://…")
    parser.add_argument("--demo", action="store_true", default=default("demo"), help="dùng bộ dữ liệu mẫu riêng")


def open_workspace(args: argparse.Namespace, *, create: bool = False) -> Workspace:
    """The data folder named by the arguments. Reading commands refuse a folder without data (a mistyped
    --data-dir must not silently become a new empty database); commands that write pass `create=True`."""
    workspace = Workspace.open(args.data_dir, demo=args.demo, database_url=args.database_url, create=create)
    notice = workspace.open_report.upgrade_message if workspace.open_report else None
    if notice:  # an upgrade: from which version, where its backup is
        print(notice, file=sys.stderr)
    return workspace


def not_configured_error() -> UserError:
    """The one message for a data folder whose role was never chosen."""
    return UserError(
        "Máy này chưa được thiết lập vai trò (đơn vị hay Sở Tư pháp).",
        hint="Thiết lập bằng lệnh: thidua setup --role unit --unit MÃ_ĐƠN_VỊ (máy của đơn vị) hoặc "
        "thidua setup --role department (máy của Sở), hoặc mở chương trình ThiĐua Desktop.",
    )


def printer(label: str) -> Callable[[int, int], None]:
    """A progress callback for long core functions: one line updated in place on a terminal."""
    last = {"pct": -1}

    def report(done: int, total: int) -> None:
        pct = 100 if total <= 0 else done * 100 // total
        if pct != last["pct"]:
            last["pct"] = pct
            end = "\n" if pct >= 100 else ""
            if sys.stderr.isatty() or pct >= 100:
                print(f"\r{label}: {pct}%", end=end, file=sys.stderr, flush=True)

    return report
