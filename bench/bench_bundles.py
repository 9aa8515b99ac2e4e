"""Signed bundles with 1 GB of evidence: export, import, peak memory, and a delta re-export.

Run: python bench/bench_bundles.py [--size-mb 1024] [--file-mb 2] [--dir DIR]

Prints, for export and import, the time against the floor of ONE durable write measured in the same run
on the same bytes (read them, write them once, fsync: what any implementation that keeps the bytes must
do) and the ratio (budgets: export 1.1×, import 1.2×; an import writes each new evidence byte once, into
the store, and archives only the signed manifest). For context it also prints the read + SHA-256
baseline. Then the peak memory (tracemalloc during a separate pass, and the process's peak RSS; budget
200 MB) and the time of a delta re-export after one new activity (budget 1 s, with and without unlocking
the key). Each timed operation runs right after its floor, so both see the same warm page cache.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from thidua_desktop.core.activities import ActivityDraft, AttachmentDraft
from thidua_desktop.core.bundles.exporter import export_bundle
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.importer import apply_import, prepare_import
from thidua_desktop.core.bundles.keys import create_key, current_key, keyring_of
from thidua_desktop.core.bundles.trust import enrol_key
from thidua_desktop.core.workspace import Role, Workspace

PASSPHRASE = "cụm mật khẩu đo hiệu năng"
CHUNK = 1024 * 1024
EXPORT_BUDGET = 1.1  # × one durable write of the same bytes
IMPORT_BUDGET = 1.2
MEMORY_BUDGET_MB = 200
DELTA_BUDGET_S = 1.0


def hash_files(paths: list[Path]) -> float:
    """The baseline: read and SHA-256 the bytes, 1 MiB at a time, with hashlib."""
    start = time.perf_counter()
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    return time.perf_counter() - start


def copy_floor(sources: list[tuple[Path, int, int]], targets: list[Path]) -> float:
    """The floor: the same bytes read and written durably (fsync before the clock stops), no hashing.

    `sources` are (file, offset, length) ranges; every target receives all of them. One target is the
    floor of one durable write, which both export and import are measured against.
    """
    start = time.perf_counter()
    for target in targets:
        with target.open("wb") as out:
            for path, offset, length in sources:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    left = length
                    while left and (chunk := handle.read(min(CHUNK, left))):
                        out.write(chunk)
                        left -= len(chunk)
            out.flush()
            os.fsync(out.fileno())
    elapsed = time.perf_counter() - start
    for target in targets:
        target.unlink()
    return elapsed


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def rss_peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def add_activity(unit: Workspace, index: int, attachment: AttachmentDraft | None) -> str:
    campaign = unit.campaign()
    draft = ActivityDraft(
        criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 1 + index % 12, 1 + index % 28),
        title=f"Phổ biến, giáo dục pháp luật cho người nghèo, đợt {index + 1}", commune="xã Kiến An",
        values={campaign.indicators_by_code["2.2.b"].id: 1 + index % 5},
        attachments=[attachment] if attachment else None,
    )
    return unit.activities().create("PTP-CM", draft).created[0]


def store_random_file(unit: Workspace, size: int, index: int) -> AttachmentDraft:
    import io

    data = os.urandom(size)
    sha, stored, _existed = unit.evidence_store().add_stream(io.BytesIO(data), len(data))
    return AttachmentDraft(sha, f"anh-hoat-dong-{index + 1:04d}.jpg", "image/jpeg", stored)


def verdict(ok: bool) -> str:
    return "đạt" if ok else "KHÔNG ĐẠT"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="total evidence size (default 1024)")
    parser.add_argument("--file-mb", type=float, default=2.0, help="size of each photo (default 2)")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temp folder, removed afterwards)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-bundles-", dir=args.dir))
    try:
        return run(root, args.size_mb, args.file_mb)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(root: Path, size_mb: int, file_mb: float) -> int:
    file_size = int(file_mb * 1024 * 1024)
    count = max(1, size_mb * 1024 * 1024 // file_size)
    print(f"Chuẩn bị: {count} tệp minh chứng × {file_mb:g} MB = {count * file_size / 1024**3:.2f} GB ...", flush=True)
    unit = Workspace.open(root / "unit", actor="bench")
    unit.configure(Role.UNIT, "PTP-CM")
    for index in range(count):
        add_activity(unit, index, store_random_file(unit, file_size, index))
    create_key(unit, PASSPHRASE, PASSPHRASE)
    key = current_key(unit)
    secret = keyring_of(unit).unlock(key, PASSPHRASE)
    store = unit.evidence_store()
    with unit.sessions() as session:
        from sqlalchemy import select

        from thidua_desktop.core.models import Evidence

        evidence = [store.path_for(sha) for sha in session.scalars(select(Evidence.sha256))]
    outbox = root / "outbox"
    outbox.mkdir()

    # --- export ---------------------------------------------------------------------------------
    hash_files(evidence)  # warm the page cache for both
    export_base = hash_files(evidence)
    ranges = [(path, 0, path.stat().st_size) for path in evidence]
    export_floor = copy_floor(ranges, [root / "floor-export.bin"])
    export_time, report = timed(lambda: export_bundle(unit, outbox / "full.thidua", secret_key=secret, mode="full"))
    export_ratio = export_time / export_floor
    bundle = report.path

    # --- import ---------------------------------------------------------------------------------
    department = Workspace.open(root / "department", actor="bench")
    department.configure(Role.DEPARTMENT, None)
    enrol_key(department, "PTP-CM", key.public_key.to_base64(), confirmed=True)
    hash_files([bundle])
    import_base = hash_files([bundle])
    import_floor = copy_floor([(bundle, 0, bundle.stat().st_size)], [root / "floor-import.bin"])

    prepare_time, prepared = timed(lambda: prepare_import(department, bundle))
    apply_time, imported = timed(lambda: apply_import(department, prepared))
    import_time = prepare_time + apply_time
    import_ratio = import_time / import_floor

    # --- memory (separate passes, so tracing does not distort the timings) ------------------------
    export_peak = traced_peak_mb(lambda: export_bundle(unit, outbox / "traced.thidua", secret_key=secret,
                                                       mode="full"))
    department2 = Workspace.open(root / "department2", actor="bench")
    department2.configure(Role.DEPARTMENT, None)
    enrol_key(department2, "PTP-CM", key.public_key.to_base64(), confirmed=True)
    import_peak = traced_peak_mb(lambda: apply_import(department2, prepare_import(department2, bundle)))

    # --- delta re-export after one new activity ---------------------------------------------------
    add_activity(unit, count, store_random_file(unit, file_size, count))
    delta_time, delta = timed(lambda: export_bundle(unit, outbox, secret_key=secret, mode="delta"))
    add_activity(unit, count + 1, store_random_file(unit, file_size, count + 1))
    delta_unlock_time, _ = timed(lambda: export_bundle(unit, outbox, passphrase=PASSPHRASE, mode="delta"))
    rss = rss_peak_mb()

    gb = report.evidence_included_bytes / 1024**3
    print()
    print(f"Gói đầy đủ: {report.record_count} hoạt động, {report.evidence_included} tệp, {gb:.2f} GB minh chứng, "
          f"tệp {report.file_size / 1024**2:.0f} MB")
    print(f"Xuất gói:   {export_time:6.2f} s  | đáy một lần ghi bền (đọc + ghi + fsync cùng số byte): "
          f"{export_floor:6.2f} s  | tỉ lệ {export_ratio:.2f}× (ngân sách {EXPORT_BUDGET}×) — "
          f"{verdict(export_ratio <= EXPORT_BUDGET)}")
    print(f"Nhận gói:   {import_time:6.2f} s  | đáy một lần ghi bền (đọc + ghi + fsync cùng số byte): "
          f"{import_floor:6.2f} s  | tỉ lệ {import_ratio:.2f}× (ngân sách {IMPORT_BUDGET}×) — "
          f"{verdict(import_ratio <= IMPORT_BUDGET)}"
          f"  [{imported.counts[ChangeKind.NEW]} hoạt động mới, thêm {imported.evidence_added} tệp; kiểm tra và đọc "
          f"{prepare_time:.2f} s, ghi vào cơ sở dữ liệu {apply_time:.2f} s]")
    print(f"Tham khảo, cơ sở đọc + SHA-256 (hashlib, không ghi): xuất {export_base:.2f} s → "
          f"{export_time / export_base:.2f}×; nhận {import_base:.2f} s → {import_time / import_base:.2f}×")
    print(f"Bộ nhớ đỉnh (tracemalloc): xuất {export_peak:.1f} MB, nhận {import_peak:.1f} MB; "
          f"RSS đỉnh của cả tiến trình: {rss:.0f} MB (ngân sách {MEMORY_BUDGET_MB} MB) — "
          f"{verdict(max(export_peak, import_peak, rss) < MEMORY_BUDGET_MB)}")
    print(f"Gửi lại gói bổ sung sau 1 hoạt động mới: {delta_time:.3f} s (khóa đã mở), {delta_unlock_time:.3f} s "
          f"(kể cả mở khóa bằng cụm mật khẩu); gói {delta.file_size / 1024:.0f} KB, {delta.evidence_included} tệp "
          f"(ngân sách {DELTA_BUDGET_S} s) — {verdict(delta_unlock_time < DELTA_BUDGET_S)}")
    unit.close()
    department.close()
    department2.close()
    ok = (export_ratio <= EXPORT_BUDGET and import_ratio <= IMPORT_BUDGET
          and max(export_peak, import_peak, rss) < MEMORY_BUDGET_MB and delta_unlock_time < DELTA_BUDGET_S)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
