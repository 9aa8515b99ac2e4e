"""The three GROUP BY queries behind every consolidated figure, with an explicit join order for SQLite.

Semantics are those of `query.indicator_values` (sums; the latest report of a stock per unit; ratios
from the summed parts through the shared `query.results_from_raw`), and tests check both agree on every
filter. What differs is the plan. Over most of a campaign, reading the values in storage order and
looking each activity up by its id is about 1.5× faster on SQLite than walking the activities by date
and probing the values of each; but SQLite's planner, which cannot know how much of the campaign a date
range covers, picks the activity side. `ordered_join` pins the order (SQLite's CROSS JOIN keeps the
left table outermost; other engines get a plain JOIN and plan it themselves).

The same queries serve the consolidated table (no extra keys) and the cube (grouped by month and place).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, Row, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Join

from thidua_desktop.core.models import Activity, IndicatorValue


class ordered_join(Join):  # noqa: N801 - used like sqlalchemy.join
    """`left JOIN right ON …` whose left side SQLite must read in the outer loop (compiled as CROSS JOIN)."""

    inherit_cache = True


@compiles(ordered_join, "sqlite")
def _ordered_join_sqlite(join: ordered_join, compiler: SQLCompiler, **kw: Any) -> str:
    kw["asfrom"] = True
    left = compiler.process(join.left, **kw)
    right = compiler.process(join.right, **kw)
    return f"{left} CROSS JOIN {right} ON {compiler.process(join.onclause, **kw)}"


def values_then_activities() -> ordered_join:
    return ordered_join(IndicatorValue.__table__, Activity.__table__, Activity.id == IndicatorValue.activity_id)


def activities_then_values() -> Join:
    return Join(Activity.__table__, IndicatorValue.__table__, Activity.id == IndicatorValue.activity_id)


class month_of(FunctionElement):  # noqa: N801 - reads as an SQL function
    """year × 12 + month − 1 of a date column, compiled for each engine (no portable SQL spelling exists)."""

    type = Integer()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_of_default(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)  # SQLite stores a Date as 'YYYY-MM-DD' text
    return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"


def sum_rows(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    keys: Sequence[ColumnElement[Any]] = (),
    *,
    skip_indicators: Iterable[int] = (),
    values_first: bool = True,
) -> Iterable[Row]:
    """(unit id, indicator id, *keys, SUM(value)) for the activities matching `conditions`."""
    skip = sorted(skip_indicators)
    where = [*conditions] + ([IndicatorValue.indicator_id.not_in(skip)] if skip else [])
    groups = (Activity.unit_id, IndicatorValue.indicator_id, *keys)
    query = (
        select(*groups, func.sum(IndicatorValue.value))
        .select_from(values_then_activities() if values_first else activities_then_values())
        .where(*where)
        .group_by(*groups)
    )
    return session.execute(query)


def latest_rows(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    stock_ids: Sequence[int],
    keys: Sequence[ColumnElement[Any]] = (),
) -> Iterable[Row]:
    """(unit id, indicator id, *keys, date, activity id, value) of the latest report of each stock.

    "Latest" is the most recent activity date, then the highest id, per unit, indicator and keys, as in
    `query.indicator_values`. Stock values are few, so the plan starts from them.
    """
    if not stock_ids:
        return []
    partition = (Activity.unit_id, IndicatorValue.indicator_id, *keys)
    ranked = (
        select(
            *(column.label(f"g{n}") for n, column in enumerate(partition)),
            Activity.activity_date.label("day"),
            Activity.id.label("activity_id"),
            IndicatorValue.value.label("value"),
            func.row_number()
            .over(partition_by=partition, order_by=(Activity.activity_date.desc(), Activity.id.desc()))
            .label("rank"),
        )
        .select_from(values_then_activities())
        .where(*conditions, IndicatorValue.indicator_id.in_(list(stock_ids)))
        .subquery()
    )
    columns = [ranked.c[f"g{n}"] for n in range(len(partition))]
    return session.execute(
        select(*columns, ranked.c.day, ranked.c.activity_id, ranked.c.value).where(ranked.c.rank == 1)
    )


def count_rows(
    session: Session, conditions: Sequence[ColumnElement[bool]], keys: Sequence[ColumnElement[Any]] = ()
) -> Iterable[Row]:
    """(unit id, *keys, number of activities) — activities without any figure count too."""
    groups = (Activity.unit_id, *keys)
    return session.execute(select(*groups, func.count()).where(*conditions).group_by(*groups))
