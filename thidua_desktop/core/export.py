"""Flat exports of activity lists (CSV), shared by the GUI and the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.progress import CancelFn, ProgressFn, check_cancel, never_cancelled
from thidua_desktop.core.query import ActivityFilter, ActivityQueries
from thidua_desktop.core.text import format_date

CSV_COLUMNS = ["Mã", "Ngày", "Đơn vị", "Tiêu chí", "Tên hoạt động", "Địa bàn", "Số liệu chính", "Số minh chứng", "Trạng thái"]
PAGE = 2000


def spreadsheet_safe(text: str) -> str:
    """Text from other units (via bundles) must not become a formula when the CSV is opened in Excel."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_activities_csv(
    queries: ActivityQueries,
    flt: ActivityFilter,
    target: Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> int:
    """UTF-8 with BOM so Excel shows the diacritics; written atomically, nothing left on cancel."""
    total = 0
    with atomic_write(target, "w", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for page in queries.pages(flt, page_size=PAGE):
            check_cancel(cancel)
            for row in page.rows:
                writer.writerow(
                    [row.uuid, format_date(row.activity_date), row.unit_name, row.criterion_code,
                     spreadsheet_safe(row.title), spreadsheet_safe(row.place), row.figures, row.evidence_count,
                     row.status]
                )
            total = page.total
            if progress:
                progress(page.done, page.total)
    return total
