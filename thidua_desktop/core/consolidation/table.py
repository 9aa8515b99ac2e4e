"""The consolidated table (Tổng hợp): units × the campaign's indicators, with province totals and targets.

Each cell is the catalogue's aggregation (sum, latest value of a stock, or ratio), with the semantics of
`query.indicator_values` (the same `results_from_raw`; `figures` explains the join order it adds).
This module arranges those results into rows, totals and target marks, so the table, the drill-down,
the Excel sheet and the ranking all read the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from sqlalchemy.orm import Session

from thidua_desktop.core.catalogue import CampaignInfo, CriterionInfo, IndicatorInfo
from thidua_desktop.core.consolidation.figures import count_rows, latest_rows, sum_rows
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.models import Aggregation, TargetOp, UnitKind
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.query import ActivityFilter, IndicatorResult, Period, _conditions, results_from_raw
from thidua_desktop.core.text import format_number, format_percent
from thidua_desktop.core.units import UNIT_KIND_LABELS, UnitInfo, list_units

PROVINCE_LABEL = "Toàn tỉnh"
SELECTION_TOTAL_LABEL = "Cộng các đơn vị đã chọn"  # the total row when a unit filter leaves units out
PLACE_LABELS = {"poor_commune": "xã nghèo", "remote_area": "vùng sâu, vùng xa", "ethnic_area": "vùng đồng bào DTTS"}


@dataclass(frozen=True)
class ConsolidationFilter:
    """What the department looks at: a period, optionally some kinds of unit (or some units) and kinds of place.

    `units_caption` names the chosen units in titles ("Phòng Tư pháp huyện Chợ Mới"); it selects nothing.
    """

    period: Period
    unit_kinds: frozenset[UnitKind] | None = None
    poor_commune: bool | None = None
    remote_area: bool | None = None
    ethnic_area: bool | None = None
    unit_ids: frozenset[int] | None = None
    units_caption: str = ""

    @property
    def restricts_units(self) -> bool:
        """Whether some units are left out, so that the total is not the province's."""
        return self.unit_kinds is not None or self.unit_ids is not None

    def keeps(self, unit: UnitInfo) -> bool:
        return ((self.unit_kinds is None or unit.kind in self.unit_kinds)
                and (self.unit_ids is None or unit.id in self.unit_ids))

    @property
    def total_label(self) -> str:
        return SELECTION_TOTAL_LABEL if self.restricts_units else PROVINCE_LABEL

    def with_(self, **changes: object) -> ConsolidationFilter:
        return replace(self, **changes)

    def activity_filter(self, campaign_id: int, unit_ids: Iterable[int] | None = None) -> ActivityFilter:
        """The same selection as an activity-list filter (unit kinds become the ids of those units)."""
        return ActivityFilter(
            campaign_id=campaign_id,
            unit_ids=frozenset(unit_ids) if unit_ids is not None else None,
            period=self.period,
            poor_commune=self.poor_commune,
            remote_area=self.remote_area,
            ethnic_area=self.ethnic_area,
        )

    def place_flags(self) -> tuple[bool | None, bool | None, bool | None]:
        return self.poor_commune, self.remote_area, self.ethnic_area

    @property
    def description(self) -> str:
        """A Vietnamese caption for titles: "Năm 2024 · Phòng Tư pháp cấp huyện · chỉ xã nghèo"."""
        parts = [self.period.label]
        if self.unit_kinds is not None:
            parts.append(", ".join(UNIT_KIND_LABELS[k] for k in UnitKind if k in self.unit_kinds))
        if self.unit_ids is not None:
            parts.append(self.units_caption or f"{len(self.unit_ids)} đơn vị")
        for name, label in PLACE_LABELS.items():
            wanted = getattr(self, name)
            if wanted is not None:
                parts.append(f"{'chỉ' if wanted else 'ngoài'} {label}")
        return " · ".join(parts)


@dataclass(frozen=True)
class UnitFigures:
    """What a figures source yields per unit: its activity count and every indicator's result."""

    activities: int
    results: Mapping[int, IndicatorResult]


# Per-unit figures for a filter and the ids of the units of its kinds; None when it cannot answer that filter.
FiguresSource = Callable[[ConsolidationFilter, frozenset[int]], Mapping[int, UnitFigures] | None]


@dataclass(frozen=True)
class Cell:
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    target_met: bool | None = None

    @property
    def missed(self) -> bool:
        return self.target_met is False


EMPTY_CELL = Cell(None)


@dataclass(frozen=True)
class ColumnGroup:
    """A criterion heading spanning its indicators' columns."""

    criterion: CriterionInfo
    start: int
    count: int


@dataclass(frozen=True)
class TableRow:
    unit: UnitInfo | None  # None for the totals row
    activities: int
    cells: tuple[Cell, ...]
    total_label: str = PROVINCE_LABEL  # "Toàn tỉnh" only when no unit is filtered out

    @property
    def label(self) -> str:
        return self.unit.short_name if self.unit else self.total_label

    @property
    def has_data(self) -> bool:
        return self.activities > 0

    @property
    def miss_count(self) -> int:
        return sum(1 for cell in self.cells if cell.missed)


@dataclass(frozen=True)
class ConsolidatedTable:
    campaign: CampaignInfo
    filter: ConsolidationFilter
    indicators: tuple[IndicatorInfo, ...]
    rows: tuple[TableRow, ...]
    total: TableRow
    groups: tuple[ColumnGroup, ...] = field(default=())

    @cached_property
    def column_of(self) -> dict[int, int]:
        return {ind.id: index for index, ind in enumerate(self.indicators)}

    def row_for(self, unit_code: str) -> TableRow:
        for row in self.rows:
            if row.unit and row.unit.code == unit_code:
                return row
        raise KeyError(unit_code)

    def cell(self, unit_code: str | None, indicator_code: str) -> Cell:
        """A cell by unit code (None: the province total) and indicator code: handy in tests and scripts."""
        row = self.total if unit_code is None else self.row_for(unit_code)
        return row.cells[self.column_of[self.campaign.indicators_by_code[indicator_code].id]]

    def achievement(self, column: int) -> float | None:
        """The province figure as a percentage of an "at least" target (None when there is no such target)."""
        target = self.indicators[column].target
        value = self.total.cells[column].value
        if target is None or target.op is not TargetOp.AT_LEAST or not target.value or value is None:
            return None
        return value * 100.0 / target.value

    def misses(self) -> list[tuple[TableRow, IndicatorInfo]]:
        """Every (row, indicator) whose target is missed, the province row last."""
        return [
            (row, ind)
            for row in (*self.rows, self.total)
            for ind, cell in zip(self.indicators, row.cells, strict=True)
            if cell.missed
        ]


def format_cell(indicator: IndicatorInfo, cell: Cell) -> str:
    """The Vietnamese text of a figure: "1.234.567", "97,5%", or "" when there is nothing to show."""
    if cell.value is None:
        return ""
    if indicator.aggregation is Aggregation.RATIO:
        return format_percent(cell.value)
    return format_number(cell.value)


def column_groups(campaign: CampaignInfo, indicators: Iterable[IndicatorInfo]) -> tuple[ColumnGroup, ...]:
    groups: list[ColumnGroup] = []
    for index, ind in enumerate(indicators):
        if groups and groups[-1].criterion.id == ind.criterion_id:
            last = groups[-1]
            groups[-1] = ColumnGroup(last.criterion, last.start, last.count + 1)
        else:
            groups.append(ColumnGroup(campaign.criteria_by_id[ind.criterion_id], index, 1))
    return tuple(groups)


def units_for(session: Session, flt: ConsolidationFilter) -> list[UnitInfo]:
    """The units of the chosen kinds, in master-data order; `build_table` decides which ones get a row."""
    return [unit for unit in list_units(session) if flt.keeps(unit)]


def _expected_to_report(unit: UnitInfo, period: Period) -> bool:
    """A unit existing at some time in the period owes a report; the department itself does not."""
    return (
        unit.kind is not UnitKind.DEPARTMENT
        and (unit.valid_from is None or unit.valid_from <= period.end)
        and (unit.valid_to is None or unit.valid_to >= period.start)
    )


def _cell(indicator: IndicatorInfo, result: IndicatorResult | None) -> Cell:
    if result is None:
        if indicator.target is not None and indicator.target.op is TargetOp.AT_MOST and indicator.is_entered:
            return Cell(None, target_met=indicator.target.is_met(None))  # nothing reported meets a ceiling
        return EMPTY_CELL
    return Cell(result.value, result.numerator, result.denominator, result.target_met)


def _total_results(campaign: CampaignInfo, per_unit: Iterable[Mapping[int, IndicatorResult]]) -> dict[int, IndicatorResult]:
    """Province figures from the shown units: sums and stocks add up; a ratio divides the summed parts."""
    sums: dict[int, float] = {}
    parts: dict[int, list[int]] = {}
    for results in per_unit:
        for indicator_id, result in results.items():
            if result.indicator.aggregation is Aggregation.RATIO:
                acc = parts.setdefault(indicator_id, [0, 0])
                acc[0] += result.numerator or 0
                acc[1] += result.denominator or 0
            elif result.value is not None:
                sums[indicator_id] = sums.get(indicator_id, 0) + result.value
    totals: dict[int, IndicatorResult] = {}
    for ind in campaign.indicators:
        if ind.aggregation is Aggregation.RATIO:
            if ind.id in parts:
                num, den = parts[ind.id]
                totals[ind.id] = IndicatorResult(ind, num * 100.0 / den if den else None, num, den)
        elif ind.id in sums:
            totals[ind.id] = IndicatorResult(ind, sums[ind.id])
    return totals


def build_table(
    campaign: CampaignInfo,
    units: Iterable[UnitInfo],
    flt: ConsolidationFilter,
    figures: Mapping[int, UnitFigures],
) -> ConsolidatedTable:
    """Arrange per-unit figures into the table.

    A unit gets a row if it has data, or if it existed during the period (an empty row then shows that
    it did not report); the province row adds up exactly the rows shown.
    """
    indicators = campaign.indicators
    rows: list[TableRow] = []
    for unit in units:
        unit_figures = figures.get(unit.id)
        if unit_figures is None and not _expected_to_report(unit, flt.period):
            continue
        results = unit_figures.results if unit_figures else {}
        rows.append(
            TableRow(
                unit,
                unit_figures.activities if unit_figures else 0,
                tuple(_cell(ind, results.get(ind.id)) for ind in indicators),
            )
        )
    shown = [figures[row.unit.id] for row in rows if row.unit and row.unit.id in figures]
    totals = _total_results(campaign, (f.results for f in shown))
    total = TableRow(
        None,
        sum(f.activities for f in shown),
        tuple(_cell(ind, totals.get(ind.id)) for ind in indicators),
        flt.total_label,
    )
    return ConsolidatedTable(campaign, flt, indicators, tuple(rows), total, column_groups(campaign, indicators))


def _covers_most_of_the_campaign(flt: ConsolidationFilter, campaign: CampaignInfo) -> bool:
    """Whether the filter keeps most activities: then reading every value in storage order is the faster plan."""
    if flt.restricts_units or any(flag is not None for flag in flt.place_flags()):
        return False
    span = (campaign.ends_on - campaign.starts_on).days + 1
    return (flt.period.end - flt.period.start).days + 1 >= span / 2


def direct_figures(
    session: Session, campaign: CampaignInfo, flt: ConsolidationFilter, unit_ids: frozenset[int]
) -> dict[int, UnitFigures]:
    """Figures straight from the database: three GROUP BYs (sums, latest stocks, counts) over covering indexes."""
    conditions = _conditions(flt.activity_filter(campaign.id, unit_ids if flt.restricts_units else None))
    stock_ids = [i.id for i in campaign.indicators if i.aggregation is Aggregation.LATEST]
    raw: dict[tuple[int, int], int] = {}
    broad = _covers_most_of_the_campaign(flt, campaign)
    for unit_id, indicator_id, total in sum_rows(session, conditions, skip_indicators=stock_ids, values_first=broad):
        raw[(unit_id, indicator_id)] = int(total or 0)
    for unit_id, indicator_id, _day, _activity_id, value in latest_rows(session, conditions, stock_ids):
        raw[(unit_id, indicator_id)] = int(value)
    counts = {unit_id: int(count) for unit_id, count in count_rows(session, conditions)}
    results = results_from_raw(campaign, raw, {unit_id for unit_id, _ in raw})
    return {
        unit_id: UnitFigures(counts.get(unit_id, 0), results.get(unit_id, {}))
        for unit_id in set(counts) | set(results)
    }


def consolidated_table(
    session: Session,
    campaign: CampaignInfo,
    flt: ConsolidationFilter,
    *,
    figures: FiguresSource | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> ConsolidatedTable:
    """The consolidated table for a filter; `figures` may be a prepared `ConsolidationCube` for instant switching."""
    if cancel():
        raise Cancelled()
    if progress:
        progress(0, 2)
    units = units_for(session, flt)
    unit_ids = frozenset(u.id for u in units)
    per_unit = figures(flt, unit_ids) if figures else None
    if per_unit is None:
        per_unit = direct_figures(session, campaign, flt, unit_ids)
    if cancel():
        raise Cancelled()
    if progress:
        progress(2, 2)
    return build_table(campaign, units, flt, per_unit)
