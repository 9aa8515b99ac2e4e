"""The Excel export read back: real numbers, right totals, merged criterion headers, frozen panes, one sheet per view.

The same workbook also goes through LibreOffice (`soffice --headless --convert-to csv`) when it is installed
(Debian package `libreoffice-calc-nogui`), which must read the same numbers.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.core.consolidation.sample import Sample, fake_import
from thidua_desktop.core.consolidation.completeness import completeness
from thidua_desktop.core.consolidation.excel import (
    SHEET_COMPLETENESS,
    SHEET_INDICATORS,
    SHEET_RANKING,
    SHEET_UNITS,
    ExcelViews,
    export_xlsx,
)
from thidua_desktop.core.consolidation.scoring import award_candidates, rank_units
from thidua_desktop.core.consolidation.table import ConsolidationFilter, consolidated_table
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace


def _export(workspace: Workspace, target: Path) -> Path:
    campaign = workspace.campaign()
    period = Period.year(2024)
    with workspace.sessions() as session:
        table = consolidated_table(session, campaign, ConsolidationFilter(period))
        ranking = rank_units(session, campaign, period, table=table)
        report = completeness(session, campaign, period, as_of=date(2025, 2, 1))
    return export_xlsx(target, table, ExcelViews(report, ranking, award_candidates(ranking)))


def _find_row(sheet, label: str, column: int = 2) -> int:  # noqa: ANN001
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=column).value == label:
            return row
    raise AssertionError(label)


def _header_column(sheet, header_row: int, startswith: str) -> int:  # noqa: ANN001
    for column in range(1, sheet.max_column + 1):
        value = sheet.cell(row=header_row, column=column).value
        if isinstance(value, str) and value.startswith(startswith):
            return column
    raise AssertionError(startswith)


def test_workbook_has_numbers_totals_merged_headers_and_frozen_panes(workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    fake_import(workspace, "PTP-CM", 1, datetime(2025, 1, 5), activities=[sample.uuids["a1"]])
    path = _export(workspace, tmp_path / "tổng hợp 2024.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [SHEET_UNITS, SHEET_INDICATORS, SHEET_COMPLETENESS, SHEET_RANKING]

    units = book[SHEET_UNITS]
    header = _find_row(units, "Đơn vị")
    assert units.freeze_panes == f"D{header + 3}"
    merged = {str(r) for r in units.merged_cells.ranges}
    column_1a = _header_column(units, header + 1, "1.a.")
    assert units.cell(row=header, column=column_1a).value.startswith("1. Nâng cao nhận thức")
    assert any(r.startswith(units.cell(row=header, column=column_1a).coordinate + ":") for r in merged)
    total = _find_row(units, "Toàn tỉnh")
    cm = _find_row(units, "Phòng Tư pháp huyện Chợ Mới")
    column_22g = _header_column(units, header + 1, "2.2.g.")
    column_3a = _header_column(units, header + 1, "3.a.")
    assert units.cell(row=total, column=3).value == 7
    assert units.cell(row=total, column=column_1a).value == 2
    assert units.cell(row=total, column=column_3a).value == 10_000_000
    assert units.cell(row=total, column=column_3a).number_format == "#,##0"
    assert units.cell(row=total, column=column_22g).value == pytest.approx(0.9)
    assert units.cell(row=total, column=column_22g).number_format == "0.0%"
    assert units.cell(row=cm, column=column_22g).value == pytest.approx(0.75)
    assert units.cell(row=cm, column=column_22g).font.color.rgb.endswith("C00000")  # missed target in red
    assert units.cell(row=total + 1, column=column_22g).value == pytest.approx(1.0)  # the plan's target: 100 %
    for row in range(header + 3, total + 1):
        for column in range(3, units.max_column + 1):
            value = units.cell(row=row, column=column).value
            assert value is None or isinstance(value, int | float), (row, column, value)
    body_sum = sum(units.cell(row=row, column=column_3a).value or 0 for row in range(header + 3, total))
    assert body_sum == units.cell(row=total, column=column_3a).value

    by_indicator = book[SHEET_INDICATORS]
    row_22d = _find_row(by_indicator, "2.2.d")
    top = _find_row(by_indicator, "Mã")
    assert by_indicator.cell(row=row_22d, column=_header_column(by_indicator, top, "Toàn tỉnh")).value == 14
    assert by_indicator.cell(row=row_22d, column=_header_column(by_indicator, top, "PTP Chợ Mới")).value == 9

    sent = book[SHEET_COMPLETENESS]
    cm_row = _find_row(sent, "Phòng Tư pháp huyện Chợ Mới")
    assert sent.cell(row=cm_row, column=4).value == "Đúng hạn"
    assert sent.cell(row=cm_row, column=6).value == datetime(2025, 1, 5)
    assert sent.cell(row=cm_row, column=6).number_format == "dd/mm/yyyy"

    ranked = book[SHEET_RANKING]
    first = _find_row(ranked, "Hạng", column=1) + 1
    assert isinstance(ranked.cell(row=first, column=1).value, int)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice không được cài (gói libreoffice-calc-nogui)")
def test_libreoffice_reads_the_same_numbers(workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    path = _export(workspace, tmp_path / "tong-hop.xlsx")
    out = tmp_path / "csv"
    # Token 9 "false": the raw cell values, not the displayed text; token 12 "-1": every sheet to its own file.
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    rows = list(csv.reader((out / f"tong-hop-{SHEET_UNITS}.csv").open(encoding="utf-8")))
    sheet = load_workbook(path)[SHEET_UNITS]
    header = _find_row(sheet, "Đơn vị")
    total = _find_row(sheet, "Toàn tỉnh")
    checked = 0
    for row in range(header + 3, total + 1):
        for column in range(3, sheet.max_column + 1):
            expected = sheet.cell(row=row, column=column).value
            text = rows[row - 1][column - 1]
            if expected is None:
                assert text == ""
            else:
                number = float(text[:-1]) / 100 if text.endswith("%") else float(text)  # percent cells keep their sign
                assert number == pytest.approx(expected), (row, column)
                checked += 1
    assert checked > 20
    assert rows[total - 1][1] == "Toàn tỉnh"


def test_near_a_target_excel_shows_the_digits_that_keep_a_figure_on_its_side() -> None:
    from thidua_desktop.core.consolidation.excel import percent_format

    assert percent_format(2212 / 2213 * 100) == "0.00%"  # 99,955 % displays 99,95 %, never 100,0 %
    assert percent_format(99.94) == "0.0%" and percent_format(100.0) == "0.0%" and percent_format(None) == "0.0%"
    assert percent_format(84.96, 85.0) == "0.00%"


def test_self_scores_never_fill_the_assessed_column_and_the_sheets_print_on_a4(
        workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    from thidua_desktop.core.consolidation.excel import NOT_ASSESSED

    book = load_workbook(_export(workspace, tmp_path / "xh.xlsx"))
    ranked = book[SHEET_RANKING]
    header = _find_row(ranked, "Hạng", column=1)
    assessed = _header_column(ranked, header, "Tổng điểm thẩm định")
    values = [ranked.cell(row=r, column=assessed).value for r in range(header + 1, header + 4)]
    assert values == [NOT_ASSESSED] * 3  # nothing was assessed in the sample
    assert ranked.cell(row=header + 1, column=3).font.i  # criterion points are the unit's own: italic
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows and sheet.print_title_rows.startswith("$1:")
