"""Where the CLI gets a key's passphrase: --passphrase-file, the environment, or the terminal.

A script (no terminal) gets a clear error instead of a Python traceback; a person at a terminal who mistypes
the passphrase is asked again, a few times, instead of losing the whole command.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from thidua_desktop.core.bundles.errors import WrongPassphraseError
from thidua_desktop.core.errors import UserError

PASSPHRASE_ENV = "THIDUA_KEY_PASSPHRASE"
NEW_PASSPHRASE_ENV = "THIDUA_NEW_KEY_PASSPHRASE"
MAX_ATTEMPTS = 3

T = TypeVar("T")


def _from_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp cụm mật khẩu “{path}”.",
                        hint="Kiểm tra lại đường dẫn sau --passphrase-file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "tệp không phải văn bản UTF-8"
        raise UserError(f"Không đọc được tệp cụm mật khẩu “{path}”: {reason}.",
                        hint="Cụm mật khẩu nằm ở dòng đầu của một tệp văn bản.") from None
    return lines[0] if lines else ""


def _ask(prompt: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        raise UserError(
            "Cần cụm mật khẩu của khóa ký nhưng không có cửa sổ dòng lệnh để hỏi.",
            hint=f"Dùng --passphrase-file TỆP (cụm mật khẩu ở dòng đầu) hoặc biến môi trường {PASSPHRASE_ENV}.",
        )
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise UserError("Chưa nhập cụm mật khẩu.", hint="Chạy lại lệnh và nhập cụm mật khẩu.") from None


def file_source(args: argparse.Namespace, env: str) -> Path | None:
    """The --passphrase-file, for the passphrase it stands for (the current key's unless said otherwise)."""
    path = getattr(args, "passphrase_file", None)
    return Path(path) if path and env == getattr(args, "passphrase_file_env", PASSPHRASE_ENV) else None


def read_passphrase(args: argparse.Namespace, prompt: str = "Cụm mật khẩu của khóa ký: ", *,
                    env: str = PASSPHRASE_ENV, confirm: bool = False) -> tuple[str, str | None]:
    """(passphrase, confirmation): from --passphrase-file, the environment, or the terminal."""
    path = file_source(args, env)
    if path is not None:
        value = _from_file(path)
        return value, value
    if os.environ.get(env) is not None:
        value = os.environ[env]
        return value, value
    value = _ask(prompt)
    return value, (_ask("Nhập lại cụm mật khẩu: ") if confirm else None)


def is_interactive(args: argparse.Namespace, env: str = PASSPHRASE_ENV) -> bool:
    return file_source(args, env) is None and os.environ.get(env) is None


def with_passphrase(args: argparse.Namespace, action: Callable[[str], T],
                    prompt: str = "Cụm mật khẩu của khóa ký: ") -> T:
    """Run `action(passphrase)`; a wrong passphrase typed at the terminal is asked again (MAX_ATTEMPTS in all).

    From a file or the environment there is nobody to ask: the error says where the wrong value came from.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        passphrase, _ = read_passphrase(args, prompt)
        try:
            return action(passphrase)
        except WrongPassphraseError as error:
            path = file_source(args, PASSPHRASE_ENV)
            if path is not None:
                raise WrongPassphraseError(error.message, hint=f"Cụm mật khẩu được đọc từ dòng đầu của tệp “{path}”; "
                                           "hãy sửa tệp đó (chú ý chữ hoa, dấu tiếng Việt).") from None
            if not is_interactive(args) or attempt == MAX_ATTEMPTS:
                raise
            left = MAX_ATTEMPTS - attempt
            print(f"Cụm mật khẩu không đúng. Hãy nhập lại (còn {left} lần thử; chú ý bộ gõ tiếng Việt và "
                  "phím Caps Lock).", file=sys.stderr)
    raise AssertionError("unreachable")
