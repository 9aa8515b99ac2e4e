"""Story 12 (issue 12): tables that misled — the total row's name under a unit filter, the bundle beside a
reporting status, choosing one unit, chart labels crossed by target lines, and "14.0" in the score editor."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from tests.core.consolidation.sample import Sample, fake_import
from tests.gui.consolidation.conftest import select_text
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.consolidation.charts import LINE_COLORS, Bar, BarChart, TargetLine
from thidua_desktop.gui.consolidation.ranking_tab import ScoreDialog
from thidua_desktop.gui.pages.consolidation import ConsolidationPage


def _choose_with_keys(combo, text: str) -> None:  # noqa: ANN001
    """Move a combo to `text` with the arrow keys, as a user does."""
    target = combo.findText(text)
    assert target >= 0, text
    combo.setFocus()
    while combo.currentIndex() != target:
        QTest.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)


def _total_label(page: ConsolidationPage) -> str:
    return page.model.data(page.model.index(page.model.rowCount() - 1, 0))


def test_total_row_is_not_the_province_under_a_unit_filter(page: ConsolidationPage) -> None:
    select_text(page.period, "Năm 2024")
    assert _total_label(page) == "Toàn tỉnh"
    _choose_with_keys(page.kinds, "Phòng Tư pháp cấp huyện")
    assert {r.unit.kind for r in page.table.rows} == {UnitKind.DISTRICT_OFFICE}
    assert _total_label(page) == "Cộng các đơn vị đã chọn"
    page.tabs.setCurrentWidget(page.charts_tab)
    charts = page.charts_tab
    charts.kind.setCurrentIndex(charts.kind.findData("indicator"))
    charts.subject.setCurrentIndex(charts.subject.findData(page.campaign.indicators_by_code["2.2.g"].id))
    assert not any("Toàn tỉnh" in line.label for line in charts.chart.lines)


def test_the_unit_filter_can_choose_one_unit(page: ConsolidationPage, workspace: Workspace) -> None:
    select_text(page.period, "Năm 2024")
    cho_moi = workspace.units().get("PTP-CM")
    _choose_with_keys(page.kinds, cho_moi.short_name)
    assert [row.unit.code for row in page.table.rows] == ["PTP-CM"]
    assert page.table.total.activities == 4 and _total_label(page) == "Cộng các đơn vị đã chọn"
    assert cho_moi.name in page.status.text()
    page.tabs.setCurrentWidget(page.completeness_tab)
    assert page.completeness_tab.table.rowCount() == 1
    assert page.completeness_tab.table.item(0, 1).text() == cho_moi.name


def test_completeness_shows_the_bundle_its_status_speaks_of(page: ConsolidationPage, workspace: Workspace,
                                                            sample: Sample) -> None:
    fake_import(workspace, "PTP-LX", 1, datetime(2025, 1, 20))  # 10 days late for 2024
    fake_import(workspace, "PTP-LX", 2, datetime(2025, 3, 2))  # a later bundle, not the one counted
    page.on_changed(None)
    select_text(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.completeness_tab)
    table = page.completeness_tab.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "Phòng Tư pháp thành phố Long Xuyên")
    assert table.item(row, 3).text() == "Gửi muộn 10 ngày"
    assert (table.item(row, 4).text(), table.item(row, 5).text()) == ("1", "20/01/2025")


def test_target_lines_never_cross_a_value_label(qtbot) -> None:  # noqa: ANN001
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(700, 320)
    bars = [Bar("Phòng Tư pháp huyện Chợ Mới", 80.0, "80,0%", True), Bar("Phòng Tư pháp huyện Tri Tôn", 40.0, "40,0%")]
    chart.set_data("Tỷ lệ", bars, [TargetLine(83.0, "Chỉ tiêu ≥ 83%"), TargetLine(44.0, "Cộng 44%")])
    image = QImage(chart.size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    chart.render(image)
    assert len(chart.value_rects) == 2
    line_colors = {color.rgb() for color in LINE_COLORS}
    for rect in chart.value_rects:
        crossed = [(x, y) for x in range(int(rect.left()), int(rect.right()))
                   for y in range(int(rect.top()), int(rect.bottom())) if image.pixel(x, y) in line_colors]
        assert not crossed, f"target line crosses the value label at {crossed[:3]} in {QRectF(rect)}"


def test_the_score_editor_writes_vietnamese_decimals(qtbot) -> None:  # noqa: ANN001
    dialog = ScoreDialog("Phòng Tư pháp huyện Chợ Mới", "1. Tuyên truyền", 20.0, 14.0, "")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.points.text() == "14,0"
    dialog.points.selectAll()
    QTest.keyClicks(dialog.points, "12,5")
    assert dialog.points.value() == 12.5
