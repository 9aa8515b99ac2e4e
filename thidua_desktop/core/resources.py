"""One locator for `resources/`, the same from a source checkout, an installed wheel and a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _candidates() -> list[Path]:
    found: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:  # PyInstaller onedir/onefile
        found.append(Path(frozen_root) / "resources")
    found.append(_PACKAGE_DIR / "resources")  # installed wheel (force-included)
    found.append(_PACKAGE_DIR.parent / "resources")  # source checkout / editable install
    return found


@cache
def resources_dir() -> Path:
    for candidate in _candidates():
        if (candidate / "campaigns").is_dir():
            return candidate
    tried = ", ".join(str(p) for p in _candidates())
    raise FileNotFoundError(f"Không tìm thấy thư mục tài nguyên của chương trình (đã tìm: {tried}).")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def font_path(file_name: str) -> Path:
    return resource_path("fonts", file_name)
