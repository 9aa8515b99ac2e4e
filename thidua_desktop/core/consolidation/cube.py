"""A month × place pre-aggregation of one campaign, so switching period or filter takes milliseconds.

At a million indicator values one GROUP BY takes about a second, far too slow for a period picker.
The cube runs the three queries of `figures` once (sums, the latest value of each stock, activity
counts), grouped by unit, indicator, month and the place flags, then answers any month-aligned period
(year, quarter, the campaign) and any place or unit filter in Python. `results_from_raw` turns its
figures into results with the very code `query.indicator_values` uses; a test checks they agree on
every filter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import case
from sqlalchemy.orm import Session

from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.consolidation.figures import count_rows, latest_rows, month_of, sum_rows
from thidua_desktop.core.consolidation.periods import month_index, month_range
from thidua_desktop.core.consolidation.table import (
    CancelFn,
    ConsolidationFilter,
    ProgressFn,
    UnitFigures,
    never_cancelled,
)
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.models import Activity, Aggregation
from thidua_desktop.core.query import results_from_raw

# (month index, inside the campaign's own dates, poor commune, remote area, ethnic area)
Bucket = tuple[int, bool, bool, bool, bool]


@dataclass
class ConsolidationCube:
    campaign: CampaignInfo
    sums: dict[Bucket, list[tuple[int, int, int]]] = field(default_factory=dict)  # (unit, indicator, sum)
    # (unit, indicator, date ordinal, activity id, value): the latest report of a stock within the bucket
    latest: dict[Bucket, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    counts: dict[Bucket, list[tuple[int, int]]] = field(default_factory=dict)  # (unit, activities)

    @classmethod
    def build(
        cls,
        session: Session,
        campaign: CampaignInfo,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> ConsolidationCube:
        cube = cls(campaign)
        month = month_of(Activity.activity_date)
        in_campaign = case((Activity.activity_date.between(campaign.starts_on, campaign.ends_on), 1), else_=0)
        keys = (month, in_campaign, Activity.is_poor_commune, Activity.is_remote_area, Activity.is_ethnic_area)
        live = (Activity.campaign_id == campaign.id, Activity.deleted_at.is_(None))
        stock_ids = [i.id for i in campaign.indicators if i.aggregation is Aggregation.LATEST]
        steps = 3

        def checkpoint(step: int) -> None:
            if cancel():
                raise Cancelled()
            if progress:
                progress(step, steps)

        checkpoint(0)
        for unit_id, indicator_id, *bucket, total in sum_rows(session, live, keys, skip_indicators=stock_ids):
            cube.sums.setdefault(_bucket(bucket), []).append((unit_id, indicator_id, int(total or 0)))
        checkpoint(1)
        for unit_id, indicator_id, *rest in latest_rows(session, live, stock_ids, keys):
            *bucket, day, activity_id, value = rest
            cube.latest.setdefault(_bucket(bucket), []).append(
                (unit_id, indicator_id, day.toordinal(), activity_id, int(value))
            )
        checkpoint(2)
        for unit_id, *bucket, count in count_rows(session, live, keys):
            cube.counts.setdefault(_bucket(bucket), []).append((unit_id, int(count)))
        checkpoint(3)
        return cube

    @property
    def cells(self) -> int:
        """How many pre-aggregated cells the cube holds (its memory and switching cost)."""
        return sum(len(v) for store in (self.sums, self.latest, self.counts) for v in store.values())

    def supports(self, flt: ConsolidationFilter) -> bool:
        period = flt.period
        whole = (period.start, period.end) == (self.campaign.starts_on, self.campaign.ends_on)
        return whole or month_range(period) is not None

    def _buckets(self, store: Mapping[Bucket, list], flt: ConsolidationFilter) -> Iterator[list]:
        period = flt.period
        whole = (period.start, period.end) == (self.campaign.starts_on, self.campaign.ends_on)
        first, last = month_range(period) or (month_index(period.start), month_index(period.end))
        wanted = flt.place_flags()
        for (month, in_campaign, *flags), entries in store.items():
            if whole:
                if not in_campaign:
                    continue
            elif not first <= month <= last:
                continue
            if any(want is not None and want != flag for want, flag in zip(wanted, flags, strict=True)):
                continue
            yield entries

    def __call__(self, flt: ConsolidationFilter, unit_ids: frozenset[int]) -> dict[int, UnitFigures] | None:
        """Per-unit figures for a filter (a `FiguresSource`); None for a period that is not month-aligned."""
        if not self.supports(flt):
            return None
        restrict = flt.restricts_units
        raw: dict[tuple[int, int], int] = {}
        for entries in self._buckets(self.sums, flt):
            for unit_id, indicator_id, total in entries:
                if restrict and unit_id not in unit_ids:
                    continue
                key = (unit_id, indicator_id)
                raw[key] = raw.get(key, 0) + total
        newest: dict[tuple[int, int], tuple[int, int, int]] = {}
        for entries in self._buckets(self.latest, flt):
            for unit_id, indicator_id, day, activity_id, value in entries:
                if restrict and unit_id not in unit_ids:
                    continue
                key = (unit_id, indicator_id)
                if key not in newest or (day, activity_id) > newest[key][:2]:
                    newest[key] = (day, activity_id, value)
        for key, (_day, _activity, value) in newest.items():
            raw[key] = value
        counts: dict[int, int] = {}
        for entries in self._buckets(self.counts, flt):
            for unit_id, count in entries:
                if not restrict or unit_id in unit_ids:
                    counts[unit_id] = counts.get(unit_id, 0) + count
        results = results_from_raw(self.campaign, raw, {unit_id for unit_id, _ in raw})
        return {
            unit_id: UnitFigures(counts.get(unit_id, 0), results.get(unit_id, {}))
            for unit_id in set(counts) | set(results)
        }


def _bucket(values: list) -> Bucket:
    month, in_campaign, poor, remote, ethnic = values
    return int(month), bool(in_campaign), bool(poor), bool(remote), bool(ethnic)
