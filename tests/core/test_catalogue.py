"""The campaign catalogue as the app reads it (core/catalogue.py): campaign info, criteria tree,
indicators and their links (ratios, parts), and targets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from thidua_desktop.core.campaigns import TargetDef
from thidua_desktop.core.catalogue import CampaignInfo, load_campaign_info
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.models import Aggregation, TargetOp
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.workspace import Workspace


def test_campaign_info_names_the_plan_and_its_period(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    assert (campaign.code, campaign.plan_number, campaign.version) == ("KH-78-STP-2023", "78/KH-STP", 1)
    assert campaign.issued_by == "Sở Tư pháp tỉnh An Giang"
    assert (campaign.starts_on, campaign.ends_on) == (date(2023, 1, 1), date(2025, 12, 31))
    assert campaign.years == [2023, 2024, 2025]
    assert campaign.display_name == (
        "Kế hoạch 78/KH-STP: “Ngành Tư pháp chung tay vì người nghèo – Không để ai bị bỏ lại phía sau” (2023–2025)"
    )
    assert campaign.contains(date(2023, 1, 1)) and campaign.contains(date(2025, 12, 31))
    assert not campaign.contains(date(2022, 12, 31)) and not campaign.contains(date(2026, 1, 1))


def test_criteria_tree_keeps_the_plan_order_depth_and_parents(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    assert [(c.code, c.depth) for c in campaign.criteria] == [
        ("1", 0), ("2", 0), ("2.1", 1), ("2.2", 1), ("2.3", 1), ("2.4", 1), ("3", 0),
    ]
    by_code = campaign.criteria_by_code
    assert by_code["2.2"].parent_id == by_code["2"].id and by_code["2"].parent_id is None
    assert campaign.criteria_by_id[by_code["3"].id] is by_code["3"]
    assert by_code["1"].label.startswith("1. Nâng cao nhận thức")
    assert campaign.criterion_and_descendants(by_code["2.2"].id) == {by_code["2.2"].id}
    assert campaign.criterion_and_descendants(by_code["2"].id) == {
        by_code[code].id for code in ("2", "2.1", "2.2", "2.3", "2.4")
    }
    # "2" only groups its children: nothing is recorded under it directly.
    assert "2" not in [c.code for c in campaign.recordable_criteria()]


def test_indicators_belong_to_their_criterion_and_ratios_are_computed(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    ind = campaign.indicators_by_code
    criterion = campaign.criteria_by_code["2.2"].id
    assert [i.code for i in campaign.indicators_of(criterion)] == [f"2.2.{c}" for c in "abcdefgh"]
    assert [i.code for i in campaign.entered_indicators_of(criterion)] == [f"2.2.{c}" for c in "abcdefh"]
    ratio = ind["2.2.g"]
    assert ratio.aggregation is Aggregation.RATIO and not ratio.is_entered
    assert (ratio.numerator_id, ratio.denominator_id) == (ind["2.2.f"].id, ind["2.2.e"].id)
    assert ind["2.2.f"].part_of_id == ind["2.2.e"].id and ind["2.2.e"].part_of_id is None
    assert ind["2.2.d"].aggregation is Aggregation.LATEST and ind["2.2.d"].is_entered
    assert ind["3.a"].is_money and ind["3.a"].unit == "đồng" and not ind["3.d"].is_money
    assert ind["1.a"].is_key and not ind["1.c"].is_key
    assert campaign.indicators_by_id[ind["1.b"].id] is ind["1.b"]
    assert campaign.indicators_of(campaign.criteria_by_code["2"].id) == []


def test_targets_are_floors_or_ceilings_and_need_data(workspace: Workspace) -> None:
    ind = workspace.campaign().indicators_by_code
    floor, ceiling = ind["2.2.g"].target, ind["2.3.g"].target
    assert floor == TargetDef(TargetOp.AT_LEAST, 100) and floor.label() == "≥ 100"
    assert ceiling == TargetDef(TargetOp.AT_MOST, 0) and ceiling.label() == "≤ 0"
    assert floor.is_met(100.0) is True and floor.is_met(91.7) is False
    assert ceiling.is_met(0) is True and ceiling.is_met(1) is False
    assert floor.is_met(None) is None and ceiling.is_met(None) is None  # silence is not "no complaints"
    assert ind["2.2.b"].target is None
    with_target = sorted(i.code for i in workspace.campaign().indicators if i.target)
    assert with_target == ["2.1.c", "2.1.f", "2.2.g", "2.3.f", "2.3.g", "2.4.c"]


def _add_later_plan(data_dir: Path) -> None:
    later = json.loads(resource_path("campaigns", "kh-78-stp-2023.json").read_text(encoding="utf-8"))
    later.update(code="KH-2026-2030", plan_number="12/KH-STP", period={"start": "2026-01-01", "end": "2030-12-31"})
    (data_dir / "campaigns").mkdir(parents=True)
    (data_dir / "campaigns" / "kh-2026.json").write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")


def test_the_newest_plan_is_current_unless_one_is_named(tmp_path: Path) -> None:
    _add_later_plan(tmp_path / "data")
    with Workspace.open(tmp_path / "data") as workspace, workspace.sessions() as session:
        newest = load_campaign_info(session)
        named = load_campaign_info(session, "KH-78-STP-2023")
        assert (newest.code, newest.years) == ("KH-2026-2030", [2026, 2027, 2028, 2029, 2030])
        assert named.code == "KH-78-STP-2023"
        # Each plan has its own rows: the same indicator code is a different indicator in each.
        assert newest.indicators_by_code["1.a"].id != named.indicators_by_code["1.a"].id
        assert {c.id for c in newest.criteria}.isdisjoint(c.id for c in named.criteria)
        with pytest.raises(NotFoundError, match="KH-KHONG-CO"):
            load_campaign_info(session, "KH-KHONG-CO")


def test_campaign_info_is_immutable(workspace: Workspace) -> None:
    campaign: CampaignInfo = workspace.campaign()
    with pytest.raises(AttributeError):
        campaign.title = "khác"  # type: ignore[misc]
    assert workspace.campaign() is campaign  # read once per workspace and kept
