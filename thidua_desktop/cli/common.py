"""Shared CLI plumbing: opening the workspace, printing progress, and turning errors into exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

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


def add_workspace_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    parser.add_argument("--database-url", help="địa chỉ cơ sở dữ liệu, ví dụ postgresql+psycopg://…")
    parser.add_argument("--demo", action="store_true", help="dùng bộ dữ liệu mẫu riêng")


def open_workspace(args: argparse.Namespace) -> Workspace:
    """Open the data folder; an upgrade (from which version, where its backup is) is said on stderr."""
    workspace = Workspace.open(args.data_dir, demo=args.demo, database_url=args.database_url)
    notice = workspace.open_report.upgrade_message if workspace.open_report else None
    if notice:
        print(notice, file=sys.stderr)
    return workspace


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
