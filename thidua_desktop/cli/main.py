"""`thidua` entry point: each sub-command lives in `cli/commands/` and registers itself here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from thidua_desktop import __version__
from thidua_desktop.cli.commands import activity, bundle, consolidate, demo, info, keys, report, setup, units
from thidua_desktop.cli.common import EXIT_CANCELLED, speak_vietnamese
from thidua_desktop.core.errors import Cancelled, UserError

COMMAND_MODULES = [info, setup, demo, units, activity, report, bundle, keys, consolidate]


def build_parser() -> argparse.ArgumentParser:
    speak_vietnamese()
    parser = argparse.ArgumentParser(
        prog="thidua",
        description="ThiĐua Desktop — dòng lệnh ghi nhận, gửi và tổng hợp phong trào thi đua.",
    )
    parser.add_argument("--version", action="version", version=f"ThiĐua Desktop {__version__}",
                        help="hiện phiên bản rồi thoát")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


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
    except Cancelled:
        print("Đã hủy.", file=sys.stderr)
        return EXIT_CANCELLED
    except UserError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
