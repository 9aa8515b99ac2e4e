"""`thidua` entry point: each sub-command lives in `cli/commands/` and registers itself here."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from thidua_desktop import __version__
from thidua_desktop.cli.commands import activity, bundle, consolidate, demo, info, keys, report, setup, units
from thidua_desktop.cli.common import EXIT_CANCELLED, add_workspace_arguments, speak_vietnamese
from thidua_desktop.core.errors import Cancelled, UserError
from thidua_desktop.core.paths import DataLayout, default_data_dir

COMMAND_MODULES = [info, setup, demo, units, activity, report, bundle, keys, consolidate]
EXIT_UNEXPECTED = 70  # EX_SOFTWARE: a defect, not something the user did
CLI_LOG_NAME = "thidua-cli.log"


def build_parser() -> argparse.ArgumentParser:
    speak_vietnamese()
    parser = argparse.ArgumentParser(
        prog="thidua",
        description="ThiĐua Desktop — dòng lệnh ghi nhận, gửi và tổng hợp phong trào thi đua.",
        epilog="Máy mới: thidua setup --role unit --unit MÃ_ĐƠN_VỊ (xem mã đơn vị: thidua setup --role unit). "
        "Các tùy chọn --data-dir, --database-url, --demo ghi được trước hoặc sau tên lệnh.",
    )
    parser.add_argument("--version", action="version", version=f"ThiĐua Desktop {__version__}",
                        help="hiện phiên bản rồi thoát")
    add_workspace_arguments(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def log_unexpected(args: argparse.Namespace | None, error: BaseException) -> Path | None:
    """Write the traceback to the data folder's log (the user sees only a Vietnamese line)."""
    candidates = []
    if args is not None:
        root = DataLayout.resolve(getattr(args, "data_dir", None), demo=bool(getattr(args, "demo", False))).root
        if root.is_dir():  # never create a (possibly mistyped) folder just to log into it
            candidates.append(DataLayout(root).logs_dir)
    candidates.append(default_data_dir() / "logs")
    text = "".join(traceback.format_exception(error))
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / CLI_LOG_NAME
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} thidua {' '.join(sys.argv[1:])}\n{text}\n")
            return path
        except OSError:
            continue
    return None


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:  # `thidua activity list | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0
    except (Cancelled, KeyboardInterrupt):
        print("\nĐã hủy.", file=sys.stderr)
        return EXIT_CANCELLED
    except UserError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return error.exit_code
    except Exception as error:  # noqa: BLE001 - last resort: a defect must not show a Python traceback
        log = log_unexpected(args, error)
        where = f" Chi tiết kỹ thuật đã ghi vào {log}." if log else ""
        print(f"Lỗi ngoài dự kiến ({type(error).__name__}). Dữ liệu đã lưu trước đó vẫn an toàn.{where}\n"
              "Hãy gửi tệp đó cho cán bộ hỗ trợ.", file=sys.stderr)
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    raise SystemExit(main())
