from __future__ import annotations

import json
from pathlib import Path

import pytest

from thidua_desktop.core.campaigns import load_campaign_file, parse_campaign
from thidua_desktop.core.errors import CampaignFileError
from thidua_desktop.core.models import Aggregation, TargetOp
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.workspace import Workspace

PLAN_FILE = resource_path("campaigns", "kh-78-stp-2023.json")


def _plan() -> dict:
    return json.loads(PLAN_FILE.read_text(encoding="utf-8"))


def _parse(data: dict) -> None:
    parse_campaign(json.dumps(data, ensure_ascii=False), "thu.json")


def test_plan_78_has_the_plan_criteria_and_targets() -> None:
    plan = load_campaign_file(PLAN_FILE)
    assert [c.code for c in plan.criteria] == ["1", "2", "2.1", "2.2", "2.3", "2.4", "3"]
    by_code = {i.code: i for i in plan.indicators}
    assert by_code["2.2.d"].aggregation is Aggregation.LATEST
    ratio = by_code["2.2.g"]
    assert (ratio.numerator, ratio.denominator) == ("2.2.f", "2.2.e")
    assert ratio.target.op is TargetOp.AT_LEAST and ratio.target.value == 100
    assert by_code["2.3.g"].target.op is TargetOp.AT_MOST and by_code["2.3.g"].target.value == 0
    assert by_code["2.1.b"].part_of == "2.1.a"
    assert plan.starts_on.year == 2023 and plan.ends_on.year == 2025
    assert "người nghèo" in plan.title


def test_missing_field_is_named() -> None:
    data = _plan()
    del data["criteria"][0]["indicators"][1]["unit"]
    with pytest.raises(CampaignFileError) as error:
        _parse(data)
    assert "criteria[0].indicators[1].unit" in error.value.message
    assert "thiếu trường bắt buộc" in error.value.message


def test_unknown_indicator_in_a_ratio_is_named() -> None:
    data = _plan()
    data["criteria"][1]["children"][0]["indicators"][2]["numerator"] = "9.9.z"
    with pytest.raises(CampaignFileError) as error:
        _parse(data)
    assert "criteria[1].children[0].indicators[2].numerator" in error.value.message
    assert "“9.9.z” không tồn tại" in error.value.message


def test_duplicate_indicator_code_is_named() -> None:
    data = _plan()
    data["criteria"][2]["indicators"][0]["code"] = "1.a"
    with pytest.raises(CampaignFileError) as error:
        _parse(data)
    assert "mã chỉ tiêu “1.a” bị trùng" in error.value.message
    assert "criteria[2].indicators[0].code" in error.value.message


def test_duplicate_criterion_code_and_duplicate_json_key() -> None:
    data = _plan()
    data["criteria"][2]["code"] = "1"
    with pytest.raises(CampaignFileError, match="mã tiêu chí “1” bị trùng"):
        _parse(data)
    with pytest.raises(CampaignFileError, match="xuất hiện hai lần"):
        parse_campaign('{"format": "thidua-campaign/1", "format": "x"}', "thu.json")


def test_bad_aggregation_and_syntax_error() -> None:
    data = _plan()
    data["criteria"][0]["indicators"][0]["aggregation"] = "avg"
    with pytest.raises(CampaignFileError, match="“avg” không hợp lệ"):
        _parse(data)
    with pytest.raises(CampaignFileError, match="JSON sai cú pháp"):
        parse_campaign("{", "hong.json")


def test_broken_extra_campaign_stops_opening_and_writes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "campaigns").mkdir(parents=True)
    broken = _plan()
    broken["code"] = "KH-2026"
    del broken["period"]
    (data_dir / "campaigns" / "kh-2026.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(CampaignFileError, match="period"):
        Workspace.open(data_dir)
    (data_dir / "campaigns" / "kh-2026.json").unlink()
    with Workspace.open(data_dir) as workspace:
        assert workspace.campaign().code == "KH-78-STP-2023"


def test_a_later_campaign_is_just_another_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "campaigns").mkdir(parents=True)
    later = _plan()
    later.update(code="KH-2026-2030", plan_number="12/KH-STP", period={"start": "2026-01-01", "end": "2030-12-31"})
    (data_dir / "campaigns" / "kh-2026.json").write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    with Workspace.open(data_dir) as workspace:
        assert workspace.open_report.catalogue.added == ("KH-2026-2030", "KH-78-STP-2023")
        assert workspace.campaign().code == "KH-2026-2030"  # the newest plan is current by default
        workspace.set_settings(campaign_code="KH-78-STP-2023")
    with Workspace.open(data_dir) as workspace:
        assert workspace.campaign().plan_number == "78/KH-STP"
        assert workspace.open_report.catalogue.added == ()


def test_catalogue_loads_into_database(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    assert len(campaign.indicators) == 39
    assert campaign.criteria_by_code["2.2"].depth == 1
    assert campaign.criterion_and_descendants(campaign.criteria_by_code["2"].id) == {
        campaign.criteria_by_code[c].id for c in ("2", "2.1", "2.2", "2.3", "2.4")
    }
    assert [c.code for c in campaign.recordable_criteria()] == ["1", "2.1", "2.2", "2.3", "2.4", "3"]


def test_a_ratio_cannot_be_a_component_and_targets_are_checked() -> None:
    data = _plan()
    data["criteria"][1]["children"][0]["indicators"][1]["part_of"] = "2.1.c"  # 2.1.c is a ratio
    with pytest.raises(CampaignFileError) as error:
        _parse(data)
    assert "criteria[1].children[0].indicators[1].part_of" in error.value.message
    assert "“2.1.c” là tỷ lệ" in error.value.message
    data = _plan()
    data["criteria"][1]["children"][0]["indicators"][2]["target"]["op"] = "=="
    with pytest.raises(CampaignFileError, match=r"indicators\[2\]\.target\.op.*“==” không hợp lệ"):
        _parse(data)
    data = _plan()
    data["period"]["end"] = "2022-12-31"
    with pytest.raises(CampaignFileError, match="period.end.*trước ngày bắt đầu"):
        _parse(data)
