"""Register the bundled Liberation 2.x fonts, so Vietnamese text never depends on system fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from thidua_desktop.core.resources import resource_path

UI_FAMILY = "Liberation Sans"
DOCUMENT_FAMILY = "Liberation Serif"


def register_fonts() -> list[str]:
    families: list[str] = []
    for path in sorted(resource_path("fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(set(families))


def ui_font(point_size: float = 10) -> QFont:
    font = QFont(UI_FAMILY)
    font.setPointSizeF(point_size)
    return font
