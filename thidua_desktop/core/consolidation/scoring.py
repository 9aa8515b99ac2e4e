"""Scoring and ranking: the campaign's scoring scheme as data, self and reviewed scores, award candidates.

The scheme follows the Ministry's yearly scoring tables ("Số TT | Tiêu chí | Điểm chuẩn | Điểm chấm |
Tài liệu minh chứng | Ghi chú"): each criterion has standard points (its maximum, unless a higher `max`
allows bonus points) and items that give points by bands on an indicator's value or ratio. It lives
in `resources/scoring/<campaign>.json` (a data folder's `scoring/` may override it), or in a `scoring`
section of the campaign file. Count thresholds are per `thresholds_per_months` (12: per year) and
scale with the period's length; ratios and stocks do not scale.

The self-score is computed from the unit's own data; the reviewed score starts equal to it and takes
the reviewer's points for any criterion the reviewer scored. Ranking is by reviewed score, and
`award_candidates` proposes awards from it: the award-dossier feature builds nominations from these.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.catalogue import CampaignInfo, IndicatorInfo
from thidua_desktop.core.consolidation.models import ScoreReview
from thidua_desktop.core.consolidation.periods import period_key, period_months
from thidua_desktop.core.consolidation.review import open_query_count
from thidua_desktop.core.consolidation.table import (
    CancelFn,
    ConsolidatedTable,
    ConsolidationFilter,
    FiguresSource,
    ProgressFn,
    consolidated_table,
    never_cancelled,
)
from thidua_desktop.core.errors import CampaignFileError, NotFoundError, ValidationError
from thidua_desktop.core.models import Aggregation, Campaign, UnitKind, utc_now
from thidua_desktop.core.query import IndicatorResult, Period
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.text import format_number, nfc, sort_key
from thidua_desktop.core.units import UnitInfo

SCORING_FORMAT = "thidua-scoring/1"


def format_points(points: float) -> str:
    """Points the Vietnamese way: "18", "17,5"."""
    return format_number(points, decimals=0 if float(points).is_integer() else 1)


# --- the scheme ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """`points` when the value is at least `at_least` (or at most `at_most` for ceilings)."""

    points: float
    at_least: float | None = None
    at_most: float | None = None

    def threshold(self, scale: float) -> float:
        return (self.at_least if self.at_least is not None else self.at_most or 0) * scale

    def matches(self, value: float, scale: float) -> bool:
        if self.at_least is not None:
            return value >= self.at_least * scale
        return value <= (self.at_most or 0) * scale


@dataclass(frozen=True)
class ScoringItem:
    indicator: IndicatorInfo
    bands: tuple[Band, ...]  # best first: the first band met gives the points
    scaled: bool  # thresholds scale with the period's length (counts), or not (ratios, stocks)
    if_no_data: float  # points when the indicator has no value (a ratio with nothing to divide)

    @property
    def max_points(self) -> float:
        return max((b.points for b in self.bands), default=0.0)


@dataclass(frozen=True)
class CriterionScheme:
    code: str
    title: str
    standard: float  # điểm chuẩn
    max_points: float  # at least the standard; more allows bonus points
    evidence: str  # tài liệu minh chứng
    note: str
    items: tuple[ScoringItem, ...]


@dataclass(frozen=True)
class AwardRule:
    code: str  # matches resources/awards/award-types.json
    title: str
    min_percent: float
    max_count: int | None
    unit_kinds: frozenset[UnitKind] | None


@dataclass(frozen=True)
class ScoringScheme:
    campaign_code: str
    version: int
    title: str
    note: str
    thresholds_per_months: float
    criteria: tuple[CriterionScheme, ...]
    awards: tuple[AwardRule, ...]
    source: str

    @property
    def standard_total(self) -> float:
        return sum(c.standard for c in self.criteria)

    def scale_for(self, period: Period) -> float:
        return period_months(period) / self.thresholds_per_months


class _SchemeReader:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, path: str, problem: str) -> CampaignFileError:
        return CampaignFileError(
            f"Tệp thang điểm “{self.label}” bị lỗi ở trường “{path}”: {problem}",
            hint="Chưa chấm điểm được. Vui lòng sửa tệp thang điểm (hoặc xin tệp đúng từ Sở Tư pháp).",
        )

    def get(self, obj: Any, key: str, path: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(path or "(gốc)", "phải là một đối tượng JSON.")
        where = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if default is ...:
                raise self.fail(where, "thiếu trường bắt buộc.")
            return default
        value = obj[key]
        numeric = kind in (float, (int, float))
        if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise self.fail(where, "phải là số.")
        if not numeric and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            raise self.fail(where, "có kiểu không đúng.")
        return nfc(value) if isinstance(value, str) else value


def parse_scheme(text: str, label: str, campaign: CampaignInfo) -> ScoringScheme:
    """Validate a scheme against the campaign's catalogue; a broken file is refused with the field named."""
    reader = _SchemeReader(label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CampaignFileError(
            f"Tệp thang điểm “{label}” không đọc được (JSON sai cú pháp: {exc}).",
            hint="Vui lòng sửa tệp hoặc xin tệp đúng từ Sở Tư pháp.",
        ) from None
    if reader.get(data, "format", "", str, SCORING_FORMAT) != SCORING_FORMAT:
        raise reader.fail("format", f"định dạng không được hỗ trợ (cần “{SCORING_FORMAT}”).")
    per_months = float(reader.get(data, "thresholds_per_months", "", (int, float), 12))
    if per_months <= 0:
        raise reader.fail("thresholds_per_months", "phải lớn hơn 0.")
    criteria: list[CriterionScheme] = []
    seen: set[str] = set()
    for index, raw in enumerate(reader.get(data, "criteria", "", list)):
        here = f"criteria[{index}]"
        code = reader.get(raw, "code", here, str)
        criterion = campaign.criteria_by_code.get(code)
        if criterion is None:
            raise reader.fail(f"{here}.code", f"kế hoạch không có tiêu chí “{code}”.")
        if code in seen:
            raise reader.fail(f"{here}.code", f"tiêu chí “{code}” được chấm hai lần.")
        seen.add(code)
        standard = float(reader.get(raw, "standard", here, (int, float)))
        max_points = float(reader.get(raw, "max", here, (int, float), standard))
        if standard <= 0 or max_points < standard:
            raise reader.fail(f"{here}.standard", "điểm chuẩn phải dương và không lớn hơn điểm tối đa.")
        items = tuple(
            _parse_item(reader, raw_item, f"{here}.items[{j}]", campaign)
            for j, raw_item in enumerate(reader.get(raw, "items", here, list))
        )
        criteria.append(
            CriterionScheme(
                code, reader.get(raw, "title", here, str, criterion.title), standard, max_points,
                reader.get(raw, "evidence", here, str, ""), reader.get(raw, "note", here, str, ""), items,
            )
        )
    awards = []
    for index, raw in enumerate(reader.get(data, "awards", "", list, [])):
        here = f"awards[{index}]"
        kinds = reader.get(raw, "unit_kinds", here, list, None)
        try:
            unit_kinds = frozenset(UnitKind(k) for k in kinds) if kinds is not None else None
        except ValueError:
            raise reader.fail(f"{here}.unit_kinds", "có loại đơn vị không hợp lệ.") from None
        max_count = reader.get(raw, "max_count", here, int, None)
        awards.append(
            AwardRule(
                reader.get(raw, "code", here, str), reader.get(raw, "title", here, str),
                float(reader.get(raw, "min_percent", here, (int, float))), max_count, unit_kinds,
            )
        )
    return ScoringScheme(
        campaign_code=reader.get(data, "campaign", "", str, campaign.code),
        version=reader.get(data, "version", "", int, 1),
        title=reader.get(data, "title", "", str, f"Bảng chấm điểm thi đua — {campaign.title}"),
        note=reader.get(data, "note", "", str, ""),
        thresholds_per_months=per_months,
        criteria=tuple(criteria),
        awards=tuple(awards),
        source=label,
    )


def _parse_item(reader: _SchemeReader, raw: Any, here: str, campaign: CampaignInfo) -> ScoringItem:
    code = reader.get(raw, "indicator", here, str)
    indicator = campaign.indicators_by_code.get(code)
    if indicator is None:
        raise reader.fail(f"{here}.indicator", f"kế hoạch không có chỉ tiêu “{code}”.")
    bands = []
    for k, raw_band in enumerate(reader.get(raw, "bands", here, list)):
        where = f"{here}.bands[{k}]"
        points = float(reader.get(raw_band, "points", where, (int, float)))
        at_least = reader.get(raw_band, "from", where, (int, float), None)
        at_most = reader.get(raw_band, "up_to", where, (int, float), None)
        if (at_least is None) == (at_most is None):
            raise reader.fail(where, "cần đúng một trong hai ngưỡng “from” (từ) hoặc “up_to” (đến).")
        bands.append(Band(points, at_least, at_most))
    if not bands:
        raise reader.fail(f"{here}.bands", "cần ít nhất một mức điểm.")
    counts = indicator.aggregation is Aggregation.SUM
    return ScoringItem(
        indicator,
        tuple(bands),
        bool(reader.get(raw, "scale", here, bool, counts)),
        float(reader.get(raw, "if_no_data", here, (int, float), 0)),
    )


def scheme_files(campaign_code: str, extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Candidate files, most specific first: a data folder's override, then the shipped file."""
    name = f"{campaign_code.lower()}.json"
    return [folder / name for folder in (*extra_dirs, resource_path("scoring"))]


def load_scheme(session: Session, campaign: CampaignInfo, *, extra_dirs: Iterable[Path] = ()) -> ScoringScheme:
    """The campaign's scoring scheme: a scoring file if there is one, else the campaign file's `scoring` section."""
    for path in scheme_files(campaign.code, extra_dirs):
        if path.is_file():
            return parse_scheme(path.read_text(encoding="utf-8"), path.name, campaign)
    definition = session.scalar(select(Campaign.definition_json).where(Campaign.id == campaign.id))
    section = json.loads(definition or "{}").get("scoring")
    if isinstance(section, dict):
        return parse_scheme(json.dumps(section, ensure_ascii=False), f"{campaign.code} (mục scoring)", campaign)
    raise NotFoundError(
        f"Phong trào “{campaign.code}” chưa có thang điểm thi đua.",
        hint="Thêm tệp scoring/<mã phong trào>.json vào thư mục dữ liệu, hoặc mục “scoring” vào tệp phong trào.",
    )


# --- scores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    item: ScoringItem
    value: float | None
    points: float
    threshold: float | None  # the (scaled) threshold of the band reached


@dataclass(frozen=True)
class CriterionScore:
    scheme: CriterionScheme
    items: tuple[ItemScore, ...]
    self_points: float
    reviewed_points: float
    review_note: str = ""
    reviewed: bool = False  # a reviewer scored this criterion

    @property
    def code(self) -> str:
        return self.scheme.code


def score_item(item: ScoringItem, result: IndicatorResult | None, scale: float) -> ItemScore:
    value = result.value if result is not None else None
    ceiling = all(band.at_most is not None for band in item.bands)
    if value is None and item.indicator.aggregation is not Aggregation.RATIO and not ceiling:
        value = 0.0  # a count or stock with nothing reported is zero
    # A ceiling ("no complaints") is earned by reporting 0, not by reporting nothing.
    if value is None:
        return ItemScore(item, None, item.if_no_data, None)
    factor = scale if item.scaled else 1.0
    for band in item.bands:
        if band.matches(value, factor):
            return ItemScore(item, value, band.points, band.threshold(factor))
    return ItemScore(item, value, 0.0, None)


def score_criteria(
    scheme: ScoringScheme,
    results: Mapping[int, IndicatorResult],
    period: Period,
    reviews: Mapping[str, tuple[float, str]] | None = None,
) -> tuple[CriterionScore, ...]:
    """Each criterion's self points (capped at its maximum) and reviewed points (the reviewer's, if any)."""
    scale = scheme.scale_for(period)
    scored = []
    for criterion in scheme.criteria:
        items = tuple(score_item(item, results.get(item.indicator.id), scale) for item in criterion.items)
        own = min(criterion.max_points, sum(i.points for i in items))
        review = (reviews or {}).get(criterion.code)
        scored.append(
            CriterionScore(
                criterion, items, own, review[0] if review else own, review[1] if review else "", review is not None
            )
        )
    return tuple(scored)


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    unit: UnitInfo
    criteria: tuple[CriterionScore, ...]
    activities: int
    open_queries: int
    misses: int  # targets missed in the consolidated table

    @property
    def self_total(self) -> float:
        return sum(c.self_points for c in self.criteria)

    @property
    def reviewed_total(self) -> float:
        return sum(c.reviewed_points for c in self.criteria)

    @property
    def max_total(self) -> float:
        return sum(c.scheme.standard for c in self.criteria)

    @property
    def percent(self) -> float:
        return self.reviewed_total * 100.0 / self.max_total if self.max_total else 0.0

    @property
    def reviewed(self) -> bool:
        return any(c.reviewed for c in self.criteria)


@dataclass(frozen=True)
class Ranking:
    scheme: ScoringScheme
    filter: ConsolidationFilter
    rows: tuple[RankedUnit, ...]

    def row_for(self, unit_code: str) -> RankedUnit:
        return next(r for r in self.rows if r.unit.code == unit_code)


def _reviews(session: Session, campaign: CampaignInfo, key: str) -> dict[int, dict[str, tuple[float, str]]]:
    found: dict[int, dict[str, tuple[float, str]]] = {}
    for row in session.scalars(
        select(ScoreReview).where(ScoreReview.campaign_id == campaign.id, ScoreReview.period_key == key)
    ):
        found.setdefault(row.unit_id, {})[row.criterion_code] = (row.points, row.note)
    return found


def rank_units(
    session: Session,
    campaign: CampaignInfo,
    period: Period | ConsolidationFilter,
    *,
    scheme: ScoringScheme | None = None,
    table: ConsolidatedTable | None = None,
    figures: FiguresSource | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> Ranking:
    """Score every unit of the consolidated table and rank them by reviewed score (ties share a rank).

    Ties in reviewed points share a rank ("1, 2, 2, 4"); within a tie, the higher self-score and then the
    name come first. Pass `table` (or a `figures` cube) to reuse figures already computed.
    """
    flt = period if isinstance(period, ConsolidationFilter) else ConsolidationFilter(period)
    scheme = scheme or load_scheme(session, campaign)
    table = table or consolidated_table(session, campaign, flt, figures=figures, progress=progress, cancel=cancel)
    reviews = _reviews(session, campaign, period_key(flt.period, campaign))
    units = [row.unit for row in table.rows if row.unit is not None]
    queries = open_query_count(session, campaign, [u.id for u in units], flt.period)
    scored = []
    for row in table.rows:
        assert row.unit is not None
        results = {
            ind.id: IndicatorResult(ind, cell.value, cell.numerator, cell.denominator)
            for ind, cell in zip(table.indicators, row.cells, strict=True)
        }
        criteria = score_criteria(scheme, results, flt.period, reviews.get(row.unit.id))
        scored.append(RankedUnit(0, row.unit, criteria, row.activities, queries.get(row.unit.id, 0), row.miss_count))
    scored.sort(key=lambda r: (-r.reviewed_total, -r.self_total, sort_key(r.unit.name)))
    ranked: list[RankedUnit] = []
    for position, item in enumerate(scored, start=1):
        tied = ranked and abs(ranked[-1].reviewed_total - item.reviewed_total) < 1e-9
        rank = ranked[-1].rank if tied else position
        ranked.append(RankedUnit(rank, item.unit, item.criteria, item.activities, item.open_queries, item.misses))
    return Ranking(scheme, flt, tuple(ranked))


def set_reviewed_score(
    session: Session,
    campaign: CampaignInfo,
    unit_id: int,
    period: Period,
    criterion_code: str,
    points: float | None,
    *,
    note: str = "",
    actor: str,
    scheme: ScoringScheme,
) -> None:
    """Record the reviewer's points for one criterion (None returns it to the self-score); audited."""
    criterion = next((c for c in scheme.criteria if c.code == criterion_code), None)
    if criterion is None:
        raise NotFoundError(f"Thang điểm không có tiêu chí “{criterion_code}”.", hint="Hãy tải lại bảng xếp hạng.")
    if points is not None and not 0 <= points <= criterion.max_points:
        raise ValidationError(
            {"points": f"Điểm tiêu chí {criterion_code} phải từ 0 đến {format_points(criterion.max_points)}."}
        )
    key = period_key(period, campaign)
    where = (
        ScoreReview.campaign_id == campaign.id,
        ScoreReview.unit_id == unit_id,
        ScoreReview.period_key == key,
        ScoreReview.criterion_code == criterion_code,
    )
    row = session.scalar(select(ScoreReview).where(*where))
    old = row.points if row else None
    if points is None:
        session.execute(delete(ScoreReview).where(*where))
    elif row is None:
        session.add(
            ScoreReview(
                campaign_id=campaign.id, unit_id=unit_id, period_key=key, criterion_code=criterion_code,
                points=points, note=nfc(note.strip()), reviewer=actor, reviewed_at=utc_now(),
            )
        )
    else:
        row.points, row.note, row.reviewer, row.reviewed_at = points, nfc(note.strip()), actor, utc_now()
    session.flush()
    audit.record(session, actor, "score", "unit", str(unit_id),
                 {"period": key, "criterion": criterion_code, "points": [old, points], "note": note})


@dataclass(frozen=True)
class CriterionProgress:
    """How far the ranked units (or one of them) got on a criterion: average reviewed points against the standard."""

    code: str
    title: str
    points: float  # average reviewed points of the units counted
    standard: float
    below_awards: bool  # under the lowest award threshold

    @property
    def percent(self) -> float:
        return self.points * 100.0 / self.standard


def lowest_award_percent(scheme: ScoringScheme) -> float:
    return min((a.min_percent for a in scheme.awards), default=0)


def criterion_progress(ranking: Ranking, unit_id: int | None = None) -> list[CriterionProgress]:
    """Per criterion, the average reviewed points of every ranked unit (or of `unit_id` alone)."""
    rows = [r for r in ranking.rows if unit_id is None or r.unit.id == unit_id]
    threshold = lowest_award_percent(ranking.scheme)
    result = []
    for index, criterion in enumerate(ranking.scheme.criteria):
        points = sum(r.criteria[index].reviewed_points for r in rows) / max(1, len(rows))
        result.append(CriterionProgress(criterion.code, criterion.title, points, criterion.standard,
                                        points * 100.0 / criterion.standard < threshold))
    return result


# --- award candidates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardCandidate:
    """A proposed award for a unit; the award-dossier feature turns it into a nomination."""

    award_code: str
    award_title: str
    unit: UnitInfo
    rank: int
    points: float
    max_points: float
    percent: float
    period: Period
    warnings: tuple[str, ...]  # things the council should know: open queries, missed targets, …

    @property
    def summary(self) -> str:
        return (
            f"Xếp hạng {self.rank}, đạt {format_points(self.points)}/{format_points(self.max_points)} điểm "
            f"({format_number(self.percent, decimals=1)}%) {self.period.phrase}"
        )


def award_candidates(ranking: Ranking) -> list[AwardCandidate]:
    """Propose awards down the ranking: each unit the highest award it qualifies for, within each award's quota."""
    given: dict[str, int] = {}
    proposals: list[AwardCandidate] = []
    for row in ranking.rows:
        for rule in ranking.scheme.awards:
            if row.percent + 1e-9 < rule.min_percent:
                continue
            if rule.unit_kinds is not None and row.unit.kind not in rule.unit_kinds:
                continue
            if rule.max_count is not None and given.get(rule.code, 0) >= rule.max_count:
                continue
            given[rule.code] = given.get(rule.code, 0) + 1
            warnings = []
            if row.open_queries:
                warnings.append(f"Còn {row.open_queries} hoạt động đang đề nghị giải trình.")
            if row.misses:
                warnings.append(f"Chưa đạt {row.misses} chỉ tiêu của kế hoạch.")
            if not row.reviewed:
                warnings.append("Điểm chưa được Hội đồng thẩm định (đang là điểm tự chấm).")
            proposals.append(
                AwardCandidate(
                    rule.code, rule.title, row.unit, row.rank, row.reviewed_total, row.max_total, row.percent,
                    ranking.filter.period, tuple(warnings),
                )
            )
            break
    return proposals


def propose_awards(session: Session, campaign: CampaignInfo, period: Period) -> list[AwardCandidate]:
    """Rank the units for a period and propose award candidates in one call."""
    return award_candidates(rank_units(session, campaign, period))


__all__ = [
    "AwardCandidate", "AwardRule", "Band", "CriterionProgress", "CriterionScheme", "CriterionScore", "ItemScore", "RankedUnit", "Ranking",
    "ScoringItem", "ScoringScheme", "award_candidates", "criterion_progress", "format_points", "load_scheme", "parse_scheme",
    "propose_awards", "rank_units", "score_criteria", "set_reviewed_score",
]
