"""The consolidated table against the hand-computed figures of `sample.py`, and the cube against the database."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from tests.core.consolidation.sample import Sample, department
from thidua_desktop.core.consolidation.cube import ConsolidationCube
from thidua_desktop.core.consolidation.periods import period_choices, period_from_key, period_key
from thidua_desktop.core.consolidation.table import (
    ConsolidationFilter,
    UnitFigures,
    consolidated_table,
    format_cell,
)
from thidua_desktop.core.models import Activity, IndicatorValue, UnitKind
from thidua_desktop.core.query import Period, count_activities, indicator_values
from thidua_desktop.core.units import list_units
from thidua_desktop.core.workspace import Workspace


def _table(workspace: Workspace, flt: ConsolidationFilter, *, cube: bool = False):  # noqa: ANN202
    campaign = workspace.campaign()
    with workspace.sessions() as session:
        figures = ConsolidationCube.build(session, campaign) if cube else None
        return consolidated_table(session, campaign, flt, figures=figures)


@pytest.mark.parametrize("use_cube", [False, True], ids=["direct", "cube"])
def test_year_table_matches_hand_computed_figures(workspace: Workspace, sample: Sample, use_cube: bool) -> None:
    table = _table(workspace, ConsolidationFilter(Period.year(2024)), cube=use_cube)

    def value(unit: str | None, code: str) -> float | None:
        return table.cell(unit, code).value

    assert table.row_for("PTP-CM").activities == 4
    assert table.row_for("PTP-LX").activities == 2  # b3 deleted, b4 dated 2023
    assert table.row_for("STP-VP").activities == 1
    assert (value("PTP-CM", "1.a"), value("PTP-CM", "1.b")) == (2, 120)
    assert value("PTP-CM", "2.2.d") == 9  # a stock: the latest report (7 then 9), not 16
    assert value("PTP-CM", "2.2.g") == 75.0 and table.cell("PTP-CM", "2.2.g").missed
    assert value("PTP-LX", "2.2.g") == 100.0 and not table.cell("PTP-LX", "2.2.g").missed
    assert value("PTP-LX", "1.a") is None  # only a deleted activity reported it
    assert value("STP-VP", "2.1.c") == pytest.approx(200 / 3)
    # Province row: sums add up, stocks add the units' latest values, ratios divide the summed parts.
    assert table.total.activities == 7
    assert (value(None, "1.a"), value(None, "2.2.d"), value(None, "2.2.e"), value(None, "2.2.f")) == (2, 14, 10, 9)
    assert value(None, "2.2.g") == 90.0 and table.cell(None, "2.2.g").missed
    assert value(None, "3.a") == 10_000_000 and value(None, "3.d") == 20
    missed = {(row.label, ind.code) for row, ind in table.misses()}
    assert missed == {("Toàn tỉnh", "2.2.g"), ("Toàn tỉnh", "2.1.c"), (table.row_for("PTP-CM").label, "2.2.g"),
                      (table.row_for("STP-VP").label, "2.1.c")}
    # Every district office existing in 2024 has a row, with or without data; the department itself has none.
    codes = [row.unit.code for row in table.rows]
    assert "PTP-TT" in codes and "STP" not in codes and table.row_for("PTP-TT").activities == 0
    assert format_cell(table.campaign.indicators_by_code["2.2.g"], table.cell(None, "2.2.g")) == "90,0%"
    assert format_cell(table.campaign.indicators_by_code["3.a"], table.cell(None, "3.a")) == "10.000.000"
    assert [g.criterion.code for g in table.groups] == ["1", "2.1", "2.2", "2.3", "2.4", "3"]
    assert sum(g.count for g in table.groups) == len(table.indicators)


def test_campaign_period_place_and_unit_kind_filters(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    whole = _table(workspace, ConsolidationFilter(Period.campaign(campaign)))
    assert whole.cell("PTP-CM", "1.a").value == 3 and whole.cell("PTP-CM", "1.b").value == 170
    assert whole.cell("PTP-LX", "2.3.f").value == 90.0 and whole.cell("PTP-LX", "2.3.f").missed
    assert whole.cell("PTP-LX", "2.3.g").value == 1 and whole.cell("PTP-LX", "2.3.g").missed
    assert whole.total.activities == 9

    poor = _table(workspace, ConsolidationFilter(Period.year(2024), poor_commune=True))
    assert poor.total.activities == 2  # a1 and b2
    assert poor.cell(None, "1.a").value == 2 and poor.cell(None, "3.d").value == 20
    assert poor.cell(None, "2.2.e").value is None

    remote = _table(workspace, ConsolidationFilter(Period.year(2024), remote_area=True))
    assert remote.cell(None, "2.2.e").value == 10 and remote.cell(None, "2.2.g").value == 90.0

    districts = _table(
        workspace, ConsolidationFilter(Period.year(2024), unit_kinds=frozenset({UnitKind.DISTRICT_OFFICE}))
    )
    assert {row.unit.kind for row in districts.rows} == {UnitKind.DISTRICT_OFFICE}
    assert len(districts.rows) == 11
    assert districts.total.activities == 6 and districts.cell(None, "2.1.a").value is None
    assert "Phòng Tư pháp cấp huyện" in districts.filter.description

    quarter = _table(workspace, ConsolidationFilter(Period.quarter(2024, 4)))
    assert quarter.cell("PTP-CM", "2.2.d").value == 9 and quarter.total.activities == 1


def test_periods_have_stable_keys_and_parse_what_users_type(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    choices = period_choices(campaign)
    assert [p.label for p in choices[:3]] == ["Cả giai đoạn 2023–2025", "Năm 2023", "Quý I/2023"]
    assert [period_key(p, campaign) for p in choices[:3]] == ["campaign", "2023", "2023-Q1"]
    for text, expected in (("2024", Period.year(2024)), ("2024-Q3", Period.quarter(2024, 3)),
                           ("Q3/2024", Period.quarter(2024, 3)), ("quý 3/2024", Period.quarter(2024, 3)),
                           ("campaign", Period.campaign(campaign))):
        assert period_from_key(text, campaign) == expected
    with pytest.raises(Exception, match="Không hiểu kỳ báo cáo"):
        period_from_key("năm ngoái", campaign)


def _random_activities(workspace: Workspace, count: int, seed: int) -> None:
    """Bulk-insert random activities (many per month, unit and place) to compare the cube with the database."""
    campaign = workspace.campaign()
    rng = random.Random(seed)
    with workspace.sessions() as session:
        units = [u for u in list_units(session) if u.kind is not UnitKind.DEPARTMENT]
    entered = [i for i in campaign.indicators if i.is_entered]
    activities, values = [], []
    with workspace.transaction() as session:
        for number in range(count):
            day = campaign.starts_on + timedelta(days=rng.randrange(-40, (campaign.ends_on - campaign.starts_on).days + 40))
            picked = rng.sample(entered, rng.randint(1, 4))
            activity_id = 10_000 + number
            activities.append({
                "id": activity_id, "uuid": f"00000000-0000-4000-8000-{number:012d}", "unit_id": rng.choice(units).id,
                "campaign_id": campaign.id, "criterion_id": picked[0].criterion_id, "activity_date": day,
                "title": f"Hoạt động {number}", "is_poor_commune": rng.random() < 0.3,
                "is_remote_area": rng.random() < 0.3, "is_ethnic_area": rng.random() < 0.2,
                "deleted_at": day if rng.random() < 0.05 else None,
            })
            values += [{"activity_id": activity_id, "indicator_id": i.id, "value": rng.randint(0, 50)} for i in picked]
        session.execute(insert(Activity), activities)
        session.execute(insert(IndicatorValue), values)


def _reference(session, campaign, flt: ConsolidationFilter, unit_ids: frozenset[int]) -> dict[int, UnitFigures]:  # noqa: ANN001
    """Per-unit figures from `query.indicator_values` and `count_activities`: the shared definition."""
    base = flt.activity_filter(campaign.id, unit_ids if flt.unit_kinds is not None else None)
    results = indicator_values(session, campaign, base, by_unit=True)
    figures = {}
    for unit_id in unit_ids:
        count = count_activities(session, base.with_(unit_ids=frozenset({unit_id})))
        if count or unit_id in results:
            figures[unit_id] = UnitFigures(count, results.get(unit_id, {}))
    return figures


def test_cube_agrees_with_the_database_on_every_period_and_filter(workspace: Workspace) -> None:
    department(workspace)
    _random_activities(workspace, 600, seed=5)
    campaign = workspace.campaign()
    periods = [*period_choices(campaign), Period.month(2024, 2)]
    flags = [{}, {"poor_commune": True}, {"remote_area": False}, {"ethnic_area": True}, {"poor_commune": True, "remote_area": True}]
    kinds = [None, frozenset({UnitKind.DISTRICT_OFFICE})]
    with workspace.sessions() as session:
        cube = ConsolidationCube.build(session, campaign)
        compared = 0
        for period in periods:
            for flag in flags:
                for kind in kinds:
                    flt = ConsolidationFilter(period, unit_kinds=kind, **flag)
                    assert cube.supports(flt)
                    direct = consolidated_table(session, campaign, flt)
                    assert consolidated_table(session, campaign, flt, figures=cube) == direct, flt.description
                    if period in periods[:5] and kind is None:  # and both against `query.indicator_values`
                        reference = consolidated_table(
                            session, campaign, flt, figures=lambda f, ids: _reference(session, campaign, f, ids)
                        )
                        assert reference == direct, flt.description
                    compared += 1
        assert compared == len(periods) * len(flags) * len(kinds)
        odd = ConsolidationFilter(Period(date(2024, 2, 10), date(2024, 6, 3), "Từ 10/02/2024 đến 03/06/2024"))
        assert cube(odd, frozenset()) is None  # not month-aligned: the table falls back to the database
        assert consolidated_table(session, campaign, odd, figures=cube) == consolidated_table(session, campaign, odd)
