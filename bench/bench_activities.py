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
    context = AppContext(workspace, TaskRunner(synchronous=True))
    print(f"Dữ liệu: {args.scale:,} hoạt động, thư mục {root}")

    def open_list() -> None:
        page = ActivitiesPage(context)
        page.model.data(page.model.index(0, 0))
        page.deleteLater()

    report("Mở danh sách hoạt động (gồm bảng tổng hợp)", timed(open_list, 3), 0.3)
    page = ActivitiesPage(context)
    page.model.data(page.model.index(0, 0))

    queries = ["h", "ho", "hoa", "hoa g", "hoa giai"]

    def search_keystrokes() -> None:
        for text in queries:
            page.search.setText(text)
            page.apply_filters()
            page.model.data(page.model.index(0, 0))

    report("Một phím tìm kiếm (lọc + tổng hợp)", timed(search_keystrokes, 3) / len(queries), 0.05)
    page.search.setText("")

    def change_period() -> None:
        page.period.select("year", "Năm 2024")
        page.period.select("campaign")

    report("Đổi bộ lọc thời gian (2 lần lọc)", timed(change_period, 3) / 2, 0.05)

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
            stored = store.add_file(photo)
            make_thumbnail(store.path_for(stored.sha256), Path(tmp) / "thumb.jpg", 256)

        base = timed(baseline)
        ours = timed(attach)
        print(f"Đính kèm ảnh {size / 1024 / 1024:.1f} MB (băm + chép + ảnh thu nhỏ): {ours * 1000:.1f} ms; "
              f"hashlib + chép: {base * 1000:.1f} ms; tỷ lệ {ours / base:.2f}× (ngưỡng 2×)")

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
