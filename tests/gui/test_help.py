"""Issue 12, story 15: the Vietnamese user guide opens with F1 from the main window and fits a small screen."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from thidua_desktop.core.resources import resource_path
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.help_dialog import GUIDE, HelpDialog, guide_text
from thidua_desktop.gui.main_window import MainWindow


def test_f1_opens_the_user_guide(qtbot, context: AppContext) -> None:  # noqa: ANN001
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "help_dialog", None) is not None and window.help_dialog.isVisible(),
                    timeout=2000)
    text = window.help_dialog.browser.toPlainText()
    for heading in ("Công việc trong năm của đơn vị", "Cách gửi gói dữ liệu về Sở", "Cách tạo và đăng ký khóa ký",
                    "Công việc trong năm của Sở Tư pháp", "Khi gói dữ liệu bị từ chối"):
        assert heading in text
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Trợ &giúp")
    assert [a.text() for a in menu.actions()][:1] == ["Hướng dẫn sử dụng"]


def test_the_guide_fits_a_1366_by_768_screen(qtbot) -> None:  # noqa: ANN001
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    frame = dialog.frameGeometry()
    available = dialog.screen().availableGeometry()
    assert frame.width() <= min(1366, available.width()) and frame.height() <= min(768 - 40, available.height())


def test_the_guide_names_the_real_buttons_and_ships_as_a_resource() -> None:
    assert resource_path(*GUIDE).is_file()
    text = guide_text()
    named = set(re.findall(r"\*\*([^*]+)\*\*", text))
    real = {"Tạo gói dữ liệu…", "Tạo khóa…", "In phiếu đăng ký khóa…", "Quên cụm mật khẩu…", "Thay khóa…",
            "Đăng ký khóa…", "Thu hồi khóa…", "Nhận gói…", "Nhận cả thư mục…", "Gói bổ sung", "Gói đầy đủ",
            "Gửi/Nhận gói dữ liệu", "Thêm hoạt động", "Hoàn tác", "Thùng rác", "Chờ xử lý"}
    assert real <= named
