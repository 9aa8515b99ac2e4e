"""Run every kind of background job many times under the REAL event loop (QThreadPool, not the synchronous
runner the other GUI tests use), in its own process so that a hang or an abort is a failure, not a frozen run.

`python -m tests.gui.stress_tasks [ROUNDS] [DATA_DIR]` prints one line per job kind and exits 0 when every
job of every round reached its callback (done, error or cancelled) within the time allowed.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget  # noqa: E402

from thidua_desktop.core.errors import Cancelled, UserError  # noqa: E402
from thidua_desktop.gui.tasks import ProgressDialog, TaskRunner  # noqa: E402

JOB_TIMEOUT_MS = 15_000
Outcome = dict[str, Any]


def stepped(steps: int, pause: float = 0.0, *, fail_at: int | None = None) -> Callable:
    """A job that reports `steps` progress steps (to 100 %), optionally failing part-way."""

    def job(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> int:
        for step in range(steps + 1):
            if cancel():
                raise Cancelled()
            if fail_at is not None and step == fail_at:
                raise UserError("Lỗi thử nghiệm.")
            progress(step, steps)
            if pause:
                time.sleep(pause)
        return steps

    return job


def until_cancelled(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> None:
    for step in range(100_000):
        if cancel():
            raise Cancelled()
        progress(step % 100, 100)
        time.sleep(0.001)
    raise AssertionError("never cancelled")


class Harness:
    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.runner = TaskRunner(show_after_ms=0)  # show the dialog every time: the path that froze

    def run_once(self, job: Callable, *, on_done_extra: Callable[[Outcome], None] | None = None,
                 press_cancel: bool = False, show_progress: bool = True) -> Outcome:
        loop = QEventLoop()
        outcome: Outcome = {}

        def finish(kind: str, value: Any = None) -> None:
            outcome[kind] = value
            if on_done_extra and kind == "done":
                on_done_extra(outcome)
            if not outcome.get("pending"):
                loop.quit()

        self.runner.run(job, title="Đang thử…", parent=self.window,
                        on_done=lambda result: finish("done", result),
                        on_error=lambda error, _details: finish("error", type(error).__name__),
                        on_cancelled=lambda: finish("cancelled"), show_progress=show_progress)
        if press_cancel:
            QTimer.singleShot(20, self.press_cancel)
        QTimer.singleShot(JOB_TIMEOUT_MS, loop.quit)
        if not outcome:
            loop.exec()
        return outcome

    def press_cancel(self) -> None:
        for dialog in self.window.findChildren(ProgressDialog):
            if dialog.isVisible():
                QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
                return
        QTimer.singleShot(10, self.press_cancel)

    def modal_in_on_done(self, outcome: Outcome) -> None:
        """`on_done` opens a message box (a nested event loop), as many pages do."""
        QTimer.singleShot(5, lambda: [box.done(0) for box in QApplication.topLevelWidgets()
                                      if isinstance(box, QMessageBox) and box.isVisible()])
        QMessageBox.information(self.window, "Xong", "Đã xong.")
        outcome["modal_closed"] = True

    def chain_in_on_done(self, outcome: Outcome) -> None:
        """`on_done` starts the next job at once (refresh after a change)."""
        outcome["pending"] = True
        inner = self.run_once(stepped(20))
        outcome["chained"] = inner
        outcome["pending"] = False


def job_kinds(harness: Harness, data_dir: Path | None) -> dict[str, Callable[[], Outcome]]:
    kinds: dict[str, Callable[[], Outcome]] = {
        "ngay lập tức": lambda: harness.run_once(lambda _p, _c: "ok"),
        "tiến độ tới 100 %": lambda: harness.run_once(stepped(400)),
        "tiến độ chậm, hộp thoại hiện": lambda: harness.run_once(stepped(30, 0.002)),
        "lỗi giữa chừng": lambda: harness.run_once(stepped(50, fail_at=25)),
        "công việc tự hủy": lambda: harness.run_once(_cancelled_job),
        "người dùng bấm Hủy": lambda: harness.run_once(until_cancelled, press_cancel=True),
        "mở hộp thoại khi xong": lambda: harness.run_once(stepped(100), on_done_extra=harness.modal_in_on_done),
        "chạy tiếp việc khác khi xong": lambda: harness.run_once(stepped(100), on_done_extra=harness.chain_in_on_done),
        "không hiện tiến độ": lambda: harness.run_once(stepped(100), show_progress=False),
    }
    if data_dir is not None:
        kinds.update(real_jobs(harness, data_dir))
    return kinds


def _cancelled_job(_progress: Callable, _cancel: Callable) -> None:
    raise Cancelled()


def real_jobs(harness: Harness, data_dir: Path) -> dict[str, Callable[[], Outcome]]:
    """The department's jobs on real data: building the figures and exporting them to Excel."""
    from thidua_desktop.core.consolidation.periods import period_choices
    from thidua_desktop.core.consolidation.table import ConsolidationFilter
    from thidua_desktop.core.workspace import Workspace

    workspace = Workspace.open(data_dir)
    service = workspace.consolidation()
    table = service.table(ConsolidationFilter(period_choices(workspace.campaign())[0]))
    target = data_dir / "stress.xlsx"
    return {
        "tổng hợp số liệu": lambda: harness.run_once(lambda p, c: service.build_cube(progress=p, cancel=c)),
        "xuất Excel": lambda: harness.run_once(lambda p, c: service.export_excel(target, table, progress=p, cancel=c)),
    }


def main(argv: list[str]) -> int:
    faulthandler.enable()
    rounds = int(argv[0]) if argv else 50
    data_dir = Path(argv[1]) if len(argv) > 1 else None
    app = QApplication.instance() or QApplication([])
    window = QMainWindow()
    window.resize(900, 600)
    window.show()
    harness = Harness(window)
    failures = []
    for name, kind in job_kinds(harness, data_dir).items():
        started = time.perf_counter()
        ends: dict[str, int] = {}
        for _ in range(rounds):
            outcome = kind()
            end = next((k for k in ("done", "error", "cancelled") if k in outcome), "treo")
            ends[end] = ends.get(end, 0) + 1
            if end == "treo" or ("pending" in outcome and "chained" not in outcome):
                failures.append(name)
                break
        leftovers = [w for w in window.findChildren(ProgressDialog) if w.isVisible()]
        if leftovers or harness.runner.running:
            failures.append(f"{name}: {len(leftovers)} hộp tiến độ còn hiện, {harness.runner.running} việc chưa xong")
        print(f"{name}: {ends} trong {time.perf_counter() - started:.1f} s", flush=True)
    app.processEvents()
    if failures:
        print("THẤT BẠI:", "; ".join(failures), flush=True)
        return 1
    print("OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
