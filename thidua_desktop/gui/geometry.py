"""Windows and dialogs that fit the screen they open on.

An office laptop is often 1366×768 with a task bar (1366×728 available) and Windows display scaling at
125 % or 150 %, which leaves 1093×582 or 911×485 device-independent pixels. A window asks for its
preferred size and gets at most what the screen's AVAILABLE geometry holds, centred on it; its layout
must then be able to shrink that far (scroll areas, wrapping rows).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

FRAME_ALLOWANCE = QSize(16, 40)  # the title bar and borders the window manager adds around a window


def screen_of(widget: QWidget) -> QScreen | None:
    parent = widget.parentWidget()
    window = parent.window() if parent is not None else None
    if window is not None and window.screen() is not None:
        return window.screen()
    return widget.screen() or QGuiApplication.primaryScreen()


def available_area(widget: QWidget) -> QRect:
    """Where a window may go: the screen minus task bars and docks, less the frame the system adds."""
    screen = screen_of(widget)
    if screen is None:
        return QRect(0, 0, 1366 - FRAME_ALLOWANCE.width(), 728 - FRAME_ALLOWANCE.height())
    area = screen.availableGeometry()
    return QRect(area.x(), area.y(), area.width() - FRAME_ALLOWANCE.width(), area.height() - FRAME_ALLOWANCE.height())


def fit_to_screen(widget: QWidget, preferred: QSize | tuple[int, int], *, centre: bool = True) -> QSize:
    """Resize a top-level widget to `preferred`, shrunk to the available area (never below what fits there).

    The widget's minimum size is capped to the area too, so that a layout cannot push it off the screen.
    Returns the size given.
    """
    wanted = QSize(*preferred) if isinstance(preferred, tuple) else QSize(preferred)
    area = available_area(widget)
    minimum = widget.minimumSize()
    widget.setMinimumSize(min(minimum.width(), area.width()), min(minimum.height(), area.height()))
    size = wanted.boundedTo(area.size())
    widget.resize(size)
    if centre:
        widget.move(area.x() + (area.width() - size.width()) // 2, area.y() + (area.height() - size.height()) // 2)
    return size


def keep_on_screen(widget: QWidget) -> None:
    """Shrink and move a window that its layout made larger than the screen back into the available area."""
    area = available_area(widget)
    size = widget.size().boundedTo(area.size())
    if size != widget.size():
        widget.resize(size)
    x = min(max(widget.x(), area.x()), area.x() + area.width() - size.width())
    y = min(max(widget.y(), area.y()), area.y() + area.height() - size.height())
    if (x, y) != (widget.x(), widget.y()):
        widget.move(x, y)
