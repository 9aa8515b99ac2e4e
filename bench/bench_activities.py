"""Activity list performance on a large data set: open, search keystroke, filter, totals, attach a photo.

Run: python bench/bench_activities.py [--scale 100000] [--data-dir DIR]
Prints each figure, its budget, and for the photo attach a ratio against hashlib + a plain file copy of
the same bytes measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import func, select  # noqa: E402

from thidua_desktop.core.demo import populate  # noqa: E402
from thidua_desktop.core.models import Activity  # noqa: E402
from thidua_desktop.core.query import ActivityFilter, Period, indicator_values  # noqa: E402
from thidua_desktop.core.workspace import Role, Workspace  # noqa: E402


def timed(fn, repeat: int = 5) -> float:  # noqa: ANN001
    """Median wall time in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def timed_settled(fn, settle, repeat: int) -> float:  # noqa: ANN001
    """Median time of fn alone, letting background work finish between runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        settle()
    return statistics.median(samples)


def report(label: str, seconds: float, budget: float) -> None:
    verdict = "OK" if seconds <= budget else "CHẬM"
    print(f"{label:<48} {seconds * 1000:9.1f} ms   ngưỡng {budget * 1000:6.0f} ms   {verdict}")


def make_photo(path: Path, megabytes: int) -> None:
    """A JPEG of roughly the given size (noise compresses badly, like a real camera photo)."""
    from PIL import Image

    side = 2600
    while True:
        noise = Image.effect_noise((side, int(side * 0.75)), 60).convert("RGB")
        buffer = io.BytesIO()
        noise.save(buffer, "JPEG", quality=95)
        if buffer.tell() >= megabytes * 1024 * 1024:
            path.write_bytes(buffer.getvalue())
            return
        side = int(side * 1.3)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    root = args.data_dir or Path(tempfile.mkdtemp(prefix="thidua-bench-"))
    workspace = Workspace.open(root, demo=True, actor="bench")
    with workspace.sessions() as session:
        count = session.scalar(select(func.count()).select_from(Activity))
    if count != args.scale:
        start = time.perf_counter()
        populate(workspace, scale=args.scale)
        print(f"Tạo {args.scale:,} hoạt động mẫu: {time.perf_counter() - start:.1f} s")
    workspace.configure(Role.DEPARTMENT, None)
    campaign = workspace.campaign()
    everything = ActivityFilter(campaign_id=campaign.id)

    from PySide6.QtWidgets import QApplication

    from thidua_desktop.gui.context import AppContext
    from thidua_desktop.gui.pages.activities import ActivitiesPage
    from thidua_desktop.gui.tasks import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    # A real task runner, as in the app: totals are computed in a worker while the list is already usable.
    tasks = TaskRunner()
    context = AppContext(workspace, tasks)
    print(f"Dữ liệu: {args.scale:,} hoạt động, thư mục {root}")

    def settle() -> None:
        tasks.wait()
        app.processEvents()

    def open_list() -> None:
        page = ActivitiesPage(context)
        page.model.data(page.model.index(0, 0))
        page.deleteLater()

    report("Mở danh sách hoạt động (100.000 dòng)", timed_settled(open_list, settle, 3), 0.3)
    page = ActivitiesPage(context)
    page.model.data(page.model.index(0, 0))

    queries = ["h", "ho", "hoa", "hoa g", "hoa giai"]

    keystrokes = []
    for text in queries:
        page.search.blockSignals(True)
        page.search.setText(text)
        page.search.blockSignals(False)
        start = time.perf_counter()
        page.on_search_typed()  # what the search box's timer runs for a keystroke
        page.model.data(page.model.index(0, 0))
        keystrokes.append(time.perf_counter() - start)
        page.totals_timer.stop()
        settle()
    report("Một phím tìm kiếm (trung vị của 5 phím)", statistics.median(keystrokes), 0.05)
    page.search.setText("")
    page.apply_filters()
    settle()

    changes = []
    for kind, label in (("year", "Năm 2024"), ("quarter", "Quý II/2024"), ("month", "Tháng 03/2024"), ("campaign", None)):
        start = time.perf_counter()
        page.period.select(kind, label)
        page.model.data(page.model.index(0, 0))
        changes.append(time.perf_counter() - start)
        settle()
    report("Đổi bộ lọc thời gian (trung vị)", statistics.median(changes), 0.05)

    def totals() -> None:
        with workspace.sessions() as session:
            indicator_values(session, campaign, everything.with_(period=Period.year(2024)))

    report("Bảng tổng hợp theo bộ lọc", timed(totals), 0.1)

    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "anh-10mb.jpg"
        make_photo(photo, 10)
        size = photo.stat().st_size

        def baseline() -> None:
            digest = hashlib.sha256()
            with photo.open("rb") as source, open(Path(tmp) / "copy.bin", "wb") as out:
                while chunk := source.read(1024 * 1024):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())

        from thidua_desktop.core.evidence import EvidenceStore, make_thumbnail

        def attach() -> None:
            store = EvidenceStore(Path(tmp) / f"store-{time.perf_counter_ns()}")
            store.add_file(photo)

        def attach_with_thumbnail() -> None:
            store = EvidenceStore(Path(tmp) / f"store-{time.perf_counter_ns()}")
            stored = store.add_file(photo)
            make_thumbnail(store.path_for(stored.sha256), Path(tmp) / "thumb.jpg", 256)

        base = timed(baseline)
        ours = timed(attach)
        eager = timed(attach_with_thumbnail)
        print(f"Ảnh thử {size / 1024 / 1024:.1f} MB; hashlib + chép cùng số byte: {base * 1000:.1f} ms")
        print(f"  đính kèm (băm + chép vào kho):            {ours * 1000:7.1f} ms  tỷ lệ {ours / base:.2f}× (ngưỡng 2×)")
        print(f"  đính kèm + tạo ảnh thu nhỏ ngay:          {eager * 1000:7.1f} ms  tỷ lệ {eager / base:.2f}× "
              "(ảnh thu nhỏ được tạo khi hiển thị lần đầu)")

        def attach_downscaled() -> None:
            store = EvidenceStore(Path(tmp) / f"small-{time.perf_counter_ns()}")
            store.add_file(photo, downscale_to=2000)

        print(f"Đính kèm có thu nhỏ ảnh về 2.000 px (mặc định): {timed(attach_downscaled, 3) * 1000:.1f} ms")
    page.deleteLater()
    app.processEvents()
    workspace.close()
    if not args.data_dir:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
