"""Unhandled exceptions reach the log file and a Vietnamese dialog, from the GUI thread and from others."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from PySide6.QtGui import QGuiApplication

from thidua_desktop.gui import crash
from thidua_desktop.gui.crash import (
    LOG_BACKUP_COUNT,
    LOG_FILE_NAME,
    LOG_MAX_BYTES,
    CrashDialog,
    CrashHandler,
    install_crash_handler,
    uninstall_crash_handler,
)


@pytest.fixture
def shown() -> list[tuple[str, Path]]:
    return []


@pytest.fixture
def handler(qapp, tmp_path: Path, shown: list[tuple[str, Path]]) -> Iterator[CrashHandler]:  # noqa: ANN001
    """The real hooks, with the blocking dialog replaced by a recorder (pytest-qt keeps its own Qt log)."""
    installed = install_crash_handler(
        tmp_path / "logs", show=lambda details, path: shown.append((details, path)), capture_qt_messages=False
    )
    yield installed
    uninstall_crash_handler()


def _raise_and_hook(message: str) -> None:
    try:
        raise ValueError(message)
    except ValueError:
        sys.excepthook(*sys.exc_info())


def test_exception_is_logged_and_shown_once(handler: CrashHandler, shown: list, tmp_path: Path) -> None:
    assert sys.excepthook == handler.handle_exception
    _raise_and_hook("số liệu âm không hợp lệ")
    log_text = (tmp_path / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "Lỗi ngoài dự kiến" in log_text
    assert "ValueError: số liệu âm không hợp lệ" in log_text
    assert "_raise_and_hook" in log_text  # the traceback, not just the message
    assert "Khởi động ThiĐua Desktop" in log_text
    assert len(shown) == 1
    details, path = shown[0]
    assert path == tmp_path / "logs" / LOG_FILE_NAME
    assert "ValueError: số liệu âm không hợp lệ" in details
    assert "ThiĐua Desktop 0.1.0" in details


def test_keyboard_interrupt_is_not_reported(handler: CrashHandler, shown: list, monkeypatch) -> None:  # noqa: ANN001
    passed_on: list[type] = []
    monkeypatch.setattr(sys, "__excepthook__", lambda t, e, tb: passed_on.append(t))
    handler.handle_exception(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert passed_on == [KeyboardInterrupt]
    assert shown == []


def test_worker_thread_exception_reaches_the_gui_thread(handler: CrashHandler, shown: list, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    gui_thread = threading.get_ident()
    seen_in: list[int] = []
    handler.show = lambda details, path: (seen_in.append(threading.get_ident()), shown.append((details, path)))

    def work() -> None:
        raise RuntimeError("mất kết nối tới tệp minh chứng")

    worker = threading.Thread(target=work, name="xuat-goi")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    assert seen_in == [gui_thread]  # the dialog is only ever made in the GUI thread
    assert "Luồng: xuat-goi" in shown[0][0]
    assert "RuntimeError: mất kết nối tới tệp minh chứng" in shown[0][0]
    assert "RuntimeError" in (tmp_path / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")


def test_an_error_while_the_dialog_is_open_is_logged_not_stacked(handler: CrashHandler, tmp_path: Path) -> None:
    opened: list[str] = []

    def show(details: str, _path: Path) -> None:
        opened.append(details)
        _raise_and_hook("lỗi khi vẽ lại")  # e.g. a paint loop raising again behind the dialog

    handler.show = show
    _raise_and_hook("lỗi đầu tiên")
    assert len(opened) == 1
    assert len(handler.reports) == 2
    assert "lỗi khi vẽ lại" in (tmp_path / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")


def test_uninstall_restores_previous_hooks(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    before = (sys.excepthook, threading.excepthook)
    install_crash_handler(tmp_path / "logs", show=lambda *_: None, capture_qt_messages=False)
    assert sys.excepthook != before[0]
    uninstall_crash_handler()
    assert (sys.excepthook, threading.excepthook) == before


def test_log_rotates_and_keeps_five_files_at_most(handler: CrashHandler, tmp_path: Path) -> None:
    logger = logging.getLogger("thidua_desktop.test")
    line = "x" * 2000
    for _ in range((LOG_MAX_BYTES // 2000) * (LOG_BACKUP_COUNT + 3)):
        logger.info(line)
    files = sorted(p.name for p in (tmp_path / "logs").glob(f"{LOG_FILE_NAME}*"))
    assert files == [LOG_FILE_NAME] + [f"{LOG_FILE_NAME}.{i}" for i in range(1, LOG_BACKUP_COUNT + 1)]
    assert all((tmp_path / "logs" / f).stat().st_size <= LOG_MAX_BYTES for f in files)


def test_unwritable_data_folder_falls_back_to_temp(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("tệp chắn chỗ thư mục")
    path = crash.setup_logging(blocker / "logs")
    assert path.name == LOG_FILE_NAME
    assert blocker not in path.parents
    logging.getLogger("thidua_desktop").handlers[-1].close()


def test_dialog_is_vietnamese_and_copies_details(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    details = "ThiĐua Desktop 0.1.0\nTraceback (most recent call last):\nValueError: ví dụ\n"
    dialog = CrashDialog(details, tmp_path / "logs" / LOG_FILE_NAME)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "ThiĐua Desktop — Lỗi ngoài dự kiến"
    assert "Chương trình gặp lỗi ngoài dự kiến." in dialog.message.text()
    assert str(tmp_path / "logs" / LOG_FILE_NAME) in dialog.path_label.text()
    assert dialog.copy_button.text() == "Sao chép chi tiết"
    assert [b.text() for b in (dialog.folder_button, dialog.close_button)] == ["Mở thư mục nhật ký", "Đóng"]
    assert dialog.details_view.toPlainText() == details
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(details)
    assert f"Tệp nhật ký: {tmp_path / 'logs' / LOG_FILE_NAME}" in copied
    assert dialog.copy_button.text() == "Đã sao chép ✓"
