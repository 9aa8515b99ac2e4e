"""Run long core functions off the GUI thread, with a progress dialog and a Cancel button.

Core functions take `progress(done, total)` and `cancel()`; results and errors come back to the
GUI thread through signals, so no widget is ever touched from a worker thread.

Why not `QProgressDialog`: a modal `QProgressDialog.setValue()` spins the event loop, so the job's
"finished" signal was delivered *inside* a progress update; the dialog was then closed and scheduled
for deletion from that nested loop, and `on_done` (which may open a message box or start the next job)
ran nested too. The dialog here never spins the event loop: updates only set the bar, and the job's
end (done, failed or cancelled) is handled once, from the main loop, after the dialog is hidden.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from thidua_desktop.core.errors import Cancelled

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]

SHOW_AFTER_MS = 300  # short jobs finish without a flash of the dialog
PROGRESS_EVERY_S = 0.05  # at most ~20 progress updates a second cross to the GUI thread


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object, str)


class _Runnable(QRunnable):
    def __init__(self, job: Job, signals: _Signals, cancel_event: threading.Event) -> None:
        super().__init__()
        self.job = job
        self.signals = signals
        self.cancel_event = cancel_event
        self._last_sent = 0.0

    def _progress(self, done: int, total: int) -> None:
        """Forward progress, throttled: a job reporting every row must not flood the GUI thread's queue."""
        now = time.monotonic()
        if done >= total or now - self._last_sent >= PROGRESS_EVERY_S:
            self._last_sent = now
            self.signals.progress.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self.job(self._progress, self.cancel_event.is_set)
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.signals.failed.emit(error, traceback.format_exc())
        else:
            self.signals.finished.emit(result)


class ProgressDialog(QDialog):
    """What the user sees of a job: its title, a bar (busy until the job reports a total) and Hủy."""

    def __init__(self, title: str, parent: QWidget | None, on_cancel: Callable[[], None]) -> None:
        super().__init__(parent)
        self.on_cancel = on_cancel
        self.setWindowTitle(self.tr("Đang xử lý"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.cancel_requested = False
        layout = QVBoxLayout(self)
        self.label = QLabel(title)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton(self.tr("Hủy"))
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(360)

    def set_progress(self, done: int, total: int) -> None:
        total = max(total, 1)
        self.bar.setRange(0, total)
        self.bar.setValue(min(max(done, 0), total))

    def reject(self) -> None:  # Hủy, Esc or the title bar's close button: ask the job to stop
        if not self.cancel_requested:
            self.cancel_requested = True
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Đang dừng…"))
            self.on_cancel()
        # the dialog stays until the job has really stopped; `_Task.end` hides it


class _Task(QObject):
    """One running job: its signals, its (delayed) dialog, and the single place where it ends."""

    def __init__(self, runner: TaskRunner, title: str, parent: QWidget | None, show_progress: bool) -> None:
        super().__init__(runner)
        self.runner = runner
        self.cancel_event = threading.Event()
        self.signals = _Signals()
        self.dialog: ProgressDialog | None = None
        self.ended = False
        if show_progress:
            self.dialog = ProgressDialog(title, parent, self.cancel_event.set)
            self.show_timer = QTimer(self)
            self.show_timer.setSingleShot(True)
            self.show_timer.timeout.connect(self._show)
            self.show_timer.start(runner.show_after_ms)

    def _show(self) -> None:
        if not self.ended and self.dialog is not None:
            self.dialog.show()

    def progress(self, done: int, total: int) -> None:
        if not self.ended and self.dialog is not None:
            self.dialog.set_progress(done, total)

    def end(self) -> None:
        """Hide and release the dialog before any callback runs (a callback may open another window)."""
        self.ended = True
        if self.dialog is not None:
            self.show_timer.stop()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.runner._live.discard(self)
        self.deleteLater()


class TaskRunner(QObject):
    """One small helper for every background job; `synchronous=True` runs jobs inline (tests)."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False,
                 show_after_ms: int = SHOW_AFTER_MS) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.show_after_ms = show_after_ms
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # database work is serialised, as in Anki's task manager
        self._live: set[_Task] = set()

    def run(
        self,
        job: Job,
        *,
        title: str,
        parent: QWidget | None,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        show_progress: bool = True,
    ) -> None:
        error_handler = on_error or (lambda error, details: _default_error(parent, error, details))
        if self.synchronous:
            self._run_inline(job, on_done, error_handler, on_cancelled)
            return
        task = _Task(self, title, parent, show_progress)
        self._live.add(task)

        def on_finished(result: Any) -> None:
            task.end()  # a job that completed despite a late Hủy did its work: report it
            on_done(result)

        def on_failed(error: BaseException, details: str) -> None:
            task.end()
            if not isinstance(error, Cancelled):
                error_handler(error, details)
            elif on_cancelled:
                on_cancelled()

        task.signals.progress.connect(task.progress)
        task.signals.finished.connect(on_finished)
        task.signals.failed.connect(on_failed)
        self.pool.start(_Runnable(job, task.signals, task.cancel_event))

    @staticmethod
    def _run_inline(job: Job, on_done: Callable[[Any], None], on_error: Callable[[BaseException, str], None],
                    on_cancelled: Callable[[], None] | None) -> None:
        try:
            result = job(lambda _d, _t: None, threading.Event().is_set)
        except Cancelled:
            if on_cancelled:
                on_cancelled()
            return
        except Exception as error:  # noqa: BLE001
            on_error(error, traceback.format_exc())
            return
        on_done(result)

    @property
    def running(self) -> int:
        """Jobs started and not yet ended (their callbacks not yet run)."""
        return len(self._live)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


def _default_error(parent: QWidget | None, error: BaseException, details: str) -> None:
    from thidua_desktop.gui.messages import show_error

    show_error(parent, error, details)
