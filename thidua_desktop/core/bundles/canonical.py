"""Canonical JSON: one byte sequence per value, so a signature over the bytes is a signature over the meaning.

The rules (docs/bundle-format.md §3): UTF-8 without BOM; every string NFC; objects with keys sorted
by code point and no duplicates; no floats, NaN or Infinity; integers within signed 64 bits; no
insignificant whitespace; JSON's minimal escapes. Decoding refuses anything that would not re-encode
to the very same bytes.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
MAX_DEPTH = 32


class CanonicalError(ValueError):
    """The bytes are not canonical JSON; the message (Vietnamese) names the first problem."""


def _check(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalError(f"dữ liệu lồng nhau quá sâu tại {path}")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise CanonicalError(f"số nguyên vượt giới hạn 64 bit tại {path}")
        return
    if isinstance(value, float):
        raise CanonicalError(f"không được dùng số thực tại {path}")
    if isinstance(value, str):
        if unicodedata.normalize("NFC", value) != value:
            raise CanonicalError(f"chuỗi chưa chuẩn hóa NFC tại {path}")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"khóa không phải chuỗi tại {path}")
            _check(key, f"{path}.{key}", depth + 1)
            _check(item, f"{path}.{key}", depth + 1)
        return
    raise CanonicalError(f"kiểu dữ liệu {type(value).__name__} không được phép tại {path}")


def encode(value: Any) -> bytes:
    """The canonical bytes of a value built from dict, list, str, int, bool and None."""
    _check(value, "$", 0)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError("chuỗi chứa ký tự UTF-16 lẻ (surrogate)") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CanonicalError(f"khóa “{key}” xuất hiện hai lần")
        result[key] = value
    return result


def _no_float(text: str) -> Any:
    raise CanonicalError(f"không được dùng số thực ({text[:20]})")


def decode(data: bytes) -> Any:
    """Parse canonical JSON, refusing duplicates, floats and any byte that differs from `encode`."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise CanonicalError("có dấu BOM ở đầu (UTF-8 phải không có BOM)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalError(f"không phải văn bản UTF-8 (vị trí {exc.start})") from None
    try:
        value = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_float
        )
    except CanonicalError:
        raise
    except json.JSONDecodeError as exc:  # its text is Python's English: only the position is kept
        raise CanonicalError(f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}") from None
    except RecursionError:
        raise CanonicalError("dữ liệu lồng nhau quá sâu") from None
    except ValueError:
        raise CanonicalError("JSON không hợp lệ") from None
    if encode(value) != data:
        raise CanonicalError("không ở dạng chuẩn (thứ tự khóa, khoảng trắng hoặc cách thoát ký tự)")
    return value
