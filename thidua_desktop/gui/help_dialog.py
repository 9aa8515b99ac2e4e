"""Trợ giúp › Hướng dẫn sử dụng (F1): the short user guide shipped in resources/help/, in a reader that fits
a 1366 × 768 laptop screen."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from thidua_desktop.core.resources import resource_path

GUIDE = ("help", "huong-dan.md")
PREFERRED_SIZE = (900, 680)
SCREEN_MARGIN = (40, 80)  # room for the taskbar and the window frame


def guide_text() -> str:
    return resource_path(*GUIDE).read_text(encoding="utf-8")


class HelpDialog(QDialog):
    """Non-modal, so the officer can follow the steps in the main window while reading."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Hướng dẫn sử dụng — ThiĐua Desktop"))
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(guide_text())
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._fit_screen()

    def _fit_screen(self) -> None:
        screen = (self.parentWidget() or self).screen()
        width, height = PREFERRED_SIZE
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, available.width() - SCREEN_MARGIN[0])
            height = min(height, available.height() - SCREEN_MARGIN[1])
        self.setMinimumSize(min(480, width), min(320, height))
        self.resize(width, height)
