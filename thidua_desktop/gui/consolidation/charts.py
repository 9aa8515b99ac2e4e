"""Bar charts drawn with QPainter: progress per criterion and per unit, with target lines, exportable as PNG.

Why QPainter rather than QtCharts or matplotlib: see docs/charts.md. In short, the charts needed here
are horizontal bars with a few reference lines; drawing them is ~200 lines with no new dependency,
while QtCharts needs PySide6-Addons (~150 MB) and matplotlib adds ~40 MB plus its own fonts and
backend to the installer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from thidua_desktop.core.text import format_number

BAR = QColor("#2f6ea5")
BAR_MISSED = QColor("#c8553d")
LINE_COLORS = (QColor("#b3261e"), QColor("#1d6b2c"), QColor("#8a5a00"))
GRID = QColor("#dde3ea")
TEXT = QColor("#1f2933")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as printed beside the bar ("75,0%", "1.234")
    missed: bool = False  # below its target: drawn in the warning colour


@dataclass(frozen=True)
class TargetLine:
    value: float
    label: str


def nice_step(span: float, ticks: int = 5) -> float:
    """A 1-2-5 step giving about `ticks` gridlines over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


class BarChart(QWidget):
    """Horizontal bars (long Vietnamese unit names read well on the left), gridlines and dashed target lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ""
        self.subtitle = ""
        self.bars: list[Bar] = []
        self.lines: list[TargetLine] = []
        self.value_rects: list[QRectF] = []  # where the last paint put each bar's value (tests check them)
        self.axis_format: Callable[[float], str] = lambda v: format_number(v)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(260)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("white"))
        self.setPalette(palette)

    def set_data(
        self,
        title: str,
        bars: Sequence[Bar],
        lines: Sequence[TargetLine] = (),
        *,
        subtitle: str = "",
        axis_format: Callable[[float], str] | None = None,
    ) -> None:
        self.title, self.subtitle = title, subtitle
        self.bars, self.lines = list(bars), list(lines)
        if axis_format is not None:
            self.axis_format = axis_format
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(900, max(300, 90 + 26 * len(self.bars)))

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802 - Qt override
        painter = QPainter(self)
        self.paint(painter, QRectF(self.rect()))
        painter.end()

    def render_image(self, scale: float = 2.0) -> QImage:
        """The chart as an image at `scale` × the widget size (crisp when pasted into a report)."""
        size = self.size() if self.width() > 100 else self.sizeHint()
        image = QImage(int(size.width() * scale), int(size.height() * scale), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.scale(scale, scale)
        self.paint(painter, QRectF(0, 0, size.width(), size.height()))
        painter.end()
        return image

    def save_png(self, path: Path, scale: float = 2.0) -> Path:
        if not self.render_image(scale).save(str(path), "PNG"):
            raise OSError(f"Không ghi được tệp ảnh {path}")
        return path

    # --- drawing ------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, area: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(area, QColor("white"))
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(self.font().pointSizeF() * 1.25)
        painter.setFont(title_font)
        painter.setPen(TEXT)
        top = area.top() + 8
        title_height = QFontMetrics(title_font).height()
        painter.drawText(QRectF(area.left() + 12, top, area.width() - 24, title_height), Qt.AlignmentFlag.AlignLeft, self.title)
        top += title_height + 2
        painter.setFont(self.font())
        metrics = QFontMetrics(self.font())
        if self.subtitle:
            painter.setPen(QColor("#52606d"))
            painter.drawText(QRectF(area.left() + 12, top, area.width() - 24, metrics.height()), Qt.AlignmentFlag.AlignLeft, self.subtitle)
            top += metrics.height() + 4
        if not self.bars:
            painter.setPen(QColor("#52606d"))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "Chưa có số liệu để vẽ biểu đồ.")
            return
        top += (metrics.height() + 2) * max(1, len(self.lines)) + 4  # one row per target-line label
        label_width = min(area.width() * 0.34, max(metrics.horizontalAdvance(b.label) for b in self.bars) + 16)
        value_width = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 12
        plot = QRectF(area.left() + label_width, top, area.width() - label_width - value_width - 16,
                      area.bottom() - top - metrics.height() - 14)
        if plot.width() < 40 or plot.height() < 20:
            return
        highest = max([b.value or 0 for b in self.bars] + [line.value for line in self.lines] + [0])
        step = nice_step(highest or 1)
        maximum = step * max(1, math.ceil(highest / step)) if highest else step * 5

        def x_of(value: float) -> float:
            return plot.left() + plot.width() * max(0.0, value) / maximum

        # gridlines and axis labels
        painter.setPen(QPen(GRID, 1))
        tick = 0.0
        while tick <= maximum + 1e-9:
            x = x_of(tick)
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(QColor("#52606d"))
            text = self.axis_format(tick)
            painter.drawText(QRectF(x - 40, plot.bottom() + 2, 80, metrics.height()), Qt.AlignmentFlag.AlignHCenter, text)
            tick += step
        # target lines first, dashed and labelled above the plot: bars and value labels are drawn over them
        for number, line in enumerate(self.lines):
            color = LINE_COLORS[number % len(LINE_COLORS)]
            x = x_of(line.value)
            painter.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, plot.top() - 2), QPointF(x, plot.bottom()))
            painter.setPen(color)
            text_width = metrics.horizontalAdvance(line.label) + 8
            left = min(max(area.left() + 4, x - text_width / 2), area.right() - text_width)
            label_top = plot.top() - (metrics.height() + 2) * (len(self.lines) - number) - 2
            painter.drawText(QRectF(left, label_top, text_width, metrics.height()), Qt.AlignmentFlag.AlignCenter, line.label)
        # bars, each with its value on a white backing so that no target line crosses the figure
        self.value_rects = []
        slot = plot.height() / len(self.bars)
        thickness = max(4.0, min(22.0, slot * 0.68))
        for number, bar in enumerate(self.bars):
            centre = plot.top() + slot * (number + 0.5)
            painter.setPen(TEXT)
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_width - 14))
            painter.drawText(QRectF(area.left() + 4, centre - slot / 2, label_width - 10, slot),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
            if bar.value is None:
                continue
            rect = QRectF(plot.left(), centre - thickness / 2, x_of(bar.value) - plot.left(), thickness)
            painter.fillRect(rect, BAR_MISSED if bar.missed else BAR)
            text_rect = QRectF(rect.right() + 3, centre - metrics.height() / 2 - 1,
                               metrics.horizontalAdvance(bar.text) + 6, metrics.height() + 2)
            painter.fillRect(text_rect, QColor("white"))
            painter.setPen(BAR_MISSED if bar.missed else TEXT)
            painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignCenter), bar.text)
            self.value_rects.append(text_rect)
        painter.setPen(QPen(QColor("#52606d"), 1))
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
