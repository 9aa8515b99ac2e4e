"""Scoring scheme as data, self and reviewed scores, ranking with shared ranks, and award candidates."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.core.consolidation.sample import Sample
from thidua_desktop.core.consolidation.scoring import (
    award_candidates,
    format_points,
    load_scheme,
    parse_scheme,
    rank_units,
    set_reviewed_score,
)
from thidua_desktop.core.errors import CampaignFileError, ValidationError
from thidua_desktop.core.models import AuditEntry
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

SCHEME = {
    "format": "thidua-scoring/1",
    "campaign": "KH-78-STP-2023",
    "thresholds_per_months": 12,
    "criteria": [
        {"code": "1", "standard": 10, "evidence": "Kế hoạch, ảnh", "items": [
            {"indicator": "1.a", "bands": [{"from": 4, "points": 8}, {"from": 2, "points": 6}, {"from": 1, "points": 2}]},
            {"indicator": "1.b", "bands": [{"from": 100, "points": 4}]},
        ]},
        {"code": "2.2", "standard": 10, "max": 12, "items": [
            {"indicator": "2.2.g", "bands": [{"from": 100, "points": 5}, {"from": 80, "points": 3}]},
            {"indicator": "2.2.d", "bands": [{"from": 8, "points": 4}]},
            {"indicator": "2.2.e", "bands": [{"from": 5, "points": 3}]},
        ]},
        {"code": "2.1", "standard": 5, "items": [
            {"indicator": "2.1.c", "bands": [{"from": 100, "points": 5}], "if_no_data": 2},
        ]},
        # "if_no_data" here is the council's explicit choice; the shipped scheme gives nothing for silence.
        {"code": "2.3", "standard": 5, "items": [{"indicator": "2.3.g", "bands": [{"up_to": 0, "points": 5}],
                                                  "if_no_data": 5}]},
    ],
    "awards": [
        {"code": "BK-BTP", "title": "Bằng khen của Bộ trưởng Bộ Tư pháp", "min_percent": 60, "max_count": 1},
        {"code": "GK-STP", "title": "Giấy khen của Giám đốc Sở Tư pháp", "min_percent": 30,
         "unit_kinds": ["district_office"]},
    ],
}


def _scheme(workspace: Workspace, data: dict = SCHEME):  # noqa: ANN202, B006
    return parse_scheme(json.dumps(data, ensure_ascii=False), "thử.json", workspace.campaign())


def test_self_scores_follow_the_bands_by_hand(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    scheme = _scheme(workspace)
    assert scheme.standard_total == 30
    with workspace.sessions() as session:
        ranking = rank_units(session, campaign, Period.year(2024), scheme=scheme)
        quarter = rank_units(session, campaign, Period.quarter(2024, 1), scheme=scheme)
    cm, lx, vp = (ranking.row_for(code) for code in ("PTP-CM", "PTP-LX", "STP-VP"))
    # PTP-CM: 1.a = 2 → 6, 1.b = 120 → 4; 2.2.g = 75 % → 0, 2.2.d = 9 → 4, 2.2.e = 4 → 0; 2.1.c no data → 2;
    # 2.3.g none → 5 (this test scheme's "if_no_data")
    assert [c.self_points for c in cm.criteria] == [10, 4, 2, 5] and cm.self_total == 21
    assert cm.percent == pytest.approx(70.0)
    assert [c.self_points for c in lx.criteria] == [0, 8, 2, 5]
    assert [c.self_points for c in vp.criteria] == [0, 0, 0, 5]  # 2.1.c = 66,7 % has data, so no "no data" points
    assert [(r.rank, r.unit.code) for r in ranking.rows[:2]] == [(1, "PTP-CM"), (2, "PTP-LX")]
    assert {r.rank for r in ranking.rows[2:-1]} == {3} and ranking.rows[-1].unit.code == "STP-VP"
    assert ranking.rows[-1].rank == len(ranking.rows) == 19
    item = cm.criteria[0].items[0]
    assert (item.value, item.points, item.threshold) == (2, 6, 2)
    # A quarter scales count thresholds by 3/12: 1.a = 2 ≥ 1 → 8, plus 4 → 12, capped at the standard 10.
    q_cm = quarter.row_for("PTP-CM")
    assert q_cm.criteria[0].items[0].threshold == 1 and q_cm.criteria[0].self_points == 10
    proposals = award_candidates(ranking)
    assert [(p.award_code, p.unit.code) for p in proposals] == [("BK-BTP", "PTP-CM"), ("GK-STP", "PTP-LX")]
    assert proposals[0].summary == "Xếp hạng 1, đạt 21/30 điểm (70,0%) năm 2024"
    assert "Chưa đạt 1 chỉ tiêu của kế hoạch." in proposals[0].warnings
    assert format_points(17.5) == "17,5" and format_points(18.0) == "18"


def test_reviewed_scores_reorder_the_ranking_and_are_audited(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    scheme = _scheme(workspace)
    year = Period.year(2024)
    with workspace.sessions() as session:
        ranking = rank_units(session, campaign, year, scheme=scheme)
    cm, lx = ranking.row_for("PTP-CM").unit.id, ranking.row_for("PTP-LX").unit.id
    with workspace.transaction() as session:
        set_reviewed_score(session, campaign, cm, year, "1", 0, note="Không có minh chứng", actor="Hội đồng",
                           scheme=scheme)
        set_reviewed_score(session, campaign, lx, year, "2.2", 12, note="Mô hình tiêu biểu", actor="Hội đồng",
                           scheme=scheme)
        with pytest.raises(ValidationError):
            set_reviewed_score(session, campaign, lx, year, "2.2", 12.5, actor="Hội đồng", scheme=scheme)
    with workspace.sessions() as session:
        reviewed = rank_units(session, campaign, year, scheme=scheme)
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "score")) is not None
    assert [(r.unit.code, r.self_total, r.reviewed_total) for r in reviewed.rows[:2]] == [
        ("PTP-LX", 15, 19), ("PTP-CM", 21, 11)
    ]
    assert reviewed.row_for("PTP-CM").criteria[0].review_note == "Không có minh chứng"
    proposals = award_candidates(reviewed)
    assert [(p.award_code, p.unit.code) for p in proposals] == [("BK-BTP", "PTP-LX"), ("GK-STP", "PTP-CM")]
    assert proposals[0].warnings == ()  # reviewed, no open queries, no missed target
    with workspace.transaction() as session:
        set_reviewed_score(session, campaign, cm, year, "1", None, actor="Hội đồng", scheme=scheme)
    with workspace.sessions() as session:
        assert rank_units(session, campaign, year, scheme=scheme).row_for("PTP-CM").reviewed_total == 21


def test_shipped_scheme_loads_and_broken_schemes_name_the_field(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    with workspace.sessions() as session:
        shipped = load_scheme(session, campaign)
    assert shipped.standard_total == 100 and [c.code for c in shipped.criteria] == ["1", "2.1", "2.2", "2.3", "2.4", "3"]
    assert {a.code for a in shipped.awards} <= {"BK-BTP", "BK-UBND", "GK-STP"}
    broken = json.loads(json.dumps(SCHEME))
    broken["criteria"][0]["items"][0]["indicator"] = "9.z"
    with pytest.raises(CampaignFileError, match=r"criteria\[0\]\.items\[0\]\.indicator"):
        _scheme(workspace, broken)
    broken = json.loads(json.dumps(SCHEME))
    broken["criteria"][1]["items"][0]["bands"][0] = {"points": 3}
    with pytest.raises(CampaignFileError, match="from"):
        _scheme(workspace, broken)


def test_a_ceiling_is_earned_by_reporting_zero_not_by_silence(workspace: Workspace, sample: Sample) -> None:
    """In the shipped scheme, "no harassment complaints" scores only when a unit reports 0 complaints."""
    campaign = workspace.campaign()
    with workspace.sessions() as session:
        ranking = rank_units(session, campaign, Period.year(2024))
    item = next(i for c in ranking.row_for("STP-VP").criteria for i in c.items if i.item.indicator.code == "2.3.g")
    assert item.value is None and item.points == 0
