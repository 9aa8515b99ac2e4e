"""Render the app icon set from its SVG sources: PNGs at 16–256 px and one multi-size Windows .ico.

Two sources, because a 16 px icon is not a 256 px icon scaled down: `thidua-desktop.svg` has the star,
its rim and the gold base line; `thidua-desktop-small.svg` is the same star, larger and without detail,
so it stays a star on a navy tile at 16 and 24 px. Rendering uses QtSvg from the app's own PySide6.

Run: python installer/make_icons.py   (writes into resources/icons/)
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
NAME = "thidua-desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256)
SMALL_UP_TO = 24


def render(svg: Path, size: int) -> Image.Image:
    """One antialiased RGBA rendering of `svg` at `size` × `size` pixels."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    images: dict[int, Image.Image] = {}
    for size in SIZES:
        source = ICONS / (f"{NAME}-small.svg" if size <= SMALL_UP_TO else f"{NAME}.svg")
        images[size] = render(source, size)
        images[size].save(ICONS / f"{NAME}-{size}.png", optimize=True)
    largest = images[max(SIZES)]
    others = [images[s] for s in SIZES if s != max(SIZES)]
    largest.save(ICONS / f"{NAME}.ico", format="ICO", sizes=[(s, s) for s in SIZES], append_images=others)
    print(f"wrote {len(SIZES)} PNGs and {NAME}.ico into {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
