"""Flat exports of activity lists (CSV), shared by the GUI and the CLI."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.query import ActivityFilter, activity_ids, fetch_rows
from thidua_desktop.core.text import format_date

CSV_COLUMNS = ["Mã", "Ngày", "Đơn vị", "Tiêu chí", "Tên hoạt động", "Địa bàn", "Số liệu chính", "Số minh chứng", "Trạng thái"]
PAGE = 2000


def spreadsheet_safe(text: str) -> str:
    """Text from other units (via bundles) must not become a formula when the CSV is opened in Excel."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_activities_csv(
    sessions,  # noqa: ANN001 - sessionmaker
    flt: ActivityFilter,
    target: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] = lambda: False,
) -> int:
    """UTF-8 with BOM so Excel shows the diacritics; written atomically, nothing left on cancel."""
    with sessions() as session:
        ids = activity_ids(session, flt)
        with atomic_write(target, "w", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for start in range(0, len(ids), PAGE):
                if cancel():
                    raise Cancelled()
                page_ids = ids[start : start + PAGE]
                rows = fetch_rows(session, page_ids)
                for row_id in page_ids:
                    row = rows[row_id]
                    writer.writerow(
                        [row.uuid, format_date(row.activity_date), row.unit_name, row.criterion_code,
                         spreadsheet_safe(row.title), spreadsheet_safe(row.place), row.figures, row.evidence_count,
                         row.status]
                    )
                if progress:
                    progress(min(start + PAGE, len(ids)), len(ids))
    return len(ids)
