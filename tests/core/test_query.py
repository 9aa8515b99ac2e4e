from __future__ import annotations

from datetime import date

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.query import (
    ActivityFilter,
    Period,
    SortColumn,
    activity_ids,
    fetch_rows,
    indicator_values,
)
from thidua_desktop.core.workspace import Workspace


def _add(workspace: Workspace, unit: str, criterion: str, day: date, title: str, commune: str = "", **values: int) -> str:
    campaign = workspace.campaign()
    draft = ActivityDraft(
        criterion_id=campaign.criteria_by_code[criterion].id,
        activity_date=day,
        title=title,
        commune=commune,
        is_poor_commune=commune.startswith("xã Ô"),
        values={campaign.indicators_by_code[k.replace("_", ".")].id: v for k, v in values.items()},
    )
    return workspace.activities().create(unit, draft).created[0]


def test_filters_search_sort_and_totals(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    _add(workspace, "PTP-CM", "2.2", date(2023, 3, 1), "Hòa giải tại xã Kiến An", "xã Kiến An", **{"2_2_e": 4, "2_2_f": 3})
    _add(workspace, "PTP-CM", "2.2", date(2024, 5, 2), "Đánh giá chuẩn tiếp cận pháp luật", "", **{"2_2_d": 5})
    _add(workspace, "PTP-CM", "2.2", date(2024, 11, 2), "Đánh giá chuẩn tiếp cận pháp luật lần 2", "", **{"2_2_d": 7})
    _add(workspace, "PTP-TT", "2.2", date(2024, 6, 2), "Đánh giá chuẩn tiếp cận", "", **{"2_2_d": 10})
    _add(workspace, "PTP-TT", "3", date(2024, 1, 20), "Trao quà Tết", "xã Ô Lâm", **{"3_a": 10_000_000, "3_d": 40})
    everything = ActivityFilter(campaign_id=campaign.id)

    with workspace.sessions() as session:
        assert len(activity_ids(session, everything)) == 5
        found = activity_ids(session, everything.with_(search="hoa giai KIEN"))
        assert [fetch_rows(session, found)[found[0]].title] == ["Hòa giải tại xã Kiến An"]
        assert len(activity_ids(session, everything.with_(search="DANH GIA"))) == 3
        assert len(activity_ids(session, everything.with_(period=Period.year(2024)))) == 4
        assert len(activity_ids(session, everything.with_(period=Period.quarter(2024, 2)))) == 2
        assert len(activity_ids(session, everything.with_(poor_commune=True))) == 1
        assert len(activity_ids(session, everything.with_(has_evidence=False))) == 5
        by_title = activity_ids(session, everything, SortColumn.TITLE, descending=False)
        rows = fetch_rows(session, by_title)
        assert [rows[i].title for i in by_title] == [
            "Đánh giá chuẩn tiếp cận",
            "Đánh giá chuẩn tiếp cận pháp luật",
            "Đánh giá chuẩn tiếp cận pháp luật lần 2",
            "Hòa giải tại xã Kiến An",
            "Trao quà Tết",
        ]

        totals = indicator_values(session, campaign, everything)[None]
        by_code = {r.indicator.code: r for r in totals.values()}
        assert by_code["2.2.e"].value == 4 and by_code["2.2.f"].value == 3
        assert by_code["2.2.g"].value == 75.0 and by_code["2.2.g"].target_met is False
        assert by_code["2.2.d"].value == 17  # stock: latest per unit (7 + 10), not the sum 22
        assert by_code["3.a"].value == 10_000_000
        assert by_code["2.3.g"].value is None and by_code["2.3.g"].target_met is None  # not reported: no verdict

        per_unit = indicator_values(session, campaign, everything, by_unit=True)
        cho_moi = next(u for u in per_unit if by_code and u is not None and per_unit[u][campaign.indicators_by_code["2.2.e"].id].value == 4)
        assert per_unit[cho_moi][campaign.indicators_by_code["2.2.d"].id].value == 7


def test_deleted_rows_live_in_the_bin(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    uuid = _add(workspace, "PTP-CM", "3", date(2024, 1, 1), "Tặng tủ sách pháp luật", **{"3_e": 1})
    workspace.activities().delete([uuid])
    with workspace.sessions() as session:
        live = ActivityFilter(campaign_id=campaign.id)
        assert activity_ids(session, live) == []
        binned = activity_ids(session, live.with_(deleted=True))
        assert fetch_rows(session, binned)[binned[0]].status == "Đã xóa"
        assert indicator_values(session, campaign, live)[None][campaign.indicators_by_code["3.e"].id].value is None


def test_the_query_service_reads_ids_then_pages(workspace: Workspace, tmp_path) -> None:  # noqa: ANN001
    from thidua_desktop.core.export import CSV_COLUMNS, write_activities_csv

    queries = workspace.activity_queries()
    assert not queries.anything_recorded()
    days = [date(2024, 1, d) for d in range(1, 6)]
    uuids = [_add(workspace, "PTP-CM", "3", day, f"Trao quà lần {n}", **{"3_d": n}) for n, day in enumerate(days, 1)]
    everything = queries.filter()
    assert everything == ActivityFilter(campaign_id=workspace.campaign().id)
    newest_first = queries.ids(everything)
    assert len(newest_first) == queries.count(everything) == 5
    assert queries.ids(everything, SortColumn.DATE, descending=False) == newest_first[::-1]
    rows = queries.rows(newest_first[:2])
    assert [rows[i].uuid for i in newest_first[:2]] == [uuids[4], uuids[3]]

    pages = list(queries.pages(everything, page_size=2))
    assert [(len(p.rows), p.done, p.total) for p in pages] == [(2, 2, 5), (2, 4, 5), (1, 5, 5)]
    assert [r.uuid for p in pages for r in p.rows] == uuids[::-1]  # the display order, across pages

    workspace.activities().delete([uuids[0]])
    assert queries.rows([newest_first[-1]])[newest_first[-1]].deleted  # in the bin, still readable by id
    assert queries.count(everything.with_(deleted=True)) == 1 and queries.anything_recorded()
    totals = queries.totals(everything)[None]
    assert totals[workspace.campaign().indicators_by_code["3.d"].id].value == 2 + 3 + 4 + 5
    by_unit = queries.totals(everything, by_unit=True)
    assert list(by_unit) == [workspace.own_unit().id]

    progress: list[tuple[int, int]] = []
    count = write_activities_csv(queries, everything, tmp_path / "hd.csv", progress=lambda d, t: progress.append((d, t)))
    lines = (tmp_path / "hd.csv").read_text(encoding="utf-8-sig").splitlines()
    assert count == 4 and progress == [(4, 4)]
    assert lines[0] == ",".join(CSV_COLUMNS) and lines[1].startswith(uuids[4])


def test_export_stops_at_cancel_and_leaves_no_file(workspace: Workspace, tmp_path) -> None:  # noqa: ANN001
    import pytest

    from thidua_desktop.core.errors import Cancelled
    from thidua_desktop.core.export import write_activities_csv

    _add(workspace, "PTP-CM", "3", date(2024, 1, 1), "Trao quà", **{"3_d": 1})
    with pytest.raises(Cancelled):
        write_activities_csv(workspace.activity_queries(), workspace.activity_queries().filter(), tmp_path / "hd.csv",
                             cancel=lambda: True)
    assert not (tmp_path / "hd.csv").exists()
