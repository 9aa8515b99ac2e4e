"""Run long core functions off the GUI thread, with a progress dialog and a Cancel button.

Core functions take `progress(done, total)` and `cancel()`; results and errors come back to the
GUI thread through signals, so no widget is ever touched from a worker thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from thidua_desktop.core.errors import Cancelled

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


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

    def run(self) -> None:
        try:
            result = self.job(lambda done, total: self.signals.progress.emit(int(done), int(total)),
                              self.cancel_event.is_set)
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.signals.failed.emit(error, traceback.format_exc())
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """One small helper for every background job; `synchronous=True` runs jobs inline (tests)."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # database work is serialised, as in Anki's task manager
        self._live: set[_Signals] = set()

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
        cancel_event = threading.Event()
        error_handler = on_error or (lambda error, details: _default_error(parent, error, details))
        if self.synchronous:
            try:
                result = job(lambda _d, _t: None, cancel_event.is_set)
            except Cancelled:
                if on_cancelled:
                    on_cancelled()
                return
            except Exception as error:  # noqa: BLE001
                error_handler(error, traceback.format_exc())
                return
            on_done(result)
            return

        dialog = None
        if show_progress:
            dialog = QProgressDialog(title, self.tr("Hủy"), 0, 0, parent)
            dialog.setWindowTitle(self.tr("Đang xử lý"))
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.canceled.connect(cancel_event.set)

        signals = _Signals()
        self._live.add(signals)

        def on_progress(done: int, total: int) -> None:
            if dialog is not None:
                dialog.setMaximum(max(total, 1))
                dialog.setValue(min(done, max(total, 1)))

        def finish() -> None:
            self._live.discard(signals)
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()

        def on_finished(result: Any) -> None:
            finish()
            on_done(result)

        def on_failed(error: BaseException, details: str) -> None:
            finish()
            if not isinstance(error, Cancelled):
                error_handler(error, details)
            elif on_cancelled:
                on_cancelled()

        signals.progress.connect(on_progress)
        signals.finished.connect(on_finished)
        signals.failed.connect(on_failed)
        self.pool.start(_Runnable(job, signals, cancel_event))

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


def _default_error(parent: QWidget | None, error: BaseException, details: str) -> None:
    from thidua_desktop.gui.messages import show_error

    show_error(parent, error, details)
