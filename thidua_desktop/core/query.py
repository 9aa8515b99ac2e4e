"""Activity queries: filtered id lists for lazy table views, row pages, and indicator totals.

The GUI and the CLI read them through `ActivityQueries` (`workspace.activity_queries()`); the functions
taking a session are for the core's own services.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from thidua_desktop.core.catalogue import CampaignInfo, IndicatorInfo
from thidua_desktop.core.models import Activity, Aggregation, Criterion, IndicatorValue, Unit
from thidua_desktop.core.text import fold


class SortColumn(enum.StrEnum):
    DATE = "date"
    CRITERION = "criterion"
    TITLE = "title"
    PLACE = "place"
    FIGURES = "figures"
    EVIDENCE = "evidence"
    STATUS = "status"
    UNIT = "unit"


@dataclass(frozen=True)
class Period:
    """A closed date range with a Vietnamese label: a month, a quarter, a year or the whole campaign."""

    start: date
    end: date
    label: str

    @property
    def phrase(self) -> str:
        """The label inside a sentence: "báo cáo cả giai đoạn 2023–2025", "báo cáo năm 2024"."""
        return self.label[:1].lower() + self.label[1:]

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), f"Năm {year}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(start, date.fromordinal(end.toordinal() - 1), f"Quý {['I', 'II', 'III', 'IV'][quarter - 1]}/{year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(date(year, month, 1), date.fromordinal(end.toordinal() - 1), f"Tháng {month:02d}/{year}")

    @classmethod
    def campaign(cls, campaign: CampaignInfo) -> Period:
        return cls(campaign.starts_on, campaign.ends_on, f"Cả giai đoạn {campaign.starts_on.year}–{campaign.ends_on.year}")


@dataclass(frozen=True)
class ActivityFilter:
    campaign_id: int
    unit_ids: frozenset[int] | None = None
    criterion_ids: frozenset[int] | None = None
    period: Period | None = None
    poor_commune: bool | None = None
    remote_area: bool | None = None
    ethnic_area: bool | None = None
    has_evidence: bool | None = None
    search: str = ""
    deleted: bool = False  # True shows the bin (Thùng rác)

    def with_(self, **changes: object) -> ActivityFilter:
        return replace(self, **changes)


def _conditions(flt: ActivityFilter) -> list:
    conds = [Activity.campaign_id == flt.campaign_id]
    conds.append(Activity.deleted_at.is_not(None) if flt.deleted else Activity.deleted_at.is_(None))
    if flt.unit_ids is not None:
        conds.append(Activity.unit_id.in_(sorted(flt.unit_ids)))
    if flt.criterion_ids is not None:
        conds.append(Activity.criterion_id.in_(sorted(flt.criterion_ids)))
    if flt.period is not None:
        conds.append(Activity.activity_date.between(flt.period.start, flt.period.end))
    for column, wanted in (
        (Activity.is_poor_commune, flt.poor_commune),
        (Activity.is_remote_area, flt.remote_area),
        (Activity.is_ethnic_area, flt.ethnic_area),
    ):
        if wanted is not None:
            conds.append(column == wanted)
    if flt.has_evidence is not None:
        conds.append(Activity.evidence_count > 0 if flt.has_evidence else Activity.evidence_count == 0)
    for token in fold(flt.search).split():
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(Activity.search_text.like(f"%{escaped}%", escape="\\"))
    return conds


def _status_order():
    """Never sent first, then edited since sending, then sent."""
    return func.coalesce(Activity.sent_revision - Activity.revision, -1000)


_SORT_EXPRESSIONS = {
    SortColumn.DATE: lambda: [Activity.activity_date],
    SortColumn.TITLE: lambda: [Activity.title_sort_key],
    SortColumn.PLACE: lambda: [Activity.commune_sort_key],
    SortColumn.FIGURES: lambda: [Activity.lead_value],
    SortColumn.EVIDENCE: lambda: [Activity.evidence_count],
    SortColumn.STATUS: lambda: [_status_order()],
}


def activity_ids(session: Session, flt: ActivityFilter, sort: SortColumn = SortColumn.DATE, descending: bool = True) -> list[int]:
    """The ids of all matching activities in display order: cheap enough to hold for 100,000 rows."""
    query: Select = select(Activity.id).where(and_(*_conditions(flt)))
    if sort is SortColumn.CRITERION:
        query = query.join(Criterion, Criterion.id == Activity.criterion_id)
        keys = [Criterion.sort_order]
    elif sort is SortColumn.UNIT:
        query = query.join(Unit, Unit.id == Activity.unit_id)
        keys = [Unit.name_sort_key]
    else:
        keys = _SORT_EXPRESSIONS[sort]()
    keys = [*keys, Activity.id]
    query = query.order_by(*[k.desc() if descending else k.asc() for k in keys])
    # Plain integers need no result processing: reading the driver's cursor directly halves the time
    # for 100,000 ids, which is most of a search keystroke.
    result = session.connection().execute(query)
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


@dataclass(frozen=True)
class ActivityRow:
    id: int
    uuid: str
    activity_date: date
    criterion_code: str
    unit_name: str
    title: str
    commune: str
    is_poor_commune: bool
    is_remote_area: bool
    is_ethnic_area: bool
    figures: str
    evidence_count: int
    revision: int
    sent_revision: int | None
    deleted: bool
    from_bundle: bool = False

    @property
    def status(self) -> str:
        """At a unit: has it been sent? At the department: where did it come from?"""
        if self.deleted:
            return "Đã xóa"
        if self.from_bundle:
            return "Nhận qua gói"
        if self.sent_revision is None:
            return "Chưa gửi"
        if self.sent_revision < self.revision:
            return "Đã sửa, chưa gửi"
        return "Đã gửi"

    @property
    def department_status(self) -> str:
        if self.deleted or self.from_bundle:
            return self.status
        return "Nhập tại Sở"

    @property
    def place(self) -> str:
        flags = [
            label
            for flag, label in (
                (self.is_poor_commune, "xã nghèo"),
                (self.is_remote_area, "vùng sâu, vùng xa"),
                (self.is_ethnic_area, "vùng đồng bào DTTS"),
            )
            if flag
        ]
        return f"{self.commune} ({', '.join(flags)})" if flags else self.commune


def fetch_rows(session: Session, ids: Sequence[int]) -> dict[int, ActivityRow]:
    """One page of rows by id, for the lazy table model's cache."""
    if not ids:
        return {}
    result = session.execute(
        select(
            Activity.id, Activity.uuid, Activity.activity_date, Criterion.code, Unit.short_name, Activity.title,
            Activity.commune, Activity.is_poor_commune, Activity.is_remote_area, Activity.is_ethnic_area,
            Activity.figures_summary, Activity.evidence_count, Activity.revision, Activity.sent_revision,
            Activity.deleted_at, Activity.source_bundle_id,
        )
        .join(Criterion, Criterion.id == Activity.criterion_id)
        .join(Unit, Unit.id == Activity.unit_id)
        .where(Activity.id.in_(list(ids)))
    )
    return {
        r[0]: ActivityRow(*r[:14], deleted=r[14] is not None, from_bundle=r[15] is not None)  # type: ignore[misc]
        for r in result
    }


@dataclass(frozen=True)
class IndicatorResult:
    indicator: IndicatorInfo
    value: float | None  # None: no data (or a ratio over zero)
    numerator: int | None = None
    denominator: int | None = None

    @property
    def target_met(self) -> bool | None:
        return self.indicator.target.is_met(self.value) if self.indicator.target else None


def _sums(session: Session, flt: ActivityFilter, by_unit: bool) -> dict[tuple[int | None, int], int]:
    """(unit id or None, indicator id) → SUM(value), in one GROUP BY over the covering index."""
    # "+ 0" keeps SQLite from walking every value in indicator order; it starts from the filtered activities.
    indicator = (IndicatorValue.indicator_id + 0).label("indicator_id")
    group_cols = [indicator] + ([Activity.unit_id] if by_unit else [])
    rows = session.execute(
        select(*group_cols, func.sum(IndicatorValue.value))
        .join(Activity, Activity.id == IndicatorValue.activity_id)
        .where(and_(*_conditions(flt)))
        .group_by(*group_cols)
    ).all()
    return {(row[1] if by_unit else None, row[0]): int(row[-1] or 0) for row in rows}


_stock = aliased(IndicatorValue)


def _latest_values(session: Session, flt: ActivityFilter, indicator_ids: list[int]) -> dict[tuple[int, int], int]:
    """(unit id, indicator id) → the value on that unit's most recent activity reporting it."""
    if not indicator_ids:
        return {}
    ranked = (
        select(
            Activity.unit_id.label("unit_id"),
            IndicatorValue.indicator_id.label("indicator_id"),
            IndicatorValue.value.label("value"),
            func.row_number()
            .over(
                partition_by=(Activity.unit_id, IndicatorValue.indicator_id),
                order_by=(Activity.activity_date.desc(), Activity.id.desc()),
            )
            .label("rank"),
        )
        .join(Activity, Activity.id == IndicatorValue.activity_id)
        .where(
            and_(*_conditions(flt)),
            IndicatorValue.indicator_id.in_(indicator_ids),
            # Redundant for the result, but it makes the planner start from the few stock values rather than
            # probe the values of every activity in the period (about 10× faster on SQLite at 1,000,000 values).
            Activity.id.in_(select(_stock.activity_id).where(_stock.indicator_id.in_(indicator_ids))),
        )
        .subquery()
    )
    rows = session.execute(select(ranked.c.unit_id, ranked.c.indicator_id, ranked.c.value).where(ranked.c.rank == 1))
    return {(r.unit_id, r.indicator_id): int(r.value) for r in rows}


def indicator_values(
    session: Session, campaign: CampaignInfo, flt: ActivityFilter, *, by_unit: bool = False
) -> dict[int | None, dict[int, IndicatorResult]]:
    """Every indicator's result for the filter, per unit (by_unit) or overall (key None)."""
    raw = _sums(session, flt, by_unit)
    latest_ids = {i.id for i in campaign.indicators if i.aggregation is Aggregation.LATEST}
    raw = {key: value for key, value in raw.items() if key[1] not in latest_ids}
    # Stocks: each unit's most recent value counts; the overall figure is the sum of units' latest values.
    for (unit_id, indicator_id), value in _latest_values(session, flt, sorted(latest_ids)).items():
        key = (unit_id if by_unit else None, indicator_id)
        raw[key] = raw.get(key, 0) + value
    return results_from_raw(campaign, raw, {u for (u, _i) in raw} if by_unit else {None})


def results_from_raw(
    campaign: CampaignInfo, raw: dict[tuple[Any, int], int], groups: Iterable[Any]
) -> dict[Any, dict[int, IndicatorResult]]:
    """Every indicator's result per group, from raw (group, indicator id) → sum or latest value.

    Shared with the consolidation cube, which gathers its raw figures differently but must agree exactly.
    """
    results: dict[Any, dict[int, IndicatorResult]] = {}
    for group in groups:
        per: dict[int, IndicatorResult] = {}
        for ind in campaign.indicators:
            if ind.aggregation is Aggregation.RATIO:
                num = raw.get((group, ind.numerator_id or -1))
                den = raw.get((group, ind.denominator_id or -1))
                value = (num or 0) * 100.0 / den if den else None
                per[ind.id] = IndicatorResult(ind, value, num or 0, den or 0)
            else:
                value = raw.get((group, ind.id))
                per[ind.id] = IndicatorResult(ind, float(value) if value is not None else None)
        results[group] = per
    return results


def count_activities(session: Session, flt: ActivityFilter) -> int:
    return session.scalar(select(func.count()).select_from(Activity).where(and_(*_conditions(flt)))) or 0



@dataclass(frozen=True)
class RowPage:
    """One page of matching rows, in display order, and how far through all matches it reaches."""

    rows: list[ActivityRow]
    done: int
    total: int


class ActivityQueries:
    """Read-only activity lists for the GUI table, the CLI and exports: ids first, then rows page by page.

    Holding only ids keeps 100,000 activities cheap; each page of rows is read when it is shown.
    """

    def __init__(self, sessions: sessionmaker[Session], campaign: CampaignInfo) -> None:
        self.sessions = sessions
        self.campaign = campaign

    def filter(self, **criteria: Any) -> ActivityFilter:
        """A filter on this campaign (the default: every live activity of it)."""
        return ActivityFilter(campaign_id=self.campaign.id, **criteria)

    def ids(self, flt: ActivityFilter, sort: SortColumn = SortColumn.DATE, descending: bool = True) -> list[int]:
        with self.sessions() as session:
            return activity_ids(session, flt, sort, descending)

    def rows(self, ids: Sequence[int]) -> dict[int, ActivityRow]:
        """Rows by id; an id deleted for good meanwhile is simply missing."""
        with self.sessions() as session:
            return fetch_rows(session, ids)

    def pages(self, flt: ActivityFilter, *, page_size: int = 2000) -> Iterator[RowPage]:
        """Every matching row in display order, read in one session so that all pages are one snapshot."""
        with self.sessions() as session:
            ids = activity_ids(session, flt)
            for start in range(0, len(ids), page_size):
                page_ids = ids[start : start + page_size]
                rows = fetch_rows(session, page_ids)
                yield RowPage([rows[i] for i in page_ids], min(start + page_size, len(ids)), len(ids))

    def count(self, flt: ActivityFilter) -> int:
        with self.sessions() as session:
            return count_activities(session, flt)

    def totals(self, flt: ActivityFilter, *, by_unit: bool = False) -> dict[int | None, dict[int, IndicatorResult]]:
        """Every indicator's result for the filter: overall (key None), or per unit id with `by_unit`."""
        with self.sessions() as session:
            return indicator_values(session, self.campaign, flt, by_unit=by_unit)

    def anything_recorded(self) -> bool:
        """Whether the database holds any activity at all (any campaign, the bin included)."""
        with self.sessions() as session:
            return session.scalar(select(Activity.id).limit(1)) is not None
