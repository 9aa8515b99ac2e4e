"""Crash reporting without a network: every unhandled exception goes to a rotating log in the data folder
and to a Vietnamese dialog whose "Sao chép chi tiết" button puts the details on the clipboard, so an
officer can paste them into a message to support. Ordinary app logging goes to the same file.

Installed once by `gui.app.main` before the window exists; nothing here sends anything anywhere.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import platform
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QObject, QtMsgType, QUrl, Signal, Slot, qInstallMessageHandler
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop import APP_NAME, __version__

LOG_FILE_NAME = "thidua-desktop.log"
NATIVE_CRASH_FILE_NAME = "loi-nghiem-trong.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUP_COUNT = 4  # the live file + 4 rotated ones = 5 × 1 MB at most
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
LOGGER_NAME = "thidua_desktop"

log = logging.getLogger(LOGGER_NAME)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def setup_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path:
    """Send the app's log records to a rotating UTF-8 file in `logs_dir`; returns the file's path.

    A data folder that cannot be written (read-only share, full disk) must not stop the app from
    starting, so the log then falls back to the temp folder.
    """
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
        probe = logs_dir / LOG_FILE_NAME
        with probe.open("a", encoding="utf-8"):
            pass
    except OSError:
        logs_dir = Path(tempfile.gettempdir()) / "thidua-desktop-logs"
        logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / LOG_FILE_NAME
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if getattr(handler, "_thidua_crash_log", False):
            logger.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8"
    )
    handler._thidua_crash_log = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return path


def environment_summary() -> str:
    """The few facts support needs first: versions, platform, frozen or not."""
    from PySide6 import __version__ as pyside_version

    frozen = "đóng gói (PyInstaller)" if getattr(sys, "frozen", False) else "mã nguồn"
    return (
        f"{APP_NAME} {__version__} · {frozen}\n"
        f"Python {platform.python_version()} · PySide6 {pyside_version} · {platform.platform()}\n"
        f"Thời điểm: {datetime.now().isoformat(timespec='seconds')}"
    )


def format_details(exc_info: ExcInfo, *, thread_name: str | None = None) -> str:
    """Environment plus the full traceback: the text that is logged and that "Sao chép chi tiết" copies."""
    where = f"Luồng: {thread_name}\n" if thread_name else ""
    trace = "".join(traceback.format_exception(*exc_info))
    return f"{environment_summary()}\n{where}\n{trace}".rstrip() + "\n"


class CrashDialog(QDialog):
    """What the user sees after an unexpected error: reassurance, where the log is, and a copy button."""

    def __init__(self, details: str, log_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.log_path = log_path
        self.setWindowTitle(self.tr("ThiĐua Desktop — Lỗi ngoài dự kiến"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        header = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        header.addWidget(icon, 0)
        self.message = QLabel(
            self.tr(
                "<b>Chương trình gặp lỗi ngoài dự kiến.</b><br>"
                "Dữ liệu đã lưu trước đó vẫn an toàn. Bạn có thể đóng hộp thoại này và làm tiếp; "
                "nếu lỗi lặp lại, hãy khởi động lại chương trình.<br><br>"
                "Khi báo lỗi cho bộ phận hỗ trợ, hãy bấm <i>Sao chép chi tiết</i> rồi dán vào thư "
                "hoặc tin nhắn, hoặc gửi kèm tệp nhật ký dưới đây."
            )
        )
        self.message.setWordWrap(True)
        header.addWidget(self.message, 1)
        layout.addLayout(header)

        self.path_label = QLabel(self.tr("Tệp nhật ký: {path}").format(path=log_path))
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(
            self.path_label.textInteractionFlags() | self.path_label.textInteractionFlags().TextSelectableByMouse
        )
        layout.addWidget(self.path_label)

        self.details_view = QPlainTextEdit(details)
        self.details_view.setReadOnly(True)
        self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_view.setMinimumHeight(180)
        layout.addWidget(self.details_view, 1)

        buttons = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("Sao chép chi tiết"))
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton(self.tr("Mở thư mục nhật ký"))
        self.folder_button.clicked.connect(self.open_log_folder)
        self.close_button = QPushButton(self.tr("Đóng"))
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.details}\nTệp nhật ký: {self.log_path}\n")
        self.copy_button.setText(self.tr("Đã sao chép ✓"))

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))


class _GuiBridge(QObject):
    """Carries a report from any thread to the GUI thread (queued signal), where widgets may be made.

    The slot is a method of this QObject (made in the GUI thread), so Qt queues the call when the
    signal is emitted from a worker thread.
    """

    report = Signal(str)

    def __init__(self, present: Callable[[str], None]) -> None:
        super().__init__()
        self._present = present
        self.report.connect(self.present)

    @Slot(str)
    def present(self, details: str) -> None:
        self._present(details)


def _show_dialog(details: str, log_path: Path) -> None:
    CrashDialog(details, log_path, QApplication.activeWindow()).exec()


class CrashHandler:
    """The installed hooks; `uninstall()` puts the previous ones back (tests, and a clean shutdown)."""

    def __init__(
        self, log_path: Path, *, show: Callable[[str, Path], None] | None = None, capture_qt_messages: bool = True
    ) -> None:
        self.log_path = log_path
        self.show = show or _show_dialog
        self.reports: list[str] = []
        self._showing = False
        self._previous_excepthook = sys.excepthook
        self._previous_threading_hook = threading.excepthook
        self._previous_qt_handler: object | None = None
        self._capture_qt = capture_qt_messages
        self._native_file: IO[str] | None = None
        self._bridge = _GuiBridge(self._present)

    def install(self) -> CrashHandler:
        sys.excepthook = self.handle_exception
        threading.excepthook = self.handle_thread_exception
        if self._capture_qt:
            self._previous_qt_handler = qInstallMessageHandler(_qt_message_to_log)
        try:  # a hard crash inside Qt never reaches Python's hooks; faulthandler still writes its stack
            self._native_file = (self.log_path.parent / NATIVE_CRASH_FILE_NAME).open("a", encoding="utf-8")
            faulthandler.enable(self._native_file, all_threads=True)
        except (OSError, ValueError, RuntimeError):
            self._native_file = None
        return self

    def uninstall(self) -> None:
        sys.excepthook = self._previous_excepthook
        threading.excepthook = self._previous_threading_hook
        if self._capture_qt:
            qInstallMessageHandler(self._previous_qt_handler)  # type: ignore[arg-type]
        if self._native_file is not None:
            faulthandler.disable()
            self._native_file.close()
            self._native_file = None

    # --- hooks -----------------------------------------------------------------------------
    def handle_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report((exc_type, exc, tb), thread_name=None)

    def handle_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        name = args.thread.name if args.thread is not None else "?"
        self.report((args.exc_type, exc, args.exc_traceback), thread_name=name)

    def report(self, exc_info: ExcInfo, *, thread_name: str | None) -> None:
        """Log first (that must never fail silently), then ask the GUI thread to show the dialog."""
        details = format_details(exc_info, thread_name=thread_name)
        log.error("Lỗi ngoài dự kiến:\n%s", details)
        for handler in log.handlers:
            handler.flush()
        if sys.stderr is not None:  # a windowed Windows build has no stderr
            print(details, file=sys.stderr)
        if QApplication.instance() is None:
            return
        self._bridge.report.emit(details)  # queued when raised off the GUI thread

    def _present(self, details: str) -> None:
        self.reports.append(details)
        if self._showing:  # an error while the dialog is open (a repaint loop, say) is logged only
            return
        self._showing = True
        try:
            self.show(details, self.log_path)
        except Exception:  # noqa: BLE001 - the crash dialog itself must never crash the app
            log.exception("Không hiển thị được hộp thoại lỗi")
        finally:
            self._showing = False


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message_to_log(mode: QtMsgType, _context: object, message: str) -> None:
    """Qt's own warnings (a plugin that failed to load, say) into the same log, for support."""
    logging.getLogger(f"{LOGGER_NAME}.qt").log(_QT_LEVELS.get(mode, logging.WARNING), message)
    if sys.stderr is not None and mode != QtMsgType.QtDebugMsg:
        print(message, file=sys.stderr)


_installed: CrashHandler | None = None


def install_crash_handler(
    logs_dir: Path, *, show: Callable[[str, Path], None] | None = None, capture_qt_messages: bool = True
) -> CrashHandler:
    """Set up the rotating log in `logs_dir` and route unhandled exceptions (any thread) to it and to
    the crash dialog. Calling it again replaces the previous installation."""
    global _installed
    if _installed is not None:
        _installed.uninstall()
    log_path = setup_logging(logs_dir)
    _installed = CrashHandler(log_path, show=show, capture_qt_messages=capture_qt_messages).install()
    log.info("Khởi động %s %s\n%s", APP_NAME, __version__, environment_summary())
    return _installed


def uninstall_crash_handler() -> None:
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed = None
