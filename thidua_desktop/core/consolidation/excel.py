"""Excel export of the department's views: one sheet per view, real numbers with number formats.

Staff keep working in Excel after the app has done the consolidation, so every figure is a number
(never text), formatted by the cell's number format (Excel shows 1.234.567 under a Vietnamese locale),
criterion headings are merged over their indicators, panes are frozen on the unit names and headers,
and missed targets are marked in red as in the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from thidua_desktop.core.catalogue import IndicatorInfo
from thidua_desktop.core.consolidation.completeness import Completeness
from thidua_desktop.core.consolidation.scoring import AwardCandidate, Ranking
from thidua_desktop.core.consolidation.table import (
    CancelFn,
    Cell,
    ConsolidatedTable,
    ProgressFn,
    never_cancelled,
)
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.models import Aggregation, TargetOp
from thidua_desktop.core.text import display_decimals, format_date
from thidua_desktop.core.units import UNIT_KIND_LABELS

SHEET_UNITS = "Đơn vị × chỉ tiêu"
SHEET_INDICATORS = "Chỉ tiêu × đơn vị"
SHEET_COMPLETENESS = "Tình hình gửi báo cáo"
SHEET_RANKING = "Xếp hạng"

COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = "0.##"
DATE_FORMAT = "dd/mm/yyyy"

_THIN = Side(style="thin", color="9AA5B1")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_GROUP_FILLS = (PatternFill("solid", fgColor="C5D9F1"), PatternFill("solid", fgColor="E4DFEC"))
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_MISS_FILL = PatternFill("solid", fgColor="FDE2E1")
_MISS_FONT = Font(color="C00000", bold=True)
_BOLD = Font(bold=True)
_SELF_FONT = Font(italic=True, color="5F6B7A")
NOT_ASSESSED = "chưa thẩm định"
_TITLE = Font(bold=True, size=14)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)


@dataclass(frozen=True)
class ExcelViews:
    """What goes into the workbook besides the table itself (each optional view is a sheet of its own)."""

    completeness: Completeness | None = None
    ranking: Ranking | None = None
    candidates: Sequence[AwardCandidate] = ()


def cell_number(indicator: IndicatorInfo, cell: Cell) -> float | None:
    """The value stored in Excel: a ratio as a fraction (shown as a percentage by its format), else the figure."""
    if cell.value is None:
        return None
    if indicator.aggregation is Aggregation.RATIO:
        return cell.value / 100.0
    return int(cell.value) if float(cell.value).is_integer() else cell.value


def number_format(indicator: IndicatorInfo, value: float | None = None) -> str:
    """The cell's number format; near its target a figure gets the digits that keep it on its own side
    (`core.text.display_decimals`: a red 99,955 % never shows "100,0%"), as on screen and in print."""
    ratio = indicator.aggregation is Aggregation.RATIO
    if value is None:
        return PERCENT_FORMAT if ratio else COUNT_FORMAT
    target = indicator.target.value if indicator.target is not None else None
    if ratio:
        return percent_format(value * 100.0, target)
    digits = display_decimals(value, target, 0)
    return COUNT_FORMAT if digits == 0 else f"#,##0.{'0' * digits}"


def percent_format(percent: float | None, target: float | None = None) -> str:
    """"0.0%", or more digits when one decimal would carry the value across `target` or 100 %."""
    if percent is None:
        return PERCENT_FORMAT
    digits = display_decimals(percent, (*((target,) if target is not None else ()), 100.0), 1)
    return f"0.{'0' * digits}%"


def target_number(indicator: IndicatorInfo) -> float | None:
    if indicator.target is None:
        return None
    return indicator.target.value / 100.0 if indicator.aggregation is Aggregation.RATIO else indicator.target.value


def target_label(indicator: IndicatorInfo) -> str:
    if indicator.target is None:
        return ""
    sign = "≥" if indicator.target.op is TargetOp.AT_LEAST else "≤"
    return f"{sign} {indicator.target.value}{'%' if indicator.aggregation is Aggregation.RATIO else ''}"


def _put(ws: Worksheet, row: int, column: int, value: object, *, fmt: str | None = None, font: Font | None = None,
         fill: PatternFill | None = None, align: Alignment | None = None) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.border = _BORDER
    if fmt:
        cell.number_format = fmt
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if align:
        cell.alignment = align


def _title(ws: Worksheet, lines: Sequence[str], width: int) -> int:
    """Title lines merged across the sheet; returns the first free row."""
    for index, text in enumerate(lines, start=1):
        ws.cell(row=index, column=1, value=text).font = _TITLE if index == 1 else Font(italic=index > 2, bold=index == 2)
        ws.merge_cells(start_row=index, start_column=1, end_row=index, end_column=max(width, 1))
        ws.cell(row=index, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return len(lines) + 2


def _table_titles(table: ConsolidatedTable) -> list[str]:
    return [
        "BẢNG TỔNG HỢP KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA",
        f"“{table.campaign.title}” (Kế hoạch số {table.campaign.plan_number})",
        f"Kỳ tổng hợp: {table.filter.description} — lập ngày {format_date(date.today())}",
    ]


def _units_sheet(ws: Worksheet, table: ConsolidatedTable) -> None:
    first_value_col = 4
    width = first_value_col - 1 + len(table.indicators)
    top = _title(ws, _table_titles(table), width)
    for column, text in enumerate(("STT", "Đơn vị", "Số hoạt động"), start=1):
        _put(ws, top, column, text, font=_BOLD, fill=_HEADER_FILL, align=_CENTER)
        ws.merge_cells(start_row=top, start_column=column, end_row=top + 2, end_column=column)
    for number, group in enumerate(table.groups):
        start = first_value_col + group.start
        fill = _GROUP_FILLS[number % 2]
        _put(ws, top, start, group.criterion.label, font=_BOLD, fill=fill, align=_CENTER)
        for column in range(start, start + group.count):
            ws.cell(row=top, column=column).border = _BORDER
            ws.cell(row=top, column=column).fill = fill
        if group.count > 1:
            ws.merge_cells(start_row=top, start_column=start, end_row=top, end_column=start + group.count - 1)
    for index, ind in enumerate(table.indicators):
        column = first_value_col + index
        _put(ws, top + 1, column, f"{ind.code}. {ind.name}", font=_BOLD, fill=_HEADER_FILL, align=_CENTER)
        _put(ws, top + 2, column, ind.unit, fill=_HEADER_FILL, align=_CENTER)
        ws.column_dimensions[get_column_letter(column)].width = 14
    ws.row_dimensions[top].height = 48
    ws.row_dimensions[top + 1].height = 110
    row_number = top + 3
    for number, row in enumerate(table.rows, start=1):
        _put(ws, row_number, 1, number, align=_CENTER)
        _put(ws, row_number, 2, row.unit.name if row.unit else row.label, align=_WRAP)
        _put(ws, row_number, 3, row.activities, fmt=COUNT_FORMAT)
        _value_cells(ws, row_number, first_value_col, table.indicators, row.cells)
        row_number += 1
    _put(ws, row_number, 1, None, fill=_TOTAL_FILL)
    _put(ws, row_number, 2, table.total.label, font=_BOLD, fill=_TOTAL_FILL)
    _put(ws, row_number, 3, table.total.activities, fmt=COUNT_FORMAT, font=_BOLD, fill=_TOTAL_FILL)
    _value_cells(ws, row_number, first_value_col, table.indicators, table.total.cells, total=True)
    target_row, percent_row = row_number + 1, row_number + 2
    for label_row, label in ((target_row, "Chỉ tiêu kế hoạch"), (percent_row, "Tỷ lệ đạt so với chỉ tiêu")):
        _put(ws, label_row, 1, None)
        _put(ws, label_row, 2, label, font=Font(italic=True))
        _put(ws, label_row, 3, None)
    for index, ind in enumerate(table.indicators):
        column = first_value_col + index
        target = target_number(ind)
        _put(ws, target_row, column, target, fmt=number_format(ind))
        achieved = table.achievement(index)
        _put(ws, percent_row, column, achieved / 100.0 if achieved is not None else None, fmt=percent_format(achieved))
    ws.cell(row=percent_row + 2, column=2, value="Ô tô đỏ: chưa đạt chỉ tiêu kế hoạch.").font = Font(italic=True, color="C00000")
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 11
    ws.freeze_panes = f"{get_column_letter(first_value_col)}{top + 3}"


def _value_cells(ws: Worksheet, row: int, first: int, indicators: Sequence[IndicatorInfo], cells: Sequence[Cell],
                 *, total: bool = False) -> None:
    for index, (ind, cell) in enumerate(zip(indicators, cells, strict=True)):
        font = _MISS_FONT if cell.missed else _BOLD if total else None
        fill = _MISS_FILL if cell.missed else _TOTAL_FILL if total else None
        value = cell_number(ind, cell)
        _put(ws, row, first + index, value, fmt=number_format(ind, value), font=font, fill=fill)


def _indicators_sheet(ws: Worksheet, table: ConsolidatedTable) -> None:
    fixed = ("STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu kế hoạch")
    first_unit_col = len(fixed) + 1
    total_col = first_unit_col + len(table.rows)
    width = total_col + 1
    top = _title(ws, _table_titles(table), width)
    headers = [*fixed, *(row.label for row in table.rows), table.total.label, "Tỷ lệ đạt so với chỉ tiêu"]
    for column, text in enumerate(headers, start=1):
        _put(ws, top, column, text, font=_BOLD, fill=_HEADER_FILL, align=_CENTER)
    ws.row_dimensions[top].height = 75
    row_number = top + 1
    number = 0
    for group_index, group in enumerate(table.groups):
        _put(ws, row_number, 1, group.criterion.label, font=_BOLD, fill=_GROUP_FILLS[group_index % 2], align=_WRAP)
        ws.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
        row_number += 1
        for offset in range(group.count):
            column = group.start + offset
            ind = table.indicators[column]
            number += 1
            _put(ws, row_number, 1, number, align=_CENTER)
            _put(ws, row_number, 2, ind.code)
            _put(ws, row_number, 3, ind.name, align=_WRAP)
            _put(ws, row_number, 4, ind.unit, align=_CENTER)
            _put(ws, row_number, 5, target_number(ind), fmt=number_format(ind))
            for unit_index, row in enumerate(table.rows):
                cell = row.cells[column]
                value = cell_number(ind, cell)
                _put(ws, row_number, first_unit_col + unit_index, value, fmt=number_format(ind, value),
                     font=_MISS_FONT if cell.missed else None, fill=_MISS_FILL if cell.missed else None)
            total = table.total.cells[column]
            value = cell_number(ind, total)
            _put(ws, row_number, total_col, value, fmt=number_format(ind, value),
                 font=_MISS_FONT if total.missed else _BOLD, fill=_MISS_FILL if total.missed else _TOTAL_FILL)
            achieved = table.achievement(column)
            _put(ws, row_number, total_col + 1, achieved / 100.0 if achieved is not None else None,
                 fmt=percent_format(achieved))
            row_number += 1
    _put(ws, row_number, 3, "Số hoạt động", font=_BOLD)
    for unit_index, row in enumerate(table.rows):
        _put(ws, row_number, first_unit_col + unit_index, row.activities, fmt=COUNT_FORMAT)
    _put(ws, row_number, total_col, table.total.activities, fmt=COUNT_FORMAT, font=_BOLD, fill=_TOTAL_FILL)
    for column, size in zip("ABCDE", (6, 8, 48, 11, 11), strict=True):
        ws.column_dimensions[column].width = size
    for column in range(first_unit_col, width + 1):
        ws.column_dimensions[get_column_letter(column)].width = 13
    ws.freeze_panes = f"{get_column_letter(first_unit_col)}{top + 1}"


def _as_excel_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _completeness_sheet(ws: Worksheet, report: Completeness) -> None:
    headers = ("STT", "Đơn vị", "Loại đơn vị", "Tình trạng", "Gói gần nhất (số)", "Ngày lập gói", "Ngày Sở nhận",
               "Khóa ký", "Số hoạt động trong kỳ", "Số tệp minh chứng")
    top = _title(ws, [
        "TÌNH HÌNH GỬI BÁO CÁO",
        f"{report.period.label} — hạn gửi {format_date(report.deadline)} (tính các gói lập từ {format_date(report.window_opens)})",
        report.summary,
    ], len(headers))
    for column, text in enumerate(headers, start=1):
        _put(ws, top, column, text, font=_BOLD, fill=_HEADER_FILL, align=_CENTER)
    for number, row in enumerate(report.rows, start=1):
        r = top + number
        last = row.last_bundle
        attention = row.needs_reminder
        values = (number, row.unit.name, UNIT_KIND_LABELS[row.unit.kind], row.status_label,
                  last.seq if last else None, _as_excel_date(last.created_at) if last else None,
                  _as_excel_date(last.imported_at) if last else None, last.signer_key_id if last else None,
                  row.records, row.evidence_files)
        formats = (None, None, None, None, COUNT_FORMAT, DATE_FORMAT, DATE_FORMAT, None, COUNT_FORMAT, COUNT_FORMAT)
        for column, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            _put(ws, r, column, value, fmt=fmt, font=_MISS_FONT if attention and column == 4 else None)
    for column, size in zip("ABCDEFGHIJ", (6, 36, 24, 22, 12, 13, 13, 20, 13, 13), strict=True):
        ws.column_dimensions[column].width = size
    ws.freeze_panes = f"{get_column_letter(3)}{top + 1}"


def _ranking_sheet(ws: Worksheet, ranking: Ranking, candidates: Sequence[AwardCandidate]) -> None:
    criteria = ranking.scheme.criteria
    headers = ["Hạng", "Đơn vị", *(f"Tiêu chí {c.code} ({c.standard:g} điểm)" for c in criteria),
               "Tổng điểm tự chấm", "Tổng điểm thẩm định", "Tỷ lệ đạt", "Số mục đề nghị giải trình", "Đề xuất khen thưởng"]
    top = _title(ws, ["BẢNG XẾP HẠNG THI ĐUA", ranking.scheme.title, f"Kỳ: {ranking.filter.description}"], len(headers))
    for column, text in enumerate(headers, start=1):
        _put(ws, top, column, text, font=_BOLD, fill=_HEADER_FILL, align=_CENTER)
    ws.row_dimensions[top].height = 60
    proposed = {c.unit.id: c.award_title for c in candidates}
    for number, row in enumerate(ranking.rows, start=1):
        r = top + number
        _put(ws, r, 1, row.rank, align=_CENTER)
        _put(ws, r, 2, row.unit.name, align=_WRAP)
        for offset, score in enumerate(row.criteria):  # italic: the unit's own score, not yet assessed
            _put(ws, r, 3 + offset, score.reviewed_points if score.reviewed else score.self_points, fmt=POINTS_FORMAT,
                 font=None if score.reviewed else _SELF_FONT)
        base = 3 + len(criteria)
        _put(ws, r, base, row.self_total, fmt=POINTS_FORMAT)
        if row.reviewed:
            _put(ws, r, base + 1, row.reviewed_total, fmt=POINTS_FORMAT, font=_BOLD)
        else:
            _put(ws, r, base + 1, NOT_ASSESSED, font=_SELF_FONT, align=_CENTER)
        _put(ws, r, base + 2, row.percent / 100.0, fmt=percent_format(row.percent),
             font=None if row.reviewed else _SELF_FONT)
        _put(ws, r, base + 3, row.open_queries, fmt=COUNT_FORMAT)
        _put(ws, r, base + 4, proposed.get(row.unit.id, ""), align=_WRAP)
    legend = top + len(ranking.rows) + 2
    ws.cell(row=legend, column=2, value=f"Chữ nghiêng: điểm tự chấm của đơn vị, {NOT_ASSESSED}.").font = _SELF_FONT
    ws.column_dimensions["A"].width = 7
    ws.column_dimensions["B"].width = 36
    for column in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 13
    ws.column_dimensions[get_column_letter(len(headers))].width = 34
    ws.freeze_panes = f"{get_column_letter(3)}{top + 1}"


def _print_setup(sheet: Worksheet) -> None:
    """A4 landscape, all columns on the page width and as many pages down as needed (not 42 columns
    squeezed onto one page), the title and header rows repeated on every page, the unit column too."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    if sheet.freeze_panes:
        first_body_row = int("".join(ch for ch in sheet.freeze_panes if ch.isdigit()))
        if first_body_row > 1:
            sheet.print_title_rows = f"1:{first_body_row - 1}"


def workbook_bytes(table: ConsolidatedTable, views: ExcelViews = ExcelViews()) -> bytes:
    workbook = Workbook()
    units_sheet = workbook.active
    units_sheet.title = SHEET_UNITS
    _units_sheet(units_sheet, table)
    _indicators_sheet(workbook.create_sheet(SHEET_INDICATORS), table)
    if views.completeness is not None:
        _completeness_sheet(workbook.create_sheet(SHEET_COMPLETENESS), views.completeness)
    if views.ranking is not None:
        _ranking_sheet(workbook.create_sheet(SHEET_RANKING), views.ranking, views.candidates)
    for sheet in workbook.worksheets:
        _print_setup(sheet)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(
    path: Path,
    table: ConsolidatedTable,
    views: ExcelViews = ExcelViews(),
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> Path:
    """Write the workbook atomically: a reader sees the old file or the complete new one."""
    if progress:
        progress(0, 2)
    data = workbook_bytes(table, views)
    if cancel():
        raise Cancelled()
    with atomic_write(path) as handle:
        handle.write(data)
    if progress:
        progress(2, 2)
    return path
