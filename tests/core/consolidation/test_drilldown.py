"""Drill-down: the activities behind a figure, their evidence, and the bundle each one came from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.core.consolidation.sample import Sample, fake_import
from thidua_desktop.core.consolidation.drilldown import (
    DIRECT_ENTRY_LABEL,
    copy_for_viewer,
    drill_down,
    evidence_files,
)
from thidua_desktop.core.consolidation.models import ReviewStatus
from thidua_desktop.core.consolidation.review import set_review
from thidua_desktop.core.consolidation.table import ConsolidationFilter, consolidated_table
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

YEAR = ConsolidationFilter(Period.year(2024))


def _unit_ids(workspace: Workspace, *codes: str) -> list[int]:
    with workspace.sessions() as session:
        table = consolidated_table(session, workspace.campaign(), YEAR)
    return [table.row_for(code).unit.id for code in codes]


def test_sum_ratio_and_stock_cells_list_the_right_activities(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    ind = campaign.indicators_by_code
    cm, lx = _unit_ids(workspace, "PTP-CM", "PTP-LX")
    with workspace.sessions() as session:
        ratio = drill_down(session, campaign, YEAR, ind["2.2.g"].id, [cm])
        assert [c.code for c in ratio.columns] == ["2.2.f", "2.2.e"]  # both parts of the ratio
        assert [(r.uuid, r.values) for r in ratio.rows] == [(sample.uuids["a2"], (3, 4))]
        assert "÷" in ratio.note

        stock = drill_down(session, campaign, YEAR, ind["2.2.d"].id, [cm])
        assert [r.uuid for r in stock.rows] == [sample.uuids["a4"]]  # only the latest report counts
        province_stock = drill_down(session, campaign, YEAR, ind["2.2.d"].id, [cm, lx])
        assert sorted(r.uuid for r in province_stock.rows) == sorted([sample.uuids["a4"], sample.uuids["b1"]])
        assert province_stock.column_totals() == (14,)  # reproduces the province cell

        sums = drill_down(session, campaign, YEAR, ind["1.a"].id, None)
        assert [r.uuid for r in sums.rows] == [sample.uuids["a1"]]  # b3 is deleted, a5 is 2023
        assert sums.rows[0].source_label == DIRECT_ENTRY_LABEL and not sums.truncated

        limited = drill_down(session, campaign, ConsolidationFilter(Period.campaign(campaign)), ind["1.a"].id, None, limit=1)
        assert limited.total_rows == 2 and limited.truncated and len(limited.rows) == 1


def test_rows_show_provenance_and_review(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    fake_import(workspace, "PTP-CM", 7, datetime(2025, 1, 5, 8, 30), imported=datetime(2025, 1, 6, 9, 0),
                key_id="A1B2C3D4E5F60718", activities=[sample.uuids["a2"]])
    with workspace.transaction() as session:
        set_review(session, sample.activity_id(workspace, "a2"), ReviewStatus.QUERIED, "Thiếu biên bản hòa giải",
                   actor="thẩm định viên")
    (cm,) = _unit_ids(workspace, "PTP-CM")
    with workspace.sessions() as session:
        row = drill_down(session, campaign, YEAR, campaign.indicators_by_code["2.2.e"].id, [cm]).rows[0]
    assert row.provenance is not None and row.provenance.seq == 7
    assert row.source_label == (
        "Gói số 7 của PTP-CM, ký bằng khóa A1B2C3D4E5F60718, lập ngày 05/01/2025, nhận ngày 06/01/2025"
    )
    assert row.review is not None and row.review.label == "Đề nghị giải trình" and not row.review.stale
    assert row.review.comment == "Thiếu biên bản hòa giải"


def test_evidence_files_and_a_named_copy_for_the_system_viewer(workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    photo = tmp_path / "ảnh buổi hòa giải.png"
    from PIL import Image

    Image.new("RGB", (40, 30), (200, 30, 30)).save(photo)
    workspace.evidence().attach(sample.uuids["a2"], [photo])
    with workspace.sessions() as session:
        files = evidence_files(session, workspace.evidence_store(), sample.activity_id(workspace, "a2"))
    assert len(files) == 1 and files[0].is_image and files[0].present
    copy = copy_for_viewer(files[0], tmp_path / "xem")
    assert copy.name == "ảnh buổi hòa giải.png" and copy.read_bytes() == files[0].path.read_bytes()
