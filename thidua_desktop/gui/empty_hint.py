"""A table view that says so when it is empty, instead of showing a blank grid."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QTableView, QWidget


class HintTableView(QTableView):
    def __init__(self, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = hint

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        model = self.model()
        if self.hint and model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#6b6b6b"))
            painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                             self.hint)
            painter.end()
