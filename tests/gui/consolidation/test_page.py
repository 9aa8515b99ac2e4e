"""The Tổng hợp page with the hand-checked sample data: table values, switching, drill-down, completeness,
review lock holding back a real bundle, ranking, charts and exports (pytest-qt, offscreen)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from tests.core.bundles.conftest import enrol, make_unit
from tests.core.consolidation.sample import Sample, fake_import
from tests.gui.consolidation.conftest import select_text as _select
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.consolidation.models import ActivityReview, ReviewStatus
from thidua_desktop.core.models import Activity, UnitKind
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.consolidation.table_view import CELL_ROLE, MISSED_TEXT, Orientation
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts
from thidua_desktop.gui.pages.consolidation import ConsolidationPage
from thidua_desktop.gui.tasks import TaskRunner


def _cell(page: ConsolidationPage, unit_code: str | None, indicator: str):  # noqa: ANN202
    """The model index of a unit's (None: the province row) indicator in the units × indicators view."""
    model = page.model
    table = page.table
    rows = [*table.rows, table.total]
    row = next(i for i, r in enumerate(rows) if (r.unit.code if r.unit else None) == unit_code)
    column = 2 + table.column_of[table.campaign.indicators_by_code[indicator].id]
    return model.index(row, column)


def _text(page: ConsolidationPage, unit_code: str | None, indicator: str) -> str:
    return page.model.data(_cell(page, unit_code, indicator), Qt.ItemDataRole.DisplayRole)


def test_table_shows_the_hand_computed_figures_and_switches_fast(page: ConsolidationPage) -> None:
    _select(page.period, "Năm 2024")
    assert (_text(page, "PTP-CM", "1.a"), _text(page, "PTP-CM", "1.b"), _text(page, "PTP-CM", "2.2.d")) == ("2", "120", "9")
    assert _text(page, "PTP-CM", "2.2.g") == "75,0%"
    assert page.model.data(_cell(page, "PTP-CM", "2.2.g"), Qt.ItemDataRole.ForegroundRole).color() == MISSED_TEXT
    assert _text(page, "STP-VP", "2.1.c") == "66,7%"
    assert (_text(page, None, "2.2.d"), _text(page, None, "2.2.g"), _text(page, None, "3.a")) == ("14", "90,0%", "10.000.000")
    total_row = page.model.rowCount() - 1
    assert page.model.data(page.model.index(total_row, 0)) == "Toàn tỉnh"
    assert page.model.data(page.model.index(total_row, 1)) == "7"
    assert "Năm 2024" in page.status.text() and "7 hoạt động" in page.status.text()
    assert page.last_switch_ms < 200

    _select(page.kinds, "Phòng Tư pháp cấp huyện")
    assert {r.unit.kind for r in page.table.rows} == {UnitKind.DISTRICT_OFFICE}
    assert page.model.data(page.model.index(page.model.rowCount() - 1, 1)) == "6"
    _select(page.kinds, "Tất cả đơn vị")
    _select(page.place, "Chỉ xã nghèo")
    assert _text(page, None, "1.a") == "2" and _text(page, None, "2.2.e") == ""
    assert page.last_switch_ms < 200
    _select(page.place, "Mọi địa bàn")
    _select(page.period, "Cả giai đoạn 2023–2025")
    assert _text(page, "PTP-CM", "1.b") == "170" and _text(page, "PTP-LX", "2.3.f") == "90,0%"

    # Frozen columns: the overlay shows the unit name and count only, and follows the main view's widths.
    frozen = page.view.frozen
    assert not frozen.isColumnHidden(0) and not frozen.isColumnHidden(1) and frozen.isColumnHidden(2)
    page.view.setColumnWidth(0, 260)
    assert frozen.columnWidth(0) == 260 and frozen.width() == 260 + page.view.columnWidth(1)

    _select(page.period, "Năm 2024")
    page.orientation.setCurrentIndex(page.orientation.findData(Orientation.INDICATORS_BY_UNITS))
    model = page.model
    line = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == "2.2.g")
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert model.data(model.index(line, header.index("Toàn tỉnh"))) == "90,0%"
    assert model.data(model.index(line, 2)) == "≥ 100%"
    assert model.data(model.index(line, model.columnCount() - 1)) == "90,0%"  # achieved against the 100 % target


def test_drill_down_lists_both_parts_and_shows_evidence(page: ConsolidationPage, workspace: Workspace, sample: Sample,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    photo = tmp_path / "biên bản hòa giải.png"
    Image.new("RGB", (64, 48), (20, 120, 40)).save(photo)
    workspace.evidence().attach(sample.uuids["a2"], [photo])  # announces nothing: rebuild by hand below
    page.on_changed(None)
    _select(page.period, "Năm 2024")
    ref = page.model.data(_cell(page, "PTP-CM", "2.2.g"), CELL_ROLE)
    assert ref.row.unit.code == "PTP-CM" and ref.indicator.code == "2.2.g"
    dialog = page.open_cell(_cell(page, "PTP-CM", "2.2.g"))
    assert dialog is not None and dialog.isVisible()
    assert "2.2.g" in dialog.heading.text() and "75,0%" in dialog.heading.text()
    headers = [dialog.list.horizontalHeaderItem(c).text() for c in range(dialog.list.columnCount())]
    assert headers[3:5] == ["2.2.f (vụ việc)", "2.2.e (vụ việc)"]
    assert dialog.list.rowCount() == 1
    assert [dialog.list.item(0, c).text() for c in (0, 3, 4)] == ["20/05/2024", "3", "4"]
    assert dialog.evidence.count() == 1 and dialog.preview_label.pixmap() is not None
    assert not dialog.preview_label.pixmap().isNull()
    assert "Hòa giải ở cơ sở tại ấp vùng sâu" in dialog.detail.text()
    assert dialog.source.text() == "Nguồn: Nhập trực tiếp tại Sở (không qua gói dữ liệu)"
    opened = []
    monkeypatch.setattr("thidua_desktop.gui.consolidation.drilldown_dialog.QDesktopServices.openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    copy = dialog.open_external()
    assert copy is not None and copy.name == "biên bản hòa giải.png" and opened == [str(copy)]

    dialog.query_selected("Đề nghị gửi biên bản hòa giải có chữ ký")
    with workspace.sessions() as session:
        review = session.scalar(select(ActivityReview))
        assert review.status is ReviewStatus.QUERIED and review.comment == "Đề nghị gửi biên bản hòa giải có chữ ký"
    assert dialog.list.item(0, 6).text() == "Đề nghị giải trình"
    dialog.accept_selected()
    with workspace.sessions() as session:
        assert session.scalar(select(ActivityReview.status)) is ReviewStatus.ACCEPTED
    dialog.close()

    province = page.open_cell(_cell(page, None, "2.2.d"))
    assert province.list.rowCount() == 2  # the latest stock report of each unit
    assert sorted(province.list.item(r, 3).text() for r in range(2)) == ["5", "9"]
    province.close()


def test_completeness_tab_lists_statuses_and_saves_the_reminder_list(page: ConsolidationPage, workspace: Workspace,
                                                                      sample: Sample, tmp_path: Path) -> None:
    fake_import(workspace, "PTP-CM", 2, datetime(2025, 1, 5), activities=[sample.uuids["a1"]])
    fake_import(workspace, "PTP-LX", 1, datetime(2025, 1, 20))
    page.on_changed(None)
    _select(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.completeness_tab)
    tab = page.completeness_tab
    rows = {tab.table.item(r, 1).text(): tab.table.item(r, 3).text() for r in range(tab.table.rowCount())}
    assert rows["Phòng Tư pháp huyện Chợ Mới"] == "Đúng hạn"
    assert rows["Phòng Tư pháp thành phố Long Xuyên"] == "Gửi muộn 10 ngày"
    assert rows["Phòng Tư pháp huyện Tri Tôn"] == "Chưa từng gửi"
    assert rows["Văn phòng Sở"] == "Nhập trực tiếp tại Sở"
    assert tab.deadline.text() == "10/01/2025"
    tab.deadline.setDate(tab.deadline.date() + timedelta(days=21))
    tab.save_deadline()
    rows = {tab.table.item(r, 1).text(): tab.table.item(r, 3).text() for r in range(tab.table.rowCount())}
    assert rows["Phòng Tư pháp thành phố Long Xuyên"] == "Đúng hạn"
    target = tab.save_reminders(tmp_path / "nhắc.pdf")
    from pypdf import PdfReader

    text = PdfReader(str(target)).pages[0].extract_text()
    assert "DANH SÁCH" in text and "Phòng Tư pháp huyện Tri Tôn" in text and "Phòng Tư pháp huyện Chợ Mới" not in text


def test_review_lock_holds_back_a_bundle_until_unlocked(qtbot, workspace: Workspace, tmp_path: Path,  # noqa: ANN001
                                                        answers: list[str]) -> None:
    from thidua_desktop.core.workspace import Role

    workspace.configure(Role.DEPARTMENT, None)
    office = make_unit(tmp_path / "ptp-cm")
    try:
        approved = office.add("Phổ biến pháp luật tại xã Kiến An", day=date(2024, 3, 5))
        enrol(workspace, office)
        import_bundle(workspace, office.export().path)
        register_fonts()
        page = ConsolidationPage(AppContext(workspace, TaskRunner(synchronous=True)))
        qtbot.addWidget(page)
        assert page.cube is None and page.table is None  # nothing is computed before the page is shown
        page.show()
        _select(page.period, "Năm 2024")
        page.tabs.setCurrentWidget(page.review_tab)
        tab = page.review_tab
        tab.select_unit(page.table.row_for("PTP-CM").unit.id)
        assert tab.lock_selected(note="Biên bản họp Hội đồng số 3")
        row = tab.unit_ids.index(page.table.row_for("PTP-CM").unit.id)
        assert tab.units.item(row, 5).text().startswith("Đã duyệt Năm 2024")

        campaign = workspace.campaign()
        office.edit(approved, title="Sửa sau khi Sở đã duyệt",
                    values={campaign.indicators_by_code["2.2.c"].id: 300, campaign.indicators_by_code["2.2.b"].id: 2})
        report = import_bundle(workspace, office.export().path)
        page.context.announce(report.change_report)
        assert report.held == 1
        assert _text(page, "PTP-CM", "2.2.c") == "45"  # the approved figure stands
        page.tabs.setCurrentWidget(page.review_tab)
        assert tab.pending.rowCount() == 1
        assert tab.pending.item(0, 4).text() == "Chờ xử lý (kỳ còn khóa)" and "Năm 2024" in tab.pending.item(0, 5).text()
        assert not tab.apply_button.isEnabled()

        tab.select_unit(page.table.row_for("PTP-CM").unit.id)
        assert tab.unlock_selected(reason="Đơn vị bổ sung số liệu")
        assert any("1 thay đổi" in question for question in answers)  # offered to apply the freed change
        with workspace.sessions() as session:
            assert session.scalar(select(Activity.title).where(Activity.uuid == approved)) == "Sửa sau khi Sở đã duyệt"
        page.tabs.setCurrentWidget(page.view)
        assert _text(page, "PTP-CM", "2.2.c") == "300"
        page.tabs.setCurrentWidget(page.review_tab)
        assert tab.pending.rowCount() == 0
    finally:
        office.workspace.close()


def test_ranking_reviewed_scores_charts_and_exports(page: ConsolidationPage, tmp_path: Path) -> None:
    _select(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.ranking_tab)
    tab = page.ranking_tab
    names = [tab.table.item(r, 1).text() for r in range(tab.table.rowCount())]
    ranking = tab.ranking
    assert names == [r.unit.name for r in ranking.rows] and tab.table.item(0, 0).text() == "1"
    first, second = ranking.rows[0], ranking.rows[1]
    assert first.reviewed_total >= second.reviewed_total
    # The reviewer gives the second unit full points on every criterion: it moves to the top.
    for index, criterion in enumerate(ranking.scheme.criteria):
        row = [r.unit.code for r in tab.ranking.rows].index(second.unit.code)  # the table re-sorts after each score
        assert tab.edit_score(row, 2 + index, points=criterion.standard, note="Hội đồng chấm lại")
    page.tabs.setCurrentWidget(page.ranking_tab)
    assert tab.table.item(0, 1).text() == second.unit.name
    assert tab.ranking.rows[0].reviewed_total == 100
    assert tab.proposals.rowCount() >= 1 and tab.proposals.item(0, 1).text() == second.unit.name

    page.tabs.setCurrentWidget(page.charts_tab)
    charts = page.charts_tab
    for kind in range(charts.kind.count()):
        charts.kind.setCurrentIndex(kind)
        assert charts.chart.bars, charts.kind.currentText()
    charts.kind.setCurrentIndex(charts.kind.findData("indicator"))
    charts.subject.setCurrentIndex(charts.subject.findData(page.campaign.indicators_by_code["2.2.g"].id))
    assert [line.value for line in charts.chart.lines] == [100, 90.0]  # the target and the province ratio
    assert any(bar.missed for bar in charts.chart.bars)
    png = charts.export_png(tmp_path / "biểu đồ.png")
    image = QImage(str(png))
    assert image.width() >= 2 * 300 and not image.isNull()

    page.export_excel(tmp_path / "tong-hop")
    book = load_workbook(tmp_path / "tong-hop.xlsx")
    assert book.sheetnames == ["Đơn vị × chỉ tiêu", "Chỉ tiêu × đơn vị", "Tình hình gửi báo cáo", "Xếp hạng"]
    from thidua_desktop.gui.consolidation.report_dialog import SummaryReportDialog, export_summary_report

    dialog = SummaryReportDialog(page)
    dialog.number.setText("12")
    dialog.signer.setText("Cao Thanh Sơn")
    export_summary_report(page, tmp_path / "bao-cao.pdf", dialog=dialog)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(tmp_path / "bao-cao.pdf")).pages)
    assert "Số: 12/BC-STP" in text and "Cao Thanh Sơn" in text and "PHỤ LỤC" in text
    assert (tmp_path / "bao-cao.docx").is_file()



def test_a_cancelled_build_can_be_run_again(qtbot, workspace: Workspace, sample: Sample, monkeypatch) -> None:  # noqa: ANN001
    from thidua_desktop.core.consolidation.cube import ConsolidationCube
    from thidua_desktop.core.errors import Cancelled

    calls = {"n": 0}
    real_build = ConsolidationCube.build

    def cancel_first(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 1:
            raise Cancelled()
        return real_build(*args, **kwargs)

    monkeypatch.setattr(ConsolidationCube, "build", cancel_first)
    register_fonts()
    page = ConsolidationPage(AppContext(workspace, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.rebuild()
    assert page.cube is None and "Đã hủy" in page.status.text()
    page.rebuild()
    assert page.cube is not None and calls["n"] == 2
