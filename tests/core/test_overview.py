"""Tiến độ (core/overview.py): per campaign year and for the whole campaign, with targets judged overall."""

from __future__ import annotations

from datetime import date

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.workspace import Workspace


def _add(workspace: Workspace, unit: str, day: date, received: int, settled: int) -> None:
    campaign = workspace.campaign()
    ind = campaign.indicators_by_code
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=day, title="Hòa giải",
                          values={ind["2.2.e"].id: received, ind["2.2.f"].id: settled})
    workspace.activities().create(unit, draft)


def test_progress_has_one_column_per_year_then_the_whole_campaign(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    ratio = campaign.indicators_by_code["2.2.g"].id
    _add(workspace, "PTP-CM", date(2023, 5, 1), 4, 3)
    _add(workspace, "PTP-CM", date(2024, 5, 1), 6, 6)
    _add(workspace, "PTP-TT", date(2024, 6, 1), 10, 10)
    cho_moi = workspace.units().get("PTP-CM").id

    progress = workspace.overview().progress(cho_moi)
    assert [(c.period.label, c.whole_campaign) for c in progress.columns] == [
        ("Năm 2023", False), ("Năm 2024", False), ("Năm 2025", False), ("Cả giai đoạn 2023–2025", True),
    ]
    assert [c.results[ratio].value for c in progress.columns] == [75.0, 100.0, None, 90.0]
    targets = progress.targets  # judged on the whole campaign: 9/10 settled misses "≥ 100%"
    assert [r.indicator.code for r in targets.missed] == ["2.2.g"]
    assert targets.met == () and targets.with_target == 6 and len(targets.no_data) == 5

    province = workspace.overview().progress(None)
    assert province.whole_campaign.results[ratio].value == 95.0  # (3 + 6 + 10) / (4 + 6 + 10)
    tri_ton = workspace.overview().progress(workspace.units().get("PTP-TT").id)
    assert [r.indicator.code for r in tri_ton.targets.met] == ["2.2.g"] and tri_ton.targets.missed == ()
